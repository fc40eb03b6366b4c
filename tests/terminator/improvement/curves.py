"""Trials of a one-parameter objective, shared by the improvement evaluators' tests."""

from __future__ import annotations

import numpy as np

from fastune.distributions import FloatDistribution
from fastune.trial import FrozenTrial, create_trial


def trials_of(xs: list[float], values: list[float]) -> list[FrozenTrial]:
    space = {"x": FloatDistribution(-2.0, 2.0)}
    trials = [
        create_trial(params={"x": x}, distributions=space, value=v)
        for x, v in zip(xs, values, strict=True)
    ]
    for number, trial in enumerate(trials):
        trial.number = number
    return trials


def quadratic(xs: np.ndarray, scale: float = 1.0) -> list[FrozenTrial]:
    return trials_of(list(xs), list(scale * (xs - 0.3) ** 2))
