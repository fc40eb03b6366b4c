"""XGBoost (``pip install fastune[xgboost]``): a callback that reports a validation
metric to a trial after each boosting round and prunes the trial, with Optuna's name."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional
from fastune._validation import invalid_type, unknown_key
from fastune.exceptions import TrialPruned

__all__ = ["XGBoostPruningCallback"]

_xgboost: Any = import_optional("xgboost", "xgboost")


class XGBoostPruningCallback(_xgboost.callback.TrainingCallback):
    """Report ``observation_key`` after each boosting round (step: the round, from 0) and
    prune when told.

    For ``xgboost.train`` (``evals``), the scikit-learn models (``eval_set``; their sets
    are named ``validation_0``, ``validation_1``, ...) and ``xgboost.cv`` (the metric's
    mean over the folds). When the study's pruner stops the trial,
    :class:`~fastune.exceptions.TrialPruned` leaves training, so a study's ``optimize``
    records the trial as pruned.

    Args:
        trial: The trial of the objective.
        observation_key: ``"<evaluation set>-<metric>"``, such as
            ``"validation-logloss"`` or, with the scikit-learn API,
            ``"validation_0-logloss"``; with ``xgboost.cv``, ``"test-<metric>"``.

    Raises:
        MissingDependencyError: XGBoost is not installed (on import of this module).
        InvalidParameterError: during training, no metric of that name.

    Example:
        >>> import fastune
        >>> import xgboost as xgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> from fastune.integration import XGBoostPruningCallback
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> def objective(trial):
        ...     train, valid = xgb.DMatrix(X[:400], y[:400]), xgb.DMatrix(X[400:], y[400:])
        ...     params = {"objective": "binary:logistic", "eval_metric": "logloss",
        ...               "max_depth": trial.suggest_int("max_depth", 1, 6)}
        ...     pruning = XGBoostPruningCallback(trial, "validation-logloss")
        ...     history = {}
        ...     xgb.train(params, train, 20, evals=[(valid, "validation")],
        ...               evals_result=history, callbacks=[pruning], verbose_eval=False)
        ...     return history["validation"]["logloss"][-1]
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=3)
    """

    def __init__(self, trial: Any, observation_key: str) -> None:
        super().__init__()
        if not isinstance(observation_key, str):
            raise invalid_type(
                "observation_key", "XGBoostPruningCallback", "a str", observation_key
            )
        self._trial = trial
        self._observation_key = observation_key

    def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
        latest = {}
        for dataset, metrics in evals_log.items():
            for metric, history in metrics.items():
                last = history[-1]
                # xgboost.cv keeps (mean, standard deviation) over the folds.
                latest[f"{dataset}-{metric}"] = last[0] if isinstance(last, tuple) else last
        if self._observation_key not in latest:
            raise unknown_key(
                "observation_key",
                "XGBoostPruningCallback",
                f"one of the evaluated metrics {sorted(latest)}",
                self._observation_key,
            )
        self._trial.report(float(latest[self._observation_key]), step=epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at boosting round {epoch}.")
        return False  # do not stop training: pruning does that
