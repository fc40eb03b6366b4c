"""A learning-curve task of a different shape: gradient boosting, whose validation loss
keeps falling steadily for many rounds at a small learning rate and turns up (overfits)
at a large one, so that slow starters are often the late winners.

LightGBM on scikit-learn's breast cancer data (a fixed stratified fifth for validation),
100 boosting rounds; a round is an epoch and the metric is the validation log loss after
it. A configuration is trained in one go and its curve replayed round by round: the task
serves the pruner replay (``benchmarks.pruner_replay``), which trains every trial fully.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold

from benchmarks.problems.base import LearningCurveProblem
from benchmarks.space import FloatParam, IntParam

N_ROUNDS = 100
SPLIT_SEED = 0


@functools.lru_cache(maxsize=1)
def _split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    features, labels = load_breast_cancer(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=SPLIT_SEED)
    train, validation = next(folds.split(features, labels))
    return features[train], labels[train], features[validation], labels[validation]


class LightGBMRounds(LearningCurveProblem):
    """LightGBM boosting rounds as epochs, validation log loss after each."""

    name = "lgb-breast_cancer"
    group = "curve"
    metric = "validation log loss after the last boosting round"
    cost_unit = "boosting rounds"
    n_epochs = N_ROUNDS
    space = (
        FloatParam("learning_rate", 0.01, 0.3, log=True),
        IntParam("num_leaves", 2, 64, log=True),
        IntParam("min_child_samples", 2, 100, log=True),
        FloatParam("lambda_l2", 1e-8, 10.0, log=True),
    )
    description = (
        f"LightGBM on breast cancer ({N_ROUNDS} boosting rounds, a stratified fifth held "
        "out), validation log loss per round"
    )

    def train(self, params: dict[str, Any]) -> Iterator[float]:
        import lightgbm

        train_x, train_y, validation_x, validation_y = _split()
        history: dict[str, Any] = {}
        lightgbm.train(
            {"objective": "binary", "metric": "binary_logloss", "verbose": -1, **params},
            lightgbm.Dataset(train_x, train_y),
            N_ROUNDS,
            valid_sets=[lightgbm.Dataset(validation_x, validation_y)],
            callbacks=[lightgbm.record_evaluation(history)],
        )
        yield from (float(value) for value in history["valid_0"]["binary_logloss"])


def boosting_curve_problems() -> list[LearningCurveProblem]:
    """The boosting task."""
    return [LightGBMRounds()]
