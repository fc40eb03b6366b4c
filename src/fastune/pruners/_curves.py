"""What pruners read from learning curves: which steps to check, a trial's value at a
step (tolerating skipped steps), and the best value a trial has reached."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_int

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

__all__ = ["best_so_far", "checked_schedule", "is_check_step", "sign", "value_at"]


def sign(direction: StudyDirection) -> float:
    """+1 to minimize, -1 to maximize: multiply a value by it and smaller is better."""
    return -1.0 if direction == StudyDirection.MAXIMIZE else 1.0


def is_check_step(trial: FrozenTrial, n_warmup_steps: int, interval_steps: int) -> bool:
    """Whether the trial's last report is the first one at or after a pruning point:
    points are ``n_warmup_steps + k * interval_steps``; a trial that skips steps is
    checked at its first report past each point, once."""
    step = trial.last_step
    if step is None or step < n_warmup_steps:
        return False
    point = (step - n_warmup_steps) // interval_steps * interval_steps + n_warmup_steps
    steps = sorted(trial.intermediate_values)
    previous = steps[-2] if len(steps) >= 2 else -1
    return previous < point


def checked_schedule(n_warmup_steps: int, interval_steps: int, owner: str) -> tuple[int, int]:
    """``n_warmup_steps`` (>= 0) and ``interval_steps`` (>= 1), checked for ``owner``: a
    pruner keeps them as Optuna's ``_n_warmup_steps`` and ``_interval_steps``, plain
    attributes that a subclass may set, and passes them to :func:`is_check_step`."""
    warmup = int(check_int(n_warmup_steps, "n_warmup_steps", owner, low=0) or 0)
    return warmup, int(check_int(interval_steps, "interval_steps", owner, low=1) or 1)


def value_at(trial: FrozenTrial, step: int) -> float | None:
    """The trial's value at ``step``: its report there, or, when it skipped that step
    but went beyond it, its last report before it. None when it never got that far."""
    values = trial.intermediate_values
    if step in values:
        return values[step]
    last = trial.last_step
    if last is None or last < step:
        return None
    earlier = [s for s in values if s < step]
    return values[max(earlier)] if earlier else None


def best_so_far(trial: FrozenTrial, direction: StudyDirection) -> float:
    """The best of the trial's intermediate values (NaN when all are NaN or none)."""
    values = np.array(list(trial.intermediate_values.values()), dtype=float)
    if not values.size or np.isnan(values).all():
        return math.nan
    best = np.nanmin(values * sign(direction))
    return float(best * sign(direction))
