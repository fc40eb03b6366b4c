"""Pareto dominance and hypervolume over rows of losses (smaller is better in every
column)."""

from __future__ import annotations

import numpy as np

__all__ = [
    "crowding_distances",
    "hypervolume",
    "pareto_front_mask",
    "pareto_ranks",
]


# Up to this many rows, dominance is decided over all pairs at once (n^2 x m booleans);
# above, by a sweep that holds one row's comparisons at a time.
_PAIRWISE_LIMIT = 256
# Up to this many rows, the areas of every slice of a 3-D volume come from one n x n
# matrix; above, slice by slice (memory stays linear).
_PREFIX_LIMIT = 1024


def pareto_front_mask(losses: np.ndarray) -> np.ndarray:
    """Return which rows of ``losses`` (n points x m objectives, smaller is better) no
    other row dominates. Equal rows do not dominate each other.
    """
    n_points = losses.shape[0]
    if n_points <= _PAIRWISE_LIMIT:  # every pair at once: fast for the usual small sets
        return ~np.any(_dominance(losses), axis=0)
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


def pareto_ranks(losses: np.ndarray, until: int | None = None) -> np.ndarray:
    """The non-dominated front of each row of ``losses``: 0 for the Pareto front, 1 for the
    front of the rows left once it is removed, and so on. With ``until``, the peeling
    stops once that many rows have a front; the rows left get the next front's number."""
    n_points = losses.shape[0]
    rank = np.full(n_points, -1)
    until = n_points if until is None else min(until, n_points)
    front = 0
    if n_points <= _PAIRWISE_LIMIT:  # one dominance matrix, then counts of dominators
        dominates = _dominance(losses)
        dominators = dominates.sum(axis=0)
        while (rank >= 0).sum() < until:
            on_front = (rank < 0) & (dominators == 0)
            if not on_front.any():  # NaN rows: no order left among them
                break
            rank[on_front] = front
            dominators -= dominates[on_front].sum(axis=0)
            front += 1
    else:
        remaining = np.arange(n_points)
        while n_points - remaining.size < until:
            on_front = pareto_front_mask(losses[remaining])
            rank[remaining[on_front]] = front
            remaining = remaining[~on_front]
            front += 1
    rank[rank < 0] = front
    return rank


def _dominance(losses: np.ndarray) -> np.ndarray:
    """``[j, i]``: whether row j dominates row i (no worse anywhere, better somewhere)."""
    no_worse = np.all(losses[:, None, :] <= losses[None, :, :], axis=2)
    better = np.any(losses[:, None, :] < losses[None, :, :], axis=2)
    return no_worse & better


def crowding_distances(losses: np.ndarray) -> np.ndarray:
    """Crowding distance of points of one front: the sum over objectives of the gap
    between each point's neighbours, scaled by the front's span; the ends get infinity."""
    n_points, n_objectives = losses.shape
    distance = np.zeros(n_points)
    if n_points <= 2:
        return np.full(n_points, np.inf)
    for column in range(n_objectives):
        order = np.argsort(losses[:, column], kind="stable")
        values = losses[order, column]
        with np.errstate(invalid="ignore"):  # inf - inf: NaN, no gap to measure
            span = values[-1] - values[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if np.isfinite(span) and span > 0.0:  # an infinite value makes no gap to measure
            distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance


def hypervolume(losses: np.ndarray, reference: np.ndarray) -> float:
    """The volume of the region that the rows of ``losses`` dominate and that dominates
    ``reference`` (points not better than the reference in every column add nothing).
    Exact: strips in two dimensions, slices along the last column above."""
    points = np.asarray(losses, dtype=float)
    reference = np.asarray(reference, dtype=float)
    points = points[np.all(points < reference, axis=1)]
    if len(points) == 0:
        return 0.0
    if points.shape[1] > 3 or len(points) > _PAIRWISE_LIMIT:  # fewer rows to sweep
        points = points[pareto_front_mask(points)]
    return _dominated_volume(points, reference)


def _dominated_volume(points: np.ndarray, reference: np.ndarray) -> float:
    if points.shape[1] == 1:
        return float(reference[0] - points[:, 0].min())
    if points.shape[1] == 2:
        # Strips between consecutive x, each as high as the lowest y so far: a dominated
        # point leaves the running minimum as it is.
        ordered = points[np.argsort(points[:, 0], kind="stable")]
        widths = np.diff(np.append(ordered[:, 0], reference[0]))
        return float(widths @ (reference[1] - np.minimum.accumulate(ordered[:, 1])))
    ordered = points[np.argsort(points[:, -1], kind="stable")]
    heights = np.diff(np.append(ordered[:, -1], reference[-1]))
    if points.shape[1] == 3 and len(points) <= _PREFIX_LIMIT:
        return float(heights @ _prefix_areas(ordered[:, :2], reference[:2]))
    volume = 0.0
    for index in np.flatnonzero(heights > 0.0):
        slab = ordered[: index + 1, :-1]  # the points below this slice
        if slab.shape[1] > 2:  # the strips of two columns need no front
            slab = slab[pareto_front_mask(slab)]
        volume += _dominated_volume(slab, reference[:-1]) * float(heights[index])
    return float(volume)


def _prefix_areas(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The area that the first k rows of ``points`` (two columns) dominate, for every k
    at once: in x order, row k of a matrix holds the y of the rows among the first k and
    the reference's y elsewhere; its running minimum gives each strip's height."""
    by_x = np.argsort(points[:, 0], kind="stable")
    widths = np.diff(np.append(points[by_x, 0], reference[0]))
    present = np.arange(len(points))[:, None] >= by_x[None, :]  # row k: the first k+1 rows
    heights = np.where(present, points[by_x, 1][None, :], reference[1])
    return (reference[1] - np.minimum.accumulate(heights, axis=1)) @ widths
