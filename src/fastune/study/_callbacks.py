"""Callbacks for ``Study.optimize``."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from fastune._validation import check_int
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["MaxTrialsCallback"]


class MaxTrialsCallback:
    """Stop the study once it holds ``n_trials`` trials in ``states``, across all workers.

    Args:
        n_trials: How many trials to allow.
        states: Which states count; None counts every trial.

    Example:
        >>> import fastune
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1),
        ...                callbacks=[fastune.study.MaxTrialsCallback(3)])
        >>> len(study.trials)
        3
    """

    def __init__(
        self,
        n_trials: int,
        states: Container[TrialState] | None = (TrialState.COMPLETE,),
    ) -> None:
        self._n_trials = check_int(n_trials, "n_trials", "MaxTrialsCallback", low=0)
        self._states = states

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if len(study.get_trials(deepcopy=False, states=self._states)) >= (self._n_trials or 0):
            study.stop()
