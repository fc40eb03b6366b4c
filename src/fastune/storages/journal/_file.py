"""A journal kept in one file: JSON lines, appended under a lock file."""

from __future__ import annotations

import abc
import json
import os
import sys
import threading
import time
import uuid
import warnings
from typing import Any, ClassVar

from fastune._transient import Transient
from fastune._validation import check_number, invalid_type
from fastune.storages.journal._backend import BaseJournalBackend

__all__ = [
    "BaseJournalFileLock",
    "JournalFileBackend",
    "JournalFileOpenLock",
    "JournalFileSymlinkLock",
]

_FIRST_WAIT = 0.001  # seconds between two tries to take a busy lock, doubled up to _LAST_WAIT
_LAST_WAIT = 0.05


class BaseJournalFileLock(abc.ABC):
    """A lock between processes, made of a file beside the journal: ``acquire`` waits
    until this process holds it, ``release`` gives it back.

    A lock left behind by a process that died while holding it is broken once it is older
    than ``grace_period`` seconds (None: never broken). Holders keep it only while they
    append a few lines, so the default of 30 s is far above any live holder's time.

    Args:
        filepath: The journal file the lock guards.
        grace_period: Seconds after which a lock left by a dead process is broken; None:
            never.

    Raises:
        InvalidParameterTypeError: ``filepath`` is not a path.
        InvalidParameterError: ``grace_period <= 0``.
    """

    def __init__(self, filepath: str, grace_period: int | None = 30) -> None:
        owner = type(self).__name__
        if not isinstance(filepath, (str, os.PathLike)):
            raise invalid_type("filepath", owner, "a path (str or os.PathLike)", filepath)
        check_number(
            grace_period, "grace_period", owner, low=0, low_inclusive=False, allow_none=True
        )
        self._lock_path = os.fspath(filepath) + ".lock"
        self._grace_period = grace_period

    @abc.abstractmethod
    def _try_create(self) -> bool:
        """Create the lock file if it does not exist; True if this call created it."""

    def acquire(self) -> bool:
        """Wait until the lock is held by this process; return True."""
        wait = _FIRST_WAIT
        while not self._try_create():
            self._break_if_stale()
            time.sleep(wait)
            wait = min(2 * wait, _LAST_WAIT)
        return True

    def release(self) -> None:
        """Give the lock back.

        Raises:
            RuntimeError: the lock was not held (or was broken as stale meanwhile).
        """
        try:
            os.unlink(self._lock_path)
        except FileNotFoundError:
            raise RuntimeError(
                f"The journal lock {self._lock_path!r} was not held when released: it was "
                f"broken as stale (held longer than grace_period={self._grace_period} s)."
            ) from None

    def _break_if_stale(self) -> None:
        if self._grace_period is None:
            return
        try:
            age = time.time() - os.lstat(self._lock_path).st_mtime
        except FileNotFoundError:
            return
        if age <= self._grace_period:
            return
        # Renamed first, so that of several processes breaking it at once only one does.
        aside = f"{self._lock_path}.{uuid.uuid4().hex}.stale"
        try:
            os.rename(self._lock_path, aside)
        except FileNotFoundError:
            return
        os.unlink(aside)
        warnings.warn(
            f"Broke the journal lock {self._lock_path!r}, held for {age:.0f} s (more than "
            f"grace_period={self._grace_period} s): its holder is taken to have died.",
            RuntimeWarning,
            stacklevel=4,
        )


class JournalFileSymlinkLock(BaseJournalFileLock):
    """Held while the symbolic link ``<journal>.lock`` exists; creating a link is atomic
    on local file systems and on NFS. Arguments as :class:`BaseJournalFileLock`'s."""

    def _try_create(self) -> bool:
        try:
            os.symlink(os.path.basename(self._lock_path), self._lock_path)
        except FileExistsError:
            return False
        return True


class JournalFileOpenLock(BaseJournalFileLock):
    """Held while the file ``<journal>.lock`` exists, created with ``O_CREAT | O_EXCL``
    (for file systems without symbolic links). Arguments as :class:`BaseJournalFileLock`'s.
    """

    def _try_create(self) -> bool:
        try:
            handle = os.open(self._lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return False
        os.close(handle)
        return True


class JournalFileBackend(Transient, BaseJournalBackend):
    """The journal as a file of JSON lines, one operation per line.

    Appends take ``lock_obj`` (by default a :class:`JournalFileSymlinkLock`, or a
    :class:`JournalFileOpenLock` on Windows) and are written in one piece, handed to the
    operating system before they return: a trial completed by a worker survives that
    worker's crash. As with the SQLite storage (WAL, ``synchronous=NORMAL``), a write is
    not forced to the disk itself, so a power cut may lose the last writes.
    Readers take no lock: they read up to the last complete line. A line cut short by a
    worker that died while writing it is ended by the next writer and skipped by every
    reader alike.

    Args:
        file_path: The journal file; created if missing.
        lock_obj: The lock between processes.

    Raises:
        InvalidParameterTypeError: ``file_path`` is not a path or ``lock_obj`` is not a
            :class:`BaseJournalFileLock`.

    Example:
        >>> import fastune, tempfile
        >>> path = tempfile.mkdtemp() + "/journal.log"
        >>> storage = fastune.storages.JournalStorage(
        ...     fastune.storages.journal.JournalFileBackend(path))
        >>> study = fastune.create_study(storage=storage, study_name="kept")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> len(fastune.load_study(study_name="kept", storage=storage).trials)
        3
    """

    _transient: ClassVar[dict[str, Any]] = {"_lock": threading.Lock}

    def __init__(self, file_path: str, lock_obj: BaseJournalFileLock | None = None) -> None:
        owner = "JournalFileBackend"
        if not isinstance(file_path, (str, os.PathLike)):
            raise invalid_type("file_path", owner, "a path (str or os.PathLike)", file_path)
        if lock_obj is not None and not isinstance(lock_obj, BaseJournalFileLock):
            raise invalid_type(
                "lock_obj",
                owner,
                "None or a JournalFileSymlinkLock / JournalFileOpenLock",
                lock_obj,
            )
        self._path = os.fspath(file_path)
        if lock_obj is None:
            windows = sys.platform == "win32"
            lock_obj = (JournalFileOpenLock if windows else JournalFileSymlinkLock)(self._path)
        self._file_lock = lock_obj
        with open(self._path, "ab"):
            pass
        self._next_number = 0  # number of the first entry not read yet
        self._next_offset = 0  # its byte offset in the file
        self._lock = threading.Lock()

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        with self._lock:
            if log_number_from < self._next_number:  # asked again: read from the start
                self._next_number = self._next_offset = 0
            if os.stat(self._path).st_size == self._next_offset:
                return []
            with open(self._path, "rb") as file:
                file.seek(self._next_offset)
                data = file.read()
            complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits
            self._next_offset += len(complete)
            logs = []
            for line in complete.splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # cut short by a writer that died: skipped by every reader
                if self._next_number >= log_number_from:
                    logs.append(entry)
                self._next_number += 1
            return logs

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(log, separators=(",", ":")) + "\n" for log in logs)
        self._file_lock.acquire()
        try:
            with open(self._path, "ab+") as file:
                file.seek(0, os.SEEK_END)
                if file.tell() > 0:
                    file.seek(-1, os.SEEK_END)
                    if file.read(1) != b"\n":  # a line left unfinished by a dead writer
                        text = "\n" + text
                file.write(text.encode())  # handed to the OS on close
        finally:
            self._file_lock.release()
