"""Summaries of every study in a storage, and copying a study to another storage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from fastune._study_direction import StudyDirection, only_direction
from fastune.storages import BaseStorage, get_storage
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["StudySummary", "copy_study", "get_all_study_summaries"]


@dataclass(order=False)
class StudySummary:
    """What a storage knows of one study, without loading its trials into a ``Study``."""

    study_name: str
    directions: list[StudyDirection]
    best_trial: FrozenTrial | None
    user_attrs: dict[str, Any]
    system_attrs: dict[str, Any]
    n_trials: int
    datetime_start: datetime.datetime | None
    study_id: int
    n_trials_by_state: dict[str, int] = field(default_factory=dict)

    def __lt__(self, other: object) -> bool:  # sorted by study id, as Optuna's
        if not isinstance(other, StudySummary):
            return NotImplemented
        return self.study_id < other.study_id

    def __le__(self, other: object) -> bool:
        if not isinstance(other, StudySummary):
            return NotImplemented
        return self.study_id <= other.study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study.

        Raises:
            RuntimeError: the study has several objectives.
        """
        return only_direction(self.directions)


def get_all_study_summaries(
    storage: BaseStorage | str, include_best_trial: bool = True
) -> list[StudySummary]:
    """Summaries of every study in ``storage`` (a storage object or URL), oldest first."""
    store = get_storage(storage)
    summaries = []
    for name in store.get_all_study_names():
        study_id = store.get_study_id_from_name(name)
        directions = store.get_study_directions(study_id)
        trials = store.get_all_trials(study_id, deepcopy=False)
        best = None
        if include_best_trial and len(directions) == 1:
            try:
                best = store.get_best_trial(study_id)
            except ValueError:  # nothing complete (and feasible) yet
                best = None
        starts = [t.datetime_start for t in trials if t.datetime_start is not None]
        by_state = {state.name: 0 for state in TrialState}
        for trial in trials:
            by_state[trial.state.name] += 1
        summaries.append(
            StudySummary(
                study_name=name,
                directions=directions,
                best_trial=best,
                user_attrs=store.get_study_user_attrs(study_id),
                system_attrs=store.get_study_system_attrs(study_id),
                n_trials=len(trials),
                datetime_start=min(starts) if starts else None,
                study_id=study_id,
                n_trials_by_state=by_state,
            )
        )
    return summaries


def copy_study(
    *,
    from_study_name: str,
    from_storage: BaseStorage | str,
    to_storage: BaseStorage | str,
    to_study_name: str | None = None,
) -> None:
    """Copy a study, its attributes and all its trials, into another storage.

    Raises:
        StudyNotFoundError: no study ``from_study_name`` in ``from_storage``.
        DuplicatedStudyError: ``to_storage`` has a study of the target name already.
    """
    from fastune.study.study import create_study, load_study

    source = load_study(study_name=from_study_name, storage=from_storage)
    target = create_study(
        study_name=to_study_name or from_study_name,
        storage=to_storage,
        directions=source.directions,
    )
    try:
        for key, value in source.user_attrs.items():
            target.set_user_attr(key, value)
        for key, value in source._storage.get_study_system_attrs(source._study_id).items():
            target._storage.set_study_system_attr(target._study_id, key, value)
        for trial in source.get_trials(deepcopy=False):
            # As recorded, unchecked: the source's storage took them (an enqueued value
            # outside its distribution is kept as given).
            target._storage.create_new_trial(target._study_id, template_trial=trial)
    except BaseException:  # no half copy left behind to block another try
        target._storage.delete_study(target._study_id)
        raise
