"""scikit-learn's own estimator checks, run on small PBTSearchCV, FastuneSearchCV and
OptunaSearchCV setups.

Like scikit-learn's tests of its own searches, the configurations use
``error_score="raise"``: the checks expect a bad input to raise, whereas the default
``error_score=np.nan`` scores a failed fold and warns. No check is expected to fail.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastune.exceptions import InvalidParameterError
from fastune.integration import OptunaSearchCV
from fastune.pruners import BasePruner
from fastune.sklearn import FastuneSearchCV, PBTSearchCV

SMALL = {
    "population_size": 2,
    "generations": 2,
    "cv": 2,
    "random_state": 0,
    "error_score": "raise",
}


class _FirstStepPruner(BasePruner):
    """Prunes every other trial after its first unit: the pruned path runs too."""

    def prune(self, study: Any, trial: Any) -> bool:
        return bool(trial.number % 2)


SEARCHES = [
    # classifier trained by warm_start
    PBTSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, **SMALL),
    # regressor refitted each generation, from a continuous distribution
    PBTSearchCV(Ridge(), {"alpha": loguniform(1e-3, 10)}, **SMALL),
    # incremental classifier trained by partial_fit
    PBTSearchCV(SGDClassifier(random_state=0), {"alpha": loguniform(1e-5, 1e-1)}, **SMALL),
    # the classic search: plain fits, and pruned incremental training
    FastuneSearchCV(
        LogisticRegression(),
        {"C": [0.1, 1.0]},
        n_trials=2,
        cv=2,
        random_state=0,
        error_score="raise",
    ),
    FastuneSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        pruner=_FirstStepPruner(),
        n_trials=3,
        max_iter=2,
        cv=2,
        random_state=0,
        error_score="raise",
    ),
    # Optuna's OptunaSearchCV arguments: plain fits, and partial_fit with enable_pruning
    OptunaSearchCV(
        LogisticRegression(),
        {"C": [0.1, 1.0]},
        n_trials=2,
        cv=2,
        random_state=0,
        error_score="raise",
    ),
    OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        enable_pruning=True,
        n_trials=2,
        max_iter=2,
        cv=2,
        random_state=0,
        error_score="raise",
    ),
]


@parametrize_with_checks(SEARCHES)
def test_sklearn_estimator_checks(estimator: Any, check: Any) -> None:
    check(estimator)


# The check suite is not run on a pairwise estimator: for those it derives the targets
# from kernel columns, which leaves one-member classes that StratifiedKFold warns about
# (GridSearchCV fails the same checks). These two tests cover the pairwise contract.


def test_precomputed_kernel_is_split_on_rows_and_columns() -> None:
    X, y = make_classification(n_samples=60, random_state=0)
    kernel = X @ X.T
    pbt = PBTSearchCV(SVC(kernel="precomputed"), {"C": [1.0]}, **SMALL).fit(kernel, y)
    grid = GridSearchCV(SVC(kernel="precomputed"), {"C": [1.0]}, cv=2).fit(kernel, y)
    for split in ("split0_test_score", "split1_test_score"):
        assert_allclose(pbt.cv_results_[split][0], grid.cv_results_[split][0])
    assert_array_equal(pbt.predict(kernel[:7]), grid.predict(kernel[:7]))


def test_precomputed_kernel_must_be_square() -> None:
    search = PBTSearchCV(SVC(kernel="precomputed"), {"C": [1.0]}, **SMALL)
    with pytest.raises(InvalidParameterError, match=r"'X' parameter of PBTSearchCV .*square"):
        search.fit(np.ones((20, 10)), np.arange(20) % 2)
