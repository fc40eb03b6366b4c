"""A storage that keeps everything in the memory of one process."""

from __future__ import annotations

import bisect
import copy
import datetime
import threading
import uuid
from collections import deque
from collections.abc import Container, Sequence
from typing import Any, ClassVar

from fastune._study_direction import StudyDirection
from fastune._transient import Transient
from fastune.distributions import BaseDistribution, check_same_distribution
from fastune.exceptions import DuplicatedStudyError, StudyNotFoundError, TrialNotFoundError
from fastune.storages._base import BaseStorage, finished_error
from fastune.trial._constraints import violation
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["InMemoryStorage"]

DEFAULT_STUDY_NAME_PREFIX = "no-name-"


class _StudyRecord:
    def __init__(self, name: str, directions: Sequence[StudyDirection]) -> None:
        self.name = name
        self.directions = list(directions)
        self.user_attrs: dict[str, Any] = {}
        self.system_attrs: dict[str, Any] = {}
        self.trials: list[FrozenTrial] = []
        # The ids of the WAITING trials, oldest first (ids grow with trial numbers).
        self.waiting: deque[int] = deque()
        self.best_trial: FrozenTrial | None = None


class InMemoryStorage(Transient, BaseStorage):
    """Keeps studies in this process's memory; the default storage of ``create_study``.

    Safe across the threads of one process (one lock guards every call); not shared
    between processes. The best trial of a single-objective study is tracked as trials
    complete, so ``best_trial`` costs nothing however long the study is.
    """

    _transient: ClassVar[dict[str, Any]] = {"_lock": threading.RLock}

    def __init__(self) -> None:
        self._studies: dict[int, _StudyRecord] = {}
        self._trial_location: dict[int, tuple[int, int]] = {}  # trial id -> (study, number)
        self._next_study_id = 0
        self._next_trial_id = 0
        self._lock = threading.RLock()

    # -- studies ---------------------------------------------------------------------

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        with self._lock:
            if study_name is None:
                study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
            if any(record.name == study_name for record in self._studies.values()):
                raise DuplicatedStudyError(f"A study named {study_name!r} already exists.")
            study_id = self._next_study_id
            self._next_study_id += 1
            self._studies[study_id] = _StudyRecord(study_name, directions)
            return study_id

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            record = self._study(study_id)
            for trial in record.trials:
                del self._trial_location[trial._trial_id]
            del self._studies[study_id]

    def get_study_id_from_name(self, study_name: str) -> int:
        with self._lock:
            for study_id, record in self._studies.items():
                if record.name == study_name:
                    return study_id
            raise StudyNotFoundError(f"No study named {study_name!r} in this storage.")

    def get_study_name_from_id(self, study_id: int) -> str:
        with self._lock:
            return self._study(study_id).name

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        with self._lock:
            return list(self._study(study_id).directions)

    def get_all_study_names(self) -> list[str]:
        with self._lock:
            return [record.name for record in self._studies.values()]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).user_attrs[key] = value

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        with self._lock:
            self._study(study_id).system_attrs[key] = value

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).user_attrs)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._study(study_id).system_attrs)

    # -- trials ----------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        with self._lock:
            record = self._study(study_id)
            trial_id = self._next_trial_id
            self._next_trial_id += 1
            number = len(record.trials)
            if template_trial is None:
                trial = FrozenTrial(
                    number=number,
                    state=TrialState.RUNNING,
                    value=None,
                    datetime_start=datetime.datetime.now(),
                    datetime_complete=None,
                    params={},
                    distributions={},
                    user_attrs={},
                    system_attrs={},
                    intermediate_values={},
                    trial_id=trial_id,
                )
            else:
                trial = copy.deepcopy(template_trial)
                trial.number = number
                trial._trial_id = trial_id
            record.trials.append(trial)
            self._trial_location[trial_id] = (study_id, number)
            if trial.state == TrialState.WAITING:
                record.waiting.append(trial_id)
            elif trial.state == TrialState.COMPLETE:
                self._update_best(record, trial)
            return trial_id

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._lock:
            trial = self._copy_of_updatable(trial_id)
            if param_name in trial.distributions:
                check_same_distribution(param_name, trial.distributions[param_name], distribution)
            value = distribution.to_external_repr(param_value_internal)
            trial.params = {**trial.params, param_name: value}
            trial.distributions = {**trial.distributions, param_name: distribution}
            self._commit(trial_id, trial)

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        with self._lock:
            trial = self._copy_of_updatable(trial_id)
            was_waiting = trial.state == TrialState.WAITING
            if state == TrialState.RUNNING:
                if not was_waiting:
                    return False
                trial.datetime_start = datetime.datetime.now()
            if was_waiting != (state == TrialState.WAITING):
                # A trial leaves the queue however it stops waiting (started, or failed
                # before it ran), and one put back to WAITING takes its place again.
                waiting = self._studies[self._trial_location[trial_id][0]].waiting
                if was_waiting:
                    waiting.remove(trial_id)
                else:
                    bisect.insort(waiting, trial_id)
            trial.state = state
            if values is not None:
                trial.values = [float(value) for value in values]
            if state.is_finished():
                trial.datetime_complete = datetime.datetime.now()
            self._commit(trial_id, trial)
            if state == TrialState.COMPLETE:
                self._update_best(self._studies[self._trial_location[trial_id][0]], trial)
            return True

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        self._set_entry(trial_id, "intermediate_values", step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_entry(trial_id, "user_attrs", key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_entry(trial_id, "system_attrs", key, value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            return copy.deepcopy(self._trial(trial_id))

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._study(study_id).trials
            if states is not None:
                trials = [trial for trial in trials if trial.state in states]
            return copy.deepcopy(trials) if deepcopy else list(trials)

    def get_n_trials(
        self, study_id: int, state: TrialState | Container[TrialState] | None = None
    ) -> int:
        with self._lock:
            if state is None:
                return len(self._study(study_id).trials)
            return super().get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        with self._lock:
            record = self._study(study_id)
            best = record.best_trial
            if len(record.directions) > 1 or best is None or violation(best.system_attrs) > 0:
                # The error, or the best feasible trial: the kept best breaks a constraint.
                return super().get_best_trial(study_id)
            return copy.deepcopy(best)

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        with self._lock:
            trials = self._study(study_id).trials
            if not 0 <= trial_number < len(trials):
                raise self._no_trial_number(study_id, trial_number)
            return trials[trial_number]._trial_id

    def pop_waiting_trial_id(self, study_id: int) -> int | None:
        """Return the oldest WAITING trial of a study, moved to RUNNING, or None."""
        with self._lock:
            waiting = self._study(study_id).waiting
            if not waiting:
                return None
            trial_id = waiting[0]
            self.set_trial_state_values(trial_id, TrialState.RUNNING)
            return trial_id

    # -- helpers ---------------------------------------------------------------------

    def _study(self, study_id: int) -> _StudyRecord:
        try:
            return self._studies[study_id]
        except KeyError:
            raise StudyNotFoundError(f"No study with id {study_id} in this storage.") from None

    def _trial(self, trial_id: int) -> FrozenTrial:
        try:
            study_id, number = self._trial_location[trial_id]
        except KeyError:
            raise TrialNotFoundError(f"No trial with id {trial_id} in this storage.") from None
        return self._studies[study_id].trials[number]

    def _updatable_trial(self, trial_id: int) -> FrozenTrial:
        trial = self._trial(trial_id)
        if trial.state.is_finished():
            raise finished_error(trial.number, trial.state)
        return trial

    def _copy_of_updatable(self, trial_id: int) -> FrozenTrial:
        """A shallow copy of an unfinished trial, to change and then ``_commit``: a trial
        once handed out (``get_all_trials(deepcopy=False)``) is never changed in place, so
        a reader in another thread sees it whole, before or after an update."""
        return self._updatable_trial(trial_id).__copy__()

    def _commit(self, trial_id: int, trial: FrozenTrial) -> None:
        study_id, number = self._trial_location[trial_id]
        self._studies[study_id].trials[number] = trial

    def _set_entry(self, trial_id: int, field: str, key: Any, value: Any) -> None:
        """Set ``key`` of the trial's dict ``field`` (a new dict in a copy of the trial)."""
        with self._lock:
            trial = self._copy_of_updatable(trial_id)
            setattr(trial, field, {**getattr(trial, field), key: value})
            self._commit(trial_id, trial)

    @staticmethod
    def _update_best(record: _StudyRecord, trial: FrozenTrial) -> None:
        if len(record.directions) != 1 or not trial.values:
            return
        best = record.best_trial
        if best is None or best.values is None:
            record.best_trial = trial
            return
        better = (
            trial.values[0] > best.values[0]
            if record.directions[0] == StudyDirection.MAXIMIZE
            else trial.values[0] < best.values[0]
        )
        if better:
            record.best_trial = trial
