from __future__ import annotations

import time
from typing import Any, ClassVar

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import loguniform
from sklearn.datasets import load_digits, make_regression
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.linear_model import BayesianRidge, Ridge, SGDClassifier
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, RandomizedSearchCV
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

import fastune
from fastune import FastuneSearchCV, PBTSearchCV
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.terminator import RegretBoundEvaluator, Terminator, TerminatorCallback
from fastune.trial import FrozenTrial

X, y = load_digits(return_X_y=True)
X, y = X[:400], y[:400]
REGRESSION = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)


class PruneBelow(fastune.pruners.BasePruner):
    """Prunes a trial whose score is below a bar from its third report on."""

    def __init__(self, bar: float) -> None:
        self.bar = bar

    def prune(self, study: fastune.Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        return step is not None and step >= 2 and trial.intermediate_values[step] < self.bar


def test_search_with_plain_fits() -> None:
    search = FastuneSearchCV(
        SVC(),
        {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-4, 1e-1)},
        n_trials=6,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "refit"
    assert len(search.cv_results_["params"]) == 6
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()
    assert search.best_estimator_.get_params()["C"] == search.best_params_["C"]
    assert search.score(X, y) > 0.5
    assert list(search.cv_results_["state"]) == ["COMPLETE"] * 6


def test_estimator_choices_are_cloned_not_changed() -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    choices = [SVC(), SGDClassifier(random_state=0)]
    search = FastuneSearchCV(
        Pipeline([("scale", StandardScaler()), ("clf", SVC())]),
        {"clf": choices, "clf__tol": [1e-4, 1e-2]},
        n_trials=6,
        cv=2,
        random_state=0,
    ).fit(X, y)
    # as scikit-learn's searches: clf__tol is set on a clone of the step
    assert [c.get_params()["tol"] for c in choices] == [1e-3, 1e-3]
    assert not any(hasattr(c, "classes_") for c in choices)
    chosen = search.best_estimator_.named_steps["clf"]
    assert chosen is not search.best_params_["clf"]
    assert chosen.tol == search.best_params_["clf__tol"]


def test_same_seed_same_search() -> None:
    def params(seed: int) -> list:
        return (
            FastuneSearchCV(
                SVC(),
                {"C": loguniform(1e-2, 1e2)},
                n_trials=4,
                cv=2,
                random_state=seed,
                refit=False,
            )
            .fit(X, y)
            .cv_results_["params"]
        )

    assert params(3) == params(3)
    assert params(3) != params(4)


def test_pruning_of_an_incremental_estimator_compares_all_folds() -> None:
    search = FastuneSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e1)},
        pruner=PruneBelow(0.85),
        n_trials=10,
        max_iter=6,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "partial_fit"
    states = list(search.cv_results_["state"])
    assert "PRUNED" in states and "COMPLETE" in states
    for trial in search.study_.trials:
        units = trial.user_attrs["n_units"]
        assert len(trial.intermediate_values) == units
        if trial.state.name == "COMPLETE":
            assert units == 6
        else:  # stopped at the first report from the third on that fell below the bar
            assert 3 <= units <= 6 and trial.intermediate_values[units - 1] < 0.85
        # each report is the mean over all three folds at that epoch
        last = trial.intermediate_values[units - 1]
        assert last == pytest.approx(np.mean(trial.user_attrs["test_scores"]["score"]))
    best = search.study_.trials[search.best_index_]
    assert search.best_estimator_.t_ == pytest.approx(best.user_attrs["n_units"] * len(X) + 1)


def test_grown_ensemble_under_pruning() -> None:
    Xr, yr = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=0)
    search = FastuneSearchCV(
        GradientBoostingRegressor(n_estimators=30, random_state=0),
        {"learning_rate": loguniform(1e-3, 0.5)},
        pruner=PruneBelow(0.0),
        n_trials=4,
        max_iter=3,
        cv=2,
        random_state=0,
    ).fit(Xr, yr)
    assert search.training_ == "grow"
    assert search.best_estimator_.n_estimators_ <= 30


def test_runs_in_a_given_study_with_callbacks() -> None:
    study = fastune.create_study(direction="maximize", study_name="svc")
    seen: list[int] = []
    FastuneSearchCV(
        Ridge(),
        {"alpha": loguniform(1e-3, 1e3)},
        n_trials=3,
        cv=2,
        study=study,
        callbacks=[lambda s, t: seen.append(t.number)],
    ).fit(X, y.astype(float))
    assert seen == [0, 1, 2]
    assert len(study.trials) == 3


