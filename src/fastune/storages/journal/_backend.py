"""The seam between a journal storage and where its log lives."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

__all__ = ["BaseJournalBackend", "BaseJournalSnapshot"]


class BaseJournalBackend(abc.ABC):
    """An append-only, ordered log of operations, shared by every worker of a study.

    :class:`~fastune.storages.JournalStorage` asks a backend for two things only, so any
    store that can keep an ordered list of JSON-serializable dicts can be one:

    * ``append_logs`` adds entries at the end, atomically: entries of two workers never
      interleave, and every worker then sees them in the same order;
    * ``read_logs`` returns the entries from a position on, in that order.
    """

    @abc.abstractmethod
    def read_logs(self, log_number_from: int) -> Iterable[dict[str, Any]]:
        """Return the entries numbered ``log_number_from`` and after (0 is the first)."""

    @abc.abstractmethod
    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        """Add ``logs`` at the end of the log, all together, in this order."""

    @property
    def _identity(self) -> str | None:
        """The name of the store the log lives in (a file, a server and key), shared by
        every backend object on it; None when each object is a store of its own."""
        return None


class BaseJournalSnapshot(abc.ABC):
    """A journal backend that can also keep a snapshot: the state replayed from the log
    up to some entry, so that a worker that joins a long journal replays only the
    entries after it. :class:`~fastune.storages.JournalStorage` saves one every
    ``SNAPSHOT_INTERVAL`` entries and starts from the newest it finds."""

    @abc.abstractmethod
    def save_snapshot(self, snapshot: bytes) -> None:
        """Keep ``snapshot`` in place of the one kept before."""

    @abc.abstractmethod
    def load_snapshot(self) -> bytes | None:
        """The snapshot kept last; None if there is none."""
