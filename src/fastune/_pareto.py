"""Pareto dominance and hypervolume over rows of losses (smaller is better in every
column)."""

from __future__ import annotations

import numpy as np

__all__ = ["exclusive_volumes", "hypervolume", "pareto_front_mask", "pareto_ranks"]


def pareto_front_mask(losses: np.ndarray) -> np.ndarray:
    """Return which rows of ``losses`` (n points x m objectives, smaller is better) no
    other row dominates. Equal rows do not dominate each other.
    """
    n_points = losses.shape[0]
    on_front = np.ones(n_points, dtype=bool)
    # Visit points best-first on the sum of losses: a point can only be dominated by one
    # visited before it, and each visit discards every point it dominates at once.
    # (The order only saves work: +inf and -inf in one row sum to NaN, visited last.)
    with np.errstate(invalid="ignore"):
        order = np.argsort(losses.sum(axis=1), kind="stable")
    for index in order:
        if not on_front[index]:
            continue
        point = losses[index]
        dominated = np.all(point <= losses, axis=1) & np.any(point < losses, axis=1)
        on_front &= ~dominated
    return on_front


def pareto_ranks(losses: np.ndarray) -> np.ndarray:
    """The non-dominated front of each row of ``losses``: 0 for the Pareto front, 1 for the
    front of the rows left once it is removed, and so on."""
    rank = np.full(losses.shape[0], -1)
    remaining = np.arange(losses.shape[0])
    front = 0
    while remaining.size:
        on_front = pareto_front_mask(losses[remaining])
        rank[remaining[on_front]] = front
        remaining = remaining[~on_front]
        front += 1
    return rank


def hypervolume(losses: np.ndarray, reference: np.ndarray) -> float:
    """The volume of the region that the rows of ``losses`` dominate and that dominates
    ``reference`` (points not better than the reference in every column add nothing).
    Exact: a sweep in two dimensions, slices along the last column above."""
    points = np.asarray(losses, dtype=float)
    reference = np.asarray(reference, dtype=float)
    points = points[np.all(points < reference, axis=1)]
    if len(points) == 0:
        return 0.0
    return _dominated_volume(points[pareto_front_mask(points)], reference)


def exclusive_volumes(losses: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """For each row of ``losses``, the hypervolume (up to ``reference``) that it alone
    dominates: what the set loses without it. Zero for a dominated row (which can only
    matter once the row that dominates it is gone) and for each of two equal rows."""
    points = np.asarray(losses, dtype=float)
    shares = np.zeros(len(points))
    front = np.flatnonzero(pareto_front_mask(points))
    total = hypervolume(points, reference)
    for row in front:
        shares[row] = total - hypervolume(np.delete(points, row, axis=0), reference)
    return shares


def _dominated_volume(points: np.ndarray, reference: np.ndarray) -> float:
    if points.shape[1] == 1:
        return float(reference[0] - points[:, 0].min())
    if points.shape[1] == 2:
        ordered = points[np.argsort(points[:, 0], kind="stable")]
        volume, ceiling = 0.0, reference[1]
        for x, y in ordered:
            if y < ceiling:
                volume += (reference[0] - x) * (ceiling - y)
                ceiling = y
        return float(volume)
    ordered = points[np.argsort(points[:, -1], kind="stable")]
    volume = 0.0
    for index in range(len(ordered)):
        top = ordered[index + 1, -1] if index + 1 < len(ordered) else reference[-1]
        if top > ordered[index, -1]:
            slab = ordered[: index + 1, :-1]  # the points below this slice
            slab = slab[pareto_front_mask(slab)]
            volume += _dominated_volume(slab, reference[:-1]) * (top - ordered[index, -1])
    return float(volume)
