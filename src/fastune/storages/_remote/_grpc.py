"""The gRPC storage proxy (Optuna's names): a server that serves one storage, and the
storage its workers open to call it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from fastune import logging
from fastune._imports import import_optional
from fastune._validation import check_int, invalid_type
from fastune.storages._base import BaseStorage
from fastune.storages._remote._client import RemoteStorage
from fastune.storages._remote._dispatch import Dispatcher

__all__ = ["GrpcStorageProxy", "run_grpc_proxy_server", "start_server"]

_logger = logging.get_logger(__name__)

#: The gRPC service; its one method, ``Call``, takes and answers the codec's bytes.
SERVICE = "fastune.storage.v1.Storage"


def _address(host: Any, port: Any, owner: str) -> tuple[str, int]:
    """``host`` and ``port``, checked.

    Raises:
        InvalidParameterTypeError: ``host`` is not a string, or ``port`` not an int.
        InvalidParameterError: ``port`` is outside 0..65535.
    """
    if not isinstance(host, str):
        raise invalid_type("host", owner, "a host name or address", host)
    return host, int(check_int(port, "port", owner, low=0, high=65535) or 0)


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
    host, port = _address(host, port, owner)
    grpc = import_optional("grpc", "grpc")
    # No SO_REUSEPORT: a second server on a port in use is an error, not a silent
    # second listener sharing the calls with the first.
    options = [("grpc.so_reuseport", 0)]
    server = grpc.server(thread_pool or ThreadPoolExecutor(max_workers=10), options=options)
    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"Call": grpc.unary_unary_rpc_method_handler(Dispatcher(storage).call)}
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


class GrpcStorageProxy(RemoteStorage):
    """A storage served by :func:`~fastune.storages.run_grpc_proxy_server` in another
    process or on another machine (Optuna's name and arguments).

    Every write is sent to the server, which runs it on its storage; an error the
    storage raises there (a duplicated study name, an unknown trial, a finished trial
    updated) is raised here as the same exception. The proxy keeps the finished trials
    it has read, and the record of each trial it runs (updated by its own writes), so a
    trial costs one round trip per write, and reading a study costs its new and running
    trials only.

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

    # A copy (a pickle to a worker process) opens its own channel.
    _transient: ClassVar[dict[str, Any]] = {
        **RemoteStorage._transient,
        "_channel": lambda: None,
        "_method": lambda: None,
    }

    def __init__(self, *, host: str = "localhost", port: int = 13000) -> None:
        owner = "GrpcStorageProxy"
        self._host, self._port = _address(host, port, owner)
        import_optional("grpc", "grpc")  # the missing package is said at once
        self._channel: Any = None
        self._method: Any = None
        super().__init__()

    @property
    def _identity(self) -> str:
        return f"grpc:{self._host}:{self._port}"

    def _send(self, request: bytes) -> bytes:
        grpc = import_optional("grpc", "grpc")
        if self._method is None:
            self._channel = grpc.insecure_channel(f"{self._host}:{self._port}")
            self._method = self._channel.unary_unary(f"/{SERVICE}/Call")
        try:
            return bytes(self._method(request))
        except grpc.RpcError as error:
            raise ConnectionError(
                f"The gRPC storage proxy at {self._host}:{self._port} did not answer "
                f"({error.code().name}): is run_grpc_proxy_server running there?"
            ) from error

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
