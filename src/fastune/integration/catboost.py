"""CatBoost (``pip install fastune[catboost]``): a callback that reports a validation
metric to a trial after each iteration and stops training when the trial is to be
pruned, with Optuna's name (``CatBoostPruningCallback``)."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional
from fastune._validation import check_int, invalid, invalid_type
from fastune.exceptions import TrialPruned

__all__ = ["CatBoostPruningCallback"]

# On import, as Optuna's: reaching the name without CatBoost says which extra installs it.
import_optional("catboost", "catboost")


class CatBoostPruningCallback:
    """Report ``metric`` on an evaluation set after each CatBoost iteration (step: the
    iteration, from 0) and stop training when the study's pruner says so.

    CatBoost does not let an exception leave a callback: training stops quietly, so
    call :meth:`check_pruned` after ``fit``; it raises
    :class:`~fastune.exceptions.TrialPruned`, and the study records the trial as pruned.
    CatBoost on a GPU calls no user callback, so this works on the CPU only.

    Args:
        trial: The trial of the objective.
        metric: The CatBoost metric to report, such as ``"Logloss"`` or ``"AUC"``
            (``eval_metric`` or ``custom_metric`` of the model).
        eval_set_index: With several ``eval_set`` datasets, the index of the one to
            watch; None with a single one.

    Raises:
        MissingDependencyError: CatBoost is not installed (on import of this module).
        InvalidParameterError: during training, no result for that set and metric
            (CatBoost raises it as a ``CatBoostError`` that holds its message).

    Example:
        >>> import catboost
        >>> import fastune
        >>> from sklearn.datasets import load_breast_cancer
        >>> from fastune.integration import CatBoostPruningCallback
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> def objective(trial):
        ...     model = catboost.CatBoostClassifier(
        ...         iterations=20, depth=trial.suggest_int("depth", 2, 6), verbose=0,
        ...         allow_writing_files=False)  # no catboost_info/ directory
        ...     pruning = CatBoostPruningCallback(trial, "Logloss")
        ...     model.fit(X[:400], y[:400], eval_set=[(X[400:], y[400:])],
        ...               callbacks=[pruning])
        ...     pruning.check_pruned()
        ...     return model.get_best_score()["validation"]["Logloss"]
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=3)
    """

    def __init__(self, trial: Any, metric: str, eval_set_index: int | None = None) -> None:
        owner = "CatBoostPruningCallback"
        if not isinstance(metric, str):
            raise invalid_type("metric", owner, "a CatBoost metric name", metric)
        check_int(eval_set_index, "eval_set_index", owner, low=0, allow_none=True)
        self._trial = trial
        self._metric = metric
        # CatBoost names a single evaluation set "validation", several "validation_<i>".
        self._set = "validation" if eval_set_index is None else f"validation_{eval_set_index}"
        self._pruned_at: int | None = None

    def after_iteration(self, info: Any) -> bool:
        """Called by CatBoost after each iteration; False stops training."""
        step = info.iteration - 1  # CatBoost counts iterations from 1
        results = info.metrics.get(self._set, {}).get(self._metric)
        if not results:
            available = sorted(f"{name}: {m}" for name, ms in info.metrics.items() for m in ms)
            raise invalid(
                "metric",
                "CatBoostPruningCallback",
                f"a metric evaluated on {self._set!r} (evaluated: {available})",
                self._metric,
            )
        self._trial.report(float(results[-1]), step=step)
        if self._trial.should_prune():
            self._pruned_at = step
            return False
        return True

    def check_pruned(self) -> None:
        """Raise :class:`~fastune.exceptions.TrialPruned` if training was stopped to
        prune the trial.

        Raises:
            TrialPruned: the pruner stopped the trial.
        """
        if self._pruned_at is not None:
            raise TrialPruned(f"Trial was pruned at iteration {self._pruned_at}.")
