"""Journal storage: every change to the studies appended to a shared log, each worker's
view replayed from it (Optuna's ``optuna.storages.journal``)."""

from __future__ import annotations

from fastune.storages.journal._backend import BaseJournalBackend, BaseJournalSnapshot
from fastune.storages.journal._file import (
    BaseJournalFileLock,
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
)
from fastune.storages.journal._redis import JournalRedisBackend
from fastune.storages.journal._storage import JournalStorage

__all__ = [
    "BaseJournalBackend",
    "BaseJournalFileLock",
    "BaseJournalSnapshot",
    "JournalFileBackend",
    "JournalFileOpenLock",
    "JournalFileSymlinkLock",
    "JournalRedisBackend",
    "JournalStorage",
]
