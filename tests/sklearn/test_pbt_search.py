from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pytest
from scipy.stats import loguniform, norm, uniform
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

import fastune
from fastune import PBTSearchCV
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.pbt import MemoryCheckpointStore
from fastune.sklearn._cv_trainable import CVTrainable
from fastune.sklearn._scoring import resolve_scorers

X, y = make_classification(n_samples=300, n_features=10, random_state=42)


def test_user_story_runs_as_written() -> None:
    search = PBTSearchCV(
        LogisticRegression(),
        {"C": uniform(0.1, 10), "max_iter": [100, 200]},
        population_size=10,
        generations=10,
    )
    search.fit(X, y)
    assert set(search.best_params_) == {"C", "max_iter"}
    assert 0.1 <= search.best_params_["C"] <= 10.1
    assert 0.5 < search.best_score_ <= 1.0
    assert search.training_ == "warm_start"
    results = search.cv_results_
    assert len(results["params"]) == 100
    assert {
        "generation",
        "member",
        "parent",
        "mean_test_score",
        "rank_test_score",
        "split4_test_score",
        "param_C",
        "mean_fit_time",
    } <= set(results)
    assert results["rank_test_score"][search.best_index_] == 1
    assert search.best_score_ == results["mean_test_score"].max()
    assert search.predict(X).shape == (300,)
    assert search.predict_proba(X).shape == (300, 2)
    assert len(search.study_.trials) == 100


def test_incremental_estimator_story() -> None:
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e-1), "eta0": [0.01, 0.1]},
        population_size=6,
        generations=5,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "partial_fit"
    parents = search.cv_results_["parent"]
    members = search.cv_results_["member"]
    copied = [i for i, p in enumerate(parents) if p >= 0 and members[p] != members[i]]
    assert copied, "some candidate must have exploited another"
    # the refitted model is trained through the best schedule: one epoch per step
    steps = sum(entry["steps"] for entry in search.best_schedule_)
    assert search.best_estimator_.t_ == pytest.approx(steps * len(X) + 1)


def _trainable() -> CVTrainable:
    scorers, metric, _ = resolve_scorers(SGDClassifier(), None, True, "test")
    splits = list(StratifiedKFold(3).split(X, y))
    return CVTrainable(SGDClassifier(random_state=0), X, y, splits, scorers, metric, "partial_fit")


def test_a_reseeded_copy_shuffles_apart_from_its_donor() -> None:
    trainable = _trainable()
    donor = trainable.init({"alpha": 1e-4}, seed=0)
    copy_ = trainable.reseed(copy.deepcopy(donor), seed=7)
    assert copy_.models is not None and copy_.units == donor.units
    assert copy_.rng.permutation(50).tolist() == np.random.default_rng(7).permutation(50).tolist()
    assert copy_.rng.permutation(50).tolist() != donor.rng.permutation(50).tolist()


def test_exploit_carries_the_trained_models_of_every_fold() -> None:
    trainable = _trainable()
    store = MemoryCheckpointStore()
    donor = trainable.init({"alpha": 1e-4}, seed=0)
    for _ in range(3):
        donor, _score, _details = trainable.step({"alpha": 1e-4}, donor)
    weak = trainable.init({"alpha": 1e-1}, seed=1)
    weak, _score, _details = trainable.step({"alpha": 1e-1}, weak)
    store.save(0, donor)
    store.save(1, weak)
    store.transfer({1: 0})
    copied = store.load(1)
    assert copied is not donor
    for mine, theirs in zip(copied.models, donor.models, strict=True):
        assert mine is not theirs
        np.testing.assert_array_equal(mine.predict(X), theirs.predict(X))
        np.testing.assert_array_equal(mine.coef_, theirs.coef_)
    copied, _score, _details = trainable.step({"alpha": 1e-4}, copied)  # training continues
    assert copied.models[0].t_ > donor.models[0].t_


