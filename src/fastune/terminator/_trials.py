"""What the evaluators read from a study's trials: the complete ones in trial order, their
values as gains (larger is better), and the best of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import invalid
from fastune.exceptions import InvalidParameterError
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial


def complete_in_order(trials: list[FrozenTrial]) -> list[FrozenTrial]:
    """The complete trials (with a value) of ``trials``, in trial order."""
    complete = (t for t in trials if t.state == TrialState.COMPLETE and t.value is not None)
    return sorted(complete, key=lambda t: t.number)


def gains(complete: list[FrozenTrial], study_direction: StudyDirection) -> np.ndarray:
    """The values of complete trials, negated when minimizing: larger is better."""
    sign = 1.0 if study_direction == StudyDirection.MAXIMIZE else -1.0
    return sign * np.array([float(t.value) for t in complete])  # type: ignore[arg-type]


def no_complete_trial(owner: str) -> InvalidParameterError:
    """The error of an evaluator given no complete trial."""
    return invalid("trials", owner, "a list with at least one complete trial", "none")


def best_complete_trial(
    trials: list[FrozenTrial], study_direction: StudyDirection, owner: str
) -> FrozenTrial:
    """The best complete trial of ``trials`` (the first of equals, in trial order)."""
    complete = complete_in_order(trials)
    if not complete:
        raise no_complete_trial(owner)
    return complete[int(np.argmax(gains(complete, study_direction)))]