def test_a_terminator_callback_ends_the_search_from_its_fold_scores() -> None:
    terminator = Terminator(RegretBoundEvaluator(seed=0), min_n_trials=8)
    search = FastuneSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-6, 1e-1)},
        n_trials=60,
        cv=3,
        random_state=0,
        callbacks=[TerminatorCallback(terminator)],
    ).fit(X, y)
    assert 8 <= len(search.trials_) < 60
    for trial in search.trials_:  # the folds behind each value, where the error reads them
        folds = [trial.user_attrs[f"split{i}_test_score"] for i in range(3)]
        assert trial.system_attrs["terminator:cv_scores"] == folds


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"n_trials": 0}, InvalidParameterError, "'n_trials' parameter of FastuneSearchCV"),
        ({"n_trials": None}, InvalidParameterError, "None together with a timeout or callbacks"),
        ({"max_iter": 0}, InvalidParameterError, "'max_iter'"),
        ({"sampler": "tpe"}, InvalidParameterTypeError, "'sampler'"),
        ({"pruner": "median"}, InvalidParameterTypeError, "'pruner'"),
        ({"param_distributions": {"nope": [1]}}, InvalidParameterError, "Got 'nope'"),
        ({"n_jobs": 0}, InvalidParameterError, "'n_jobs' parameter of FastuneSearchCV"),
        # checked with or without a pruner
        ({"training": "bogus"}, InvalidParameterError, "'training'.*'partial_fit'.*'bogus'"),
        ({"callbacks": 1}, InvalidParameterTypeError, "'callbacks'.*list of callables"),
        ({"callbacks": [1]}, InvalidParameterTypeError, "'callbacks'.*list of callables"),
        ({"return_train_score": "no"}, InvalidParameterTypeError, "'return_train_score'"),
        ({"random_state": -1}, InvalidParameterError, "'random_state'.*RandomState.*Got -1"),
        ({"random_state": "a"}, InvalidParameterTypeError, "'random_state'.*Got 'a'"),
        ({"random_state": True}, InvalidParameterTypeError, "'random_state'.*Got True"),
        (
            {"scoring": ["accuracy", "accuracy"], "refit": "accuracy"},
            InvalidParameterError,
            "'scoring'.*distinct",
        ),
        ({"catch": "ValueError"}, InvalidParameterTypeError, "'catch'.*exception class"),
        ({"catch": [ValueError, 1]}, InvalidParameterTypeError, "'catch'.*exception class"),
        ({"subsample": 0.0}, InvalidParameterError, r"'subsample'.*\(0, 1\].*Got 0.0"),
        ({"subsample": 1.5}, InvalidParameterError, r"'subsample'.*Got 1.5"),
        ({"subsample": 0.001}, InvalidParameterError, r"'subsample'.*at least one"),
        ({"subsample": 0}, InvalidParameterError, r"'subsample'.*an int >= 1.*Got 0"),
        ({"subsample": "half"}, InvalidParameterTypeError, "'subsample'.*Got 'half'"),
        ({"subsample": True}, InvalidParameterTypeError, "'subsample'.*Got True"),
    ],
)
def test_bad_input_is_named(kwargs: dict, error: type[Exception], fragment: str) -> None:
    options = {"param_distributions": {"C": [0.1, 1.0]}, "n_trials": 1, "cv": 2}
    options.update(kwargs)
    distributions = options.pop("param_distributions")
    with pytest.raises(error, match=fragment):
        FastuneSearchCV(SVC(), distributions, **options).fit(X, y)


def test_a_trials_seed_depends_on_its_number_not_on_the_worker() -> None:
    def scores(n_jobs: int) -> dict[int, float]:
        # partial_fit (the study has a pruner), one epoch per step, in an order drawn
        # from the trial's seed
        study = fastune.create_study(
            direction="maximize", pruner=fastune.pruners.MedianPruner(n_startup_trials=100)
        )
        for alpha in (1e-4, 1e-3, 1e-2, 1e-1):
            study.enqueue_trial({"alpha": alpha})
        search = FastuneSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": loguniform(1e-6, 1e-1)},
            max_iter=3,
            n_trials=4,
            cv=2,
            random_state=0,
            study=study,
            n_jobs=n_jobs,
            refit=False,
        ).fit(X, y)
        return {t.number: t.value for t in search.study_.trials}

    assert scores(2) == scores(1)  # two worker processes, the same seeds per trial


def test_several_metrics_with_refit_false_or_a_callable() -> None:
    def search(refit: object, kind: type = FastuneSearchCV) -> Any:
        budget = {"n_trials": 4} if kind is FastuneSearchCV else {"n_iter": 4}
        return kind(
            Ridge(),
            {"alpha": loguniform(1e-3, 1e2)},
            cv=3,
            scoring=["r2", "neg_mean_absolute_error"],
            refit=refit,
            random_state=0,
            **budget,
        ).fit(*REGRESSION)

    best = ("best_estimator_", "best_index_", "best_params_", "best_score_")
    pick = lambda results: int(np.argmin(results["mean_fit_time"]))  # noqa: E731
    for refit in (False, pick, "r2"):
        # the attributes scikit-learn's searches set: no best without refit when several
        # metrics leave it undefined, no best_score_ when a callable picks the row
        expected = [hasattr(search(refit, RandomizedSearchCV), name) for name in best]
        fitted = search(refit)
        assert [hasattr(fitted, name) for name in best] == expected
    unfitted = search(False)
    # best_trial_ (Optuna's) still names a trial: the best by the first metric
    assert unfitted.best_trial_.value == unfitted.cv_results_["mean_test_r2"].max()
    chosen = search(pick)
    assert chosen.best_params_ == chosen.cv_results_["params"][chosen.best_index_]
    assert chosen.best_estimator_.alpha == chosen.best_params_["alpha"]


