"""Expected hypervolume improvement for several objectives (all minimized): the region a
new point could add to a Pareto front, cut into boxes, and the improvement's expectation
over Gaussian predictions by quasi-Monte Carlo."""

from __future__ import annotations

import numpy as np

from fastune._pareto import pareto_front_mask

__all__ = ["expected_improvement_volume", "improvement_boxes"]

# Candidates x samples x boxes x objectives held at once, at most (about 160 MB).
_CHUNK_ELEMENTS = 20_000_000


def improvement_boxes(losses: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The part of ``(-inf, reference]`` that no point of ``losses`` dominates, as boxes
    ``[lower, upper]`` (``lower`` may be -inf): a point ``y`` adds to the front's
    hypervolume the volume of ``[y, reference]`` inside them.

    The first objectives are cut at every coordinate of the front; in each cell, the
    points that dominate the whole cell there bound the last objective from above, so
    each cell is one box. ``(n + 1) ** (m - 1)`` cells at most for ``n`` front points.
    """
    front = losses[pareto_front_mask(losses)]
    front = front[(front < reference).all(axis=1)]
    m = len(reference)
    edges = [
        np.concatenate([[-np.inf], np.unique(front[:, j]), [reference[j]]]) for j in range(m - 1)
    ]
    grids = np.meshgrid(*[np.arange(len(e) - 1) for e in edges], indexing="ij")
    cells = np.stack([g.ravel() for g in grids], axis=1)
    lower = np.stack([edges[j][cells[:, j]] for j in range(m - 1)], axis=1)
    upper = np.stack([edges[j][cells[:, j] + 1] for j in range(m - 1)], axis=1)
    # A front point dominates a whole cell in the first objectives when it is at or below
    # the cell's lower corner there (its coordinates are edges: none falls inside).
    covers = (front[None, :, : m - 1] <= lower[:, None, :]).all(axis=2)
    ceiling = np.where(covers, front[None, :, m - 1], np.inf).min(axis=1)
    top = np.minimum(ceiling, reference[m - 1])
    keep = top > -np.inf
    lower = np.hstack([lower[keep], np.full((int(keep.sum()), 1), -np.inf)])
    upper = np.hstack([upper[keep], top[keep, None]])
    return lower, upper


def expected_improvement_volume(
    mean: np.ndarray,
    std: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    normals: np.ndarray,
) -> np.ndarray:
    """The mean hypervolume improvement of ``mean + std * z`` over the rows ``z`` of
    ``normals`` (S x m): one value per candidate (rows of ``mean`` and ``std``, C x m),
    for the boxes of :func:`improvement_boxes`."""
    n_candidates, m = mean.shape
    per_candidate = max(1, len(normals) * len(lower) * m)
    step = max(1, _CHUNK_ELEMENTS // per_candidate)
    result = np.empty(n_candidates)
    for start in range(0, n_candidates, step):
        part = slice(start, start + step)
        samples = mean[part, None, :] + std[part, None, :] * normals[None, :, :]  # C, S, m
        corner = np.maximum(samples[:, :, None, :], lower[None, None, :, :])  # C, S, K, m
        sides = np.clip(upper[None, None, :, :] - corner, 0.0, None)
        result[part] = sides.prod(axis=3).sum(axis=2).mean(axis=1)
    return result
