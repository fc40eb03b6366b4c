"""The Pareto front of trials with several objectives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fastune._study_direction import StudyDirection
from fastune.trial._frozen import FrozenTrial

__all__ = ["pareto_front_mask", "pareto_front_trials"]


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


def pareto_front_trials(
    trials: Sequence[FrozenTrial], directions: Sequence[StudyDirection]
) -> list[FrozenTrial]:
    """Return the trials no other trial dominates, in order of their numbers."""
    if not trials:
        return []
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    losses = np.array([trial.values for trial in trials], dtype=float) * signs
    mask = pareto_front_mask(losses)
    return [trial for trial, keep in zip(trials, mask, strict=True) if keep]