def test_grow_mode_keeps_the_trees_built_so_far() -> None:
    search = PBTSearchCV(
        RandomForestClassifier(n_estimators=20, random_state=0),
        {"max_features": uniform(0.2, 0.8), "min_samples_leaf": [1, 2, 4]},
        population_size=4,
        generations=4,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "grow"
    steps = sum(entry["steps"] for entry in search.best_schedule_)
    assert len(search.best_estimator_.estimators_) == 5 * steps  # 20 trees / 4 generations


@pytest.mark.parametrize(("n_estimators", "generations"), [(10, 15), (20, 8)])
def test_grown_trees_never_exceed_the_estimators_own_count(
    n_estimators: int, generations: int
) -> None:
    search = PBTSearchCV(
        RandomForestClassifier(n_estimators=n_estimators, random_state=0),
        {"min_samples_leaf": [1, 2, 4]},
        population_size=2,
        generations=generations,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "grow"
    trainable = CVTrainable(
        search.estimator, X, y, [], {}, "score", "grow", "n_estimators", n_estimators, generations
    )
    counts = [trainable._resource_at(units) for units in range(1, generations + 1)]
    assert counts[-1] == n_estimators  # was 15 trees of 10, 24 of 20: ceil(total / units) each
    assert counts == sorted(counts) and counts[0] >= 1
    steps = sum(entry["steps"] for entry in search.best_schedule_)
    assert len(search.best_estimator_.estimators_) == counts[steps - 1]


def test_estimator_that_cannot_continue_is_refitted() -> None:
    search = PBTSearchCV(
        SVC(), {"C": loguniform(0.1, 10)}, population_size=4, generations=3, cv=3, random_state=0
    ).fit(X, y)
    assert search.training_ == "refit"
    assert not hasattr(search, "predict_proba")
    assert hasattr(search, "decision_function")


def test_seeded_search_is_reproducible_with_processes() -> None:
    def run(n_jobs: int) -> list:
        search = PBTSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(1e-5, 1e-1)},
            population_size=4,
            generations=3,
            cv=3,
            random_state=7,
            n_jobs=n_jobs,
            refit=False,
        )
        return search.fit(X, y).cv_results_["params"]

    assert run(1) == run(2)


def test_the_joblib_backend_in_force_runs_the_members() -> None:
    import joblib
    from joblib._parallel_backends import ThreadingBackend

    class CountingBackend(ThreadingBackend):
        batches = 0

        def submit(self, func, callback=None):  # type: ignore[no-untyped-def]
            CountingBackend.batches += 1
            return super().submit(func, callback)

    joblib.register_parallel_backend("fastune-counting", CountingBackend)
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        population_size=4,
        generations=2,
        cv=3,
        n_jobs=2,
        refit=False,
    )
    with joblib.parallel_config(backend="fastune-counting"):
        search.fit(X, y)
    assert CountingBackend.batches >= 2  # every generation went through the chosen backend


def test_multimetric_scoring_ranks_by_refit_metric() -> None:
    search = PBTSearchCV(
        LogisticRegression(),
        {"C": loguniform(1e-3, 10)},
        population_size=4,
        generations=2,
        cv=3,
        scoring=["accuracy", "roc_auc"],
        refit="roc_auc",
        random_state=0,
        return_train_score=True,
    ).fit(X, y)
    assert search.best_score_ == search.cv_results_["mean_test_roc_auc"].max()
    assert "mean_train_accuracy" in search.cv_results_
    assert search.multimetric_


def test_estimator_contract() -> None:
    search = PBTSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, population_size=3)
    params = search.get_params()
    assert params["population_size"] == 3 and "estimator__C" in params
    search.set_params(generations=2, estimator__max_iter=50)
    cloned = clone(search)
    assert cloned.generations == 2 and cloned.estimator.max_iter == 50
    assert not hasattr(search, "best_estimator_")
    iris_X, iris_y = load_iris(return_X_y=True)
    fitted = search.fit(iris_X, iris_y)
    assert fitted is search
    assert list(search.classes_) == [0, 1, 2]
    assert search.n_features_in_ == 4
    assert search.n_splits_ == 5
    copy.deepcopy(search)


def test_failing_candidates_score_error_score_and_warn() -> None:
    class Fragile(LogisticRegression):
        def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
            if self.C > 1.0:
                raise ValueError("C too large")
            return super().fit(X, y, sample_weight)

    search = PBTSearchCV(
        Fragile(), {"C": [0.5, 5.0]}, population_size=6, generations=2, cv=2, random_state=0
    )
    with (
        pytest.warns(UserWarning, match="test scores are non-finite"),
        pytest.warns(FitFailedWarning, match=r"fits failed.*C too large"),
    ):
        search.fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"]).any()
    assert search.best_params_ == {"C": 0.5}
    always = PBTSearchCV(Fragile(), {"C": [5.0, 6.0]}, population_size=2, generations=1, cv=2)
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        always.fit(X, y)


