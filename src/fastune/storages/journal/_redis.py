"""The journal in a Redis server: one list of JSON entries, and a snapshot beside it."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from fastune._imports import import_optional
from fastune._transient import Transient
from fastune._validation import invalid_type
from fastune.storages._url import redact
from fastune.storages.journal._backend import BaseJournalBackend, BaseJournalSnapshot

__all__ = ["JournalRedisBackend"]


class JournalRedisBackend(Transient, BaseJournalBackend, BaseJournalSnapshot):
    """The journal as a list in a Redis server, for workers on several machines.

    The entries of a journal are the items of one Redis list, ``<prefix>:journal``:
    ``append_logs`` adds them with one ``RPUSH``, which Redis applies whole, so the
    entries of two workers never interleave and every worker reads them in the same
    order; ``read_logs`` is one ``LRANGE`` from the first entry not read yet. A completed
    trial is kept once the server answers, so it survives the crash of its worker (and
    the crash of the server as far as the server's own persistence settings keep it).
    The snapshot that :class:`~fastune.storages.JournalStorage` saves lies in
    ``<prefix>:snapshot``.

    The connection is made on first use and again in each process the backend is
    pickled to (``n_jobs`` worker processes, Dask workers). Needs the ``redis`` package:
    ``pip install 'fastune[redis]'``.

    Args:
        url: The server, as redis-py reads it: ``redis://[[user]:password@]host[:port][/db]``
            (``rediss://`` for TLS, ``unix://`` for a socket).
        use_cluster: Connect to a Redis Cluster (redis-py's ``RedisCluster``). The log
            is a single key, so its appends stay atomic on a cluster too.
        prefix: Put before the keys, so that several journals share one server.

    Raises:
        InvalidParameterTypeError: ``url`` or ``prefix`` is not a string, or
            ``use_cluster`` not a bool.

    Example:
        >>> import fastune
        >>> from fastune.storages import JournalStorage
        >>> from fastune.storages.journal import JournalRedisBackend
        >>> backend = JournalRedisBackend("redis://localhost:6379", prefix="tuning")
        >>> study = fastune.create_study(storage=JournalStorage(backend))  # doctest: +SKIP
    """

    # A pickle (to a worker process) opens its own connection.
    _transient: ClassVar[dict[str, Any]] = {"_connection": lambda: None}

    def __init__(self, url: str, use_cluster: bool = False, prefix: str = "") -> None:
        owner = "JournalRedisBackend"
        if not isinstance(url, str):
            raise invalid_type("url", owner, "a Redis URL such as 'redis://localhost:6379'", url)
        if not isinstance(use_cluster, bool):
            raise invalid_type("use_cluster", owner, "a bool", use_cluster)
        if not isinstance(prefix, str):
            raise invalid_type("prefix", owner, "a string", prefix)
        import_optional("redis", "redis")  # the missing package is said at once
        self._url = url
        self._use_cluster = use_cluster
        self._prefix = prefix
        self._connection: Any = None

    @property
    def _client(self) -> Any:
        if self._connection is None:
            redis = import_optional("redis", "redis")
            kind = redis.RedisCluster if self._use_cluster else redis.Redis
            self._connection = kind.from_url(self._url)
        return self._connection

    @property
    def _identity(self) -> str:
        return f"journal-redis:{redact(self._url)}:{self._prefix}"

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        items = self._client.lrange(f"{self._prefix}:journal", log_number_from, -1)
        return [json.loads(item) for item in items]

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        if logs:
            items = [json.dumps(log, separators=(",", ":")) for log in logs]
            self._client.rpush(f"{self._prefix}:journal", *items)

    def save_snapshot(self, snapshot: bytes) -> None:
        self._client.set(f"{self._prefix}:snapshot", snapshot)

    def load_snapshot(self) -> bytes | None:
        snapshot = self._client.get(f"{self._prefix}:snapshot")
        return None if snapshot is None else bytes(snapshot)
