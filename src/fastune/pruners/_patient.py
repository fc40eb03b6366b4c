"""Prune only a trial that has stopped improving for a while."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from fastune._validation import check_int, check_number, invalid_type
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import sign

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["PatientPruner"]


class PatientPruner(BasePruner):
    """Prune when the trial has not improved by more than ``min_delta`` over its last
    ``patience`` steps and, if given, the wrapped pruner agrees (Optuna's rule).

    Args:
        wrapped_pruner: Asked only once patience has run out; None prunes then.
        patience: Steps without improvement to tolerate, >= 0.
        min_delta: Smallest change that counts as an improvement, >= 0.

    Raises:
        InvalidParameterError: a negative ``patience`` or ``min_delta``, or a
            ``wrapped_pruner`` that is not a pruner.

    Example:
        >>> import fastune
        >>> pruner = fastune.pruners.PatientPruner(fastune.pruners.MedianPruner(), patience=3)
    """

    def __init__(
        self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0
    ) -> None:
        owner = "PatientPruner"
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise invalid_type("wrapped_pruner", owner, "a pruner or None", wrapped_pruner)
        self._wrapped_pruner = wrapped_pruner  # Optuna's name: Optuna-era code reads it
        self._patience = int(check_int(patience, "patience", owner, low=0) or 0)
        self._min_delta = float(check_number(min_delta, "min_delta", owner, low=0.0) or 0.0)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        if trial.last_step is None:
            return False
        steps = sorted(trial.intermediate_values)
        if len(steps) <= self._patience + 1:
            return False
        s = sign(study.direction)
        values = np.array([trial.intermediate_values[k] for k in steps], dtype=float) * s
        before, recent = values[: -self._patience - 1], values[-self._patience - 1 :]
        if np.isnan(before).all() or np.isnan(recent).all():
            return False
        # Not improved by more than min_delta over the last patience steps (as Optuna).
        if not np.nanmin(before) + self._min_delta < np.nanmin(recent):
            return False
        return self._wrapped_pruner is None or self._wrapped_pruner.prune(study, trial)
