"""scikit-learn's own searches on the model-tuning problems: randomized and halving search.

``RandomizedSearchCV`` scores its candidates in order, so trial k is candidate k.
``HalvingRandomSearchCV`` scores ``budget`` candidates, most of them on subsamples; its
value is the full CV score of the candidate it picks, shown at k = budget only.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
from sklearn.experimental import enable_halving_search_cv  # noqa: F401  (enables the import)
from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV

from benchmarks.problems import ModelTuningProblem, Problem
from benchmarks.runners.base import Method, RunResult
from benchmarks.space import scipy_distributions

HALVING_FACTOR = 3


def _is_model_tuning(problem: Problem, budget: int) -> bool:
    return isinstance(problem, ModelTuningProblem)


def _fit_quietly(search: Any, problem: ModelTuningProblem) -> float:
    """Fit a scikit-learn search on the problem's data; return the seconds it took."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(*problem.data())
    return time.perf_counter() - start


def run_randomized_search(problem: Problem, budget: int, seed: int) -> RunResult:
    """``RandomizedSearchCV`` with ``budget`` candidates on the problem's folds."""
    assert isinstance(problem, ModelTuningProblem)  # guaranteed by applies_to
    search = RandomizedSearchCV(
        problem.estimator,
        scipy_distributions(problem.space),
        n_iter=budget,
        scoring=problem.scoring,
        cv=problem.cv,
        refit=False,
        random_state=seed,
        error_score=np.nan,
    )
    seconds = _fit_quietly(search, problem)
    result = RunResult(cost=budget * problem.cost_per_trial)
    for score in search.cv_results_["mean_test_score"]:
        result.record(problem.metric_from_score(float(score)))
    result.seconds = seconds
    return result


def run_halving_search(problem: Problem, budget: int, seed: int) -> RunResult:
    """``HalvingRandomSearchCV`` over ``budget`` candidates; cost counts every CV fit."""
    assert isinstance(problem, ModelTuningProblem)  # guaranteed by applies_to
    search = HalvingRandomSearchCV(
        problem.estimator,
        scipy_distributions(problem.space),
        n_candidates=budget,
        factor=HALVING_FACTOR,
        scoring=problem.scoring,
        cv=problem.cv,
        refit=False,
        random_state=seed,
        error_score=np.nan,
    )
    seconds = _fit_quietly(search, problem)
    n_fits = len(search.cv_results_["params"]) * search.n_splits_
    result = RunResult(values=[None] * (budget - 1), cost=n_fits)
    result.seconds = seconds
    # Scored outside the timed search: measuring the pick is not the method's work.
    result.record(problem.evaluate(search.best_params_, seed))
    return result


def sklearn_methods() -> list[Method]:
    """scikit-learn's randomized and halving searches, for model-tuning problems only."""
    return [
        Method("sklearn random search", "scikit-learn", run_randomized_search, _is_model_tuning),
        Method("sklearn halving search", "scikit-learn", run_halving_search, _is_model_tuning),
    ]
