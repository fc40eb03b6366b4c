"""``RDBStorage``, Optuna's name for a storage in a relational database: here it opens the
SQLite or PostgreSQL storage its URL names, so that Optuna programs that build one run."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastune._validation import check_number, invalid, invalid_type
from fastune.storages._in_memory import InMemoryStorage
from fastune.storages._postgresql import PostgreSQLStorage
from fastune.storages._sql import SQLStorage
from fastune.storages._sqlite import SQLiteStorage
from fastune.storages._url import in_memory_sqlite, redact, sqlite_file

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["RDBStorage"]

_SQLITE = "sqlite:///"
# SQLAlchemy names a driver after "+"; fastune speaks to PostgreSQL through psycopg 3.
_POSTGRESQL = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://")


class _AnySQLStorage(type):
    """``isinstance(storage, RDBStorage)`` holds for every SQL storage."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, SQLStorage)


class RDBStorage(metaclass=_AnySQLStorage):
    """The storage of a database URL, with Optuna's arguments: an :class:`SQLiteStorage`
    for ``sqlite:///path.db``, a :class:`PostgreSQLStorage` for ``postgresql://...``
    (also with SQLAlchemy's driver names ``postgresql+psycopg2://`` and
    ``postgresql+psycopg://``: fastune uses psycopg 3 for all of them), an
    :class:`InMemoryStorage` for an in-memory SQLite database (``sqlite:///:memory:``,
    ``sqlite://``: it would live as long as the process anyway).

    Args:
        url: The database URL.
        engine_kwargs: SQLAlchemy's engine options. fastune has no engine: only
            ``{"connect_args": {"timeout": seconds}}`` is used (how long a write waits for
            the database lock); other keys are ignored with a warning.
        skip_compatibility_check: Accepted for Optuna's programs; no effect (fastune
            creates or checks its own tables).
        heartbeat_interval: Seconds between heartbeats of a running trial; None: none. On
            an in-memory database it has no effect (a warning says so).
        grace_period: Seconds without a heartbeat before a running trial is failed
            (default: twice the interval).
        heartbeat_stale_trial_callback: Called with each trial failed that way, such as
            :class:`RetryHeartbeatStaleTrialCallback` (Optuna 5's name).
        failed_trial_callback: The same, by Optuna 4's name; give one of the two.
        skip_table_creation: Accepted for Optuna's programs; no effect.

    Raises:
        InvalidParameterError: a URL of another database (MySQL).
        InvalidParameterTypeError: ``url`` not a str, ``engine_kwargs`` not a mapping.

    Example:
        >>> import fastune, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "study.db")
        >>> storage = fastune.storages.RDBStorage(f"sqlite:///{path}", heartbeat_interval=60)
        >>> type(storage).__name__
        'SQLiteStorage'
    """

    def __new__(  # type: ignore[misc]
        cls,
        url: str,
        engine_kwargs: Mapping[str, Any] | None = None,
        skip_compatibility_check: bool = False,
        *,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        heartbeat_stale_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
        skip_table_creation: bool = False,
    ) -> SQLStorage | InMemoryStorage:
        owner = "RDBStorage"
        if not isinstance(url, str):
            raise invalid_type("url", owner, "a database URL (str)", url)
        if in_memory_sqlite(url):
            _timeout(engine_kwargs, owner)  # checked and warned about as for a file
            if heartbeat_interval is not None:
                # Optuna's own example of RetryFailedTrialCallback asks this: accepted, as
                # there, though no trial of a database that dies with its process can
                # outlive its heartbeat.
                check_number(
                    heartbeat_interval, "heartbeat_interval", owner, low=0.0, low_inclusive=False
                )
                warnings.warn(
                    f"RDBStorage: heartbeat_interval={heartbeat_interval!r} has no effect on "
                    f"the in-memory database {url!r}: its trials live and die with this "
                    "process, so none can be left running without a heartbeat.",
                    UserWarning,
                    stacklevel=2,
                )
            return InMemoryStorage()
        if heartbeat_stale_trial_callback is not None and failed_trial_callback is not None:
            raise invalid(
                "failed_trial_callback",
                owner,
                "None when heartbeat_stale_trial_callback is given (they are one callback)",
                failed_trial_callback,
            )
        options: dict[str, Any] = {
            "timeout": _timeout(engine_kwargs, owner),
            "heartbeat_interval": heartbeat_interval,
            "grace_period": grace_period,
            "failed_trial_callback": heartbeat_stale_trial_callback or failed_trial_callback,
        }
        if url.startswith(_SQLITE):
            path, timeout = sqlite_file(url, "url", owner)
            if timeout is not None and not _sets_timeout(engine_kwargs):
                options["timeout"] = timeout  # connect_args, when given, win (SQLAlchemy)
            return SQLiteStorage(path, **options)
        for prefix in _POSTGRESQL:
            if url.startswith(prefix):
                return PostgreSQLStorage("postgresql://" + url[len(prefix) :], **options)
        raise invalid(
            "url",
            owner,
            "'sqlite:///path.db' (a file) or 'postgresql://user:password@host/db' "
            "(other databases are not supported)",
            redact(url),
        )


def _timeout(engine_kwargs: Mapping[str, Any] | None, owner: str) -> float:
    """The write-lock timeout SQLAlchemy's ``connect_args`` give, else 60 s."""
    if engine_kwargs is None:
        return 60.0
    if not isinstance(engine_kwargs, Mapping):
        raise invalid_type("engine_kwargs", owner, "a mapping or None", engine_kwargs)
    connect_args = dict(engine_kwargs.get("connect_args") or {})
    ignored = sorted(
        [key for key in engine_kwargs if key != "connect_args"]
        + [f"connect_args.{key}" for key in connect_args if key != "timeout"]
    )
    if ignored:
        warnings.warn(
            f"RDBStorage ignores these engine_kwargs, which fastune has no use for: {ignored}.",
            UserWarning,
            stacklevel=3,
        )
    timeout = connect_args.get("timeout", 60.0)
    checked = check_number(timeout, "timeout", f"{owner} (engine_kwargs['connect_args'])", low=0.0)
    return float(checked if checked is not None else 60.0)


def _sets_timeout(engine_kwargs: Mapping[str, Any] | None) -> bool:
    if not engine_kwargs:
        return False
    return "timeout" in dict(engine_kwargs.get("connect_args") or {})