@pytest.mark.parametrize("returned", [7, -1])
def test_a_callable_refit_out_of_range_is_named(returned: object) -> None:
    search = FastuneSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, refit=lambda r: returned
    )
    with pytest.raises(IndexError, match=r"best_index_ index out of range.*\[0, 2\)"):
        search.fit(*REGRESSION)


@pytest.mark.parametrize("returned", [0.0, "0", None])
def test_a_callable_refit_returning_no_integer_is_a_type_error(returned: object) -> None:
    search = FastuneSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, refit=lambda r: returned
    )
    with pytest.raises(TypeError, match=r"best_index_ returned is not an integer.*\[0, 2\)"):
        search.fit(*REGRESSION)


def test_feature_names_of_a_data_frame_are_kept() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(REGRESSION[0], columns=[f"f{i}" for i in range(5)])
    search = FastuneSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3).fit(
        frame, REGRESSION[1]
    )
    assert list(search.feature_names_in_) == list(frame.columns)
    plain = FastuneSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3).fit(*REGRESSION)
    assert not hasattr(plain, "feature_names_in_")


def _r2_both_ways(estimator: Any, X: Any, y: Any) -> dict[str, float]:
    r2 = estimator.score(X, y)
    return {"r2": r2, "neg_r2": -r2}


def test_a_callable_scoring_may_return_several_metrics() -> None:
    grid = {"alpha": [0.1, 1000.0]}
    reference = GridSearchCV(Ridge(), grid, cv=3, scoring=_r2_both_ways, refit="neg_r2")
    reference.fit(*REGRESSION)
    search = FastuneSearchCV(
        Ridge(), grid, n_trials=4, cv=3, scoring=_r2_both_ways, refit="neg_r2", random_state=0
    ).fit(*REGRESSION)
    results = search.cv_results_
    assert search.multimetric_
    for row, alpha in enumerate(results["param_alpha"]):
        expected = reference.cv_results_["param_alpha"].tolist().index(alpha)
        for metric in ("r2", "neg_r2"):
            assert results[f"mean_test_{metric}"][row] == pytest.approx(
                reference.cv_results_[f"mean_test_{metric}"][expected]
            )
    assert search.best_params_ == reference.best_params_  # ranked by neg_r2, as refit says
    assert search.best_score_ == pytest.approx(reference.best_score_)
    assert search.score(*REGRESSION) == pytest.approx(reference.score(*REGRESSION))


@pytest.mark.parametrize(
    ("scoring", "refit", "fragment"),
    [
        # several metrics need refit to name the ranking one, as in scikit-learn
        (_r2_both_ways, True, r"'refit'.*\['neg_r2', 'r2'\].*Got True"),
        (_r2_both_ways, "r3", r"'refit'.*\['neg_r2', 'r2'\].*Got 'r3'"),
        ({"both": _r2_both_ways, "r2": "r2"}, "r2", "'scoring'.*each return one number"),
    ],
)
def test_a_scorer_returning_several_metrics_needs_its_metric_named(
    scoring: Any, refit: Any, fragment: str
) -> None:
    search = FastuneSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, scoring=scoring, refit=refit
    )
    with pytest.raises(InvalidParameterError, match=fragment):
        search.fit(*REGRESSION)


def test_sample_weight_weights_the_scores_as_in_scikit_learn() -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    iris_X, iris_y = load_iris(return_X_y=True)
    weights = np.where(iris_y == 0, 0.0, 1.0)  # class 0 does not count
    grid = {"C": [0.1, 1.0, 10.0]}
    reference = GridSearchCV(LogisticRegression(max_iter=300), grid, cv=3)
    reference.fit(iris_X, iris_y, sample_weight=weights)
    expected = dict(
        zip(reference.cv_results_["param_C"], reference.cv_results_["mean_test_score"], strict=True)
    )
    search = FastuneSearchCV(LogisticRegression(max_iter=300), grid, n_trials=4, cv=3)
    search.fit(iris_X, iris_y, sample_weight=weights)
    results = search.cv_results_
    for c, score in zip(results["param_C"], results["mean_test_score"], strict=True):
        assert score == pytest.approx(expected[c])


