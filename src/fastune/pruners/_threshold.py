"""Prune a trial whose value leaves fixed bounds."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid, invalid_type
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import checked_schedule, is_check_step

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["ThresholdPruner"]


class ThresholdPruner(BasePruner):
    """Prune when the last intermediate value is below ``lower``, above ``upper``, or NaN.

    Args:
        lower: Smallest allowed value; None or ``-inf``: no bound below.
        upper: Largest allowed value; None or ``inf``: no bound above.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check once every this many steps after the warm-up.

    Raises:
        InvalidParameterError: both bounds None, a NaN bound, ``lower > upper``, or a
            bad count.

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
        # A missing bound is stored as an infinite one, as Optuna stores it.
        self._lower = _bound(lower, "lower", owner, -math.inf)
        self._upper = _bound(upper, "upper", owner, math.inf)
        if self._lower > self._upper:
            raise invalid("lower", owner, f"<= upper ({upper})", lower)
        self._n_warmup_steps, self._interval_steps = checked_schedule(
            n_warmup_steps, interval_steps, owner
        )

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not is_check_step(trial, self._n_warmup_steps, self._interval_steps):
            return False
        value = trial.intermediate_values[step]
        return math.isnan(value) or value < self._lower or value > self._upper


def _bound(value: Any, name: str, owner: str, missing: float) -> float:
    """A bound: a real number, infinite ones included (as Optuna), but not NaN, which
    would disable it; ``missing`` when ``value`` is None."""
    if value is None:
        return missing
    allowed = "a real number (inf and -inf included, NaN not) or None"
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise invalid_type(name, owner, allowed, value)
    number = float(value)
    if math.isnan(number):
        raise invalid(name, owner, allowed, value)
    return number
