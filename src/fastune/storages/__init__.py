"""Storages: where studies and trials are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastune._validation import invalid_type
from fastune.storages._base import BaseStorage
from fastune.storages._in_memory import InMemoryStorage
from fastune.storages._postgresql import PostgreSQLStorage
from fastune.storages._rdb import RDBStorage
from fastune.storages._retry import RetryFailedTrialCallback, RetryHeartbeatStaleTrialCallback
from fastune.storages._sqlite import SQLiteStorage
from fastune.storages._url import redact

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = [
    "BaseStorage",
    "InMemoryStorage",
    "PostgreSQLStorage",
    "RDBStorage",
    "RetryFailedTrialCallback",
    "RetryHeartbeatStaleTrialCallback",
    "SQLiteStorage",
    "fail_stale_trials",
    "get_storage",
]

SQLITE_PREFIX = "sqlite:///"


def get_storage(storage: Any) -> BaseStorage:
    """Return the storage meant by ``storage``: None is a new in-memory storage, a URL
    ``sqlite:///path.db`` (``sqlite:////absolute/path.db``) an SQLite file, a URL
    ``postgresql://user:password@host:port/db`` a PostgreSQL database.

    Raises:
        InvalidParameterTypeError: ``storage`` is none of these.
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    if isinstance(storage, str) and storage.startswith(SQLITE_PREFIX):
        path = storage[len(SQLITE_PREFIX) :]
        if path in ("", ":memory:"):
            raise invalid_type("storage", "create_study", "an SQLite URL with a file path", storage)
        return SQLiteStorage(path)
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
