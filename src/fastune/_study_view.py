"""A study as one part of it sees it: the trials of that part only."""

from __future__ import annotations

import copy
from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any, cast

from fastune._study_direction import StudyDirection
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["every_trial", "study_view"]


class _StudyView:
    def __init__(self, study: Study, keep: Callable[[FrozenTrial], bool], part: tuple[Any, ...]):
        self._study = study
        self._keep = keep
        self._part = part

    def __getattr__(self, name: str) -> Any:
        return getattr(self._study, name)

    @property
    def _cache_key(self) -> tuple[Any, ...]:
        # What a sampler keeps about a part is kept apart from the other parts'.
        return (*self._study._cache_key, *self._part)

    @property
    def trials(self) -> list[FrozenTrial]:
        return self.get_trials()

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        trials = self._study.get_trials(deepcopy=deepcopy, states=states)
        return [t for t in trials if self._keep(t)]

    @property
    def best_trial(self) -> FrozenTrial:
        """The part's best complete trial (one objective), as Optuna's tuner steps give
        it to callbacks."""
        complete = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete:
            raise ValueError("No trials are completed yet.")
        pick = max if self._study.direction == StudyDirection.MAXIMIZE else min
        return copy.deepcopy(pick(complete, key=lambda t: cast(float, t.value)))

    @property
    def best_value(self) -> float:
        return cast(float, self.best_trial.value)

    @property
    def best_params(self) -> dict[str, Any]:
        return self.best_trial.params


def study_view(study: Study, keep: Callable[[FrozenTrial], bool], part: tuple[Any, ...]) -> Study:
    """``study`` as one of its parts sees it: its trials are those ``keep`` accepts (a
    Hyperband bracket's, for its pruner; a tuning step's, for its sampler); the rest is
    the study itself.
    ``part`` names the part, so that what samplers keep about it is kept apart."""
    return cast("Study", _StudyView(study, keep, part))


def every_trial(study: Study, states: tuple[TrialState, ...]) -> list[FrozenTrial]:
    """Every trial of the study in ``states``, whatever part of it a view shows: read
    from its storage, as Optuna's samplers that enumerate a space read them, so that the
    parts (a tuner's steps) do not each try the space again."""
    return study._storage.get_all_trials(study._study_id, deepcopy=False, states=states)