def test_a_minimizing_study_is_refused() -> None:
    search = FastuneSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, study=fastune.create_study()
    )
    with pytest.raises(InvalidParameterError, match=r"'study'.*maximize.*\['minimize'\]"):
        search.fit(*REGRESSION)


def test_n_trials_none_runs_until_the_timeout() -> None:
    search = FastuneSearchCV(
        Ridge(), {"alpha": loguniform(1e-3, 1e3)}, n_trials=None, timeout=1.0, cv=2
    )
    search.fit(X, y.astype(float))
    assert len(search.study_.trials) > 1  # n_trials=1 would stop after one
    assert len(search.cv_results_["params"]) == len(search.study_.trials)


class _RowChecker(Ridge):
    """Fails unless ``rows`` holds X's first column for the rows it is fitted on and
    ``note`` (not one value per sample) arrives unchanged."""

    def fit(self, X, y, sample_weight=None, rows=None, note=None):  # type: ignore[no-untyped-def]
        dense = rows.toarray() if sp.issparse(rows) else np.asarray(rows, dtype=float)
        np.testing.assert_array_equal(dense.ravel(), X[:, 0])
        assert note == ["not", "per", "sample"]
        return super().fit(X, y, sample_weight)


@pytest.mark.parametrize("container", ["list", "array", "sparse", "series"])
def test_per_sample_fit_params_follow_their_rows_in_any_container(container: str) -> None:
    features, target = REGRESSION
    column = features[:, 0]
    rows: Any = {
        "list": lambda: list(column),
        "array": lambda: column,
        "sparse": lambda: sp.coo_matrix(column[:, None]),
        "series": lambda: pytest.importorskip("pandas").Series(column),
    }[container]()
    weights = list(np.linspace(0.5, 1.5, len(target)))
    search = FastuneSearchCV(
        _RowChecker(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, error_score="raise"
    )
    search.fit(features, target, rows=rows, note=["not", "per", "sample"], sample_weight=weights)
    reference = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3)
    reference.fit(features, target, sample_weight=np.asarray(weights))
    expected = dict(
        zip(
            reference.cv_results_["param_alpha"],
            reference.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    results = search.cv_results_
    for alpha, score in zip(results["param_alpha"], results["mean_test_score"], strict=True):
        assert score == pytest.approx(expected[alpha])


def _broken_scorer(estimator: Any, X: Any, y: Any) -> float:
    raise RuntimeError("no score today")


def test_a_failing_scorer_warns_as_scikit_learn_or_raises() -> None:
    search = FastuneSearchCV(Ridge(), {"alpha": [1.0]}, n_trials=1, cv=3, scoring=_broken_scorer)
    with (
        pytest.warns(UserWarning, match="test scores are non-finite"),
        pytest.warns(UserWarning, match="^Scoring failed 3 times.*no score today"),
    ):
        search.fit(*REGRESSION)
    assert np.isnan(search.cv_results_["mean_test_score"]).all()
    with pytest.raises(RuntimeError, match="no score today"):
        search.set_params(error_score="raise").fit(*REGRESSION)


def _one_unpruned_trial(estimator: Any, **kwargs: Any) -> FastuneSearchCV:
    """A search of one trial of ``estimator`` trained by units, that no pruner stops."""
    return FastuneSearchCV(
        estimator,
        {"alpha": [1e-4]},
        pruner=fastune.pruners.MedianPruner(n_startup_trials=100),
        n_trials=1,
        refit=False,
        **{"cv": 2, **kwargs},
    )


def test_pruned_training_keeps_the_times_and_errors_of_every_unit() -> None:
    class SlowFailsOnce(SGDClassifier):
        """Each epoch takes 10 ms; the very first one fails."""

        failed = False

        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            time.sleep(0.01)
            if not SlowFailsOnce.failed:
                SlowFailsOnce.failed = True
                raise RuntimeError("a transient failure")
            return super().partial_fit(X, y, classes, sample_weight)

    search = _one_unpruned_trial(SlowFailsOnce(random_state=0), max_iter=5)
    with pytest.warns(FitFailedWarning, match="1 of 2 fits failed.*a transient failure"):
        search.fit(X, y)  # the failure was in the first of five units
    assert search.n_iter_ == 5
    assert search.cv_results_["mean_fit_time"][0] >= 5 * 0.01  # every unit, per fold


def test_a_fold_that_fails_at_every_unit_is_one_failed_fit() -> None:
    class FailsOnOddRows(SGDClassifier):
        """Training on an odd number of rows fails, at every epoch."""

        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            if len(X) % 2:
                raise RuntimeError("odd rows")
            return super().partial_fit(X, y, classes, sample_weight)

    search = _one_unpruned_trial(
        FailsOnOddRows(random_state=0),
        max_iter=3,
        cv=KFold(2),  # 401 rows: one fold trains on 200, the other on 201
        error_score=0.0,
    )
    # Counted per epoch, the three failures of one fold read "3 of 2"; with two epochs,
    # as "all the fits failed" while the other fold trained.
    with pytest.warns(FitFailedWarning, match="1 of 2 fits failed.*odd rows"):
        search.fit(np.vstack([X, X[:1]]), np.append(y, y[0]))
    assert search.cv_results_["split0_test_score"][0] > 0.5
    assert search.cv_results_["split1_test_score"][0] == 0.0


def test_folds_that_fail_once_and_train_again_are_not_all_failed() -> None:
    class FailsTheFirstTwo(SGDClassifier):
        """The first two epochs trained (one per fold: the first unit) fail."""

        calls = 0

        def partial_fit(self, X, y, classes=None, sample_weight=None):  # type: ignore[no-untyped-def]
            FailsTheFirstTwo.calls += 1
            if FailsTheFirstTwo.calls <= 2:
                raise RuntimeError("a transient failure")
            return super().partial_fit(X, y, classes, sample_weight)

    search = _one_unpruned_trial(FailsTheFirstTwo(random_state=0), max_iter=3)
    # Every fold failed once, at the first unit, and trained again from a new estimator:
    # each ends with a model, so the search goes on and says so.
    with pytest.warns(
        FitFailedWarning,
        match=r"2 of 2 fits failed at a step \(2 trained again from a new estimator at the "
        r"next step; 0 failed at their last",
    ):
        search.fit(X, y)
    assert search.cv_results_["split0_test_score"][0] > 0.5
    assert search.cv_results_["split1_test_score"][0] > 0.5
    assert search.study_.trials[0].user_attrs["unfit_folds"] == []


def test_a_pruned_trial_is_never_the_best_when_one_is_complete() -> None:
    class PruneAllButTheFirst(fastune.pruners.BasePruner):
        def prune(self, study: fastune.Study, trial: FrozenTrial) -> bool:
            return trial.number != 0

    study = fastune.create_study(direction="maximize", pruner=PruneAllButTheFirst())
    study.enqueue_trial({"eta0": 1e-9})  # complete, and far the worst: it learns nothing
    search = FastuneSearchCV(
        SGDClassifier(learning_rate="constant", random_state=0),
        {"eta0": fastune.distributions.FloatDistribution(1e-9, 1e-2, log=True)},
        n_trials=5,
        cv=3,
        max_iter=3,
        study=study,
        random_state=0,
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.max() > scores[0]  # a pruned trial scored better when it stopped
    assert search.best_index_ == 0 and search.best_trial_.state.name == "COMPLETE"
    assert search.best_params_ == study.best_params and search.best_score_ == scores[0]


def test_without_n_trials_a_callback_ends_the_search() -> None:
    search = FastuneSearchCV(
        Ridge(),
        {"alpha": loguniform(1e-3, 1e2)},
        n_trials=None,
        cv=3,
        callbacks=[fastune.study.MaxTrialsCallback(4)],
    )
    assert search.fit(*REGRESSION).n_trials_ == 4


@pytest.mark.parametrize("search_class", [FastuneSearchCV, PBTSearchCV])
def test_keyword_arguments_of_predict_reach_the_best_estimator(search_class: type) -> None:
    search = search_class(BayesianRidge(), {"alpha_1": [1e-6, 1e-5]}, cv=3).fit(*REGRESSION)
    mean, std = search.predict(REGRESSION[0][:4], return_std=True)
    expected = search.best_estimator_.predict(REGRESSION[0][:4], return_std=True)
    np.testing.assert_array_equal(mean, expected[0])
    np.testing.assert_array_equal(std, expected[1])


@pytest.mark.parametrize("search_class", [FastuneSearchCV, PBTSearchCV])
def test_a_cv_without_splits_is_an_error(search_class: type) -> None:
    search = search_class(Ridge(), {"alpha": [0.1, 1.0]}, cv=[])
    with pytest.raises(ValueError, match="no split"):
        search.fit(*REGRESSION)
    splits = KFold(3).split(REGRESSION[0])  # a generator: used up by the first fit
    search.set_params(cv=splits).fit(*REGRESSION)
    with pytest.raises(ValueError, match="used up by one fit"):
        search.fit(*REGRESSION)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"cv": 2}, "cv"),
        ({"return_train_score": True}, "return_train_score"),
        ({"scoring": ["r2", "neg_mean_absolute_error"], "refit": "r2"}, "scoring"),
    ],
)
def test_a_study_scored_otherwise_is_refused_and_stays_usable(change: dict, name: str) -> None:
    study = fastune.create_study(direction="maximize")
    options: dict[str, Any] = {"n_trials": 2, "cv": 3, "study": study}
    FastuneSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **options).fit(*REGRESSION)
    changed = FastuneSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **{**options, **change})
    with pytest.raises(InvalidParameterError, match=f"'{name}'.*like the trials already in"):
        changed.fit(*REGRESSION)
    assert len(study.trials) == 2  # refused before any trial was added
    again = FastuneSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, **options).fit(*REGRESSION)
    assert len(again.cv_results_["params"]) == 4


