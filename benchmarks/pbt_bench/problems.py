"""The tuning problems, each defined once and library-neutral: data, folds, estimator, space.

Every problem tunes a scikit-learn estimator that can train in steps (``partial_fit`` or a
growing number of boosting iterations) by 3-fold CV accuracy on a noisy, small version of
a bundled data set, and keeps a clean held-out set to score each method's final pick.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

N_FOLDS = 3
FOLD_SEED = 0
# Seed of the subsample, the held-out split and the label noise: the same data in every run.
DATA_SEED = 0
LABEL_NOISE = 0.1
DIGITS_TUNING_ROWS = 450
BREAST_CANCER_TUNING_ROWS = 380
SCORING = "accuracy"


@dataclasses.dataclass(frozen=True)
class Param:
    """One hyperparameter: a float or int range (optionally log-scaled) or a set of choices."""

    name: str
    kind: str  # "float", "int" or "categorical"
    low: float = 0.0
    high: float = 1.0
    log: bool = False
    choices: tuple[Any, ...] = ()

    def scipy_distribution(self) -> Any:
        """The distribution in scikit-learn's ``param_distributions`` format (also fastune's)."""
        if self.kind == "categorical":
            return list(self.choices)
        if self.kind == "int":
            return randint(int(self.low), int(self.high) + 1)
        if self.log:
            return loguniform(self.low, self.high)
        return uniform(self.low, self.high - self.low)

    def suggest(self, trial: Any) -> Any:
        """Ask an Optuna trial for a value (choices Optuna cannot store go by their repr)."""
        if self.kind == "categorical":
            labels = [repr(choice) for choice in self.choices]
            return self.choices[labels.index(trial.suggest_categorical(self.name, labels))]
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, log=self.log)

    def describe(self) -> str:
        """A short text such as ``alpha: log-uniform [1e-06, 0.1]``."""
        if self.kind == "categorical":
            return f"{self.name}: one of {', '.join(map(str, self.choices))}"
        scale = "log-uniform" if self.log else "uniform"
        kind = "int " if self.kind == "int" else ""
        return f"{self.name}: {kind}{scale} [{self.low:g}, {self.high:g}]"


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Tuning rows (noisy labels, searched by CV) and held-out rows (clean labels)."""

    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    splits: list[tuple[np.ndarray, np.ndarray]]
    description: str


@dataclasses.dataclass(frozen=True)
class Problem:
    """An estimator to tune on a data set.

    Attributes:
        name: Short name, used in file names.
        dataset: Name of the data set (a key of ``DATASETS``).
        estimator: The untuned estimator; its ``random_state`` is set to each run's seed.
        space: The tuned hyperparameters.
        budget_param: The estimator parameter that sets one candidate's training length
            (``max_iter``: epochs for SGD/MLP, boosting iterations for HGB).
        unit: What one unit of ``budget_param`` is, for the report.
    """

    name: str
    dataset: str
    estimator: BaseEstimator
    space: tuple[Param, ...]
    budget_param: str
    unit: str

    @property
    def budget(self) -> int:
        """Units one candidate trains on one fold: the estimator's full budget."""
        return int(self.estimator.get_params()[self.budget_param])

    def make_estimator(self, seed: int) -> BaseEstimator:
        return clone(self.estimator).set_params(random_state=seed)

    def describe(self) -> str:
        return (
            f"{type(self.estimator).__name__} ({self.budget_param}={self.budget} {self.unit}) "
            f"on {load(self.dataset).description}"
        )


