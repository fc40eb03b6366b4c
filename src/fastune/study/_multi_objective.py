"""The Pareto front of trials with several objectives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fastune._pareto import pareto_front_mask
from fastune._study_direction import StudyDirection
from fastune.trial._frozen import FrozenTrial

__all__ = ["pareto_front_trials"]


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