def test_random_state_may_be_a_numpy_random_state_or_generator() -> None:
    def params(random_state: Any) -> list:
        search = FastuneSearchCV(
            Ridge(),
            {"alpha": loguniform(1e-3, 1e3)},
            n_trials=3,
            cv=2,
            random_state=random_state,
            refit=False,
        )
        return search.fit(*REGRESSION).cv_results_["params"]

    assert params(np.random.RandomState(0)) == params(np.random.RandomState(0))
    assert params(np.random.default_rng(0)) == params(np.random.default_rng(0))
    shared = np.random.RandomState(0)
    assert params(shared) != params(shared)  # a new seed is drawn at each fit


def test_verbose_0_hides_info_lines_and_never_raises_the_users_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    levels: list[int] = []
    search = FastuneSearchCV(
        Ridge(),
        {"alpha": [0.1, 1.0]},
        n_trials=1,
        cv=2,
        callbacks=[lambda study, trial: levels.append(fastune.logging.get_verbosity())],
    )
    users_level = fastune.logging.get_verbosity()
    try:
        fastune.logging.set_verbosity(fastune.logging.INFO)
        search.fit(*REGRESSION)
        assert "A new study created" not in capsys.readouterr().err
        fastune.logging.set_verbosity(fastune.logging.CRITICAL)
        search.fit(*REGRESSION)
        assert levels == [fastune.logging.WARNING, fastune.logging.CRITICAL]
        assert fastune.logging.get_verbosity() == fastune.logging.CRITICAL
    finally:
        fastune.logging.set_verbosity(users_level)


