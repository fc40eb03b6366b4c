"""Pareto dominance over rows of losses (smaller is better in every column)."""

from __future__ import annotations

import numpy as np

__all__ = ["pareto_front_mask"]


def pareto_front_mask(losses: np.ndarray) -> np.ndarray:
    """Return which rows of ``losses`` (n points x m objectives, smaller is better) no
    other row dominates. Equal rows do not dominate each other.
    """
    n_points = losses.shape[0]
    on_front = np.ones(n_points, dtype=bool)
    # Visit points best-first on the sum of losses: a point can only be dominated by one
    # visited before it, and each visit discards every point it dominates at once.
    order = np.argsort(losses.sum(axis=1), kind="stable")
    for index in order:
        if not on_front[index]:
            continue
        point = losses[index]
        dominated = np.all(point <= losses, axis=1) & np.any(point < losses, axis=1)
        on_front &= ~dominated
    return on_front
