"""The gRPC storage proxy's client: a storage whose every call goes to the server."""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Container, Sequence
from typing import Any, ClassVar

from fastune._imports import import_optional
from fastune._study_direction import StudyDirection
from fastune._transient import Transient
from fastune._validation import check_int, invalid_type
from fastune.distributions import BaseDistribution
from fastune.storages._base import BaseStorage
from fastune.storages._frozen_study import FrozenStudy
from fastune.storages._grpc._codec import decode, encode, error_from
from fastune.storages._grpc._server import SERVICE
from fastune.storages._in_memory import DEFAULT_STUDY_NAME_PREFIX
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["GrpcStorageProxy"]


class GrpcStorageProxy(Transient, BaseStorage):
    """A storage served by :func:`~fastune.storages.run_grpc_proxy_server` in another
    process or on another machine (Optuna's name and arguments).

    Every write is sent to the server, which runs it on its storage; an error the
    storage raises there (a duplicated study name, an unknown trial, a finished trial
    updated) is raised here as the same exception. Reads cost fewer round trips:

    * finished trials never change, so the proxy keeps those it has read and asks the
      server only for the others: reading a study's trials costs the trials that are new
      or still running, not the whole study;
    * a trial this proxy started (created or took from the queue) is written by this
      worker, so the proxy keeps its record, updated by each write the server accepted,
      and ``get_trial`` answers from it: a trial costs one round trip per write (as
      many as Optuna's proxy), not a read after each.

    The connection is made on first use, and anew in each process the proxy is pickled
    to (``n_jobs`` worker processes, Dask workers). Heartbeats are not forwarded (as in
    Optuna): a trial whose worker died stays RUNNING.

    Args:
        host: The host of the server.
        port: The port of the server.

    Raises:
        InvalidParameterTypeError: ``host`` is not a string.
        InvalidParameterError: ``port`` is outside 0..65535.
        MissingDependencyError: grpcio is not installed (``pip install 'fastune[grpc]'``).

    Example:
        >>> import fastune
        >>> storage = fastune.storages.GrpcStorageProxy(host="localhost", port=13000)
        >>> study = fastune.create_study(storage=storage)  # doctest: +SKIP
    """

    # A copy (a pickle to a worker process) opens its own channel and cache.
    _transient: ClassVar[dict[str, Any]] = {
        "_channel": lambda: None,
        "_method": lambda: None,
        "_finished": dict,
        "_done": dict,
        "_own": dict,
        "_lock": threading.Lock,
    }

    def __init__(self, *, host: str = "localhost", port: int = 13000) -> None:
        owner = "GrpcStorageProxy"
        if not isinstance(host, str):
            raise invalid_type("host", owner, "a host name or address", host)
        self._host = host
        self._port = int(check_int(port, "port", owner, low=0, high=65535) or 0)
        import_optional("grpc", "grpc")  # the missing package is said at once
        self._channel: Any = None
        self._method: Any = None
        # study id -> trial id -> a finished trial read before
        self._finished: dict[int, dict[int, FrozenTrial]] = {}
        self._done: dict[int, FrozenTrial] = {}  # trial id -> a finished trial read before
        self._own: dict[int, FrozenTrial] = {}  # trial id -> a trial this proxy runs
        self._lock = threading.Lock()

    # -- the connection -----------------------------------------------------------------

    @property
    def _identity(self) -> str:
        return f"grpc:{self._host}:{self._port}"

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        grpc = import_optional("grpc", "grpc")
        if self._method is None:
            self._channel = grpc.insecure_channel(f"{self._host}:{self._port}")
            self._method = self._channel.unary_unary(f"/{SERVICE}/Call")
        request = encode({"method": method, "args": args, "kwargs": kwargs})
        try:
            answer = decode(self._method(request))
        except grpc.RpcError as error:
            raise ConnectionError(
                f"The gRPC storage proxy at {self._host}:{self._port} did not answer "
                f"{method} ({error.code().name}): is run_grpc_proxy_server running there?"
            ) from error
        if "error" in answer:
            raise error_from(answer["error"])
        return answer["ok"]

    def wait_server_ready(self, timeout: float | None = None) -> None:
        """Wait until the server answers.

        Raises:
            ConnectionError: it did not within ``timeout`` seconds.
        """
        grpc = import_optional("grpc", "grpc")
        with grpc.insecure_channel(f"{self._host}:{self._port}") as channel:
            try:
                grpc.channel_ready_future(channel).result(timeout=timeout)
            except grpc.FutureTimeoutError as error:
                raise ConnectionError(
                    f"No gRPC storage proxy answered at {self._host}:{self._port} within "
                    f"{timeout} s."
                ) from error

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        if self._channel is not None:
            self._channel.close()
        self._channel = self._method = None

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
        """Keep ``trial``, just written: finished, or RUNNING if this proxy ``started``
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