def test_minor_values_scikit_learn_takes() -> None:
    search = FastuneSearchCV(
        SVC(),
        {"C": [0.1, 1.0], "kernel": ["rbf", "linear"]},
        n_trials=3,
        cv=2,
        error_score=np.float32(0.0),  # any real number, numpy's included
        random_state=0,
    ).fit(X, y)
    # numeric parameters give numeric columns, as GridSearchCV's; strings give objects
    assert search.cv_results_["param_C"].dtype == np.float64
    assert search.cv_results_["param_kernel"].dtype == object


# -- what Optuna's OptunaSearchCV offers ------------------------------------------------


class _Flaky(Ridge):
    """Raises _FlakyError when fitted with alpha=1.0."""

    def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
        if self.alpha == 1.0:
            raise _FlakyError("alpha=1.0 is not today")
        return super().fit(X, y, sample_weight)


class _FlakyError(RuntimeError):
    pass


def test_catch_keeps_the_search_running_through_the_exceptions_named() -> None:
    options: dict[str, Any] = {"n_trials": 4, "cv": 2, "error_score": "raise", "refit": False}
    study = fastune.create_study(direction="maximize")
    for alpha in (0.1, 1.0, 10.0, 1.0):
        study.enqueue_trial({"alpha": alpha})
    search = FastuneSearchCV(
        _Flaky(), {"alpha": [0.1, 1.0, 10.0]}, study=study, catch=(_FlakyError,), **options
    ).fit(*REGRESSION)
    states = [t.state.name for t in search.study_.trials]
    assert states == ["COMPLETE", "FAIL", "COMPLETE", "FAIL"]
    assert list(search.cv_results_["param_alpha"]) == [0.1, 10.0]  # failed trials: no row
    study = fastune.create_study(direction="maximize")
    study.enqueue_trial({"alpha": 1.0})
    with pytest.raises(_FlakyError):  # catch=() by default: the search stops
        FastuneSearchCV(_Flaky(), {"alpha": [1.0]}, study=study, **options).fit(*REGRESSION)


class _SizeRecorder(Ridge):
    """Records the number of rows of every fit in ``sizes``."""

    sizes: ClassVar[list[int]] = []

    def fit(self, X, y, sample_weight=None):  # type: ignore[no-untyped-def]
        _SizeRecorder.sizes.append(len(X))
        return super().fit(X, y, sample_weight)


