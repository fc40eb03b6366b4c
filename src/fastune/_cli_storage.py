"""The storage a command of the ``fastune`` command line opens, read as Optuna's CLI
reads it: ``--storage`` (or the ``FASTUNE_STORAGE`` / ``OPTUNA_STORAGE`` environment
variable) and the ``--storage-class`` hint."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from fastune._validation import invalid
from fastune.exceptions import InvalidParameterTypeError
from fastune.storages._url import redact

if TYPE_CHECKING:
    from fastune.storages import BaseStorage

__all__ = ["ENVIRONMENT", "STORAGE_CLASSES", "open_storage", "storage_class", "storage_url"]

# Read in this order when --storage is not given.
ENVIRONMENT = ("FASTUNE_STORAGE", "OPTUNA_STORAGE")
# Optuna's hints; the last two are its older names of the journal backends.
STORAGE_CLASSES = (
    "RDBStorage",
    "JournalFileBackend",
    "JournalRedisBackend",
    "JournalFileStorage",
    "JournalRedisStorage",
)
_SQLITE_HEADER = b"SQLite format 3\x00"


def storage_class(value: str) -> str:
    """``--storage-class``, checked (argparse's ``type``): the older names are taken
    but not offered."""
    import argparse

    if value not in STORAGE_CLASSES:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {value!r} (choose from {', '.join(STORAGE_CLASSES[:3])})"
        )
    return value


def storage_url(given: str | None) -> str | None:
    """``--storage`` if given, else the first of the environment variables set."""
    if given is not None:
        return given
    return next((os.environ[name] for name in ENVIRONMENT if os.environ.get(name)), None)


def open_storage(url: str, hint: str | None, command: str) -> BaseStorage:
    """The storage ``url`` means. With a ``hint`` (``--storage-class``), that class;
    without, as Optuna guesses: ``redis://...`` a Redis journal, the path of an
    existing file a journal file (an SQLite file, known by its header, is opened as
    SQLite), anything else a URL of an SQL database (``sqlite:///``, ``postgresql://``).

    Raises:
        InvalidParameterError: a URL none of these take.
    """
    from fastune.storages import JournalStorage, get_storage
    from fastune.storages.journal import JournalFileBackend, JournalRedisBackend

    if hint in ("JournalRedisBackend", "JournalRedisStorage") or (
        hint is None and url.startswith("redis")
    ):
        return JournalStorage(JournalRedisBackend(url))
    if hint is None and os.path.isfile(url):
        with open(url, "rb") as file:
            if file.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER:
                return get_storage(f"sqlite:///{url}")
        hint = "JournalFileBackend"
    if hint in ("JournalFileBackend", "JournalFileStorage"):
        return JournalStorage(JournalFileBackend(url))
    try:
        return get_storage(url)
    except InvalidParameterTypeError:
        allowed = (
            "a URL sqlite:///path.db, postgresql://user:password@host/db or "
            "redis://host:port, or the path of an existing journal or SQLite file "
            "(--storage-class JournalFileBackend makes a new journal file)"
        )
        raise invalid("--storage", f"fastune {command}", allowed, redact(url)) from None
