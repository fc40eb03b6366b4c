"""Prune a trial that a paired signed-rank test finds worse than the best trial."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number
from fastune.pruners._base import BasePruner

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["WilcoxonPruner"]


class WilcoxonPruner(BasePruner):
    """For objectives that average a score over instances (folds, datasets, problems):
    each step is an instance, reported with its score, and a trial is pruned once a
    one-sided Wilcoxon signed-rank test on its scores against the best trial's scores at
    the same steps finds it worse with ``p < p_threshold`` (Optuna's name and meaning).

    The test pairs the two trials instance by instance, so that easy and hard instances
    cancel out. Nothing is pruned with fewer than ``max(2, n_startup_steps)`` common
    steps, without a complete best trial that has reports, with a non-finite report, or
    while the trial's mean over its steps is at least as good as the best trial's mean
    over all of its own steps. Like Optuna's, it warns (``UserWarning``) when a non-finite
    report or a best trial without reports keeps it from judging, and when the trial has
    steps that the best trial lacks (those are left out of the test).

    Args:
        p_threshold: In [0, 1]; smaller prunes less and more surely.
        n_startup_steps: Paired steps needed before the test is used, >= 0.

    Raises:
        InvalidParameterError: a value outside these ranges.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -3, 3)
        ...     scores = []
        ...     for instance in range(10):
        ...         scores.append((x - 1) ** 2 + 0.1 * instance)
        ...         trial.report(scores[-1], instance)
        ...         if trial.should_prune():
        ...             raise fastune.TrialPruned()
        ...     return sum(scores) / len(scores)
        >>> pruner = fastune.pruners.WilcoxonPruner(p_threshold=0.1)
        >>> study = fastune.create_study(pruner=pruner)
        >>> study.optimize(objective, n_trials=20)
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        owner = "WilcoxonPruner"
        self._p_threshold = float(
            check_number(p_threshold, "p_threshold", owner, low=0.0, high=1.0) or 0.0
        )
        self._n_startup_steps = int(
            check_int(n_startup_steps, "n_startup_steps", owner, low=0) or 0
        )

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        mine = trial.intermediate_values
        if not mine:
            return False
        if not all(math.isfinite(v) for v in mine.values()):
            _warn(
                f"Trial {trial.number} reported an infinite or NaN value: WilcoxonPruner "
                "does not prune it."
            )
            return False
        try:
            best = study.best_trial
        except ValueError:
            return False
        theirs = best.intermediate_values
        if not theirs:
            _warn(
                f"The best trial (trial {best.number}) has no intermediate values: "
                "WilcoxonPruner cannot prune. A best trial added with Study.add_trial "
                "needs its intermediate_values."
            )
            return False
        if not all(math.isfinite(v) for v in theirs.values()):
            _warn(
                f"The best trial (trial {best.number}) reported an infinite or NaN value: "
                f"WilcoxonPruner does not prune trial {trial.number}."
            )
            return False
        common = sorted(set(mine) & set(theirs))
        if len(common) < len(mine):
            _warn(
                f"Trial {trial.number} reported steps that the best trial (trial "
                f"{best.number}) did not: WilcoxonPruner leaves them out."
            )
        if len(common) < max(2, self._n_startup_steps):
            return False
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        # Oriented so that lower is better: a positive difference means worse than the best.
        differences = [sign * (mine[step] - theirs[step]) for step in common]
        my_mean = sign * sum(mine.values()) / len(mine)
        best_mean = sign * sum(theirs.values()) / len(theirs)
        if my_mean <= best_mean:
            return False  # as good as the best on average so far: let it go on
        from scipy.stats import wilcoxon  # here: scipy.stats is slow to import

        # "zsplit" shares the ties at zero between both signs (no error when all tie).
        p_value = wilcoxon(differences, alternative="greater", zero_method="zsplit").pvalue
        return bool(p_value < self._p_threshold)


def _warn(message: str) -> None:
    warnings.warn(message, UserWarning, stacklevel=4)  # the caller of Trial.should_prune