@pytest.mark.parametrize(
    ("subsample", "n_rows"), [(0.5, 60), (30, 30), (1.0, 120), (120, 120), (1000, 120)]
)
def test_subsample_scores_candidates_on_some_rows_and_refits_on_all(
    subsample: float, n_rows: int
) -> None:
    _SizeRecorder.sizes = []
    search = FastuneSearchCV(
        _SizeRecorder(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, subsample=subsample
    )
    search.set_params(random_state=0).fit(*REGRESSION)
    rows = search.sample_indices_
    assert len(rows) == n_rows and len(set(rows)) == n_rows
    assert list(rows) == sorted(rows) and rows[0] >= 0 and rows[-1] < 120
    # each fold trains on two thirds of the rows drawn; the refit on all 120
    assert _SizeRecorder.sizes == [n_rows * 2 // 3] * 6 + [120]
    again = FastuneSearchCV(
        _SizeRecorder(), {"alpha": [0.1, 1.0]}, n_trials=2, cv=3, subsample=subsample
    )
    np.testing.assert_array_equal(
        again.set_params(random_state=0).fit(*REGRESSION).sample_indices_, rows
    )


def test_subsample_matches_a_search_on_the_rows_drawn() -> None:
    features, target = REGRESSION
    groups = np.arange(len(target)) % 8
    weights = np.linspace(0.5, 1.5, len(target))
    options: dict[str, Any] = {"n_trials": 2, "cv": GroupKFold(3), "random_state": 0}
    search = FastuneSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, subsample=0.5, **options)
    search.fit(features, target, groups, sample_weight=weights)
    rows = search.sample_indices_
    reference = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=GroupKFold(3))
    reference.fit(features[rows], target[rows], groups=groups[rows], sample_weight=weights[rows])
    expected = dict(
        zip(
            reference.cv_results_["param_alpha"],
            reference.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    results = search.cv_results_
    for alpha, score in zip(results["param_alpha"], results["mean_test_score"], strict=True):
        assert score == pytest.approx(expected[alpha])
    refit = Ridge(alpha=search.best_params_["alpha"]).fit(features, target, sample_weight=weights)
    np.testing.assert_allclose(search.best_estimator_.coef_, refit.coef_)


def test_groups_may_be_passed_by_position() -> None:
    features, target = REGRESSION
    groups = np.arange(len(target)) % 6
    options: dict[str, Any] = {"n_trials": 2, "cv": GroupKFold(3), "random_state": 0}
    positional = FastuneSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, **options)
    positional.fit(features, target, groups)
    keyword = FastuneSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, **options)
    keyword.fit(features, target, groups=groups)
    for key in ("split0_test_score", "split1_test_score", "split2_test_score"):
        np.testing.assert_array_equal(positional.cv_results_[key], keyword.cv_results_[key])
    with pytest.raises(ValueError, match="groups"):  # GroupKFold needs them
        FastuneSearchCV(Ridge(), {"alpha": [0.1]}, **options).fit(features, target)


_STUDY_ATTRIBUTES = ("best_trial_", "trials_", "n_trials_", "user_attrs_")


def test_optunas_study_attributes_read_the_study() -> None:
    search = FastuneSearchCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_trials=4, cv=3, random_state=0)
    for name in _STUDY_ATTRIBUTES:
        assert not hasattr(search, name)  # NotFittedError is an AttributeError
    with pytest.raises(NotFittedError):
        search.set_user_attr("k", 1)
    with pytest.raises(NotFittedError):
        search.trials_dataframe()
    with pytest.raises(NotFittedError):
        check_is_fitted(search)
    search.fit(X, y)
    check_is_fitted(search)
    study = search.study_
    assert search.best_trial_ == study.best_trial
    assert search.best_trial_.params == search.best_params_
    assert search.best_trial_.number == search.best_index_
    assert search.trials_ == study.trials and search.n_trials_ == 4
    search.set_user_attr("dataset", "digits")
    assert search.user_attrs_ == study.user_attrs == {"dataset": "digits"}
    pytest.importorskip("pandas")
    frame = search.trials_dataframe(attrs=("number", "value", "user_attrs"))
    assert list(frame["number"]) == [0, 1, 2, 3]
    np.testing.assert_allclose(frame["value"], search.cv_results_["mean_test_score"])
    np.testing.assert_allclose(
        frame["user_attrs_mean_test_score"], search.cv_results_["mean_test_score"]
    )


def test_pbt_search_has_the_study_attributes_too() -> None:
    search = PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        population_size=2,
        generations=2,
        cv=2,
        random_state=0,
    )
    assert not hasattr(search, "trials_")
    search.fit(X, y)
    assert search.best_trial_.params == search.best_params_
    assert search.n_trials_ == len(search.study_.trials) == 4


def test_each_trial_keeps_its_scores_under_optunas_names() -> None:
    search = FastuneSearchCV(
        Ridge(),
        {"alpha": loguniform(1e-3, 1e3)},
        n_trials=3,
        cv=3,
        return_train_score=True,
        random_state=0,
    ).fit(*REGRESSION)
    results = search.cv_results_
    for row, trial in enumerate(search.study_.trials):
        attrs = trial.user_attrs
        for kind in ("test", "train"):
            for key in (f"mean_{kind}_score", f"std_{kind}_score"):
                assert attrs[key] == pytest.approx(results[key][row])
            for split in range(3):
                key = f"split{split}_{kind}_score"
                assert attrs[key] == results[key][row]
        for key in ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"):
            assert attrs[key] == pytest.approx(results[key][row])
        assert trial.value == attrs["mean_test_score"]


