"""Metadata routing of the searches' fit and score, compared with GridSearchCV's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import sklearn
from joblib import parallel_config
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, get_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastune import FastuneSearchCV, PBTSearchCV
from fastune.pruners import BasePruner

X, y = load_iris(return_X_y=True)
WEIGHTS = np.linspace(0.1, 1.0, len(y))
GROUPS = np.arange(len(y)) % 10
GRID = {"C": [0.1, 1.0]}


@pytest.fixture(autouse=True)
def _routing_on() -> Iterator[None]:
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _model() -> LogisticRegression:
    return LogisticRegression(max_iter=500)


def _fastune(estimator: Any, **kwargs: Any) -> FastuneSearchCV:
    return FastuneSearchCV(estimator, GRID, n_trials=3, random_state=0, **kwargs)


def _pbt(estimator: Any, **kwargs: Any) -> PBTSearchCV:
    # training="refit": every row is a plain fit, comparable with GridSearchCV's
    return PBTSearchCV(
        estimator,
        GRID,
        population_size=2,
        generations=2,
        training="refit",
        random_state=0,
        **kwargs,
    )


SEARCHES = pytest.mark.parametrize("make_search", [_fastune, _pbt], ids=["fastune", "pbt"])


def _mean_scores(search: Any, metric: str = "score") -> dict[float, float]:
    results = search.cv_results_
    return dict(zip(results["param_C"], results[f"mean_test_{metric}"], strict=True))


def _assert_as_grid_search(
    search: Any, grid: GridSearchCV, metrics: tuple[str, ...] = ("score",)
) -> None:
    for metric in metrics:
        expected = _mean_scores(grid, metric)
        for c, score in _mean_scores(search, metric).items():
            assert score == pytest.approx(expected[c])


@SEARCHES
def test_metadata_the_estimator_did_not_request_is_refused(make_search: Callable) -> None:
    search = make_search(_model(), cv=3)
    with pytest.raises(UnsetMetadataPassedError, match=r"LogisticRegression\.fit"):
        search.fit(X, y, sample_weight=WEIGHTS)


@SEARCHES
def test_metadata_that_everyone_declined_is_refused(make_search: Callable) -> None:
    declined = _model().set_fit_request(sample_weight=False).set_score_request(sample_weight=False)
    search = make_search(declined, cv=3)
    name = type(search).__name__
    with pytest.raises(TypeError, match=rf"{name}\.fit got unexpected.*'sample_weight'"):
        search.fit(X, y, sample_weight=WEIGHTS)


@SEARCHES
@pytest.mark.parametrize(
    ("fit_request", "score_request"), [(True, True), (False, True), (True, False)]
)
def test_requested_metadata_reaches_fit_and_scores_as_in_grid_search(
    make_search: Callable, fit_request: bool, score_request: bool
) -> None:
    scoring = get_scorer("accuracy").set_score_request(sample_weight=score_request)
    estimator = _model().set_fit_request(sample_weight=fit_request)
    grid = GridSearchCV(estimator, GRID, cv=3, scoring=scoring)
    search = make_search(estimator, cv=3, scoring=scoring)
    grid.fit(X, y, sample_weight=WEIGHTS)
    search.fit(X, y, sample_weight=WEIGHTS)
    _assert_as_grid_search(search, grid)


@SEARCHES
def test_each_metric_gets_what_its_scorer_requested(make_search: Callable) -> None:
    scoring = {
        "weighted": get_scorer("accuracy").set_score_request(sample_weight=True),
        "plain": get_scorer("balanced_accuracy").set_score_request(sample_weight=False),
    }
    estimator = _model().set_fit_request(sample_weight=False)
    grid = GridSearchCV(estimator, GRID, cv=3, scoring=scoring, refit="weighted")
    search = make_search(estimator, cv=3, scoring=scoring, refit="weighted")
    grid.fit(X, y, sample_weight=WEIGHTS)
    search.fit(X, y, sample_weight=WEIGHTS)
    _assert_as_grid_search(search, grid, ("weighted", "plain"))


@SEARCHES
def test_a_scorer_that_left_the_metadata_unset_is_named(make_search: Callable) -> None:
    scoring = {
        "weighted": get_scorer("accuracy").set_score_request(sample_weight=True),
        "unset": get_scorer("balanced_accuracy"),
    }
    search = make_search(_model().set_fit_request(sample_weight=True), cv=3, scoring=scoring)
    search.set_params(refit="weighted")
    with pytest.raises(UnsetMetadataPassedError, match=r"balanced_accuracy.*\.fit"):
        search.fit(X, y, sample_weight=WEIGHTS)


@SEARCHES
def test_groups_reach_a_group_splitter_and_nothing_else(make_search: Callable) -> None:
    grid = GridSearchCV(_model(), GRID, cv=GroupKFold(3)).fit(X, y, groups=GROUPS)
    search = make_search(_model(), cv=GroupKFold(3)).fit(X, y, groups=GROUPS)
    _assert_as_grid_search(search, grid)
    name = type(search).__name__
    with pytest.raises(TypeError, match=rf"{name}\.fit got unexpected.*'groups'"):
        make_search(_model(), cv=KFold(3)).fit(X, y, groups=GROUPS)


@SEARCHES
def test_without_routing_groups_still_reach_the_splitter(make_search: Callable) -> None:
    with sklearn.config_context(enable_metadata_routing=False):
        grid = GridSearchCV(_model(), GRID, cv=GroupKFold(3)).fit(X, y, groups=GROUPS)
        search = make_search(_model(), cv=GroupKFold(3)).fit(X, y, groups=GROUPS)
    _assert_as_grid_search(search, grid)


@SEARCHES
def test_a_search_nested_in_cross_validate_gets_its_groups(make_search: Callable) -> None:
    expected = cross_validate(
        GridSearchCV(_model(), GRID, cv=GroupKFold(3)),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": GROUPS},
    )
    nested = cross_validate(
        make_search(_model(), cv=GroupKFold(3)),
        X,
        y,
        cv=GroupKFold(2),
        params={"groups": GROUPS},
    )
    np.testing.assert_allclose(nested["test_score"], expected["test_score"])


@SEARCHES
def test_score_routes_to_the_scorer_as_requested(make_search: Callable) -> None:
    scoring = get_scorer("accuracy").set_score_request(sample_weight=True)
    search = make_search(_model(), cv=3, scoring=scoring).fit(X, y)
    predicted = search.predict(X)
    assert search.score(X, y, sample_weight=WEIGHTS) == pytest.approx(
        accuracy_score(y, predicted, sample_weight=WEIGHTS)
    )
    name = type(search).__name__
    with pytest.raises(TypeError, match=rf"{name}\.score got unexpected.*'note'"):
        search.score(X, y, note="not requested")


class _PruneNothing(BasePruner):
    def prune(self, study: Any, trial: Any) -> bool:
        return False


@pytest.mark.parametrize(
    "make_search",
    [
        lambda estimator: PBTSearchCV(
            estimator, {"alpha": [1e-4, 1e-3]}, population_size=2, generations=2, cv=3
        ),
        lambda estimator: FastuneSearchCV(
            estimator, {"alpha": [1e-4, 1e-3]}, pruner=_PruneNothing(), n_trials=2, cv=3
        ),
    ],
    ids=["pbt", "fastune-pruned"],
)
def test_partial_fit_training_routes_what_partial_fit_requested(make_search: Callable) -> None:
    seen: list[Any] = []

    class Recorder(SGDClassifier):
        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            seen.append(sample_weight)
            return super().partial_fit(X, y, classes=classes, sample_weight=sample_weight)

    unweighted_scores = Recorder(random_state=0).set_score_request(sample_weight=False)
    fit_only = clone(unweighted_scores).set_fit_request(sample_weight=True)
    with pytest.raises(UnsetMetadataPassedError, match=r"Recorder\.partial_fit"):
        make_search(fit_only).fit(X, y, sample_weight=WEIGHTS)
    estimator = clone(unweighted_scores).set_partial_fit_request(sample_weight=True)
    search = make_search(estimator)
    assert _mappings(search.get_metadata_routing())["estimator"] == [("fit", "partial_fit")]
    search.fit(X, y, sample_weight=WEIGHTS)
    # folds of 100 rows, then the refit on all 150 (in a shuffled order)
    assert {len(weights) for weights in seen} == {len(y) * 2 // 3, len(y)}
    for weights in seen:
        assert np.isin(weights, WEIGHTS).all()
    np.testing.assert_array_equal(np.sort(seen[-1]), WEIGHTS)


def _mappings(router: Any) -> dict[str, list[tuple[str, str]]]:
    """(caller, callee) pairs of each consumer of ``router``."""
    return {name: [(p.caller, p.callee) for p in pair.mapping] for name, pair in router}


def test_routing_lists_estimator_scorers_and_splitter() -> None:
    scoring = {
        "weighted": get_scorer("accuracy").set_score_request(sample_weight=True),
        "plain": get_scorer("balanced_accuracy"),
    }
    estimator = _model().set_fit_request(sample_weight="fit_weights")
    search = _fastune(estimator, cv=GroupKFold(3), scoring=scoring, refit="weighted")
    router = search.get_metadata_routing()
    assert _mappings(router) == {
        "estimator": [("fit", "fit")],
        "scorer": [("fit", "fit"), ("score", "score")],
        "splitter": [("fit", "split")],
    }
    consumers = {name: pair.router for name, pair in router}
    assert consumers["estimator"].fit.requests == {"sample_weight": "fit_weights"}
    assert consumers["splitter"].split.requests == {"groups": True}
    by_metric = {name: pair.router for name, pair in consumers["scorer"]}
    assert by_metric["weighted"].score.requests == {"sample_weight": True}
    assert by_metric["plain"].score.requests["sample_weight"] is None


@pytest.mark.parametrize("search_class", [FastuneSearchCV, PBTSearchCV])
def test_the_searches_have_no_request_methods_of_their_own(search_class: type) -> None:
    # Routing goes through get_metadata_routing; a set_fit_request would do nothing.
    assert not hasattr(search_class, "set_fit_request")


def test_threads_train_under_the_callers_routing() -> None:
    pipeline = make_pipeline(
        StandardScaler().set_fit_request(sample_weight=False),
        _model().set_fit_request(sample_weight=True),
    )
    scoring = get_scorer("accuracy").set_score_request(sample_weight=True)
    grid = {"logisticregression__C": [0.1, 1.0]}
    options = {"population_size": 2, "generations": 1, "cv": 3, "scoring": scoring}
    serial = PBTSearchCV(pipeline, grid, **options, random_state=0, error_score="raise")
    serial.fit(X, y, sample_weight=WEIGHTS)
    threaded = PBTSearchCV(pipeline, grid, **options, n_jobs=2, random_state=0, error_score="raise")
    with parallel_config(backend="threading"):
        threaded.fit(X, y, sample_weight=WEIGHTS)
    np.testing.assert_allclose(
        threaded.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