def _flip_labels(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Move a LABEL_NOISE share of the labels to another class, uniformly."""
    classes = np.unique(labels)
    noisy = labels.copy()
    flipped = np.flatnonzero(rng.random(len(labels)) < LABEL_NOISE)
    offsets = rng.integers(1, len(classes), size=len(flipped))
    positions = np.searchsorted(classes, labels[flipped])
    noisy[flipped] = classes[(positions + offsets) % len(classes)]
    return noisy


def _split(
    features: np.ndarray, labels: np.ndarray, n_tuning: int, scale: Callable[..., Any]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(DATA_SEED)
    order = rng.permutation(len(labels))
    tuning, held_out = order[:n_tuning], order[n_tuning:]
    X, X_test = scale(features[tuning], features[held_out])
    y = _flip_labels(labels[tuning], rng)
    folds = StratifiedKFold(N_FOLDS, shuffle=True, random_state=FOLD_SEED)
    splits = [(train, test) for train, test in folds.split(X, y)]
    return X, y, X_test, labels[held_out], splits


def _divide_by_16(tuning: np.ndarray, held_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return tuning / 16.0, held_out / 16.0


def _standardize(tuning: np.ndarray, held_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Fitted once on all tuning rows (not per fold): identical for every method, and
    # partial_fit estimators cannot sit in a Pipeline.
    scaler = StandardScaler().fit(tuning)
    return scaler.transform(tuning), scaler.transform(held_out)


@functools.cache
def load(name: str) -> Dataset:
    """The data set ``name`` ("digits" or "breast_cancer"), the same in every call."""
    if name == "digits":
        features, labels = load_digits(return_X_y=True)
        n_tuning, scaling = DIGITS_TUNING_ROWS, "pixels / 16"
        parts = _split(features, labels, n_tuning, _divide_by_16)
    elif name == "breast_cancer":
        features, labels = load_breast_cancer(return_X_y=True)
        n_tuning, scaling = BREAST_CANCER_TUNING_ROWS, "standardized"
        parts = _split(features, labels, n_tuning, _standardize)
    else:
        raise KeyError(name)
    description = (
        f"{name}: {n_tuning} random tuning rows ({scaling}) with {LABEL_NOISE:.0%} of the "
        f"labels moved to another class, {N_FOLDS}-fold stratified CV (fold seed {FOLD_SEED}); "
        f"the other {len(labels) - n_tuning} rows, with clean labels, are held out"
    )
    return Dataset(*parts, description=description)


SGD_SPACE = (
    Param("loss", "categorical", choices=("hinge", "log_loss", "modified_huber")),
    Param("alpha", "float", 1e-6, 1e-1, log=True),
    Param("l1_ratio", "float", 0.0, 1.0),
    Param("learning_rate", "categorical", choices=("optimal", "constant", "invscaling")),
    Param("eta0", "float", 1e-4, 1.0, log=True),
)
MLP_SPACE = (
    Param("hidden_layer_sizes", "categorical", choices=((16,), (32,), (64,), (128,))),
    Param("alpha", "float", 1e-6, 1e-1, log=True),
    Param("learning_rate_init", "float", 1e-4, 1e-1, log=True),
    Param("batch_size", "categorical", choices=(16, 32, 64, 128)),
)
HGB_SPACE = (
    Param("learning_rate", "float", 0.01, 0.5, log=True),
    Param("max_leaf_nodes", "int", 4, 64),
    Param("min_samples_leaf", "int", 2, 40),
    Param("l2_regularization", "float", 1e-4, 10.0, log=True),
)

PROBLEMS: dict[str, Problem] = {
    problem.name: problem
    for problem in (
        Problem(
            "mlp-digits",
            "digits",
            MLPClassifier(max_iter=30),
            MLP_SPACE,
            "max_iter",
            "epochs",
        ),
        Problem(
            "sgd-digits",
            "digits",
            SGDClassifier(penalty="elasticnet", max_iter=30),
            SGD_SPACE,
            "max_iter",
            "epochs",
        ),
        Problem(
            "sgd-breast_cancer",
            "breast_cancer",
            SGDClassifier(penalty="elasticnet", max_iter=30),
            SGD_SPACE,
            "max_iter",
            "epochs",
        ),
        Problem(
            "hgb-breast_cancer",
            "breast_cancer",
            # Early stopping off: every candidate trains its whole budget, on every method.
            HistGradientBoostingClassifier(max_iter=100, early_stopping=False),
            HGB_SPACE,
            "max_iter",
            "boosting iterations",
        ),
    )
}
