"""The CPU-bound objectives of the throughput figure, in a module that imports only
numpy: worker processes import it, and a heavier import would count as their start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

# Each objective takes about 20 ms on one core here: the cost of a small model fit, the
# least an objective worth running in parallel costs. (At 4 ms, the parent's share of
# the work and the workers' start-up weigh as much as the objective.)
MATRIX_SIDE = 250
MATRIX_PRODUCTS = 32
PYTHON_LOOP_LENGTH = 270_000


def python_loop_objective(trial: Any) -> float:
    """Pure-Python arithmetic: holds the GIL the whole time."""
    scale = trial.suggest_float("scale", 0.0, 1.0)
    return sum((index * scale) % 7.0 for index in range(PYTHON_LOOP_LENGTH))


def numpy_objective(trial: Any) -> float:
    """Matrix products: NumPy releases the GIL inside BLAS."""
    scale = trial.suggest_float("scale", 0.0, 1.0)
    matrix = np.full((MATRIX_SIDE, MATRIX_SIDE), scale) + np.eye(MATRIX_SIDE)
    for _ in range(MATRIX_PRODUCTS):
        matrix = matrix @ matrix
        matrix /= np.abs(matrix).max()
    return float(matrix.trace())


CPU_BOUND_OBJECTIVES: dict[str, Callable[[Any], float]] = {
    "pure-Python loop (holds the GIL)": python_loop_objective,
    "NumPy matrix products (release the GIL)": numpy_objective,
}
