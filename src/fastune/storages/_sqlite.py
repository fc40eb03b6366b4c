"""A storage in one SQLite file: persistent, shared by the processes of one machine."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastune.exceptions import StorageInternalError
from fastune.storages._sql import SQLStorage

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["SQLiteStorage"]


class SQLiteStorage(SQLStorage):
    """Studies in an SQLite file, for persistence, resume, and several processes.

    ``create_study(storage="sqlite:///path.db")`` opens one. Safe across threads (each
    has its own connection) and across the processes of one machine on a local disk
    (writes wait for each other: "database is locked" does not happen within
    ``timeout``); a committed trial survives a crash of its process (WAL journal). For
    workers on several machines use :class:`PostgreSQLStorage`.

    Args:
        path: The database file; created with the schema when missing.
        timeout, heartbeat_interval, grace_period, failed_trial_callback: see
            :class:`~fastune.storages._sql.SQLStorage`.

    Raises:
        FastuneError: the file holds another schema version.
    """

    _integrity_errors = (sqlite3.IntegrityError,)

    def __init__(
        self,
        path: str,
        *,
        timeout: float = 60.0,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
    ) -> None:
        super().__init__(
            timeout=timeout,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            failed_trial_callback=failed_trial_callback,
        )
        self.path = path
        self.where = f"file {path!r}"
        self._create_schema()

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, **self._options()}

    @property
    def url(self) -> str:
        """The ``sqlite:///`` URL of the file, as Optuna's ``RDBStorage.url``."""
        return f"sqlite:///{self.path}"

    @property
    def _identity(self) -> str:
        return f"sqlite:{os.path.realpath(self.path)}"

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state.pop("path"), **state)  # type: ignore[misc]

    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(
                self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as error:  # a missing folder, a folder, not a database
            raise StorageInternalError(f"Cannot open {self.url}: {error}.") from None
        return db

    def _begin(self, db: Any, exclusive: bool) -> None:
        db.execute("BEGIN IMMEDIATE")  # SQLite has one writer at a time anyway