def test_several_metrics_keep_optunas_names_per_metric() -> None:
    search = FastuneSearchCV(
        Ridge(),
        {"alpha": loguniform(1e-3, 1e3)},
        scoring=["r2", "neg_mean_absolute_error"],
        refit="r2",
        n_trials=2,
        cv=2,
        random_state=0,
    ).fit(*REGRESSION)
    attrs = search.best_trial_.user_attrs
    for metric in ("r2", "neg_mean_absolute_error"):
        key = f"mean_test_{metric}"
        assert attrs[key] == pytest.approx(search.cv_results_[key][search.best_index_])
        assert f"split1_test_{metric}" in attrs and f"std_test_{metric}" in attrs
    assert "mean_test_score" not in attrs and "mean_train_r2" not in attrs


def test_a_pruned_trial_keeps_its_scores_under_optunas_names() -> None:
    study = fastune.create_study(direction="maximize", pruner=_PruneAll())
    search = FastuneSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        study=study,
        n_trials=2,
        max_iter=3,
        cv=2,
        random_state=0,
        refit=False,
    ).fit(X, y)
    for trial in search.study_.trials:
        assert trial.state.name == "PRUNED"
        assert trial.user_attrs["mean_test_score"] == trial.intermediate_values[0]


class _PruneAll(fastune.pruners.BasePruner):
    def prune(self, study: fastune.Study, trial: FrozenTrial) -> bool:
        return True


def test_the_studys_pruner_prunes_when_no_pruner_is_given() -> None:
    options: dict[str, Any] = {"n_trials": 2, "max_iter": 3, "cv": 2, "random_state": 0}
    study = fastune.create_study(direction="maximize", pruner=_PruneAll())
    search = FastuneSearchCV(
        SGDClassifier(random_state=0), {"alpha": [1e-4]}, study=study, **options
    ).fit(X, y)
    assert search.training_ == "partial_fit"
    assert list(search.cv_results_["state"]) == ["PRUNED", "PRUNED"]
    # the study's own pruner may be named again
    study = fastune.create_study(direction="maximize", pruner=_PruneAll())
    search = FastuneSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": [1e-4]},
        study=study,
        pruner=study.pruner,
        sampler=study.sampler,
        **options,
    ).fit(X, y)
    assert list(search.cv_results_["state"]) == ["PRUNED", "PRUNED"]
    # a study that never prunes: plain fits
    study = fastune.create_study(direction="maximize", pruner=fastune.pruners.NopPruner())
    search = FastuneSearchCV(
        SGDClassifier(random_state=0), {"alpha": [1e-4]}, study=study, **options
    ).fit(X, y)
    assert search.training_ == "refit" and search.n_iter_ == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [("sampler", fastune.samplers.RandomSampler()), ("pruner", fastune.pruners.NopPruner())],
)
def test_a_sampler_or_pruner_besides_the_studys_is_refused(name: str, value: Any) -> None:
    study = fastune.create_study(direction="maximize")
    search = FastuneSearchCV(SVC(), {"C": [1.0]}, n_trials=1, cv=2, study=study)
    search.set_params(**{name: value})
    with pytest.raises(
        InvalidParameterError,
        match=rf"'{name}' parameter of FastuneSearchCV.*the study's own {name}.*"
        rf"create_study\({name}=\.\.\.\)",
    ):
        search.fit(X, y)
    assert study.trials == []


def test_a_pruner_for_an_estimator_that_trains_in_one_fit_warns() -> None:
    search = FastuneSearchCV(
        SVC(), {"C": [1.0]}, pruner=fastune.pruners.MedianPruner(), n_trials=1, cv=2
    )
    with pytest.warns(UserWarning, match="SVC trains by plain fits.*nothing can prune"):
        search.fit(X, y)
    assert search.training_ == "refit"
    # no warning without a pruner, or with one that never prunes
    search.set_params(pruner=fastune.pruners.NopPruner()).fit(X, y)


def test_optuna_distributions_may_define_the_space() -> None:
    optuna = pytest.importorskip("optuna")
    search = FastuneSearchCV(
        SVC(),
        {
            "C": optuna.distributions.FloatDistribution(1e-2, 1e2, log=True),
            "kernel": optuna.distributions.CategoricalDistribution(["rbf", "linear"]),
            "degree": optuna.distributions.IntDistribution(1, 3),
        },
        n_trials=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    for trial in search.study_.trials:
        assert isinstance(trial.distributions["C"], fastune.distributions.FloatDistribution)
        assert 1e-2 <= trial.params["C"] <= 1e2 and trial.params["kernel"] in ("rbf", "linear")