def test_a_fit_failing_before_a_segments_last_step_is_reported() -> None:
    class FailsOnce(SGDClassifier):
        """Its first partial_fit in each process fails."""

        failed = False

        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            if not FailsOnce.failed:
                FailsOnce.failed = True
                raise RuntimeError("a transient failure")
            return super().partial_fit(X, y, classes, sample_weight)

    search = PBTSearchCV(
        FailsOnce(random_state=0),
        {"alpha": [1e-4, 1e-3]},
        population_size=2,
        generations=1,
        steps_per_generation=3,
        cv=2,
        random_state=0,
    )
    with pytest.warns(FitFailedWarning, match="1 of 4 fits failed.*a transient failure"):
        search.fit(X, y)  # the failure was at the first of three steps: it was dropped
    errors = [t.user_attrs["errors"] for t in search.study_.trials]
    assert sorted(map(len, errors)) == [0, 1]
    assert all(len(t.user_attrs["fit_time"]) == 2 for t in search.study_.trials)  # per fold


def test_a_segments_fit_and_score_times_add_up_its_steps() -> None:
    steps = [
        {
            "fit_time": [1.0, 2.0],
            "score_time": [0.5, 0.5],
            "errors": ["E"],
            "failed_folds": [1],
            "scoring_errors": ["S"],
            "test_scores": 1,
        },
        {
            "fit_time": [3.0, 4.0],
            "score_time": [0.5, 1.5],
            "errors": ["E", "E"],
            "failed_folds": [0, 1],
            "scoring_errors": [],
            "test_scores": 2,
        },
    ]
    merged = CVTrainable.merge_details(steps)
    assert merged == {
        "fit_time": [4.0, 6.0],
        "score_time": [1.0, 2.0],
        "errors": ["E", "E", "E"],
        "failed_folds": [0, 1],  # fold 1 failed twice: one failed fit
        "unfit_folds": [0, 1],  # both failed at the last step
        "scoring_errors": ["S"],
        "test_scores": 2,  # the scores of the segment's end
    }


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        (
            {"param_distributions": {"gamma": [1, 2]}},
            InvalidParameterError,
            r"'param_distributions'.*\['C', 'class_weight'.*Got 'gamma'",
        ),
        ({"param_distributions": {"C": []}}, InvalidParameterError, r"param_distributions\['C'\]"),
        ({"param_distributions": {"C": norm(0, 1)}}, InvalidParameterTypeError, "'C'"),
        ({"param_distributions": {}}, InvalidParameterError, "non-empty"),
        ({"population_size": 1}, InvalidParameterError, "'population_size' parameter of PBTS"),
        ({"quantile_fraction": 0.75}, InvalidParameterError, "'quantile_fraction'"),
        ({"perturbation_factors": (0.8, -1)}, InvalidParameterError, "'perturbation_factors'"),
        ({"training": "grow"}, InvalidParameterError, "'training'.*LogisticRegression"),
        # named as PBTSearchCV's, not as the PopulationBasedTraining it builds
        ({"exploit": "best"}, InvalidParameterError, "'exploit' parameter of PBTSearchCV"),
        ({"explore": "mutate"}, InvalidParameterError, "'explore' parameter of PBTSearchCV"),
        ({"n_jobs": 0}, InvalidParameterError, "'n_jobs' parameter of PBTSearchCV"),
        ({"patience": 0}, InvalidParameterError, "'patience' parameter of PBTSearchCV"),
        ({"random_state": -1}, InvalidParameterError, "'random_state' parameter of PBTSearchCV"),
        ({"random_state": "a"}, InvalidParameterTypeError, "'random_state'.*RandomState"),
        ({"return_train_score": "no"}, InvalidParameterTypeError, "'return_train_score'"),
        ({"synchronous": "no"}, InvalidParameterTypeError, "'synchronous' parameter of PBTS"),
        ({"scoring": ["accuracy", "f1"]}, InvalidParameterError, "'refit'"),
        ({"error_score": "ignore"}, InvalidParameterTypeError, "'error_score'"),
        ({"checkpoint_dir": 3}, InvalidParameterTypeError, "'checkpoint_dir' parameter of PBTS"),
        ({"verbose": "x"}, InvalidParameterTypeError, "'verbose' parameter of PBTSearchCV"),
        ({"verbose": -1}, InvalidParameterError, "'verbose' parameter of PBTSearchCV"),
    ],
)
def test_bad_input_is_named(kwargs: dict, error: type[Exception], fragment: str) -> None:
    options = {
        "param_distributions": {"C": [0.1, 1.0]},
        "population_size": 2,
        "generations": 1,
        "cv": 2,
    }
    options.update(kwargs)
    distributions = options.pop("param_distributions")
    with pytest.raises(error, match=fragment):
        PBTSearchCV(LogisticRegression(), distributions, **options).fit(X, y)


