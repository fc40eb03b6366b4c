"""Prune a trial whose value leaves fixed bounds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from fastune._validation import check_number, invalid, invalid_type
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import CheckSchedule

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["ThresholdPruner"]


class ThresholdPruner(BasePruner):
    """Prune when the last intermediate value is below ``lower``, above ``upper``, or NaN.

    Args:
        lower: Smallest allowed value (None: no bound below).
        upper: Largest allowed value (None: no bound above).
        n_warmup_steps: No pruning before this step.
        interval_steps: Check once every this many steps after the warm-up.

    Raises:
        InvalidParameterError: both bounds None, ``lower > upper``, or a bad count.

    Example:
        >>> import fastune
        >>> pruner = fastune.pruners.ThresholdPruner(upper=1.0)
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        owner = "ThresholdPruner"
        if lower is None and upper is None:  # a TypeError too, as Optuna raises
            raise invalid_type("lower", owner, "a number when upper is None", lower)
        self._lower = _bound(lower, "lower", owner)
        self._upper = _bound(upper, "upper", owner)
        if self._lower is not None and self._upper is not None and self._lower > self._upper:
            raise invalid("lower", owner, f"<= upper ({upper})", lower)
        self._schedule = CheckSchedule(n_warmup_steps, interval_steps, owner)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not self._schedule.due(trial):
            return False
        value = trial.intermediate_values[step]
        if math.isnan(value):
            return True
        if self._lower is not None and value < self._lower:
            return True
        return self._upper is not None and value > self._upper


def _bound(value: Any, name: str, owner: str) -> float | None:
    """A bound: None or a real number; an infinite one is taken (as Optuna), NaN is not."""
    if isinstance(value, float) and math.isinf(value):
        return value
    return check_number(value, name, owner, allow_none=True)
