"""The stepwise LightGBM tuners in real LightGBM training on breast cancer: the steps and
their trials, each step from the best so far, scores, direction, resuming, the best
model, the time budget and sample size, the CV tuner, ``train`` and the errors."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

import fastune

lightgbm = pytest.importorskip("lightgbm")

import fastune.integration.lightgbm as lgb  # noqa: E402
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError  # noqa: E402
from fastune.integration._lightgbm_tuner import PARAMS_KEY, STEP_KEY  # noqa: E402

ROUNDS = 15
STEPS = {
    "feature_fraction": 7,
    "num_leaves": 20,
    "bagging": 10,
    "regularization_factors": 20,
    "min_child_samples": 5,
}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer(return_X_y=True)


def _sets(data: tuple[np.ndarray, np.ndarray]) -> tuple[Any, Any]:
    X, y = data
    return lgb.Dataset(X[:400], y[:400]), lgb.Dataset(X[400:], y[400:])


def _tuner(data: tuple[np.ndarray, np.ndarray], **options: Any) -> lgb.LightGBMTuner:
    train, valid = _sets(data)
    params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1}
    params.update(options.pop("params", {}))
    options.setdefault("optuna_seed", 0)
    return lgb.LightGBMTuner(
        params, train, ROUNDS, valid_sets=[valid], show_progress_bar=False, **options
    )


def _params(trial: fastune.trial.FrozenTrial) -> dict[str, Any]:
    return dict(json.loads(trial.system_attrs[PARAMS_KEY]))


def test_run_tunes_step_by_step_from_the_best_so_far(data: Any) -> None:
    tuner = _tuner(data)
    tuner.run()
    trials = tuner.study.trials
    steps = Counter(t.system_attrs[STEP_KEY] for t in trials)
    # The second feature_fraction grid keeps its points inside [0.4, 1].
    assert {k: v for k, v in steps.items() if k != "feature_fraction_stage2"} == STEPS
    assert 1 <= steps["feature_fraction_stage2"] <= 6
    order = list(dict.fromkeys(t.system_attrs[STEP_KEY] for t in trials))
    assert order == [
        "feature_fraction",
        "num_leaves",
        "bagging",
        "feature_fraction_stage2",
        "regularization_factors",
        "min_child_samples",
    ]
    # Every trial of a step starts from the best trial of the steps before it.
    for step in order[1:]:
        first = next(t for t in trials if t.system_attrs[STEP_KEY] == step)
        before = [t for t in trials if t.number < first.number]
        best = min(before, key=lambda t: t.value)
        for trial in trials:
            if trial.system_attrs[STEP_KEY] == step:
                kept = {k: v for k, v in _params(best).items() if k not in trial.params}
                assert {k: _params(trial)[k] for k in kept} == kept
    # The first grid is 0.4 .. 1.0 in 7 points, each tried once.
    first_grid = [t.params["feature_fraction"] for t in trials[:7]]
    assert sorted(first_grid) == pytest.approx(np.linspace(0.4, 1.0, 7))
    assert tuner.best_score == tuner.study.best_value
    assert tuner.best_params == _params(tuner.study.best_trial)
    # The finer grid lies within 0.08 of the best feature_fraction of the steps before.
    stage2 = [t for t in trials if t.system_attrs[STEP_KEY] == "feature_fraction_stage2"]
    before = min((t for t in trials if t.number < stage2[0].number), key=lambda t: t.value)
    center = _params(before)["feature_fraction"]
    grid = [v for v in np.linspace(center - 0.08, center + 0.08, 6) if 0.4 <= v <= 1.0]
    assert sorted(t.params["feature_fraction"] for t in stage2) == pytest.approx(grid)


def test_a_steps_sampler_sees_the_trials_of_its_step_only(
    data: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    class Recording(fastune.samplers.RandomSampler):
        def sample_independent(self, study: Any, trial: Any, name: str, dist: Any) -> Any:
            seen.append([t.system_attrs[STEP_KEY] for t in study.get_trials()])
            return super().sample_independent(study, trial, name, dist)

    tuner = _tuner(data)
    tuner.tune_feature_fraction()
    monkeypatch.setattr(tuner, "_tpe", lambda: Recording(seed=0))
    tuner.tune_num_leaves(n_trials=3)
    # Each trial sees itself and the step's earlier trials, not the 7 of the grid.
    assert seen == [["num_leaves"] * n for n in (1, 2, 3)]


def test_a_callback_sees_the_study_of_its_step(data: Any) -> None:
    # As Optuna's tuner: a callback's study is the step's (its trials, its best), so a
    # MaxTrialsCallback(2) allows two trials a step (it stopped the whole run).
    seen: list[tuple[set[str], str]] = []

    def record(study: fastune.Study, trial: fastune.trial.FrozenTrial) -> None:
        best = study.best_trial.system_attrs[STEP_KEY]
        seen.append(({t.system_attrs[STEP_KEY] for t in study.trials}, best))

    stop = fastune.study.MaxTrialsCallback(2)
    tuner = _tuner(data, optuna_callbacks=[record, stop])
    tuner.tune_feature_fraction()
    tuner.tune_num_leaves(n_trials=5)
    steps = Counter(t.system_attrs[STEP_KEY] for t in tuner.study.trials)
    assert steps == {"feature_fraction": 2, "num_leaves": 2}
    assert all(kept == {best} for kept, best in seen)


def test_best_params_name_parameters_and_metrics_as_optuna(data: Any) -> None:
    tuner = _tuner(data, params={"metric": "binary", "eta": 0.2, "min_split_gain": 0.0})
    tuner.tune_num_leaves(n_trials=2)
    assert tuner.best_params["learning_rate"] == 0.2
    assert tuner.best_params["min_gain_to_split"] == 0.0
    assert tuner.best_params["metric"] == "binary_logloss"
    assert not {"eta", "min_split_gain"} & set(tuner.best_params)


def test_the_best_booster_scores_the_best_value(data: Any) -> None:
    tuner = _tuner(data)
    tuner.tune_num_leaves(n_trials=4)
    booster = tuner.get_best_booster()
    X, y = data
    p = np.clip(booster.predict(X[400:]), 1e-15, 1 - 1e-15)
    log_loss = -np.mean(y[400:] * np.log(p) + (1 - y[400:]) * np.log(1 - p))
    assert log_loss == pytest.approx(tuner.best_score, rel=1e-6)
    assert booster.params["num_leaves"] == tuner.best_params["num_leaves"]


def test_a_tuner_on_the_same_study_resumes(data: Any, tmp_path: Path) -> None:
    first = _tuner(data, model_dir=str(tmp_path))
    first.tune_feature_fraction()
    first.tune_num_leaves(n_trials=3)
    again = _tuner(data, study=first.study, model_dir=str(tmp_path))
    again.tune_feature_fraction()  # done already: no trial
    again.tune_num_leaves(n_trials=5)  # 2 more
    assert len(again.study.trials) == 7 + 5
    # The best booster was trained by the first tuner: read from model_dir.
    booster = again.get_best_booster()
    assert booster.params["feature_fraction"] == again.best_params["feature_fraction"]
    without_models = _tuner(data, study=first.study)
    with pytest.raises(ValueError, match="model_dir"):
        without_models.get_best_booster()


@pytest.mark.parametrize(
    ("metric", "direction", "reported"),
    [
        ("auc", "MAXIMIZE", "auc"),
        ("mae", "MINIMIZE", "l1"),
        (["auc", "binary_error"], "MINIMIZE", "binary_error"),
        ("binary_logloss,average_precision", "MAXIMIZE", "average_precision"),
    ],
)
def test_the_last_metric_is_tuned_in_its_direction(
    data: Any, metric: Any, direction: str, reported: str
) -> None:
    tuner = _tuner(data, params={"metric": metric})
    assert tuner.study.direction.name == direction
    assert tuner.higher_is_better() == (direction == "MAXIMIZE")  # Optuna's helpers
    assert tuner.compare_validation_metrics(0.6, 0.5) == tuner.higher_is_better()
    tuner.tune_min_data_in_leaf()
    booster = tuner.get_best_booster()
    assert tuner.best_score == booster.best_score["valid_0"][reported]


def test_without_a_metric_the_objectives_default_is_tuned(data: Any) -> None:
    tuner = _tuner(data, params={"metric": None})
    tuner.tune_min_data_in_leaf()
    booster = tuner.get_best_booster()
    assert tuner.best_score == booster.best_score["valid_0"]["binary_logloss"]


def test_time_budget_and_sample_size(data: Any) -> None:
    rows: list[int] = []

    def record(env: Any) -> None:
        if env.iteration == 0:
            rows.append(env.model.train_set.num_data())

    tuner = _tuner(data, sample_size=150, callbacks=[record])
    assert tuner.train_subset is None
    tuner.sample_train_set()
    assert len(tuner.train_subset.used_indices) == 150
    tuner.tune_min_data_in_leaf()
    assert rows == [150] * 5
    hurried = _tuner(data, time_budget=1e-9)
    hurried.run()
    assert len(hurried.study.trials) <= 1


def test_the_cv_tuner(data: Any) -> None:
    X, y = data
    params = {"objective": "binary", "metric": "auc", "verbosity": -1}
    tuner = lgb.LightGBMTunerCV(
        params,
        lgb.Dataset(X, y),
        num_boost_round=ROUNDS,
        nfold=3,
        return_cvbooster=True,
        show_progress_bar=False,
        optuna_seed=0,
    )
    tuner.tune_bagging(n_trials=3)
    assert tuner.study.direction.name == "MAXIMIZE"
    best = tuner.best_params
    again = lightgbm.cv(best, lgb.Dataset(X, y), ROUNDS, nfold=3, seed=0)
    assert tuner.best_score == pytest.approx(again["valid auc-mean"][-1])
    assert isinstance(tuner.get_best_booster(), lightgbm.CVBooster)
    plain = lgb.LightGBMTunerCV(params, lgb.Dataset(X, y), ROUNDS, nfold=3)
    with pytest.raises(ValueError, match="return_cvbooster"):
        plain.get_best_booster()


def test_a_warning_of_every_fit_is_shown_once(data: Any) -> None:
    import warnings

    from sklearn.model_selection import KFold

    X, y = data
    params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1}
    # lightgbm.cv hands groups to KFold.split, which warns that it ignores them
    tuner = lgb.LightGBMTunerCV(
        params, lgb.Dataset(X, y), 5, folds=KFold(3), show_progress_bar=False, optuna_seed=0
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        tuner.tune_feature_fraction(n_trials=4)
    ignored = [w for w in caught if "groups parameter is ignored" in str(w.message)]
    assert len(ignored) == 1  # was one per trial: the filters changed around each fit


def test_train_returns_the_tuned_booster(data: Any) -> None:
    train, valid = _sets(data)
    params = {"objective": "binary", "verbosity": -1}
    booster = lgb.train(
        params, train, 5, valid_sets=[valid], show_progress_bar=False, optuna_seed=0
    )
    assert isinstance(booster, lightgbm.Booster)
    assert {"num_leaves", "lambda_l1", "bagging_freq"} <= set(booster.params)


def test_lightgbms_own_names_are_reachable() -> None:
    assert lgb.Dataset is lightgbm.Dataset
    assert lgb.early_stopping is lightgbm.early_stopping
    assert lgb.LGBMClassifier is lightgbm.LGBMClassifier
    with pytest.raises(AttributeError, match="no_such_name"):
        lgb.no_such_name  # noqa: B018


def test_errors_name_what_is_wrong(data: Any) -> None:
    train, valid = _sets(data)
    params = {"objective": "binary", "verbosity": -1}
    with pytest.raises(InvalidParameterError, match="valid_sets"):
        lgb.LightGBMTuner(params, train)
    with pytest.raises(InvalidParameterTypeError, match="params"):
        lgb.LightGBMTuner([params], train, valid_sets=[valid])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="train_set"):
        lgb.LightGBMTuner(params, data[0], valid_sets=[valid])
    with pytest.raises(InvalidParameterError, match="study"):
        lgb.LightGBMTuner(
            {**params, "metric": "auc"},
            train,
            valid_sets=[valid],
            study=fastune.create_study(direction="minimize"),
        )
    with pytest.raises(InvalidParameterError, match="time_budget"):
        lgb.LightGBMTuner(params, train, valid_sets=[valid], time_budget=-1)
    tuner = _tuner(data, params={"metric": "auc"})
    tuner._metric = "ndcg@1"  # a metric LightGBM does not report here
    with pytest.raises(InvalidParameterError, match="ndcg@1"):
        tuner.tune_min_data_in_leaf()
    assert math.isinf(tuner.best_score)


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_tuner(data: Any, library: str) -> None:
    # Optuna's own tuner (optuna-integration) with the same program and assertions.
    tuning = library_and_integration(library)[1].lightgbm
    X, y = data
    train, valid = tuning.Dataset(X[:400], y[:400]), tuning.Dataset(X[400:], y[400:])
    tuner = tuning.LightGBMTuner(
        {"objective": "binary", "metric": "binary_logloss", "verbosity": -1},
        train,
        num_boost_round=ROUNDS,
        valid_sets=[valid],
        callbacks=[tuning.early_stopping(5, verbose=False)],
        show_progress_bar=False,
        optuna_seed=0,
    )
    tuner.tune_feature_fraction()
    tuner.tune_num_leaves(n_trials=3)
    trials = tuner.study.trials
    assert [t.system_attrs[STEP_KEY] for t in trials] == ["feature_fraction"] * 7 + [
        "num_leaves"
    ] * 3
    grid = sorted(t.params["feature_fraction"] for t in trials[:7])
    assert grid == pytest.approx(list(np.linspace(0.4, 1.0, 7)))
    assert tuner.study.direction.name == "MINIMIZE"
    booster = tuner.get_best_booster()
    assert booster.best_score["valid_0"]["binary_logloss"] == tuner.best_score
    assert tuner.best_params["num_leaves"] == booster.params["num_leaves"]
