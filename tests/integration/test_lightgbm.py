"""fastune.integration.lightgbm: the pruning callback in real LightGBM training
(``train``, the scikit-learn model, ``cv``)."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.trial import TrialState

lgb = pytest.importorskip("lightgbm")

from fastune.integration.lightgbm import LightGBMPruningCallback  # noqa: E402

X, Y = load_breast_cancer(return_X_y=True)
PARAMS = {"objective": "binary", "metric": ["binary_logloss", "auc"], "verbose": -1}


def _study(direction: str = "minimize", step: int = 10**6) -> fastune.Study:
    return fastune.create_study(direction=direction, pruner=PruneAtStep(step))


def _train(trial: Any, callback: Any, rounds: int = 12) -> dict[str, Any]:
    history: dict[str, Any] = {}
    train, valid = lgb.Dataset(X[:400], Y[:400]), lgb.Dataset(X[400:], Y[400:])
    lgb.train(
        PARAMS,
        train,
        rounds,
        valid_sets=[valid],
        callbacks=[callback, lgb.record_evaluation(history)],
    )
    return history


def test_reports_each_round_and_prunes_when_told() -> None:
    study = _study(step=4)
    histories: list[dict[str, Any]] = []

    def objective(trial: fastune.Trial) -> float:
        histories.append({})
        train, valid = lgb.Dataset(X[:400], Y[:400]), lgb.Dataset(X[400:], Y[400:])
        lgb.train(
            PARAMS,
            train,
            12,
            valid_sets=[valid],
            callbacks=[
                lgb.record_evaluation(histories[-1]),
                LightGBMPruningCallback(trial, "binary_logloss"),
            ],
        )
        return 0.0

    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [0, 1, 2, 3, 4]
    # LightGBM runs this callback before its recorder, so round 4 was not recorded.
    logloss = histories[0]["valid_0"]["binary_logloss"]
    assert [trial.intermediate_values[i] for i in range(4)] == pytest.approx(logloss)


def test_maximized_metric_in_a_maximizing_study_every_third_round() -> None:
    study = _study("maximize")
    trial = study.ask()
    history = _train(trial, LightGBMPruningCallback(trial, "auc", report_interval=3))
    frozen = study.trials[0]
    assert sorted(frozen.intermediate_values) == [2, 5, 8, 11]
    assert frozen.intermediate_values[5] == pytest.approx(history["valid_0"]["auc"][5])


def test_named_validation_set_through_the_scikit_learn_model() -> None:
    study = _study()
    trial = study.ask()
    model = lgb.LGBMClassifier(n_estimators=6, verbose=-1)
    model.fit(
        X[:400],
        Y[:400],
        eval_X=(X[:400], X[400:]),
        eval_y=(Y[:400], Y[400:]),
        eval_names=["train", "holdout"],
        eval_metric="binary_logloss",
        callbacks=[LightGBMPruningCallback(trial, "binary_logloss", valid_name="holdout")],
    )
    reported = study.trials[0].intermediate_values
    assert sorted(reported) == list(range(6))
    assert reported[5] == pytest.approx(model.evals_result_["holdout"]["binary_logloss"][5])


def test_cv_reports_the_mean_over_the_folds() -> None:
    study = _study()
    trial = study.ask()
    results = lgb.cv(
        {"objective": "binary", "metric": "binary_logloss", "verbose": -1},
        lgb.Dataset(X, Y),
        5,
        nfold=3,
        stratified=True,
        seed=0,
        callbacks=[LightGBMPruningCallback(trial, "binary_logloss")],
    )
    reported = study.trials[0].intermediate_values
    assert [reported[i] for i in range(5)] == pytest.approx(results["valid binary_logloss-mean"])


def test_errors_name_the_metric() -> None:
    trial = _study("maximize").ask()
    with pytest.raises(InvalidParameterError, match="'metric'.*to maximize.*'binary_logloss'"):
        _train(trial, LightGBMPruningCallback(trial, "binary_logloss"))
    trial = _study().ask()
    with pytest.raises(InvalidParameterError, match="evaluated on 'valid_0'.*'rmse'"):
        _train(trial, LightGBMPruningCallback(trial, "rmse"))
    with pytest.raises(InvalidParameterError, match="'report_interval'"):
        LightGBMPruningCallback(trial, "auc", report_interval=0)


def test_reached_under_optunas_name() -> None:
    import fastune as optuna

    assert optuna.integration.LightGBMPruningCallback is LightGBMPruningCallback
