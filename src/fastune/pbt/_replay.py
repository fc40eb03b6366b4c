"""Replay a recorded hyperparameter schedule: retrain one member from scratch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastune.pbt._trainable import Trainable, as_trainable

__all__ = ["replay"]


def replay(
    trainable: Trainable | Any, schedule: Sequence[dict[str, Any]], seed: int | None = None
) -> tuple[Any, list[float]]:
    """Train a fresh state through ``schedule`` (from ``PopulationBasedTraining.schedule``).

    The state starts as ``trainable.init(params of the first entry, seed)``; each entry
    then trains ``entry["steps"]`` steps with ``entry["params"]``, in order. Where an
    entry's ``"seed"`` differs from the one before (a copy at exploit drew a new one),
    a trainable with ``reseed`` is reseeded with it, as the run did.

    Args:
        trainable: What the schedule was recorded with.
        schedule: The entries, oldest first.
        seed: The seed of the initial state; None takes the one the schedule recorded
            (its first entry's ``"seed"``; 0 if it has none), so a trainable that uses
            its seed retrains the recorded run.

    Returns:
        The final state and the score of every step.
    """
    trainable = as_trainable(trainable)
    if seed is None:
        seed = int(schedule[0].get("seed", 0)) if schedule else 0
    if not schedule:
        return trainable.init({}, seed), []
    state = trainable.init(dict(schedule[0]["params"]), seed)
    reseed = getattr(trainable, "reseed", None)
    current = schedule[0].get("seed", seed)
    scores = []
    for entry in schedule:
        if reseed is not None and entry.get("seed", current) != current:
            current = entry["seed"]
            state = reseed(state, current)
        for _ in range(int(entry["steps"])):
            returned = trainable.step(dict(entry["params"]), state)
            state = returned[0]
            scores.append(float(returned[1]))
    return state, scores
