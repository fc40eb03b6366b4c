"""A journal kept in one file: JSON lines, appended under a lock file."""

from __future__ import annotations

import abc
import contextlib
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

    Each holder writes a token of its own into the lock, so that a holder only ever
    removes its own lock. A lock left by a process that died while holding it is broken
    once the same token has stood for ``grace_period`` seconds, timed by this process's
    monotonic clock (not the file's time stamp, which another machine's clock may have
    set). Holders keep it only while they append a few lines, so the default of 30 s is
    far above any live holder's time.

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
        self._token: str | None = None  # the token of the lock this object holds

    @abc.abstractmethod
    def _try_create(self, token: str) -> bool:
        """Create the lock holding ``token`` if there is none; True if this call did."""

    @abc.abstractmethod
    def _read_token(self, path: str) -> str | None:
        """The token of the lock at ``path``; None if there is none."""

    def acquire(self) -> bool:
        """Wait until the lock is held by this process; return True."""
        token = f"{os.getpid()}-{uuid.uuid4().hex}"
        wait = _FIRST_WAIT
        seen: tuple[str | None, float] = (None, time.monotonic())
        while not self._try_create(token):
            current = self._read_token(self._lock_path)
            if current != seen[0]:
                seen = (current, time.monotonic())  # another holder: its time starts now
            elif (
                current is not None
                and self._grace_period is not None
                and time.monotonic() - seen[1] > self._grace_period
            ):
                self._break(current)
            time.sleep(wait)
            wait = min(2 * wait, _LAST_WAIT)
        self._token = token
        return True

    def release(self) -> None:
        """Give the lock back. If it was broken as stale meanwhile (this holder stood
        still for longer than ``grace_period``), another process's lock is left alone and
        a ``RuntimeWarning`` says so."""
        token, self._token = self._token, None
        if token is not None and self._read_token(self._lock_path) == token:
            os.unlink(self._lock_path)
            return
        warnings.warn(
            f"The journal lock {self._lock_path!r} was no longer held by this process when "
            f"released: it was broken as stale (held longer than grace_period="
            f"{self._grace_period} s), and another writer may have appended meanwhile.",
            RuntimeWarning,
            stacklevel=2,
        )

    def _break(self, stale: str) -> None:
        """Remove the lock holding ``stale``; put back a lock another process took
        meanwhile."""
        aside = f"{self._lock_path}.{uuid.uuid4().hex}.stale"
        try:
            os.rename(self._lock_path, aside)  # of several breakers, one gets it
        except FileNotFoundError:
            return
        if self._read_token(aside) != stale:  # a fresh lock, taken since: give it back
            with contextlib.suppress(FileExistsError):  # taken again: that one stands
                os.link(aside, self._lock_path, follow_symlinks=False)
            os.unlink(aside)
            return
        os.unlink(aside)
        warnings.warn(
            f"Broke the journal lock {self._lock_path!r}: held for more than "
            f"grace_period={self._grace_period} s, its holder is taken to have died.",
            RuntimeWarning,
            stacklevel=4,
        )


class JournalFileSymlinkLock(BaseJournalFileLock):
    """Held while the symbolic link ``<journal>.lock`` exists; creating a link is atomic
    on local file systems and on NFS. Arguments as :class:`BaseJournalFileLock`'s."""

    def _try_create(self, token: str) -> bool:
        try:
            os.symlink(token, self._lock_path)
        except FileExistsError:
            return False
        return True

    def _read_token(self, path: str) -> str | None:
        try:
            return os.readlink(path)
        except (FileNotFoundError, OSError):
            return None


class JournalFileOpenLock(BaseJournalFileLock):
    """Held while the file ``<journal>.lock`` exists, created with ``O_CREAT | O_EXCL``
    (for file systems without symbolic links). Arguments as :class:`BaseJournalFileLock`'s.
    """

    def _try_create(self, token: str) -> bool:
        # Written under a name of its own, then linked into place: the lock never exists
        # without its token.
        draft = f"{self._lock_path}.{token}"
        handle = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        try:
            os.write(handle, token.encode())
        finally:
            os.close(handle)
        try:
            os.link(draft, self._lock_path)
        except FileExistsError:
            return False
        finally:
            os.unlink(draft)
        return True

    def _read_token(self, path: str) -> str | None:
        try:
            with open(path, encoding="utf-8") as file:
                return file.read()
        except FileNotFoundError:
            return None


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
        self._offsets: list[int] = []  # byte offset of each entry read so far
        self._end = 0  # byte offset after the last line read
        self._lock = threading.Lock()

    @property
    def _identity(self) -> str:
        return f"journal:{os.path.realpath(self._path)}"

    def read_logs(self, log_number_from: int) -> list[dict[str, Any]]:
        with self._lock:
            number, offset = len(self._offsets), self._end
            if log_number_from < number:  # asked again: from that entry's line
                number, offset = log_number_from, self._offsets[log_number_from]
            if os.stat(self._path).st_size == offset:
                return []
            with open(self._path, "rb") as file:
                file.seek(offset)
                data = file.read()
            complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits
            logs = []
            for line in complete.splitlines(keepends=True):
                start, offset = offset, offset + len(line)
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # cut short by a writer that died: skipped by every reader
                if number == len(self._offsets):
                    self._offsets.append(start)
                if number >= log_number_from:
                    logs.append(entry)
                number += 1
            self._end = max(self._end, offset)
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
