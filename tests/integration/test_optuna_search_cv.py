"""fastune.integration.OptunaSearchCV: Optuna's OptunaSearchCV arguments on FastuneSearchCV.

optuna-integration is not a dependency: its signature is written out here.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.svm import SVC

import fastune
import fastune as optuna
from fastune import FastuneSearchCV
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.integration import OptunaSearchCV
from fastune.trial import FrozenTrial

X, y = load_digits(return_X_y=True)
X, y = X[:400], y[:400]

# optuna_integration/sklearn/sklearn.py, OptunaSearchCV.__init__
OPTUNAS_SIGNATURE = {
    "estimator": inspect.Parameter.empty,
    "param_distributions": inspect.Parameter.empty,
    "cv": None,
    "enable_pruning": False,
    "error_score": math.nan,
    "max_iter": 1000,
    "n_jobs": None,
    "n_trials": 10,
    "random_state": None,
    "refit": True,
    "return_train_score": False,
    "scoring": None,
    "study": None,
    "subsample": 1.0,
    "timeout": None,
    "verbose": 0,
    "callbacks": None,
    "catch": (),
}


class _PruneAll(fastune.pruners.BasePruner):
    def prune(self, study: fastune.Study, trial: FrozenTrial) -> bool:
        return True


def test_reached_under_optunas_names() -> None:
    assert optuna.integration.OptunaSearchCV is OptunaSearchCV
    assert optuna.integration.sklearn.OptunaSearchCV is OptunaSearchCV
    assert issubclass(OptunaSearchCV, FastuneSearchCV)


def test_signature_and_defaults_are_optunas() -> None:
    parameters = inspect.signature(OptunaSearchCV).parameters
    assert list(parameters) == list(OPTUNAS_SIGNATURE)
    for name, default in OPTUNAS_SIGNATURE.items():
        given = parameters[name].default
        assert given == default or (math.isnan(default) and math.isnan(given)), name
    search = OptunaSearchCV(SVC(), {"C": [1.0]})
    params = search.get_params(deep=False)
    assert sorted(params) == sorted(OPTUNAS_SIGNATURE)
    copy = clone(search.set_params(enable_pruning=True, subsample=0.5, catch=(ValueError,)))
    assert copy.get_params(deep=False)["enable_pruning"] is True
    assert copy.get_params(deep=False)["subsample"] == 0.5
    assert copy.get_params(deep=False)["catch"] == (ValueError,)


def test_optunas_documented_example_runs() -> None:
    features, target = load_iris(return_X_y=True)
    search = optuna.integration.OptunaSearchCV(
        SVC(gamma="auto"),
        {"C": optuna.distributions.FloatDistribution(1e-10, 1e10, log=True)},
        n_trials=4,
        random_state=0,
    )
    search.fit(features, target)
    assert search.n_splits_ == 5 and search.n_trials_ == 4
    assert search.training_ == "refit"
    assert search.best_trial_.user_attrs["mean_test_score"] == search.best_score_
    assert search.best_params_ == search.study_.best_params
    assert search.predict(features[:3]).shape == (3,)
    assert list(search.sample_indices_) == list(range(len(target)))


def test_enable_pruning_prunes_partial_fit_with_the_studys_pruner() -> None:
    study = optuna.create_study(direction="maximize", pruner=_PruneAll())
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True)},
        enable_pruning=True,
        max_iter=3,
        n_trials=2,
        cv=2,
        study=study,
        random_state=0,
    ).fit(X, y)
    assert search.training_ == "partial_fit"
    assert [t.state.name for t in study.trials] == ["PRUNED", "PRUNED"]
    # without enable_pruning, the study's pruner is left alone: one plain fit per fold
    study = optuna.create_study(direction="maximize", pruner=_PruneAll())
    search.set_params(enable_pruning=False, study=study).fit(X, y)
    assert search.training_ == "refit"
    assert [t.state.name for t in study.trials] == ["COMPLETE", "COMPLETE"]


def test_enable_pruning_trains_max_iter_epochs_when_the_study_never_prunes() -> None:
    study = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": [1e-4]},
        enable_pruning=True,
        max_iter=4,
        n_trials=1,
        cv=2,
        study=study,
    ).fit(X, y)
    assert search.training_ == "partial_fit" and search.n_iter_ == 4
    assert len(study.trials[0].intermediate_values) == 4


def test_a_new_study_prunes_with_a_median_pruner() -> None:
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": [1e-4]},
        enable_pruning=True,
        max_iter=2,
        n_trials=1,
        cv=2,
    ).fit(X, y)
    assert isinstance(search.study_.pruner, optuna.pruners.MedianPruner)
    assert search.training_ == "partial_fit"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        (
            {"enable_pruning": True},
            InvalidParameterError,
            "'enable_pruning' parameter of OptunaSearchCV.*SVC: estimator must support partial_fit",
        ),
        ({"enable_pruning": "yes"}, InvalidParameterTypeError, "'enable_pruning'.*Got 'yes'"),
        ({"n_trials": 0}, InvalidParameterError, "'n_trials' parameter of OptunaSearchCV"),
        ({"max_iter": 0}, InvalidParameterError, "'max_iter' parameter of OptunaSearchCV"),
        ({"subsample": 2.0}, InvalidParameterError, "'subsample' parameter of OptunaSearchCV"),
        ({"catch": 1}, InvalidParameterTypeError, "'catch' parameter of OptunaSearchCV"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, Any], error: type, fragment: str) -> None:
    options = {"n_trials": 1, "cv": 2, **kwargs}
    search = OptunaSearchCV(SVC(), {"C": [1.0]}, **options)
    with pytest.raises(error, match=fragment):
        search.fit(X, y)
    # Optuna raises ValueError for a missing partial_fit: so does this
    assert issubclass(error, ValueError)


def test_subsample_and_catch_as_in_optuna() -> None:
    class Broken(SVC):
        def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
            raise ArithmeticError("never fits")

    search = OptunaSearchCV(
        SVC(), {"C": [1.0]}, n_trials=1, cv=2, subsample=100, random_state=0
    ).fit(X, y)
    assert len(search.sample_indices_) == 100
    assert search.best_estimator_.shape_fit_ == X.shape  # refitted on all the rows
    search = OptunaSearchCV(
        Broken(), {"C": [1.0]}, n_trials=2, cv=2, error_score="raise", catch=ArithmeticError
    )
    with pytest.raises(ValueError, match="finished no trial"):
        search.fit(X, y)  # both trials failed, and the search went on to the second
    assert [t.state.name for t in search.study_.trials] == ["FAIL", "FAIL"]
