"""What PBT trains: anything with ``init(params, seed)`` and ``step(params, state)``."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from fastune._validation import invalid_type

__all__ = ["FunctionTrainable", "SegmentResult", "Trainable", "as_trainable", "train_segment"]


@runtime_checkable
class Trainable(Protocol):
    """A model trained in steps.

    ``init`` builds a fresh state for a member (its model, optimizer, ...); ``step``
    trains the state one step with the given hyperparameters and returns the new state
    and its score, optionally with a dict of JSON-like details kept in the trial's
    ``user_attrs``: those of a segment's last step, or, if the trainable has a method
    ``merge_details(list_of_details) -> details``, what it makes of every step's. A state
    must survive ``copy.deepcopy`` and, for ``n_jobs > 1``, pickling. A trainable whose
    state holds a seed for its random numbers (dropout, shuffles) should also have
    ``reseed(state, seed) -> state``: a copy at exploit then trains on with a new seed
    instead of its donor's.
    """

    def init(self, params: dict[str, Any], seed: int) -> Any:
        """Return the state a member starts from."""

    def step(
        self, params: dict[str, Any], state: Any
    ) -> tuple[Any, float] | tuple[Any, float, dict[str, Any]]:
        """Train ``state`` one step with ``params``; return ``(state, score[, details])``."""


class FunctionTrainable:
    """Wraps a plain ``step(params, state) -> (state, score)`` function; states start as None.

    Args:
        step_function: The step; it receives ``None`` as the state of a new member.
        init_function: Optional ``init(params, seed) -> state``.
    """

    def __init__(
        self,
        step_function: Callable[..., Any],
        init_function: Callable[[dict[str, Any], int], Any] | None = None,
    ) -> None:
        self.step_function = step_function
        self.init_function = init_function

    def init(self, params: dict[str, Any], seed: int) -> Any:
        return None if self.init_function is None else self.init_function(params, seed)

    def step(self, params: dict[str, Any], state: Any) -> Any:
        return self.step_function(params, state)


def as_trainable(trainable: Any) -> Trainable:
    """Accept a :class:`Trainable` or a step function."""
    if isinstance(trainable, type):
        allowed = f"an instance ({trainable.__name__}(...)), not the class, or a step function"
    elif isinstance(trainable, Trainable):
        return trainable
    elif callable(trainable):
        return FunctionTrainable(trainable)
    else:
        allowed = "an object with init(params, seed) and step(params, state), or a step function"
    raise invalid_type("trainable", "PopulationBasedTraining", allowed, trainable)


@dataclasses.dataclass
class SegmentResult:
    """What one segment of training produced: the state after the last step that ran,
    the score of each step that ran, and the error that ended it early, if any."""

    state: Any
    scores: list[float]
    details: dict[str, Any]
    seconds: float
    error: str | None


def train_segment(
    trainable: Trainable,
    params: dict[str, Any],
    state: Any,
    n_steps: int,
    catch: tuple[type[BaseException], ...],
) -> SegmentResult:
    """Run ``n_steps`` steps; an error in ``catch`` ends the segment (the step that raised
    does not count as run). Each step gets a copy of ``params``: what it changes there
    stays out of the trial's recorded hyperparameters.

    Raises:
        TypeError: (unless caught) a step returned something else than ``(state,
            score)`` or ``(state, score, details)``.
    """
    start = time.perf_counter()
    scores: list[float] = []
    details: list[dict[str, Any]] = []
    error: str | None = None
    try:
        for _ in range(n_steps):
            state, score, step_details = _unpack(trainable.step(dict(params), state))
            if step_details is not None:
                details.append(step_details)
            scores.append(score)
    except catch as caught:
        error = repr(caught)
    merge = getattr(trainable, "merge_details", None)
    merged = merge(details) if merge is not None and details else (details or [{}])[-1]
    return SegmentResult(state, scores, merged, time.perf_counter() - start, error)


def _unpack(returned: Any) -> tuple[Any, float, dict[str, Any] | None]:
    """A step's ``(state, score[, details])``, checked."""
    shape = "(state, score) or (state, score, details) with a number and a dict"
    if not isinstance(returned, (tuple, list)) or len(returned) not in (2, 3):
        raise TypeError(f"A PBT step must return {shape}; it returned {returned!r}.")
    try:
        score = float(returned[1])
    except (TypeError, ValueError):
        raise TypeError(f"A PBT step must return {shape}; its score is {returned[1]!r}.") from None
    if len(returned) == 2:
        return returned[0], score, None
    if not isinstance(returned[2], Mapping):
        raise TypeError(f"A PBT step must return {shape}; its details are {returned[2]!r}.")
    return returned[0], score, dict(returned[2])
