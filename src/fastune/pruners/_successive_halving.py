"""Asynchronous successive halving (ASHA): at each rung, only the best ``1 /
reduction_factor`` of the trials that reached it go on."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from fastune._validation import check_int, invalid
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import sign
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["SuccessiveHalvingPruner"]

RUNG_KEY = "completed_rung_{}"  # Optuna's key: Optuna-era code reads it


def rung_key(rung: int) -> str:
    """The system attribute holding a trial's value when it reached ``rung``."""
    return RUNG_KEY.format(rung)


class SuccessiveHalvingPruner(BasePruner):
    """Asynchronous successive halving, with Optuna's parameters and meaning.

    Rung ``r`` is reached at step ``min_resource * reduction_factor ** (min_early_stopping_rate
    + r)``. A trial reaching a rung records its value there (in its system attribute
    ``"completed_rung_<r>"``, as Optuna) and goes on only if that value is among the best
    ``1 / reduction_factor`` of all values recorded at the rung (always the best one while
    fewer than ``reduction_factor`` trials are there); otherwise it is pruned. Trials
    never wait for each other.

    Args:
        min_resource: Steps before the first rung; ``"auto"`` takes the last step of the
            longest complete trial divided by 100 (at least 1), and prunes nothing before.
        reduction_factor: >= 2; the share ``1 / reduction_factor`` of trials that go on.
        min_early_stopping_rate: >= 0; skips the first rungs.
        bootstrap_count: A trial at a rung with no more than this many values recorded
            there is pruned (Optuna's meaning: a rung needs this many before promoting).

    Raises:
        InvalidParameterError: ``min_resource`` neither ``"auto"`` nor a positive int,
            ``reduction_factor < 2``, or a negative rate or count.

    Example:
        >>> import fastune
        >>> pruner = fastune.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    """

    def __init__(
        self,
        min_resource: str | int = "auto",
        reduction_factor: int = 4,
        min_early_stopping_rate: int = 0,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "SuccessiveHalvingPruner"
        if not (isinstance(min_resource, str) and min_resource == "auto") and not (
            isinstance(min_resource, numbers.Integral)  # numpy ints too
            and not isinstance(min_resource, bool)
            and min_resource > 0
        ):
            raise invalid("min_resource", owner, "'auto' or an int >= 1", min_resource)
        self._min_resource: int | None = None if min_resource == "auto" else int(min_resource)
        self._reduction_factor = int(
            check_int(reduction_factor, "reduction_factor", owner, low=2) or 2
        )
        self._min_early_stopping_rate = int(
            check_int(min_early_stopping_rate, "min_early_stopping_rate", owner, low=0) or 0
        )
        self._bootstrap_count = int(
            check_int(bootstrap_count, "bootstrap_count", owner, low=0) or 0
        )
        if self._bootstrap_count > 0 and min_resource == "auto":
            raise invalid("bootstrap_count", owner, "0 when min_resource='auto'", bootstrap_count)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        rung = 0  # the rungs the trial has recorded, counted as Optuna counts them
        while rung_key(rung) in trial.system_attrs:
            rung += 1
        value = trial.intermediate_values[step]
        trials: list[FrozenTrial] | None = None
        while True:
            if self._min_resource is None:
                self._min_resource = _estimate_min_resource(study)
                if self._min_resource is None:
                    return False
            promotion_step = self._min_resource * self._reduction_factor ** (
                self._min_early_stopping_rate + rung
            )
            if step < promotion_step:
                return False
            if math.isnan(value):
                return True
            if trials is None:
                trials = study.get_trials(deepcopy=False)
            key = rung_key(rung)
            study._storage.set_trial_system_attr(trial._trial_id, key, value)
            trial.system_attrs[key] = value  # the caller's view of itself stays current
            competing = [
                t.system_attrs[key]
                for t in trials
                if key in t.system_attrs and t.number != trial.number
            ]
            competing.append(value)
            if len(competing) <= self._bootstrap_count:
                return True
            if not self._promotable(value, competing, sign(study.direction)):
                return True
            rung += 1

    def _promotable(self, value: float, competing: list[float], s: float) -> bool:
        """Whether ``value`` is among the best ``1 / reduction_factor`` of ``competing``
        (which includes it); with fewer values than ``reduction_factor``, the best."""
        ranked = sorted(v * s for v in competing if not math.isnan(v))
        index = max(len(ranked) // self._reduction_factor - 1, 0)
        return value * s <= ranked[index]


def _estimate_min_resource(study: Study) -> int | None:
    """Optuna 5's "auto": the longest complete trial's last step / 100, at least 1."""
    steps = [
        t.last_step
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if t.last_step is not None
    ]
    return max(max(steps) // 100, 1) if steps else None