def test_partial_fit_shuffles_per_sample_fit_params_with_the_rows() -> None:
    seen: list[bool] = []

    class Recorder(SGDClassifier):
        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            seen.append(bool(np.allclose(sample_weight, np.abs(X[:, 0]))))
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    PBTSearchCV(
        Recorder(random_state=0),
        {"alpha": [1e-4, 1e-3]},
        population_size=2,
        generations=2,
        cv=2,
        random_state=0,
    ).fit(X, y, sample_weight=np.abs(X[:, 0]))
    assert seen and all(seen)


def test_visualize_after_fit_and_live(tmp_path) -> None:  # type: ignore[no-untyped-def]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        population_size=3,
        generations=4,
        cv=2,
        random_state=0,
    )
    with pytest.raises(NotFittedError, match="live=True"):
        search.visualize()
    live_path = tmp_path / "live.png"
    figure = search.visualize(live=True, save=str(live_path))
    live = search._live
    search.fit(X, y)
    assert live.updates == 4  # one redraw per generation
    assert live_path.stat().st_size > 10_000
    assert figure.axes  # the live figure holds the final picture
    final = search.visualize(save=str(tmp_path / "final.png"))
    titles = [ax.get_title() for ax in final.axes]
    assert "Population score by generation" in titles
    assert (tmp_path / "final.png").exists()
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
def test_boosting_libraries_continue_from_the_copied_trees(library: str) -> None:
    module = pytest.importorskip(library)
    estimator = (
        module.LGBMClassifier(n_estimators=12, verbose=-1, random_state=0)
        if library == "lightgbm"
        else module.XGBClassifier(n_estimators=12, random_state=0)
    )
    search = PBTSearchCV(
        estimator,
        {"learning_rate": loguniform(0.01, 0.5)},
        population_size=3,
        generations=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "boost"
    steps = sum(entry["steps"] for entry in search.best_schedule_)
    booster = (
        search.best_estimator_.booster_
        if library == "lightgbm"
        else (search.best_estimator_.get_booster())
    )
    n_trees = booster.num_trees() if library == "lightgbm" else booster.num_boosted_rounds()
    assert n_trees == 4 * steps  # 12 rounds over 3 generations, kept across units
    assert search.best_estimator_.n_estimators == n_trees  # was 4, the last unit's rounds


def test_asynchronous_search_with_checkpoints_on_disk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        population_size=4,
        generations=3,
        cv=2,
        random_state=0,
        synchronous=False,
        checkpoint_dir=str(tmp_path),
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 12
    assert list(tmp_path.iterdir()) == []  # the fit's own subdirectory is removed at its end
    assert search.predict(X).shape == (300,)


def test_estimator_choices_are_cloned_and_kept_by_copies_that_train_on() -> None:
    from sklearn.ensemble import BaggingClassifier
    from sklearn.tree import DecisionTreeClassifier

    choices = [DecisionTreeClassifier(max_depth=1), DecisionTreeClassifier(max_depth=4)]
    search = PBTSearchCV(
        BaggingClassifier(n_estimators=6, random_state=0),
        {"estimator": choices, "max_samples": [0.5, 1.0]},
        population_size=4,
        generations=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "grow"
    results = search.cv_results_
    for row, parent in enumerate(results["parent"]):
        if parent >= 0:  # the fold models' trees were grown from the donor's choice
            depth = results["params"][row]["estimator"].max_depth
            assert depth == results["params"][parent]["estimator"].max_depth
    depths = {tree.max_depth for tree in search.best_estimator_.estimators_}
    assert depths == {search.best_params_["estimator"].max_depth}
    assert not any(hasattr(choice, "tree_") for choice in choices)  # never fitted themselves


def test_mlp_copies_keep_their_shape_and_train_with_the_explored_learning_rate() -> None:
    from sklearn.neural_network import MLPClassifier

    search = PBTSearchCV(
        MLPClassifier(max_iter=5, random_state=0),
        {"hidden_layer_sizes": [(8,), (16,)], "learning_rate_init": loguniform(1e-3, 1e-1)},
        population_size=6,
        generations=4,
        cv=2,
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    for row, parent in enumerate(results["parent"]):
        if parent >= 0:  # a segment keeps the architecture of the checkpoint it continues
            assert (
                results["params"][row]["hidden_layer_sizes"]
                == (results["params"][parent]["hidden_layer_sizes"])
            )
    model = search.best_estimator_
    assert model.coefs_[0].shape[1] == search.best_params_["hidden_layer_sizes"][0]
    assert model._optimizer.learning_rate_init == pytest.approx(
        search.best_params_["learning_rate_init"]
    )


@pytest.mark.parametrize("users_warm_start", [False, True])
def test_best_estimator_keeps_the_users_warm_start(users_warm_start: bool) -> None:
    iris_X, iris_y = load_iris(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=10, warm_start=users_warm_start, random_state=0)
    search = PBTSearchCV(
        forest, {"max_depth": [2, 3]}, population_size=2, generations=2, cv=3, random_state=0
    ).fit(iris_X, iris_y)
    assert search.training_ == "grow"  # trained with warm_start=True, tree by tree
    model = search.best_estimator_
    assert model.warm_start is users_warm_start
    if not users_warm_start:  # fitting it again starts afresh, as the user's estimator
        model.fit(iris_X[50:], iris_y[50:] - 1)
        assert model.predict_proba(iris_X[100:]).shape == (50, 2)


def test_random_state_may_be_a_numpy_random_state() -> None:
    def params(random_state: object) -> list:
        search = PBTSearchCV(
            LogisticRegression(),
            {"C": loguniform(1e-2, 10)},
            population_size=2,
            generations=2,
            cv=2,
            random_state=random_state,
            refit=False,
        )
        return search.fit(X, y).cv_results_["params"]

    assert params(np.random.RandomState(0)) == params(np.random.RandomState(0))


def test_a_callable_scoring_may_return_several_metrics() -> None:
    def scoring(estimator, X, y):  # type: ignore[no-untyped-def]
        accuracy = estimator.score(X, y)
        return {"accuracy": accuracy, "error": 1.0 - accuracy}

    search = PBTSearchCV(
        LogisticRegression(),
        {"C": loguniform(1e-3, 10)},
        population_size=3,
        generations=2,
        cv=2,
        scoring=scoring,
        refit="error",
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert search.multimetric_
    np.testing.assert_allclose(results["mean_test_error"], 1.0 - results["mean_test_accuracy"])
    assert search.best_score_ == results["mean_test_error"].max()  # ranked by refit's metric


def test_verbose_0_logs_no_new_study_line(capsys: pytest.CaptureFixture[str]) -> None:
    users_level = fastune.logging.get_verbosity()
    try:
        fastune.logging.set_verbosity(fastune.logging.INFO)
        PBTSearchCV(
            LogisticRegression(), {"C": [0.1, 1.0]}, population_size=2, generations=1, cv=2
        ).fit(X, y)
        assert "A new study created" not in capsys.readouterr().err
        assert fastune.logging.get_verbosity() == fastune.logging.INFO
    finally:
        fastune.logging.set_verbosity(users_level)


def test_a_searched_ensemble_size_refits_every_generation() -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    small_X, small_y = X[:120], y[:120]
    search = PBTSearchCV(
        GradientBoostingClassifier(max_depth=1, random_state=0),
        {"n_estimators": [4, 8, 16], "learning_rate": loguniform(0.05, 1.0)},
        population_size=4,
        generations=3,
        cv=2,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "warm-start fitting without increasing" warning
        search.fit(small_X, small_y)
    assert search.training_ == "refit"  # was warm_start: later generations trained nothing
    assert not np.isnan(search.cv_results_["mean_test_score"]).any()
    assert search.best_estimator_.n_estimators == search.best_params_["n_estimators"]
    assert len(search.best_estimator_.estimators_) == search.best_params_["n_estimators"]


def test_warm_start_with_a_searched_ensemble_size_is_refused() -> None:
    search = PBTSearchCV(
        RandomForestClassifier(random_state=0),
        {"n_estimators": [5, 10]},
        population_size=2,
        generations=1,
        cv=2,
        training="warm_start",
    )
    with pytest.raises(
        InvalidParameterError,
        match=r"'training' parameter of PBTSearchCV must be a mode other than 'warm_start' "
        r"while 'n_estimators' of RandomForestClassifier is searched.*Got 'warm_start'",
    ):
        search.fit(X, y)


@pytest.mark.parametrize(
    ("solver", "first", "explored", "attributes"),
    [
        (
            "sgd",
            {"momentum": 0.1, "nesterovs_momentum": False, "power_t": 0.5},
            {"momentum": 0.99, "nesterovs_momentum": True, "power_t": 0.25},
            {"momentum": 0.99, "nesterov": True, "power_t": 0.25},
        ),
        (
            "sgd",
            {"learning_rate": "constant"},
            {"learning_rate": "invscaling"},
            {"lr_schedule": "invscaling"},
        ),
        (
            "adam",
            {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-8},
            {"beta_1": 0.99, "beta_2": 0.95, "epsilon": 1e-6},
            {"beta_1": 0.99, "beta_2": 0.95, "epsilon": 1e-6},
        ),
    ],
)
def test_explored_mlp_optimizer_settings_reach_the_optimizer(
    solver: str, first: dict, explored: dict, attributes: dict
) -> None:
    from sklearn.metrics import get_scorer
    from sklearn.neural_network import MLPClassifier

    trainable = CVTrainable(
        MLPClassifier(solver=solver, hidden_layer_sizes=(4,), random_state=0),
        X,
        y,
        [(np.arange(200), np.arange(200, 300))],
        {"score": get_scorer("accuracy")},
        "score",
        "partial_fit",
    )
    state = trainable.init({}, 0)
    state, _score, _details = trainable.step(first, state)
    state, _score, _details = trainable.step(explored, state)
    optimizer = state.models[0]._optimizer
    # was: the first segment's values, frozen when partial_fit built the optimizer
    assert {name: getattr(optimizer, name) for name in attributes} == attributes


class _InterruptedSGD(SGDClassifier):
    """An SGDClassifier whose ``partial_fit`` raises KeyboardInterrupt (as Ctrl-C) at the
    ``left``-th call counted over all its clones, while ``left`` is set."""

    left: int | None = None

    def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
        if _InterruptedSGD.left is not None:
            _InterruptedSGD.left -= 1
            if _InterruptedSGD.left == 0:
                raise KeyboardInterrupt
        return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)


def _resumable_search(study: fastune.Study | None, checkpoint_dir: Any, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "population_size": 4,
        "generations": 4,
        "cv": 2,
        "random_state": 0,
        "checkpoint_dir": str(checkpoint_dir),
        "study": study,
    }
    return PBTSearchCV(
        _InterruptedSGD(random_state=0), {"alpha": loguniform(1e-5, 1e-1)}, **{**options, **kwargs}
    )


@pytest.mark.parametrize("synchronous", [True, False])
def test_an_interrupted_fit_in_a_stored_study_goes_on_where_it_stopped(
    tmp_path: Any, synchronous: bool
) -> None:
    storage = f"sqlite:///{tmp_path / 'pbt.db'}"
    study = fastune.create_study(storage=storage, study_name="s", direction="maximize")
    _InterruptedSGD.left = 21  # 2 folds x 4 candidates per generation: in generation 2
    try:
        with pytest.raises(KeyboardInterrupt):
            _resumable_search(study, tmp_path / "ckpt", synchronous=synchronous).fit(X, y)
    finally:
        _InterruptedSGD.left = None
    before = fastune.load_study(study_name="s", storage=storage).trials
    assert 8 <= len(before) < 12
    assert any((tmp_path / "ckpt").iterdir())  # the checkpoints stay for the next fit
    loaded = fastune.load_study(study_name="s", storage=storage)
    resumed = _resumable_search(loaded, tmp_path / "ckpt", synchronous=synchronous).fit(X, y)
    assert len(resumed.cv_results_["params"]) == 16
    assert resumed.study_.trials[: len(before)] == before  # nothing trained again
    generations = resumed.cv_results_["generation"]
    members = resumed.cv_results_["member"]
    assert sorted(zip(members, generations, strict=True)) == [
        (m, g) for m in range(4) for g in range(4)
    ]
    if synchronous:  # as if it had never stopped
        whole = _resumable_search(None, tmp_path / "whole").fit(X, y)
        for key in ("mean_test_score", "generation", "member", "parent"):
            assert list(resumed.cv_results_[key]) == list(whole.cv_results_[key])
        assert resumed.best_params_ == whole.best_params_
    assert resumed.predict(X).shape == (300,)


def test_a_stored_study_without_checkpoint_dir_cannot_be_resumed(tmp_path: Any) -> None:
    storage = f"sqlite:///{tmp_path / 'pbt.db'}"
    study = fastune.create_study(storage=storage, study_name="s", direction="maximize")
    search = _resumable_search(study, tmp_path, generations=2)
    search.set_params(checkpoint_dir=None).fit(X, y)
    with pytest.raises(InvalidParameterError, match="checkpoint_dir"):
        search.set_params(generations=3).fit(X, y)


@pytest.mark.parametrize(
    ("study", "fragment"),
    [
        ("s", "'study' parameter of PBTSearchCV must be a fastune Study or None"),
        (fastune.create_study(), r"direction=\"maximize\""),
    ],
)
def test_a_study_that_is_not_a_maximizing_study_is_refused(study: Any, fragment: str) -> None:
    search = PBTSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3]}, study=study)
    with pytest.raises((InvalidParameterError, InvalidParameterTypeError), match=fragment):
        search.fit(X, y)


def test_a_study_scored_with_other_folds_is_refused_before_training(tmp_path: Any) -> None:
    study = fastune.create_study(direction="maximize")
    _resumable_search(study, tmp_path, generations=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'cv'.*like the trials already in"):
        _resumable_search(study, tmp_path, generations=2, cv=3).fit(X, y)
    assert len(study.trials) == 4


def test_a_study_of_a_run_on_other_data_or_folds_is_refused_before_training(
    tmp_path: Any,
) -> None:
    from sklearn.model_selection import KFold

    study = fastune.create_study(direction="maximize")
    folds = KFold(2, shuffle=True, random_state=0)
    _resumable_search(study, tmp_path, generations=1, cv=folds).fit(X, y)
    # other rows, or the same rows split otherwise: the fold models trained on rows
    # that would now score them
    for data, cv in (((X[::-1], y[::-1]), folds), ((X, y), KFold(2, shuffle=True))):
        with pytest.raises(InvalidParameterError, match="'X' parameter.*same|X, y and cv"):
            _resumable_search(study, tmp_path, generations=2, cv=cv).fit(*data)
    assert len(study.trials) == 4
    extended = _resumable_search(study, tmp_path, generations=2, cv=folds).fit(X, y)
    assert len(extended.cv_results_["params"]) == 8  # the same data trains on


def test_a_grown_ensemble_cannot_be_extended_past_its_trees(tmp_path: Any) -> None:
    study = fastune.create_study(direction="maximize")

    def search(**kwargs: Any) -> PBTSearchCV:
        options = {"population_size": 2, "generations": 2, "cv": 2, "random_state": 0}
        return PBTSearchCV(
            RandomForestClassifier(n_estimators=4, random_state=0),
            {"max_depth": [2, 4]},
            study=study,
            checkpoint_dir=str(tmp_path),
            **{**options, **kwargs},
        )

    search().fit(X, y)
    for name, value in (("generations", 3), ("steps_per_generation", 2)):
        with pytest.raises(InvalidParameterError, match=f"'{name}' parameter.*'grow' mode"):
            search(**{name: value}).fit(X, y)
    assert len(study.trials) == 4


def test_going_on_with_a_run_needs_its_checkpoints_named_for_the_search(tmp_path: Any) -> None:
    in_memory = fastune.create_study(direction="maximize")
    search = _resumable_search(in_memory, tmp_path, generations=1)
    search.set_params(checkpoint_dir=None).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'study' parameter of PBTSearchCV.*memory"):
        search.set_params(generations=2).fit(X, y)
    on_disk = fastune.create_study(direction="maximize")
    search = _resumable_search(on_disk, tmp_path, generations=1).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'checkpoint_dir' parameter of PBTSearchCV"):
        search.set_params(generations=2, checkpoint_dir=None).fit(X, y)
