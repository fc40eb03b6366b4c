"""Hyperband: several successive-halving brackets, from aggressive to patient, each
trial assigned to one."""

from __future__ import annotations

import binascii
import math
import numbers
from typing import TYPE_CHECKING

from fastune._study_view import study_view
from fastune._validation import check_int, invalid
from fastune.pruners._base import BasePruner
from fastune.pruners._successive_halving import SuccessiveHalvingPruner
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["HyperbandPruner"]


class HyperbandPruner(BasePruner):
    """Hyperband over asynchronous successive halving, with Optuna's parameters.

    There are ``floor(log_rf(max_resource / min_resource)) + 1`` brackets; bracket ``b``
    is a :class:`SuccessiveHalvingPruner` with ``min_early_stopping_rate = b`` (bracket 0
    prunes hardest). A trial's bracket follows from a hash of the study name and its
    number, with bracket ``b`` drawing a share proportional to
    ``ceil(n_brackets * rf ** (n_brackets - 1 - b) / (n_brackets - b))``; within a
    bracket, trials compete only with trials of the same bracket. The study's sampler
    learns from every trial of the study, as Optuna 5's samplers do (its bracket view
    filters ``get_trials``, which they do not read): one model of the whole search.

    Args:
        min_resource: Steps before the first rung of bracket 0, >= 1.
        max_resource: The most steps a trial runs; ``"auto"`` takes the longest complete
            trial's last step + 1 (no pruning before).
        reduction_factor: >= 2.
        bootstrap_count: As for :class:`SuccessiveHalvingPruner`.

    Raises:
        InvalidParameterError: a bad count or resource, or ``max_resource < min_resource``.

    Example:
        >>> import fastune
        >>> pruner = fastune.pruners.HyperbandPruner(min_resource=1, max_resource=30)
    """

    def __init__(
        self,
        min_resource: int = 1,
        max_resource: str | int = "auto",
        reduction_factor: int = 3,
        bootstrap_count: int = 0,
    ) -> None:
        owner = "HyperbandPruner"
        self._min_resource = int(check_int(min_resource, "min_resource", owner, low=1) or 1)
        auto = isinstance(max_resource, str) and max_resource == "auto"
        if not auto and not (
            isinstance(max_resource, numbers.Integral)  # numpy ints too
            and not isinstance(max_resource, bool)
            and max_resource >= self._min_resource
        ):
            raise invalid(
                "max_resource",
                owner,
                f"'auto' or an int >= min_resource ({min_resource})",
                max_resource,
            )
        self._max_resource: int | None = None if auto else int(max_resource)
        self._reduction_factor = int(
            check_int(reduction_factor, "reduction_factor", owner, low=2) or 2
        )
        self._bootstrap_count = int(
            check_int(bootstrap_count, "bootstrap_count", owner, low=0) or 0
        )
        if self._bootstrap_count > 0 and self._max_resource is None:
            raise invalid(
                "bootstrap_count", owner, "0 when max_resource='auto' (as Optuna)", bootstrap_count
            )
        self._pruners: list[SuccessiveHalvingPruner] = []
        self._budgets: list[int] = []
        self._built = False
        if self._max_resource is not None:
            self._build()

    def _build(self) -> None:
        assert self._max_resource is not None
        ratio = self._max_resource / self._min_resource
        # Optuna's count, floating-point log included (log(243, 3) = 4.999...: 5 brackets).
        n_brackets = math.floor(math.log(ratio, self._reduction_factor)) + 1
        budgets = [
            math.ceil(
                n_brackets * self._reduction_factor ** (n_brackets - 1 - b) / (n_brackets - b)
            )
            for b in range(n_brackets)
        ]
        pruners = [
            SuccessiveHalvingPruner(
                min_resource=self._min_resource,
                reduction_factor=self._reduction_factor,
                min_early_stopping_rate=bracket,
                bootstrap_count=self._bootstrap_count,
            )
            for bracket in range(n_brackets)
        ]
        # Budgets before brackets, built last: a check in another thread meanwhile sees
        # either no brackets or all of them.
        self._budgets = budgets
        self._pruners = pruners
        self._built = True

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if not self._built:
            complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            steps = [t.last_step for t in complete if t.last_step is not None]
            if not steps:
                return False
            self._max_resource = max(steps) + 1  # Optuna 5: the longest complete trial
            self._build()
        if not self._pruners:  # max_resource below min_resource: no bracket, as Optuna
            return False
        bracket = self.bracket_of(study, trial.number)
        return self._pruners[bracket].prune(_bracket_view(study, self, bracket), trial)

    @property
    def _n_brackets(self) -> int | None:
        """Optuna's name for the number of brackets, read by Optuna-era code: None until
        the brackets are known (with ``max_resource="auto"``, at the first check after a
        trial completes)."""
        return len(self._pruners) if self._built else None

    def bracket_of(self, study: Study, number: int) -> int:
        """The bracket of trial ``number`` in ``study`` (0 before the brackets are known)."""
        if not self._pruners:
            return 0
        key = f"{study.study_name}_{number}".encode()
        position = binascii.crc32(key) % sum(self._budgets)
        for bracket, budget in enumerate(self._budgets):
            if position < budget:
                return bracket
            position -= budget
        raise AssertionError("unreachable: position is below the budgets' sum")

    def _get_bracket_id(self, study: Study, trial: FrozenTrial) -> int:
        """Optuna's private name of :meth:`bracket_of`, read by Optuna-era code."""
        return self.bracket_of(study, trial.number)


def _bracket_view(study: Study, pruner: HyperbandPruner, bracket: int) -> Study:
    """The study as one bracket sees it: only the trials of that bracket."""
    return study_view(
        study, lambda t: pruner.bracket_of(study, t.number) == bracket, ("bracket", bracket)
    )
