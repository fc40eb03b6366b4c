"""Model tuning on scikit-learn's bundled data sets, scored by 3-fold CV with fixed folds.

The metric is 1 - mean CV score: the error rate for classifiers, the unexplained fraction of
variance (1 - R^2) for regressors. Fits are kept small so that one trial takes ~0.1 s.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import BaseCrossValidator, KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from benchmarks.problems.base import EvaluationProblem
from benchmarks.space import CategoricalParam, FloatParam, IntParam, SearchSpace

N_FOLDS = 3
FOLD_SEED = 0
# Seed of the estimators' own randomness: the same configuration always scores the same.
ESTIMATOR_SEED = 0
# Digits is subsampled (stratified, fixed seed) to keep one CV under ~0.1 s.
DIGITS_SUBSAMPLE = 600

LOADERS: dict[str, Callable[..., Any]] = {
    "digits": load_digits,
    "breast_cancer": load_breast_cancer,
    "wine": load_wine,
    "diabetes": load_diabetes,
}


@functools.cache
def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Features and targets of a bundled data set (digits subsampled)."""
    features, targets = LOADERS[name](return_X_y=True)
    if name == "digits":
        rng = np.random.default_rng(FOLD_SEED)
        keep = np.sort(rng.permutation(len(targets))[:DIGITS_SUBSAMPLE])
        features, targets = features[keep], targets[keep]
    return features, targets


def _final_step_name(estimator: BaseEstimator) -> str:
    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    return type(final).__name__


def _scaled(name: str, estimator: BaseEstimator) -> Pipeline:
    return Pipeline([("scale", StandardScaler()), (name, estimator)])


class ModelTuningProblem(EvaluationProblem):
    """Tune ``estimator`` on ``dataset``; parameter names are the estimator's ``set_params`` keys.

    Args:
        name: The problem's name.
        dataset: Key of ``LOADERS``.
        estimator: The untuned estimator (cloned before each fit).
        space: The parameters to tune.
        task: ``"classification"`` (accuracy) or ``"regression"`` (R^2).
    """

    group = "model"
    cost_unit = "CV fits"
    cost_per_trial = N_FOLDS

    def __init__(
        self,
        name: str,
        *,
        dataset: str,
        estimator: BaseEstimator,
        space: SearchSpace,
        task: str,
    ) -> None:
        self.name = name
        self.dataset = dataset
        self.estimator = estimator
        self.space = space
        self.task = task
        self.scoring = "accuracy" if task == "classification" else "r2"
        n_samples = len(self.data()[1])
        self.description = (
            f"{_final_step_name(estimator)} on {dataset} ({n_samples} samples), "
            f"{N_FOLDS}-fold CV; tuned: {', '.join(param.name for param in space)}"
        )
        self.metric = "CV error rate (1 - accuracy)" if task == "classification" else "CV 1 - R^2"

    @property
    def cv(self) -> BaseCrossValidator:
        """The fixed folds every method is scored on."""
        splitter = StratifiedKFold if self.task == "classification" else KFold
        return splitter(N_FOLDS, shuffle=True, random_state=FOLD_SEED)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Features and targets."""
        return load_dataset(self.dataset)

    def metric_from_score(self, score: float) -> float:
        """The metric (lower is better) of a mean CV score (higher is better)."""
        return 1.0 - score

    def evaluate(self, params: dict[str, Any], seed: int) -> float:
        return self.metric_from_score(float(np.mean(self.fold_scores(params))))

    def fold_scores(self, params: dict[str, Any]) -> np.ndarray:
        """The CV score (higher is better) of each fold; NaN for a fold whose fit failed."""
        estimator = clone(self.estimator).set_params(**params)
        features, targets = self.data()
        with warnings.catch_warnings():
            # Small max_iter budgets are deliberate; their ConvergenceWarnings are noise.
            warnings.simplefilter("ignore")
            return np.asarray(
                cross_val_score(
                    estimator,
                    features,
                    targets,
                    cv=self.cv,
                    scoring=self.scoring,
                    error_score=np.nan,
                ),
                dtype=float,
            )


def model_tuning_problems() -> list[ModelTuningProblem]:
    """The five estimator / data set pairs of the suite."""
    return [
        ModelTuningProblem(
            "svc-digits",
            dataset="digits",
            estimator=_scaled("svc", SVC()),
            space=(
                FloatParam("svc__C", 1e-3, 1e3, log=True),
                FloatParam("svc__gamma", 1e-5, 1e1, log=True),
            ),
            task="classification",
        ),
        ModelTuningProblem(
            "hgb-breast_cancer",
            dataset="breast_cancer",
            estimator=HistGradientBoostingClassifier(
                max_iter=30, early_stopping=False, random_state=ESTIMATOR_SEED
            ),
            space=(
                FloatParam("learning_rate", 1e-3, 1.0, log=True),
                IntParam("max_leaf_nodes", 2, 64, log=True),
                IntParam("min_samples_leaf", 1, 100, log=True),
                FloatParam("l2_regularization", 1e-6, 10.0, log=True),
            ),
            task="classification",
        ),
        ModelTuningProblem(
            "mlp-wine",
            dataset="wine",
            estimator=_scaled("mlp", MLPClassifier(max_iter=50, random_state=ESTIMATOR_SEED)),
            space=(
                IntParam("mlp__hidden_layer_sizes", 2, 128, log=True),
                FloatParam("mlp__alpha", 1e-6, 10.0, log=True),
                FloatParam("mlp__learning_rate_init", 1e-5, 1e-1, log=True),
                CategoricalParam("mlp__activation", ("relu", "tanh")),
            ),
            task="classification",
        ),
        ModelTuningProblem(
            "rf-diabetes",
            dataset="diabetes",
            estimator=RandomForestRegressor(n_estimators=20, random_state=ESTIMATOR_SEED),
            space=(
                IntParam("max_depth", 1, 20),
                IntParam("min_samples_leaf", 1, 50, log=True),
                FloatParam("max_features", 0.05, 1.0),
                CategoricalParam("bootstrap", (True, False)),
            ),
            task="regression",
        ),
        ModelTuningProblem(
            "sgd-digits",
            dataset="digits",
            estimator=_scaled(
                "sgd", SGDClassifier(max_iter=20, tol=None, random_state=ESTIMATOR_SEED)
            ),
            space=(
                CategoricalParam("sgd__loss", ("hinge", "log_loss", "modified_huber")),
                CategoricalParam("sgd__penalty", ("l2", "l1", "elasticnet")),
                FloatParam("sgd__alpha", 1e-7, 1.0, log=True),
                FloatParam("sgd__l1_ratio", 0.0, 1.0),
            ),
            task="classification",
        ),
    ]
