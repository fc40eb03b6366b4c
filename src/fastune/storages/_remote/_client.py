"""The client side of a remote storage: every call sent, what it can be kept here."""

from __future__ import annotations

import abc
import copy
import threading
import uuid
from collections.abc import Container, Sequence
from typing import Any, ClassVar

from fastune._study_direction import StudyDirection
from fastune._transient import Transient
from fastune.distributions import BaseDistribution
from fastune.storages._base import BaseStorage
from fastune.storages._frozen_study import FrozenStudy
from fastune.storages._in_memory import DEFAULT_STUDY_NAME_PREFIX
from fastune.storages._remote._codec import decode, encode, error_from
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["RemoteStorage"]


class RemoteStorage(Transient, BaseStorage):
    """A storage whose every call is run by a storage elsewhere (a proxy server, a Dask
    scheduler): the transport is :meth:`_send`'s; the rest is here.

    Every write is sent, and run there; an error the storage raises there (a duplicated
    study name, an unknown trial, a finished trial updated) is raised here as the same
    exception. Reads cost fewer round trips:

    * finished trials never change, so the storage keeps those it has read and asks only
      for the others: reading a study's trials costs the trials that are new or still
      running, not the whole study;
    * a trial this object started (created or took from the queue) is written by this
      worker, so it keeps its record, updated by each write that was accepted, and
      ``get_trial`` answers from it: a trial costs one round trip per write, not a read
      after each.
    """

    # A copy (a pickle to a worker process) starts with empty caches.
    _transient: ClassVar[dict[str, Any]] = {
        "_finished": dict,
        "_done": dict,
        "_own": dict,
        "_lock": threading.Lock,
    }

    def __init__(self) -> None:
        # study id -> trial id -> a finished trial read before
        self._finished: dict[int, dict[int, FrozenTrial]] = {}
        self._done: dict[int, FrozenTrial] = {}  # trial id -> a finished trial read before
        self._own: dict[int, FrozenTrial] = {}  # trial id -> a trial this object runs
        self._lock = threading.Lock()

    @abc.abstractmethod
    def _send(self, request: bytes) -> bytes:
        """Carry ``request`` to the remote storage and return its answer."""

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        answer = decode(self._send(encode({"method": method, "args": args, "kwargs": kwargs})))
        if "error" in answer:
            raise error_from(answer["error"])
        return answer["ok"]

    # -- studies ------------------------------------------------------------------------

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        if study_name is None:
            study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        return int(self._call("create_new_study", list(directions), study_name))

    def delete_study(self, study_id: int) -> None:
        with self._lock:
            self._forget(study_id)
        self._call("delete_study", study_id)

    def get_study_id_from_name(self, study_name: str) -> int:
        return int(self._call("get_study_id_from_name", study_name))

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._call("get_study_name_from_id", study_id))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return list(self._call("get_study_directions", study_id))

    def get_all_study_names(self) -> list[str]:
        return list(self._call("get_all_study_names"))

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_user_attr", study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._call("set_study_system_attr", study_id, key, value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._call("get_study_user_attrs", study_id))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._call("get_study_system_attrs", study_id))

    def get_all_studies(self) -> list[FrozenStudy]:
        return list(self._call("get_all_studies"))

    # -- trials -------------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        trial_id, trial = self._call("create_and_get", study_id, template_trial)
        self._keep(trial, started=True)
        return int(trial_id)

    def pop_waiting_trial_id(self, study_id: int) -> int | None:
        trial_id, trial = self._call("pop_and_get", study_id)
        if trial_id is None:
            return None
        self._keep(trial, started=True)
        return int(trial_id)

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        self._call("set_trial_param", trial_id, param_name, param_value_internal, distribution)
        with self._lock:
            if (own := self._own.get(trial_id)) is not None:
                own.params[param_name] = distribution.to_external_repr(param_value_internal)
                own.distributions[param_name] = distribution

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        values = None if values is None else [float(v) for v in values]
        done, trial = self._call("set_state_and_get", trial_id, state, values)
        with self._lock:
            self._own.pop(trial_id, None)
        self._keep(trial, started=bool(done))
        return bool(done)

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        self._call("set_trial_intermediate_value", trial_id, step, float(intermediate_value))
        with self._lock:
            if (own := self._own.get(trial_id)) is not None:
                own.intermediate_values[step] = float(intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._call("set_trial_user_attr", trial_id, key, value)
        with self._lock:
            if (own := self._own.get(trial_id)) is not None:
                own.user_attrs[key] = copy.deepcopy(value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._call("set_trial_system_attr", trial_id, key, value)
        with self._lock:
            if (own := self._own.get(trial_id)) is not None:
                own.system_attrs[key] = copy.deepcopy(value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._lock:
            kept = self._own.get(trial_id) or self._done.get(trial_id)
            if kept is not None:
                return copy.deepcopy(kept)
        trial: FrozenTrial = self._call("get_trial", trial_id)
        return trial

    def _keep(self, trial: FrozenTrial, *, started: bool) -> None:
        """Keep ``trial``, just written: finished, or RUNNING if this object ``started``
        it (another worker's may change under it)."""
        with self._lock:
            if trial.state.is_finished():
                self._done[trial._trial_id] = trial
            elif started and trial.state == TrialState.RUNNING:
                self._own[trial._trial_id] = trial

    def _forget(self, study_id: int) -> None:
        """Drop the finished trials kept of a study (deleted, or its id reused)."""
        for trial_id in self._finished.pop(study_id, {}):
            self._done.pop(trial_id, None)

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            known = self._finished.setdefault(study_id, {})
            total, fresh = self._call("trials_not_in", study_id, _ranges(known))
            if total != len(known) + len(fresh):  # the study was deleted and its id reused
                self._forget(study_id)
                known = self._finished.setdefault(study_id, {})
                total, fresh = self._call("trials_not_in", study_id, [])
            for trial in fresh:
                if trial.state.is_finished():
                    known[trial._trial_id] = self._done[trial._trial_id] = trial
            running = [t for t in fresh if not t.state.is_finished()]
            trials = sorted([*known.values(), *running], key=lambda t: t.number)
        if states is not None:
            trials = [t for t in trials if t.state in states]
        return copy.deepcopy(trials) if deepcopy else trials

    def get_n_trials(
        self, study_id: int, state: TrialState | Container[TrialState] | None = None
    ) -> int:
        if state is not None and not isinstance(state, TrialState):
            state = [s for s in TrialState if s in state]
        return int(self._call("get_n_trials", study_id, state))

    def get_trial_number_from_id(self, trial_id: int) -> int:
        return int(self._call("get_trial_number_from_id", trial_id))

    def get_trial_params(self, trial_id: int) -> dict[str, Any]:
        return dict(self._call("get_trial_params", trial_id))

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        return float(self._call("get_trial_param", trial_id, param_name))

    def get_trial_user_attrs(self, trial_id: int) -> dict[str, Any]:
        return dict(self._call("get_trial_user_attrs", trial_id))

    def get_trial_system_attrs(self, trial_id: int) -> dict[str, Any]:
        return dict(self._call("get_trial_system_attrs", trial_id))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        trial: FrozenTrial = self._call("get_best_trial", study_id)
        return trial

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        return int(self._call("get_trial_id_from_study_id_trial_number", study_id, trial_number))


def _ranges(trials: dict[int, FrozenTrial]) -> list[list[int]]:
    """The ids of ``trials`` as ``[first, last]`` runs of consecutive ids (a few runs
    for most studies, however many trials)."""
    ranges: list[list[int]] = []
    for trial_id in sorted(trials):
        if ranges and ranges[-1][1] == trial_id - 1:
            ranges[-1][1] = trial_id
        else:
            ranges.append([trial_id, trial_id])
    return ranges
