"""Prune a trial whose value leaves fixed bounds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from fastune._validation import check_int, check_number, invalid
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import is_check_step

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
        if lower is None and upper is None:
            raise invalid("lower", owner, "a number when upper is None", lower)
        self._lower = check_number(lower, "lower", owner, allow_none=True)
        self._upper = check_number(upper, "upper", owner, allow_none=True)
        if self._lower is not None and self._upper is not None and self._lower > self._upper:
            raise invalid("lower", owner, f"<= upper ({upper})", lower)
        self._n_warmup_steps = int(check_int(n_warmup_steps, "n_warmup_steps", owner, low=0) or 0)
        self._interval_steps = int(check_int(interval_steps, "interval_steps", owner, low=1) or 1)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not is_check_step(trial, self._n_warmup_steps, self._interval_steps):
            return False
        value = trial.intermediate_values[step]
        if math.isnan(value):
            return True
        if self._lower is not None and value < self._lower:
            return True
        return self._upper is not None and value > self._upper
