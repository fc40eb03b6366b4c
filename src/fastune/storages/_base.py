"""The storage seam: the only place where the state of studies and trials lives.

Samplers, pruners and users receive :class:`~fastune.trial.FrozenTrial` records from a
storage and must not change them.
"""

from __future__ import annotations

import abc
import copy
import json
import uuid
import weakref
from collections.abc import Container, Sequence
from typing import Any

from fastune._study_direction import StudyDirection
from fastune._validation import invalid_type
from fastune.distributions import BaseDistribution
from fastune.exceptions import TrialNotFoundError, UpdateFinishedTrialError
from fastune.storages._frozen_study import FrozenStudy
from fastune.trial._constraints import violation
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["BaseStorage", "finished_error", "to_json"]


# A token per storage object, dropped with the object (an id could be reused).
_TOKENS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


class BaseStorage(abc.ABC):
    """Where studies and their trials are kept.

    Thread and process safety: every method of a storage is atomic with respect to the
    other calls on the same storage object, so one storage may be shared by the threads
    of one process. Whether separate processes may share the same underlying store is
    stated by each implementation. :meth:`set_trial_state_values` is the one
    compare-and-set: it moves a WAITING trial to RUNNING only once, so two workers never
    start the same enqueued trial.

    Trials returned with ``deepcopy=False`` are the storage's own records: read them,
    never change them.
    """

    @property
    def _identity(self) -> str:
        """Which store this is: samplers and pruners key what they keep about a study by
        it and the study id, since two stores number their studies alike. By default one
        per storage object (a copy or an unpickled one is another store); storages on a
        file or a server name it, so every object on it shares what was learned."""
        try:
            return _TOKENS.setdefault(self, uuid.uuid4().hex)
        except TypeError:  # a storage that cannot be weakly referenced or hashed
            return f"object-{id(self)}"

    def _same_store(self, other: object) -> bool:
        """Whether ``other`` keeps its studies in the same place as this storage (two
        storage objects on one database file or server)."""
        return other is self or (
            isinstance(other, BaseStorage) and other._identity == self._identity
        )

    # -- studies ---------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        """Create a study and return its id.

        Raises:
            DuplicatedStudyError: a study named ``study_name`` exists already.
        """

    @abc.abstractmethod
    def delete_study(self, study_id: int) -> None:
        """Delete a study and its trials.

        Raises:
            StudyNotFoundError: no study has this id.
        """

    @abc.abstractmethod
    def get_study_id_from_name(self, study_name: str) -> int:
        """Return the id of the study named ``study_name``.

        Raises:
            StudyNotFoundError: no study has this name.
        """

    @abc.abstractmethod
    def get_study_name_from_id(self, study_id: int) -> str:
        """Return the name of a study."""

    @abc.abstractmethod
    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        """Return the direction of each objective of a study."""

    @abc.abstractmethod
    def get_all_study_names(self) -> list[str]:
        """Return the names of all studies, oldest first."""

    @abc.abstractmethod
    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a user attribute of a study."""

    @abc.abstractmethod
    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        """Set a system attribute of a study."""

    @abc.abstractmethod
    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the user attributes of a study."""

    @abc.abstractmethod
    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        """Return the system attributes of a study."""

    # -- trials ----------------------------------------------------------------------

    @abc.abstractmethod
    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        """Create a trial (RUNNING, or a copy of ``template_trial``) and return its id."""

    @abc.abstractmethod
    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        """Record a parameter of a running trial.

        Raises:
            UpdateFinishedTrialError: the trial has finished.
        """

    @abc.abstractmethod
    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        """Set a trial's state (and values); return False if a WAITING-to-RUNNING move lost.

        Moving a trial to RUNNING succeeds only when it is WAITING; the method returns
        False otherwise, so that exactly one worker starts each enqueued trial.

        Raises:
            UpdateFinishedTrialError: the trial has finished.
        """

    @abc.abstractmethod
    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        """Record a value reported by a running trial at ``step``."""

    @abc.abstractmethod
    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a user attribute of a trial that has not finished."""

    @abc.abstractmethod
    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        """Set a system attribute of a trial that has not finished."""

    @abc.abstractmethod
    def get_trial(self, trial_id: int) -> FrozenTrial:
        """Return a copy of a trial's record.

        Raises:
            TrialNotFoundError: no trial has this id.
        """

    @abc.abstractmethod
    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Return a study's trials ordered by number, optionally only those in ``states``."""

    # -- derived queries (override when the store can answer faster) -------------------

    def get_n_trials(
        self, study_id: int, state: TrialState | Container[TrialState] | None = None
    ) -> int:
        """Return how many trials a study has, optionally only those in ``state`` (one
        state or several, as in Optuna)."""
        states = (state,) if isinstance(state, TrialState) else state
        return len(self.get_all_trials(study_id, deepcopy=False, states=states))

    def get_all_studies(self) -> list[FrozenStudy]:
        """Return the name, directions and attributes of every study, oldest first."""
        studies = []
        for name in self.get_all_study_names():
            study_id = self.get_study_id_from_name(name)
            studies.append(
                FrozenStudy(
                    study_name=name,
                    direction=None,
                    directions=self.get_study_directions(study_id),
                    user_attrs=self.get_study_user_attrs(study_id),
                    system_attrs=self.get_study_system_attrs(study_id),
                    study_id=study_id,
                )
            )
        return studies

    def get_trial_number_from_id(self, trial_id: int) -> int:
        """Return the number of a trial in its study.

        Raises:
            TrialNotFoundError: no trial has this id.
        """
        return self.get_trial(trial_id).number

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        """Return the parameters of a trial, by name, as ``FrozenTrial.params`` shows them.

        Raises:
            TrialNotFoundError: no trial has this id.
        """
        return self.get_trial(trial_id).params

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        """Return one parameter of a trial in its distribution's internal form (the index
        of a categorical choice, the number itself otherwise).

        Raises:
            TrialNotFoundError: no trial has this id.
            KeyError: the trial has no parameter ``param_name`` (Optuna's error).
        """
        trial = self.get_trial(trial_id)
        if param_name not in trial.distributions:
            raise KeyError(
                f"The 'param_name' parameter of get_trial_param must be a parameter of trial "
                f"{trial.number}, one of {sorted(trial.distributions)}. Got {param_name!r} "
                "instead."
            )
        distribution = trial.distributions[param_name]
        return distribution.to_internal_repr(trial.params[param_name])

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the user attributes of a trial.

        Raises:
            TrialNotFoundError: no trial has this id.
        """
        return self.get_trial(trial_id).user_attrs

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        """Return the system attributes of a trial.

        Raises:
            TrialNotFoundError: no trial has this id.
        """
        return self.get_trial(trial_id).system_attrs

    def check_trial_is_updatable(self, trial_id: int, trial_state: TrialState) -> None:
        """Check that a trial in ``trial_state`` may still change (Optuna's helper; the
        trial's id only names it in the error).

        Raises:
            UpdateFinishedTrialError: ``trial_state`` is a finished state.
        """
        if trial_state.is_finished():
            raise finished_error(self.get_trial_number_from_id(trial_id), trial_state)

    def remove_session(self) -> None:
        """Release what this thread holds open on the store; the next call opens it again.
        Storages with nothing open per thread do nothing."""

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        """Return the best COMPLETE trial of a single-objective study; with constraints
        (``Trial.set_constraint``), the best feasible one.

        Raises:
            ValueError: no trial is complete (and feasible) yet.
            RuntimeError: the study has several objectives.
        """
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError(
                "A study with several objectives has no single best trial; "
                "use 'best_trials' for its Pareto front."
            )
        complete = self.get_all_trials(study_id, deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete:
            raise ValueError("No trials are completed yet.")
        feasible = [t for t in complete if violation(t.system_attrs) == 0.0]
        if not feasible:
            raise ValueError("No feasible trial is completed yet (all constraints <= 0).")
        pick = max if directions[0] == StudyDirection.MAXIMIZE else min
        return copy.deepcopy(pick(feasible, key=lambda t: t.values[0] if t.values else 0.0))

    # -- heartbeats: running trials of workers that died ---------------------------------

    #: Seconds between two heartbeats of a running trial; None: no heartbeats.
    heartbeat_interval: float | None = None

    def record_heartbeat(self, trial_id: int) -> None:
        """Note that the worker running ``trial_id`` is alive (storages with heartbeats)."""

    def fail_stale_trials(self, study_id: int) -> list[int]:
        """Fail the RUNNING trials whose heartbeat stopped longer than the grace period
        ago, and return their ids (storages with heartbeats; others fail none)."""
        return []

    def pop_waiting_trial_id(self, study_id: int) -> int | None:
        """Move the oldest WAITING trial of a study to RUNNING and return its id, or None.
        A trial that another worker started and finished since the list was read is
        skipped."""
        for trial in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.WAITING,)):
            try:
                if self.set_trial_state_values(trial._trial_id, TrialState.RUNNING):
                    return trial._trial_id
            except UpdateFinishedTrialError:
                continue
        return None

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        """Return the id of trial ``trial_number`` of a study.

        Raises:
            TrialNotFoundError: the study has no such trial.
        """
        for trial in self.get_all_trials(study_id, deepcopy=False):
            if trial.number == trial_number:
                return trial._trial_id
        raise self._no_trial_number(study_id, trial_number)

    def _no_trial_number(self, study_id: int, trial_number: int) -> TrialNotFoundError:
        """The error for a trial number a study does not have, naming the study."""
        name = self.get_study_name_from_id(study_id)
        return TrialNotFoundError(f"Study {name!r} has no trial number {trial_number}.")


def finished_error(number: int, state: TrialState) -> UpdateFinishedTrialError:
    """The error for a change to trial ``number``, which finished in ``state``."""
    return UpdateFinishedTrialError(
        f"Trial {number} has already finished ({state.name}) and cannot be changed."
    )


def to_json(value: Any, where: str) -> str:
    """``value`` as JSON, the form the SQL and journal storages keep attributes in.

    Raises:
        InvalidParameterTypeError: ``value`` is not JSON-serializable (``where`` names
            the call).
    """
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        raise invalid_type(
            "value", where, "a JSON-serializable value (this storage keeps JSON)", value
        ) from None
