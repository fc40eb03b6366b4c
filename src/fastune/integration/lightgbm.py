"""LightGBM (``pip install fastune[lightgbm]``), as Optuna's
``optuna.integration.lightgbm``: a callback that reports a validation metric to a trial
after boosting rounds and prunes the trial, the stepwise tuners ``LightGBMTuner`` and
``LightGBMTunerCV``, and ``train``, which tunes before it trains. Every other name of
LightGBM's API is LightGBM's own (``Dataset``, ``early_stopping``...), so that
``import fastune.integration.lightgbm as lgb`` stands in for ``import lightgbm as lgb``."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, invalid, invalid_type
from fastune.exceptions import TrialPruned

__all__ = ["LightGBMPruningCallback", "LightGBMTuner", "LightGBMTunerCV", "train"]

# On import, as Optuna's: reaching the name without LightGBM says which extra installs it.
_lightgbm = import_optional("lightgbm", "lightgbm")

from fastune.integration._lightgbm_tuner import (  # noqa: E402  (after LightGBM's check)
    LightGBMTuner,
    LightGBMTunerCV,
    train,
)


def __getattr__(name: str) -> Any:
    """LightGBM's own names (``Dataset``, ``cv``, ``early_stopping``, ``LGBMClassifier``...)."""
    if name in getattr(_lightgbm, "__all__", ()):
        return getattr(_lightgbm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class LightGBMPruningCallback:
    """Report ``metric`` on the validation set ``valid_name`` after every
    ``report_interval``-th boosting round (step: the round, from 0) and prune when told.

    For ``lightgbm.train``, ``LGBMModel.fit`` (``eval_set``) and ``lightgbm.cv``; with
    ``cv`` the value is the metric's mean over the folds' validation sets (and
    ``valid_name`` is not used). When the study's pruner stops the trial,
    :class:`~fastune.exceptions.TrialPruned` leaves training, so a study's ``optimize``
    records the trial as pruned.

    Args:
        trial: The trial of the objective.
        metric: The LightGBM metric to report, such as ``"binary_logloss"`` or
            ``"auc"``; it must be minimized in a minimizing study and maximized in a
            maximizing one.
        valid_name: The validation set's name (``valid_names`` of ``lightgbm.train``;
            ``"valid_0"`` for the first one, as LightGBM names it).
        report_interval: Report every this many rounds, >= 1.

    Raises:
        MissingDependencyError: LightGBM is not installed (on import of this module).
        InvalidParameterError: ``report_interval`` < 1; during training, no result for
            ``valid_name`` and ``metric``, or a metric whose direction is not the
            study's.

    Example:
        >>> import fastune
        >>> import lightgbm as lgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> from fastune.integration import LightGBMPruningCallback
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> def objective(trial):
        ...     params = {"objective": "binary", "metric": "binary_logloss", "verbose": -1,
        ...               "num_leaves": trial.suggest_int("num_leaves", 2, 64, log=True)}
        ...     train, valid = lgb.Dataset(X[:400], y[:400]), lgb.Dataset(X[400:], y[400:])
        ...     booster = lgb.train(params, train, 20, valid_sets=[valid],
        ...                         callbacks=[LightGBMPruningCallback(trial, "binary_logloss")])
        ...     return booster.best_score["valid_0"]["binary_logloss"]
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=3)
    """

    def __init__(
        self, trial: Any, metric: str, valid_name: str = "valid_0", report_interval: int = 1
    ) -> None:
        owner = "LightGBMPruningCallback"
        for name, value in (("metric", metric), ("valid_name", valid_name)):
            if not isinstance(value, str):
                raise invalid_type(name, owner, "a str", value)
        self._trial = trial
        self._metric = metric
        self._valid_name = valid_name
        self._report_interval = int(
            check_int(report_interval, "report_interval", owner, low=1) or 1
        )

    def __call__(self, env: Any) -> None:
        if (env.iteration + 1) % self._report_interval:
            return
        value, maximize = self._result(list(env.evaluation_result_list or []))
        direction = self._trial.study.direction
        if maximize != (direction == StudyDirection.MAXIMIZE):
            raise invalid(
                "metric",
                "LightGBMPruningCallback",
                f"a metric to {direction.name.lower()}, as the study does",
                f"{self._metric!r}, which LightGBM {'maximizes' if maximize else 'minimizes'}",
            )
        self._trial.report(float(value), step=env.iteration)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at boosting round {env.iteration}.")

    def _result(self, results: list[Any]) -> tuple[float, bool]:
        """The value of the watched metric and whether LightGBM maximizes it. Entries are
        (dataset, metric, value, maximize[, standard deviation]); ``cv`` fills the
        deviation and names its validation folds ``"valid"``."""
        is_cv = any(len(entry) > 4 and entry[4] is not None for entry in results)
        dataset = "valid" if is_cv else self._valid_name
        for entry in results:
            name, metric, value, maximize = entry[:4]
            # LightGBM's cv named metrics "valid <metric>" before version 4.
            if name == dataset and metric in (self._metric, f"valid {self._metric}"):
                return value, bool(maximize)
        available = sorted(f"{entry[0]}: {entry[1]}" for entry in results)
        raise invalid(
            "metric",
            "LightGBMPruningCallback",
            f"a metric evaluated on {dataset!r} (evaluated: {available})",
            self._metric,
        )
