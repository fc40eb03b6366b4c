"""The record of a PBT run that explore strategies learn from."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from fastune._space import SearchSpace

__all__ = ["ExploreContext", "Segment"]


@dataclasses.dataclass(frozen=True)
class Segment:
    """One member's stretch of training between two ready points.

    Attributes:
        member: Index of the member in the population.
        generation: How many segments the member had finished before this one.
        params: Hyperparameters used for the segment.
        score_before: The score the segment started from (of the checkpoint it was
            given), NaN for a first segment; higher is better.
        score_after: The score at the end of the segment; higher is better.
        trial_number: The study trial recording the segment.
    """

    member: int
    generation: int
    params: dict[str, Any]
    score_before: float
    score_after: float
    trial_number: int


@dataclasses.dataclass
class ExploreContext:
    """What an explore strategy may look at when it changes a copied member's params.

    Attributes:
        space: The search space, with its unit-cube encoding.
        rng: The run's random generator (use it for every random choice).
        generation: The generation the new segment will start at.
        population: Current hyperparameters of every member.
        history: Every finished segment so far, oldest first.
    """

    space: SearchSpace
    rng: np.random.Generator
    generation: int
    population: list[dict[str, Any]]
    history: list[Segment]

    def diversity(self) -> float:
        """Spread of the population over the cube, 1.0 for a uniformly spread one.

        The mean over the parameters that can vary (one-value ones left out) of the
        sample standard deviation of the encoded values, divided by that of a uniform
        draw (``1 / sqrt(12)``).
        """
        varying = [not d.single() for d in self.space.distributions.values()]
        if len(self.population) < 2 or not any(varying):
            return 1.0
        rows = np.array([self.space.encode(params) for params in self.population])
        return float(rows[:, varying].std(axis=0, ddof=1).mean() * np.sqrt(12.0))
