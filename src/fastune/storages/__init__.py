"""Storages: where studies and trials are kept."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid_type
from fastune.storages._base import BaseStorage
from fastune.storages._in_memory import InMemoryStorage
from fastune.storages._postgresql import PostgreSQLStorage
from fastune.storages._rdb import RDBStorage
from fastune.storages._remote import GrpcStorageProxy, run_grpc_proxy_server
from fastune.storages._retry import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from fastune.storages._sqlite import SQLiteStorage
from fastune.storages._url import in_memory_sqlite, redact, sqlite_file
from fastune.storages.journal import (
    BaseJournalBackend,
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
    JournalRedisBackend,
    JournalStorage,
)

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = [
    "BaseJournalLogStorage",
    "BaseStorage",
    "GrpcStorageProxy",
    "InMemoryStorage",
    "JournalFileOpenLock",
    "JournalFileStorage",
    "JournalFileSymlinkLock",
    "JournalRedisStorage",
    "JournalStorage",
    "PostgreSQLStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "SQLiteStorage",
    "fail_stale_trials",
    "get_storage",
    "run_grpc_proxy_server",
]

SQLITE_PREFIX = "sqlite:///"

#: Optuna's older name of :class:`~fastune.storages.journal.BaseJournalBackend`.
BaseJournalLogStorage = BaseJournalBackend


class JournalFileStorage(JournalFileBackend):
    """Optuna's older name of :class:`~fastune.storages.journal.JournalFileBackend`,
    kept so that code written for it runs; it warns (``FutureWarning``) as Optuna does."""

    def __init__(self, file_path: str, lock_obj: Any = None) -> None:
        warnings.warn(
            "JournalFileStorage is Optuna's older name of "
            "fastune.storages.journal.JournalFileBackend; use that name instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(file_path, lock_obj)


class JournalRedisStorage(JournalRedisBackend):
    """Optuna's older name of :class:`~fastune.storages.journal.JournalRedisBackend`,
    kept so that code written for it runs; it warns (``FutureWarning``) as Optuna does."""

    def __init__(self, url: str, use_cluster: bool = False, prefix: str = "") -> None:
        warnings.warn(
            "JournalRedisStorage is Optuna's older name of "
            "fastune.storages.journal.JournalRedisBackend; use that name instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(url, use_cluster, prefix)


def get_storage(storage: Any) -> BaseStorage:
    """Return the storage meant by ``storage``: None is a new in-memory storage, a URL
    ``sqlite:///path.db`` (``sqlite:////absolute/path.db``) an SQLite file, a URL
    ``postgresql://user:password@host:port/db`` a PostgreSQL database; an in-memory
    SQLite URL (``sqlite:///:memory:``, ``sqlite://``) a new in-memory storage.

    Raises:
        InvalidParameterTypeError: ``storage`` is none of these.
    """
    if storage is None or (isinstance(storage, str) and in_memory_sqlite(storage)):
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str) and storage.startswith(SQLITE_PREFIX):
        path, timeout = sqlite_file(storage, "storage", "create_study")
        return SQLiteStorage(path) if timeout is None else SQLiteStorage(path, timeout=timeout)
    if isinstance(storage, str) and storage.startswith(("postgresql://", "postgres://")):
        return PostgreSQLStorage(storage)
    shown = redact(storage) if isinstance(storage, str) else storage  # never the password
    raise invalid_type(
        "storage",
        "create_study",
        "None, a fastune.storages.BaseStorage, or a URL 'sqlite:///path.db' or 'postgresql://...'",
        shown,
    )


def fail_stale_trials(study: Study) -> None:
    """Fail the running trials of ``study`` whose worker stopped sending heartbeats, and
    hand each to the storage's ``failed_trial_callback`` (Optuna's name; ``optimize``
    does the same before each trial). Nothing happens without heartbeats."""
    study._fail_stale_trials()
