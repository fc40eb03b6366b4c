"""Prune a trial whose best value so far is worse than the median of the others."""

from __future__ import annotations

from fastune.pruners._percentile import PercentilePruner

__all__ = ["MedianPruner"]


class MedianPruner(PercentilePruner):
    """Prune when the trial's best intermediate value is worse than the median of the
    complete trials' values at the same step (Optuna's default pruner and rule).

    Only the complete trials that reported that very step count: one that skipped it is
    left out, not read at an earlier step (as Optuna).

    Args:
        n_startup_trials: No pruning until this many trials are complete.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check once every this many steps after the warm-up.
        n_min_trials: No pruning at a step that fewer complete trials reported.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(pruner=fastune.pruners.MedianPruner(n_warmup_steps=5))
    """

    def __init__(
        self,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        super().__init__(
            50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials
        )
