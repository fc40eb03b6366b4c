"""fastune.integration.xgboost: the pruning callback in real XGBoost training (``train``,
the scikit-learn model, ``cv``)."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.trial import TrialState

xgb = pytest.importorskip("xgboost")

from fastune.integration.xgboost import XGBoostPruningCallback  # noqa: E402

X, Y = load_breast_cancer(return_X_y=True)
PARAMS = {"objective": "binary:logistic", "eval_metric": ["logloss", "auc"], "max_depth": 2}


def _train(trial: Any, key: str, rounds: int = 8) -> dict[str, Any]:
    history: dict[str, Any] = {}
    xgb.train(
        PARAMS,
        xgb.DMatrix(X[:400], Y[:400]),
        rounds,
        evals=[(xgb.DMatrix(X[400:], Y[400:]), "validation")],
        evals_result=history,
        callbacks=[XGBoostPruningCallback(trial, key)],
        verbose_eval=False,
    )
    return history


def test_reports_each_round_and_prunes_when_told() -> None:
    study = fastune.create_study(pruner=PruneAtStep(3))
    study.optimize(lambda trial: _train(trial, "validation-logloss") and 0.0, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [0, 1, 2, 3]


def test_reported_values_are_the_evaluation_history() -> None:
    study = fastune.create_study(direction="maximize")
    trial = study.ask()
    history = _train(trial, "validation-auc")
    reported = study.trials[0].intermediate_values
    assert [reported[i] for i in range(8)] == pytest.approx(history["validation"]["auc"])


def test_scikit_learn_model_names_its_sets_by_position() -> None:
    study = fastune.create_study()
    trial = study.ask()
    model = xgb.XGBClassifier(
        n_estimators=5,
        max_depth=2,
        eval_metric="logloss",
        callbacks=[XGBoostPruningCallback(trial, "validation_1-logloss")],
    )
    model.fit(X[:400], Y[:400], eval_set=[(X[:400], Y[:400]), (X[400:], Y[400:])], verbose=False)
    reported = study.trials[0].intermediate_values
    assert [reported[i] for i in range(5)] == pytest.approx(
        model.evals_result()["validation_1"]["logloss"]
    )


def test_cv_reports_the_mean_over_the_folds() -> None:
    study = fastune.create_study()
    trial = study.ask()
    results = xgb.cv(
        {"objective": "binary:logistic", "eval_metric": "logloss", "max_depth": 2},
        xgb.DMatrix(X, Y),
        4,
        nfold=3,
        seed=0,
        callbacks=[XGBoostPruningCallback(trial, "test-logloss")],
    )
    reported = study.trials[0].intermediate_values
    assert [reported[i] for i in range(4)] == pytest.approx(list(results["test-logloss-mean"]))


def test_an_unknown_key_names_the_evaluated_ones() -> None:
    trial = fastune.create_study().ask()
    with pytest.raises(KeyError, match="'observation_key'.*validation-auc"):  # as Optuna
        _train(trial, "valid-logloss")


def test_reached_under_optunas_name() -> None:
    import fastune as optuna

    assert optuna.integration.XGBoostPruningCallback is XGBoostPruningCallback
