"""Replay a recorded hyperparameter schedule: retrain one member from scratch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastune.pbt._trainable import Trainable, as_trainable

__all__ = ["replay"]


def replay(
    trainable: Trainable | Any, schedule: Sequence[dict[str, Any]], seed: int = 0
) -> tuple[Any, list[float]]:
    """Train a fresh state through ``schedule`` (from ``PopulationBasedTraining.schedule``).

    Each entry trains ``entry["steps"]`` steps with ``entry["params"]``, in order.

    Returns:
        The final state and the score of every step.
    """
    trainable = as_trainable(trainable)
    if not schedule:
        return trainable.init({}, seed), []
    state = trainable.init(dict(schedule[0]["params"]), seed)
    scores = []
    for entry in schedule:
        for _ in range(int(entry["steps"])):
            returned = trainable.step(dict(entry["params"]), state)
            state = returned[0]
            scores.append(float(returned[1]))
    return state, scores
