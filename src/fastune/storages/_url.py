"""Storage URLs as they may be shown: never with their password."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastune._validation import check_number, invalid

__all__ = ["in_memory_sqlite", "redact", "sqlite_file"]

_PASSWORD = re.compile(r"(?<=://)([^:/@]+):([^@]*)@")


def redact(url: str) -> str:
    """``url`` with the password of ``user:password@`` replaced by ``***``."""
    return _PASSWORD.sub(r"\1:***@", url)


def in_memory_sqlite(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database (``sqlite:///:memory:`` or
    ``sqlite://``), which lives as long as its process: fastune keeps such a study in an
    :class:`~fastune.storages.InMemoryStorage`."""
    return url in ("sqlite://", "sqlite:///:memory:")


def sqlite_file(url: str, parameter: str, owner: str) -> tuple[str, float | None]:
    """The file path of a ``sqlite:///path.db`` URL and the ``timeout`` its query may
    give (``sqlite:///path.db?timeout=30``, as SQLAlchemy reads it).

    Raises:
        InvalidParameterError: no file path (or ``:memory:``), a query option other than
            ``timeout``, or a timeout that is not a number > 0.
    """
    path, _, query = url[len("sqlite:///") :].partition("?")
    if path in ("", ":memory:"):
        raise invalid(parameter, owner, "an SQLite URL with a file path", url)
    timeout = None
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key != "timeout":
            allowed = f"an SQLite URL whose only query option is timeout (got {key!r})"
            raise invalid(parameter, owner, allowed, url)
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        timeout = check_number(number, "timeout", f"the URL {url!r}", low=0.0, low_inclusive=False)
    return path, timeout
