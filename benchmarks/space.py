"""Library-neutral search spaces: each runner translates them into its own calls.

A space is a tuple of parameters; ``suggest_params`` asks an Optuna-style trial for them,
``grid_search_space`` lays a grid over them and ``scipy_distributions`` feeds scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.stats

# Below this many values per numeric parameter a grid says too little to be worth running.
MIN_GRID_LEVELS = 3


@dataclass(frozen=True)
class FloatParam:
    """A real parameter in [low, high], searched on the log scale when ``log``."""

    name: str
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class IntParam:
    """An integer parameter in [low, high], searched on the log scale when ``log``."""

    name: str
    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class CategoricalParam:
    """A parameter that takes one of ``choices``."""

    name: str
    choices: tuple[Any, ...]


Param = FloatParam | IntParam | CategoricalParam
SearchSpace = tuple[Param, ...]


def suggest_params(trial: Any, space: SearchSpace) -> dict[str, Any]:
    """Ask an Optuna-API trial (fastune's or Optuna's) for every parameter of ``space``."""
    params: dict[str, Any] = {}
    for param in space:
        if isinstance(param, FloatParam):
            params[param.name] = trial.suggest_float(
                param.name, param.low, param.high, log=param.log
            )
        elif isinstance(param, IntParam):
            params[param.name] = trial.suggest_int(param.name, param.low, param.high, log=param.log)
        else:
            params[param.name] = trial.suggest_categorical(param.name, list(param.choices))
    return params


def grid_levels(space: SearchSpace, budget: int) -> int:
    """Values per numeric parameter such that the whole grid has at most ``budget`` points."""
    n_numeric = sum(not isinstance(param, CategoricalParam) for param in space)
    n_combinations = math.prod(
        len(param.choices) for param in space if isinstance(param, CategoricalParam)
    )
    if n_numeric == 0:
        return 0
    # The epsilon keeps exact powers (e.g. 100 ** (1 / 2)) from rounding down.
    return math.floor((budget / n_combinations) ** (1 / n_numeric) + 1e-9)


def is_gridable(space: SearchSpace, budget: int) -> bool:
    """Whether a grid of at most ``budget`` points has ``MIN_GRID_LEVELS`` values per axis."""
    return grid_levels(space, budget) >= MIN_GRID_LEVELS


def grid_search_space(space: SearchSpace, budget: int) -> dict[str, list[Any]]:
    """Evenly spaced values (log-spaced where ``log``) per parameter, at most ``budget`` points."""
    levels = grid_levels(space, budget)
    grid: dict[str, list[Any]] = {}
    for param in space:
        if isinstance(param, CategoricalParam):
            grid[param.name] = list(param.choices)
            continue
        spacing = np.geomspace if param.log else np.linspace
        points = np.clip(spacing(param.low, param.high, levels), param.low, param.high)
        if isinstance(param, IntParam):
            grid[param.name] = sorted({round(float(point)) for point in points})
        else:
            grid[param.name] = [float(point) for point in points]
    return grid


class LogUniformInt:
    """Integers drawn log-uniformly from [low, high], with the ``rvs`` that scikit-learn uses."""

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def rvs(self, random_state: np.random.RandomState | None = None) -> int:
        draw = scipy.stats.loguniform(self.low - 0.5, self.high + 0.5).rvs(
            random_state=random_state
        )
        return int(min(max(round(draw), self.low), self.high))


def scipy_distributions(space: SearchSpace) -> dict[str, Any]:
    """The ``param_distributions`` of scikit-learn's randomized searches for ``space``."""
    distributions: dict[str, Any] = {}
    for param in space:
        if isinstance(param, CategoricalParam):
            distributions[param.name] = list(param.choices)
        elif isinstance(param, FloatParam) and param.log:
            distributions[param.name] = scipy.stats.loguniform(param.low, param.high)
        elif isinstance(param, FloatParam):
            distributions[param.name] = scipy.stats.uniform(param.low, param.high - param.low)
        elif param.log:
            distributions[param.name] = LogUniformInt(param.low, param.high)
        else:
            distributions[param.name] = scipy.stats.randint(param.low, param.high + 1)
    return distributions
