"""The gRPC storage proxy's server: one storage, served to the workers that call it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastune import logging
from fastune._imports import import_optional
from fastune._validation import check_int, invalid_type
from fastune.storages._base import BaseStorage
from fastune.storages._grpc._codec import decode, encode, error_to
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["SERVICE", "run_grpc_proxy_server", "start_server"]

_logger = logging.get_logger(__name__)

#: The gRPC service; its one method, ``Call``, takes and answers the codec's bytes.
SERVICE = "fastune.storage.v1.Storage"

# The proxy's own calls, which save the client round trips: each answers a storage
# method's result with the trial (or trials) the client would read next.
_OWN_CALLS = frozenset({"trials_not_in", "create_and_get", "pop_and_get", "set_state_and_get"})
# The storage methods a client may call.
METHODS = _OWN_CALLS | frozenset(
    {
        "create_new_study",
        "delete_study",
        "get_study_id_from_name",
        "get_study_name_from_id",
        "get_study_directions",
        "get_all_study_names",
        "set_study_user_attr",
        "set_study_system_attr",
        "get_study_user_attrs",
        "get_study_system_attrs",
        "get_all_studies",
        "create_new_trial",
        "set_trial_param",
        "set_trial_state_values",
        "set_trial_intermediate_value",
        "set_trial_user_attr",
        "set_trial_system_attr",
        "get_trial",
        "get_all_trials",
        "get_n_trials",
        "get_trial_number_from_id",
        "get_trial_params",
        "get_trial_param",
        "get_trial_user_attrs",
        "get_trial_system_attrs",
        "get_best_trial",
        "get_trial_id_from_study_id_trial_number",
    }
)


class _Servicer:
    """Answers each call with the storage's result, or with the error it raised."""

    def __init__(self, storage: BaseStorage) -> None:
        self._storage = storage

    def call(self, request: bytes, context: Any) -> bytes:
        try:
            call = decode(request)
            method = call["method"]
            if method not in METHODS:
                raise ValueError(f"{method!r} is not a storage method the proxy serves.")
            owner = self if method in _OWN_CALLS else self._storage
            result = getattr(owner, method)(*call["args"], **call["kwargs"])
            return encode({"ok": result})
        except Exception as error:  # the client raises it: the server goes on
            return encode({"error": error_to(error)})

    def trials_not_in(self, study_id: int, ranges: list[list[int]]) -> list[Any]:
        """How many trials a study has, and those whose ids lie in none of the ``[first,
        last]`` ranges (the finished trials a client holds already)."""
        trials = self._storage.get_all_trials(study_id, deepcopy=False)
        fresh = [t for t in trials if not any(a <= t._trial_id <= b for a, b in ranges)]
        return [len(trials), fresh]

    def create_and_get(self, study_id: int, template_trial: FrozenTrial | None) -> list[Any]:
        """``create_new_trial``: the new trial's id and its record."""
        trial_id = self._storage.create_new_trial(study_id, template_trial)
        return [trial_id, self._storage.get_trial(trial_id)]

    def pop_and_get(self, study_id: int) -> list[Any]:
        """``pop_waiting_trial_id``: the id of the trial started and its record (or two
        Nones)."""
        trial_id = self._storage.pop_waiting_trial_id(study_id)
        return [trial_id, None if trial_id is None else self._storage.get_trial(trial_id)]

    def set_state_and_get(
        self, trial_id: int, state: TrialState, values: list[float] | None
    ) -> list[Any]:
        """``set_trial_state_values``: its result and the trial's record after it."""
        done = self._storage.set_trial_state_values(trial_id, state, values)
        return [done, self._storage.get_trial(trial_id)]


def start_server(
    storage: BaseStorage, host: str, port: int, thread_pool: ThreadPoolExecutor | None
) -> tuple[Any, int]:
    """A started gRPC server proxying ``storage``, and its port (``port=0``: a free one).

    Raises:
        InvalidParameterTypeError: ``storage`` is not a storage.
        InvalidParameterError: a port outside 0..65535.
        MissingDependencyError: grpcio is not installed.
        RuntimeError: the port cannot be bound.
    """
    owner = "run_grpc_proxy_server"
    if not isinstance(storage, BaseStorage):
        raise invalid_type(
            "storage", owner, "a storage, such as fastune.storages.get_storage(url)", storage
        )
    if not isinstance(host, str):
        raise invalid_type("host", owner, "a host name or address", host)
    check_int(port, "port", owner, low=0, high=65535)
    grpc = import_optional("grpc", "grpc")
    # No SO_REUSEPORT: a second server on a port in use is an error, not a silent
    # second listener sharing the calls with the first.
    options = [("grpc.so_reuseport", 0)]
    server = grpc.server(thread_pool or ThreadPoolExecutor(max_workers=10), options=options)
    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Call": grpc.unary_unary_rpc_method_handler(_Servicer(storage).call)}
    )
    server.add_generic_rpc_handlers((handler,))
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as error:
        raise RuntimeError(f"The gRPC proxy cannot listen on {host}:{port}: {error}") from error
    server.start()
    return server, bound


def run_grpc_proxy_server(
    storage: BaseStorage,
    *,
    host: str = "localhost",
    port: int = 13000,
    thread_pool: ThreadPoolExecutor | None = None,
) -> None:
    """Serve ``storage`` to :class:`~fastune.storages.GrpcStorageProxy` clients until the
    process is stopped (Optuna's name and arguments).

    Many workers then share one storage through one process, which alone opens the
    database: a PostgreSQL server sees one client instead of hundreds, an SQLite file
    is written by one process. Calls are answered by the threads of ``thread_pool``,
    so ``storage`` must be safe across threads (every fastune storage is).

    The proxy speaks gRPC without TLS or authentication (as Optuna's): run it inside a
    trusted network. Its wire format is fastune's own (JSON), not Optuna's protobuf
    messages: fastune clients talk to a fastune server.

    Args:
        storage: The storage to serve, e.g. ``fastune.storages.get_storage(url)``.
        host: The address to listen on.
        port: The port to listen on.
        thread_pool: Threads that answer calls; by default 10.

    Raises:
        InvalidParameterTypeError: ``storage`` is not a storage.
        MissingDependencyError: grpcio is not installed (``pip install 'fastune[grpc]'``).
        RuntimeError: the port cannot be bound.

    Example:
        >>> import fastune
        >>> storage = fastune.storages.get_storage("postgresql://user:pw@db/hpo")  # doctest: +SKIP
        >>> fastune.storages.run_grpc_proxy_server(storage, port=13000)  # doctest: +SKIP
    """
    server, bound = start_server(storage, host, port, thread_pool)
    _logger.info(f"gRPC storage proxy listening on {host}:{bound}.")
    server.wait_for_termination()
