"""Learning-curve tasks on a hard version of digits, reporting validation loss per epoch.

Plain digits saturates (every method ties near 100 % accuracy), so these tasks train on
300 samples of which 20 % carry a wrong label, and score the log loss on 500 clean
validation samples after each epoch: overfitting the noise shows up as a rising loss.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier

from benchmarks.problems.base import LearningCurveProblem
from benchmarks.space import CategoricalParam, FloatParam, IntParam

N_TRAIN = 300
N_VALIDATION = 500
LABEL_NOISE = 0.2
DATA_SEED = 0
# Seed of weight initialization and shuffling: a configuration always trains the same way.
TRAINING_SEED = 0
N_CLASSES = 10
# Probabilities are clipped here so a confident wrong answer costs a bounded loss.
PROBABILITY_FLOOR = 1e-7


@functools.lru_cache(maxsize=1)
def noisy_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Training features and noisy labels, validation features and clean labels."""
    features, labels = load_digits(return_X_y=True)
    features = (features / 16.0).astype(np.float32)
    rng = np.random.default_rng(DATA_SEED)
    order = rng.permutation(len(labels))
    train, validation = order[:N_TRAIN], order[N_TRAIN : N_TRAIN + N_VALIDATION]
    noisy_labels = labels[train].copy()
    flipped = rng.random(N_TRAIN) < LABEL_NOISE
    # A flipped label moves to one of the nine other classes, uniformly.
    offsets = rng.integers(1, N_CLASSES, size=int(flipped.sum()))
    noisy_labels[flipped] = (noisy_labels[flipped] + offsets) % N_CLASSES
    return features[train], noisy_labels, features[validation], labels[validation]


def _validation_log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    clipped = np.clip(probabilities, PROBABILITY_FLOOR, 1.0)
    clipped /= clipped.sum(axis=1, keepdims=True)
    return float(log_loss(labels, clipped, labels=list(range(N_CLASSES))))


class TorchMLPDigits(LearningCurveProblem):
    """A one-hidden-layer PyTorch MLP trained with SGD + momentum, 30 epochs."""

    name = "torch-mlp-digits"
    group = "curve"
    metric = "validation log loss after the last epoch"
    cost_unit = "epochs"
    n_epochs = 30
    description = (
        f"PyTorch MLP, SGD + momentum, {n_epochs} epochs on noisy digits "
        f"({N_TRAIN} training samples, {LABEL_NOISE:.0%} wrong labels)"
    )
    space = (
        FloatParam("learning_rate", 1e-3, 1.0, log=True),
        IntParam("hidden_units", 8, 256, log=True),
        FloatParam("weight_decay", 1e-6, 1e-1, log=True),
        FloatParam("dropout", 0.0, 0.7),
        CategoricalParam("batch_size", (16, 32, 64, 128)),
    )

    def train(self, params: dict[str, Any]) -> Iterator[float]:
        import torch  # imported here: the other problems must not pay for torch

        torch.set_num_threads(1)
        torch.manual_seed(TRAINING_SEED)
        train_x, train_y, validation_x, validation_y = (
            torch.from_numpy(array) for array in noisy_digits()
        )
        model = torch.nn.Sequential(
            torch.nn.Linear(train_x.shape[1], params["hidden_units"]),
            torch.nn.ReLU(),
            torch.nn.Dropout(params["dropout"]),
            torch.nn.Linear(params["hidden_units"], N_CLASSES),
        )
        optimizer = torch.optim.SGD(
            model.parameters(),
            lr=params["learning_rate"],
            momentum=0.9,
            weight_decay=params["weight_decay"],
        )
        loss_function = torch.nn.CrossEntropyLoss()
        for _ in range(self.n_epochs):
            model.train()
            for batch in torch.randperm(len(train_y)).split(params["batch_size"]):
                optimizer.zero_grad()
                loss_function(model(train_x[batch]), train_y[batch]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                loss = float(loss_function(model(validation_x), validation_y))
            # A diverged run has a NaN loss; report it as a large finite one.
            yield loss if math.isfinite(loss) else -math.log(PROBABILITY_FLOOR)


class PartialFitDigits(LearningCurveProblem):
    """A scikit-learn estimator trained by ``partial_fit``, one pass over the data per epoch."""

    group = "curve"
    metric = "validation log loss after the last epoch"
    cost_unit = "epochs"

    def __init__(self, name: str, estimator: str, n_epochs: int) -> None:
        self.name = name
        self.estimator = estimator
        self.n_epochs = n_epochs
        self.space = MLP_SPACE if estimator == "mlp" else SGD_SPACE
        estimator_name = "MLPClassifier" if estimator == "mlp" else "SGDClassifier"
        self.description = (
            f"{estimator_name}.partial_fit, {n_epochs} epochs on noisy digits "
            f"({N_TRAIN} training samples, {LABEL_NOISE:.0%} wrong labels)"
        )

    def _make_estimator(self, params: dict[str, Any]) -> MLPClassifier | SGDClassifier:
        if self.estimator == "mlp":
            return MLPClassifier(
                hidden_layer_sizes=(params["hidden_units"],),
                alpha=params["alpha"],
                learning_rate_init=params["learning_rate_init"],
                batch_size=params["batch_size"],
                activation=params["activation"],
                random_state=TRAINING_SEED,
            )
        return SGDClassifier(
            loss=params["loss"],
            alpha=params["alpha"],
            learning_rate=params["learning_rate"],
            eta0=params["eta0"],
            random_state=TRAINING_SEED,
        )

    def train(self, params: dict[str, Any]) -> Iterator[float]:
        train_x, train_y, validation_x, validation_y = noisy_digits()
        estimator = self._make_estimator(params)
        classes = np.arange(N_CLASSES)
        for _ in range(self.n_epochs):
            with warnings.catch_warnings():
                # Overflow in a diverging run is part of the landscape, not an error.
                warnings.simplefilter("ignore")
                estimator.partial_fit(train_x, train_y, classes=classes)
                probabilities = estimator.predict_proba(validation_x)
            if not np.all(np.isfinite(probabilities)):
                probabilities = np.full((len(validation_y), N_CLASSES), 1.0 / N_CLASSES)
            yield _validation_log_loss(probabilities, validation_y)


MLP_SPACE = (
    IntParam("hidden_units", 8, 256, log=True),
    FloatParam("alpha", 1e-6, 10.0, log=True),
    FloatParam("learning_rate_init", 1e-4, 0.5, log=True),
    CategoricalParam("batch_size", (16, 32, 64, 128)),
    CategoricalParam("activation", ("relu", "tanh")),
)
SGD_SPACE = (
    CategoricalParam("loss", ("log_loss", "modified_huber")),
    FloatParam("alpha", 1e-7, 1.0, log=True),
    CategoricalParam("learning_rate", ("optimal", "constant", "invscaling")),
    FloatParam("eta0", 1e-4, 1.0, log=True),
)


def learning_curve_problems() -> list[LearningCurveProblem]:
    """The three learning-curve tasks."""
    return [
        TorchMLPDigits(),
        PartialFitDigits("mlp-partial_fit-digits", "mlp", n_epochs=30),
        PartialFitDigits("sgd-partial_fit-digits", "sgd", n_epochs=30),
    ]
