"""BBOB functions from COCO (``cocoex``) on the box [-5, 5]^dim; the metric is log10 regret.

Seed ``s`` runs on the function's instance ``s + 1`` (a shifted, rotated copy), the same
instance for every method, so each seed is one problem instance in COCO's sense.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import cocoex
import numpy as np

from benchmarks.problems.base import EvaluationProblem
from benchmarks.space import FloatParam

# Regrets below this count as solved: log10 regret bottoms out at -8.
REGRET_FLOOR = 1e-8

#: A representative function of each BBOB group, by function number.
FUNCTION_NAMES = {
    1: "sphere",
    3: "Rastrigin (separable)",
    8: "Rosenbrock",
    10: "ellipsoid (rotated)",
    15: "Rastrigin (rotated)",
    21: "Gallagher 101 peaks",
}


@functools.lru_cache(maxsize=256)
def _coco_function(function: int, dim: int, instance: int) -> cocoex.BareProblem:
    return cocoex.BareProblem("bbob", function, dim, instance)


class BBOBProblem(EvaluationProblem):
    """BBOB function ``function`` in ``dim`` dimensions; value = log10(f(x) - f_opt)."""

    group = "bbob"
    metric = "log10 regret f(x) - f_opt (floor -8)"
    cost_unit = "function evaluations"

    def __init__(self, function: int, dim: int) -> None:
        self.function = function
        self.dim = dim
        self.name = f"bbob-f{function:02d}-{dim}d"
        self.description = f"BBOB f{function} ({FUNCTION_NAMES[function]}), {dim}-D"
        self.space = tuple(FloatParam(f"x{index}", -5.0, 5.0) for index in range(dim))

    def evaluate(self, params: dict[str, Any], seed: int) -> float:
        coco_function = _coco_function(self.function, self.dim, seed + 1)
        point = np.array([params[f"x{index}"] for index in range(self.dim)])
        regret = float(coco_function(point)) - float(coco_function.best_value())
        return math.log10(max(regret, REGRET_FLOOR))


def bbob_problems(dims: tuple[int, ...] = (2, 5, 10)) -> list[BBOBProblem]:
    """One problem per function of ``FUNCTION_NAMES`` and dimension of ``dims``."""
    return [BBOBProblem(function, dim) for dim in dims for function in FUNCTION_NAMES]
