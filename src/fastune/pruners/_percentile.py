"""Prune a trial whose best value so far is worse than a percentile of the others at the
same step."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from fastune._validation import check_int, check_number
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import best_so_far, checked_schedule, is_check_step, sign
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["PercentilePruner"]


class PercentilePruner(BasePruner):
    """Prune when the trial's best intermediate value is worse than the ``percentile``-th
    percentile of the complete trials' values at the same step (Optuna's rule).

    Only the complete trials that reported that very step count: one that skipped it is
    left out, not read at an earlier step (as Optuna).

    Args:
        percentile: In [0, 100]; for minimization, the share of the others' values that
            may be below a trial without pruning it (25.0 keeps only the best quarter).
        n_startup_trials: No pruning until this many trials are complete.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check once every this many steps after the warm-up.
        n_min_trials: No pruning at a step that fewer complete trials reported.

    Raises:
        InvalidParameterError: ``percentile`` outside [0, 100], a negative count, or
            ``interval_steps < 1`` / ``n_min_trials < 1``.

    Example:
        >>> import fastune
        >>> pruner = fastune.pruners.PercentilePruner(25.0, n_startup_trials=5)
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        owner = type(self).__name__
        self._percentile = float(
            check_number(percentile, "percentile", owner, low=0.0, high=100.0) or 0.0
        )
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        self._n_warmup_steps, self._interval_steps = checked_schedule(
            n_warmup_steps, interval_steps, owner
        )
        self._n_min_trials = int(check_int(n_min_trials, "n_min_trials", owner, low=1) or 1)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not is_check_step(trial, self._n_warmup_steps, self._interval_steps):
            return False
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete or len(complete) < self._n_startup_trials:
            return False
        best = best_so_far(trial, study.direction)
        if math.isnan(best):
            return True
        # Peers that reported NaN count towards n_min_trials, not in the bar (as Optuna).
        reported = [t.intermediate_values[step] for t in complete if step in t.intermediate_values]
        others = np.array(reported, dtype=float)
        if len(others) < self._n_min_trials or np.isnan(others).all():
            return False
        maximize = sign(study.direction) < 0
        bar = float(
            np.nanpercentile(others, 100 - self._percentile if maximize else self._percentile)
        )
        if math.isnan(bar):  # infinities on both sides of the percentile
            return False
        return best < bar if maximize else best > bar
