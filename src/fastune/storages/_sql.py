"""The SQL storages' common part: schema, queries and the cache of finished trials.

Every write is one short transaction that holds the database's write lock from its
start (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so concurrent workers
take turns instead of failing, trial numbers and ids are handed out in commit order,
and a committed trial survives a crash of the process that wrote it. Finished trials
never change, so each process keeps the ones it has read and asks the database only for
new and unfinished trials: reading a long study costs what changed since the last read,
not the whole history.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastune._study_direction import StudyDirection
from fastune._validation import check_number, invalid_type
from fastune.distributions import (
    BaseDistribution,
    check_same_distribution,
    distribution_to_json,
    json_to_distribution,
)
from fastune.exceptions import (
    DuplicatedStudyError,
    FastuneError,
    StudyNotFoundError,
    TrialNotFoundError,
)
from fastune.storages._base import BaseStorage, finished_error, to_json
from fastune.trial._constraints import violation
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["SCHEMA_VERSION", "SQLStorage"]

SCHEMA_VERSION = 1
DEFAULT_STUDY_NAME_PREFIX = "no-name-"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS studies (
    study_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    directions TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS study_attrs (
    study_id INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (study_id, kind, key)
);
CREATE TABLE IF NOT EXISTS trials (
    trial_id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    state INTEGER NOT NULL,
    value0 REAL,
    objective_values TEXT,
    datetime_start TEXT,
    datetime_complete TEXT,
    heartbeat REAL,
    UNIQUE (study_id, number)
);
CREATE INDEX IF NOT EXISTS trials_by_state ON trials (study_id, state, value0);
CREATE TABLE IF NOT EXISTS trial_params (
    trial_id INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL,
    distribution TEXT NOT NULL, PRIMARY KEY (trial_id, name)
);
CREATE TABLE IF NOT EXISTS trial_steps (
    trial_id INTEGER NOT NULL, step INTEGER NOT NULL, value REAL,
    PRIMARY KEY (trial_id, step)
);
CREATE TABLE IF NOT EXISTS trial_attrs (
    trial_id INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (trial_id, kind, key)
);
"""
_STATES = list(TrialState)
_FINISHED = tuple(_STATES.index(s) for s in _STATES if s.is_finished())


class SQLStorage(BaseStorage):
    """The part of :class:`SQLiteStorage` and :class:`PostgreSQLStorage` that does not
    depend on the database. Subclasses open connections and take the write lock.

    Args (of both):
        timeout: Seconds a write waits for another worker's transaction to finish.
        heartbeat_interval: With it, each running trial records a heartbeat this often
            (seconds), and a trial whose heartbeat stopped (its worker was killed) is
            failed by the next worker that starts a trial.
        grace_period: Seconds without a heartbeat before a trial counts as dead
            (default: twice ``heartbeat_interval``).
        failed_trial_callback: Called as ``callback(study, trial)`` for each trial failed
            that way; :class:`RetryFailedTrialCallback` queues it again.

    Raises:
        FastuneError: the database holds another schema version.
    """

    #: Errors of a unique constraint, by driver.
    _integrity_errors: tuple[type[BaseException], ...] = ()
    #: Where the database is, as it may be shown (no password).
    where: str = ""
    #: An SQL expression of a ``trial_params`` row that orders a trial's parameters as
    #: they were written (SQLite's rowid); "0" keeps the order the database returns.
    _PARAM_ORDER: str = "rowid"

    def __init__(
        self,
        *,
        timeout: float = 60.0,
        heartbeat_interval: float | None = None,
        grace_period: float | None = None,
        failed_trial_callback: Callable[[Study, FrozenTrial], None] | None = None,
    ) -> None:
        owner = type(self).__name__
        self.timeout = timeout
        self.heartbeat_interval = check_number(
            heartbeat_interval,
            "heartbeat_interval",
            owner,
            low=0.0,
            low_inclusive=False,
            allow_none=True,
        )
        self.grace_period = check_number(
            grace_period, "grace_period", owner, low=0.0, low_inclusive=False, allow_none=True
        )
        # Optuna accepts both settings below: they warn here, and the code runs.
        interval, grace = self.heartbeat_interval, self.grace_period
        if grace is not None and interval is None:
            warnings.warn(
                f"{owner}: grace_period={grace_period!r} does nothing without "
                "heartbeat_interval (no trial records heartbeats).",
                UserWarning,
                stacklevel=3,
            )
        elif grace is not None and interval is not None and grace <= interval:
            warnings.warn(
                f"{owner}: grace_period={grace_period!r} is not longer than "
                f"heartbeat_interval={heartbeat_interval!r}: a live trial may be failed "
                "between two of its heartbeats.",
                UserWarning,
                stacklevel=3,
            )
        if failed_trial_callback is not None and not callable(failed_trial_callback):
            raise invalid_type(
                "failed_trial_callback",
                owner,
                "a callable(study, trial) or None",
                failed_trial_callback,
            )
        self.failed_trial_callback = failed_trial_callback
        self._local = threading.local()
        self._lock = threading.RLock()
        self._cache: dict[int, _StudyCache] = {}
        # (thread, its connection) for each live thread that used this storage.
        self._connections: list[tuple[threading.Thread, Any]] = []
        self._directions: dict[int, list[StudyDirection]] = {}

    def close(self) -> None:
        """Close every connection this storage opened (it reopens them when used)."""
        with self._lock:
            for _, connection in self._connections:
                connection.close()
            self._connections.clear()
            self._local = threading.local()

    def remove_session(self) -> None:
        """Close this thread's connection (Optuna's RDBStorage ends the thread's session
        here); the thread's next call opens another."""
        db = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._lock:
            self._connections = [(t, c) for t, c in self._connections if c is not db]
        db.close()

    def __del__(self) -> None:
        # Not close(): at interpreter exit the modules it uses (threading) may be torn
        # down already, and a storage being freed needs no fresh thread-local state.
        for _, connection in getattr(self, "_connections", ()):
            connection.close()

    def _options(self) -> dict[str, Any]:
        return {
            "timeout": self.timeout,
            "heartbeat_interval": self.heartbeat_interval,
            "grace_period": self.grace_period,
            "failed_trial_callback": self.failed_trial_callback,
        }

    # -- what a database must provide --------------------------------------------------

    def _connect(self) -> Any:
        """A new connection in autocommit mode whose ``execute`` takes ``?`` markers."""
        raise NotImplementedError

    def _begin(self, db: Any, exclusive: bool) -> None:
        """Start a write transaction; ``exclusive``: one that holds the database-wide
        write lock from its start (trial numbers, waiting trials, state changes)."""
        raise NotImplementedError

    def _schema(self) -> list[str]:
        """The statements that create the tables (idempotent)."""
        return [statement for statement in _SCHEMA.split(";") if statement.strip()]

    def _upsert(self, db: Any, table: str, row: tuple[Any, ...]) -> None:
        """Insert ``row`` into ``table``, replacing the row with the same key."""
        marks = ", ".join("?" * len(row))
        db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", row)

    # -- connection ------------------------------------------------------------------

    def _db(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
            with self._lock:
                # Threads come and go (a heartbeat thread per trial, the threads of
                # optimize(n_jobs=k)): the connections of those that ended are closed
                # now, not kept open until close().
                kept = []
                for thread, connection in self._connections:
                    if thread.is_alive():
                        kept.append((thread, connection))
                    else:
                        connection.close()
                kept.append((threading.current_thread(), db))
                self._connections = kept
        return db

    @contextmanager
    def _write(self, exclusive: bool = True) -> Iterator[Any]:
        """One write transaction. An exclusive one holds the write lock from its start, so
        that what it reads cannot change before it writes; the others (a parameter, a
        report, an attribute of one running trial) only need their row."""
        db = self._db()
        if not exclusive:  # each statement commits on its own: fewer round trips
            yield db
            return
        self._begin(db, exclusive)
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _create_schema(self) -> None:
        # Optuna pointed at a database of fastune's adds its own tables (alembic_version
        # among them) beside fastune's: the database stays fastune's. Only one without
        # fastune's schema and with Optuna's is Optuna's.
        if not self._has_table("meta") and self._has_table("alembic_version"):
            raise FastuneError(
                f"The database {self.where} was written by Optuna (it has Optuna's "
                "alembic_version table): fastune keeps its studies in tables of its own and "
                "cannot read or extend Optuna's; give fastune a database of its own."
            )
        with self._write() as db:
            for statement in self._schema():
                db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) != SCHEMA_VERSION:
                raise FastuneError(
                    f"The database {self.where} has schema version {row[0]}; this fastune "
                    f"reads version {SCHEMA_VERSION}."
                )

    # Optuna's RDBStorage methods about the schema's version: fastune's schema has had one
    # version so far, and a database of another is refused when opened.

    def get_current_version(self) -> str:
        """The schema version of the database."""
        row = self._db().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return str(row[0])

    def get_head_version(self) -> str:
        """The schema version this fastune writes."""
        return str(SCHEMA_VERSION)

    def get_all_versions(self) -> list[str]:
        """Every schema version fastune has had, newest first."""
        return [str(version) for version in range(SCHEMA_VERSION, 0, -1)]

    def upgrade(self) -> None:
        """Bring the database to the head version: nothing to do while there is one."""

    def get_heartbeat_interval(self) -> float | None:
        """Seconds between heartbeats of a running trial, None without heartbeats."""
        return self.heartbeat_interval

    def get_heartbeat_stale_trial_callback(
        self,
    ) -> Callable[[Study, FrozenTrial], None] | None:
        """The callback called for each trial failed for a stopped heartbeat."""
        return self.failed_trial_callback

    def get_failed_trial_callback(self) -> Callable[[Study, FrozenTrial], None] | None:
        """Optuna 4's name of :meth:`get_heartbeat_stale_trial_callback`."""
        return self.failed_trial_callback

    def _has_table(self, table: str) -> bool:
        """Whether the database has ``table`` (a probe outside any transaction: the query
        fails, harmlessly, where the table does not exist)."""
        try:
            self._db().execute(f"SELECT 1 FROM {table} LIMIT 1")
        except Exception:  # the error class is the driver's: no such table
            return False
        return True

    # -- studies ---------------------------------------------------------------------

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        name = (
            study_name if study_name is not None else DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        )
        encoded = json.dumps([d.name for d in directions])
        try:
            with self._write() as db:
                (study_id,) = db.execute(
                    "INSERT INTO studies (name, directions) VALUES (?, ?) RETURNING study_id",
                    (name, encoded),
                ).fetchone()
        except self._integrity_errors:
            raise DuplicatedStudyError(f"A study named {name!r} already exists.") from None
        return int(study_id)

    def delete_study(self, study_id: int) -> None:
        with self._write() as db:
            self._check_study(db, study_id)
            trials = "SELECT trial_id FROM trials WHERE study_id = ?"
            for table in ("trial_params", "trial_steps", "trial_attrs"):
                db.execute(f"DELETE FROM {table} WHERE trial_id IN ({trials})", (study_id,))
            db.execute("DELETE FROM trials WHERE study_id = ?", (study_id,))
            db.execute("DELETE FROM study_attrs WHERE study_id = ?", (study_id,))
            db.execute("DELETE FROM studies WHERE study_id = ?", (study_id,))
        self._cache.pop(study_id, None)
        self._directions.pop(study_id, None)

    def get_study_id_from_name(self, study_name: str) -> int:
        row = (
            self._db()
            .execute("SELECT study_id FROM studies WHERE name = ?", (study_name,))
            .fetchone()
        )
        if row is None:
            raise StudyNotFoundError(f"No study named {study_name!r} in this storage.")
        return int(row[0])

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._study_row(study_id)[0])

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        directions = self._directions.get(study_id)
        if directions is None:  # they never change: read once
            row = self._study_row(study_id)[1]
            directions = self._directions[study_id] = [StudyDirection[n] for n in json.loads(row)]
        return list(directions)

    def get_all_study_names(self) -> list[str]:
        rows = self._db().execute("SELECT name FROM studies ORDER BY study_id").fetchall()
        return [row[0] for row in rows]

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, "user", key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(study_id, "system", key, value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(study_id, "user")

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(study_id, "system")

    def _set_study_attr(self, study_id: int, kind: str, key: str, value: Any) -> None:
        encoded = to_json(value, f"set_{kind}_attr({key!r})")
        with self._write(exclusive=False) as db:
            self._check_study(db, study_id)
            self._upsert(db, "study_attrs", (study_id, kind, key, encoded))

    def _study_attrs(self, study_id: int, kind: str) -> dict[str, Any]:
        db = self._db()
        self._check_study(db, study_id)
        rows = db.execute(
            "SELECT key, value FROM study_attrs WHERE study_id = ? AND kind = ?", (study_id, kind)
        ).fetchall()
        return {key: json.loads(value) for key, value in rows}

    def _study_row(self, study_id: int) -> tuple[str, str]:
        row = (
            self._db()
            .execute("SELECT name, directions FROM studies WHERE study_id = ?", (study_id,))
            .fetchone()
        )
        if row is None:
            raise StudyNotFoundError(f"No study with id {study_id} in this storage.")
        return row[0], row[1]

    def _forget_if_deleted(self, db: Any, study_id: int) -> None:
        """Raise StudyNotFoundError, dropping what is kept of the study, if another storage
        object or process deleted it."""
        try:
            self._check_study(db, study_id)
        except StudyNotFoundError:
            self._cache.pop(study_id, None)
            self._directions.pop(study_id, None)
            raise

    @staticmethod
    def _check_study(db: Any, study_id: int) -> None:
        if db.execute("SELECT 1 FROM studies WHERE study_id = ?", (study_id,)).fetchone() is None:
            raise StudyNotFoundError(f"No study with id {study_id} in this storage.")

    # -- trials ----------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        now = datetime.datetime.now()
        with self._write() as db:
            self._check_study(db, study_id)
            # Inside the write lock no other process can take the same number.
            (last,) = db.execute(
                "SELECT MAX(number) FROM trials WHERE study_id = ?", (study_id,)
            ).fetchone()
            number = 0 if last is None else last + 1
            if template_trial is None:
                (new_id,) = db.execute(
                    "INSERT INTO trials (study_id, number, state, datetime_start) "
                    "VALUES (?, ?, ?, ?) RETURNING trial_id",
                    (study_id, number, _STATES.index(TrialState.RUNNING), now.isoformat()),
                ).fetchone()
                return int(new_id)
            t = template_trial
            values = t.values
            (trial_id,) = db.execute(
                "INSERT INTO trials (study_id, number, state, value0, objective_values, "
                "datetime_start, datetime_complete) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "RETURNING trial_id",
                (
                    study_id,
                    number,
                    _STATES.index(t.state),
                    _real(values[0]) if values else None,
                    json.dumps([_json_float(v) for v in values]) if values is not None else None,
                    _iso(t.datetime_start),
                    _iso(t.datetime_complete),
                ),
            ).fetchone()
            for name, dist in t.distributions.items():
                db.execute(
                    "INSERT INTO trial_params VALUES (?, ?, ?, ?)",
                    (
                        trial_id,
                        name,
                        dist.to_internal_repr(t.params[name]),
                        distribution_to_json(dist),
                    ),
                )
            for step, value in t.intermediate_values.items():
                db.execute(
                    "INSERT INTO trial_steps VALUES (?, ?, ?)", (trial_id, step, _real(value))
                )
            for kind, attrs in (("user", t.user_attrs), ("system", t.system_attrs)):
                for key, value in attrs.items():
                    db.execute(
                        "INSERT INTO trial_attrs VALUES (?, ?, ?, ?)",
                        (trial_id, kind, key, to_json(value, f"{kind}_attrs")),
                    )
            return trial_id

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        with self._write(exclusive=False) as db:
            # The trial's state and the parameter's earlier distribution in one query.
            row = db.execute(
                "SELECT t.state, t.number, p.distribution FROM trials t LEFT JOIN "
                "trial_params p ON p.trial_id = t.trial_id AND p.name = ? WHERE t.trial_id = ?",
                (param_name, trial_id),
            ).fetchone()
            _check_row_updatable(row, trial_id)
            if row[2] is not None:
                check_same_distribution(param_name, json_to_distribution(row[2]), distribution)
            self._upsert(
                db,
                "trial_params",
                (
                    trial_id,
                    param_name,
                    float(param_value_internal),
                    distribution_to_json(distribution),
                ),
            )

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        now = datetime.datetime.now().isoformat()
        with self._write() as db:
            current = self._check_updatable(db, trial_id)
            if state == TrialState.RUNNING:
                if current != TrialState.WAITING:
                    return False
                db.execute(
                    "UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?",
                    (_STATES.index(state), now, trial_id),
                )
                return True
            assignments = ["state = ?"]
            arguments: list[Any] = [_STATES.index(state)]
            if values is not None:
                floats = [float(v) for v in values]
                assignments += ["value0 = ?", "objective_values = ?"]
                arguments += [
                    _real(floats[0]) if floats else None,
                    json.dumps([_json_float(v) for v in floats]),
                ]
            if state.is_finished():
                assignments.append("datetime_complete = ?")
                arguments.append(now)
            db.execute(
                f"UPDATE trials SET {', '.join(assignments)} WHERE trial_id = ?",
                (*arguments, trial_id),
            )
            return True

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        with self._write(exclusive=False) as db:
            self._check_updatable(db, trial_id)
            self._upsert(db, "trial_steps", (trial_id, step, _real(intermediate_value)))

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr(trial_id, "user", key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr(trial_id, "system", key, value)

    def _set_trial_attr(self, trial_id: int, kind: str, key: str, value: Any) -> None:
        encoded = to_json(value, f"set_{kind}_attr({key!r})")
        with self._write(exclusive=False) as db:
            self._check_updatable(db, trial_id)
            self._upsert(db, "trial_attrs", (trial_id, kind, key, encoded))

    def get_trial(self, trial_id: int) -> FrozenTrial:
        trials = self._load(self._db(), [trial_id])
        if not trials:
            raise TrialNotFoundError(f"No trial with id {trial_id} in this storage.")
        return trials[0]

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        with self._lock:
            trials = self._refresh(study_id)
        if states is not None:
            trials = [t for t in trials if t.state in states]
        return copy.deepcopy(trials) if deepcopy else list(trials)

    def get_n_trials(
        self, study_id: int, state: TrialState | Container[TrialState] | None = None
    ) -> int:
        db = self._db()
        self._check_study(db, study_id)
        if state is None:
            (count,) = db.execute(
                "SELECT COUNT(*) FROM trials WHERE study_id = ?", (study_id,)
            ).fetchone()
            return int(count)
        return super().get_n_trials(study_id, state)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            return super().get_best_trial(study_id)  # raises the right error
        order = "DESC" if directions[0] == StudyDirection.MAXIMIZE else "ASC"
        row = (
            self._db()
            .execute(
                f"SELECT trial_id FROM trials WHERE study_id = ? AND state = ? "
                f"AND value0 IS NOT NULL ORDER BY value0 {order}, number LIMIT 1",
                (study_id, _STATES.index(TrialState.COMPLETE)),
            )
            .fetchone()
        )
        if row is None:
            self._forget_if_deleted(self._db(), study_id)
            raise ValueError("No trials are completed yet.")
        best = self.get_trial(int(row[0]))
        if violation(best.system_attrs) > 0:  # it breaks a constraint: the feasible best
            return super().get_best_trial(study_id)
        return best

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        row = (
            self._db()
            .execute(
                "SELECT trial_id FROM trials WHERE study_id = ? AND number = ?",
                (study_id, trial_number),
            )
            .fetchone()
        )
        if row is None:
            raise self._no_trial_number(study_id, trial_number)
        return int(row[0])

    def pop_waiting_trial_id(self, study_id: int) -> int | None:
        waiting = _STATES.index(TrialState.WAITING)
        # '+number': without it SQLite walks the (study, number) index through every trial
        # to find the smallest waiting one, instead of looking up the waiting ones.
        query = "SELECT MIN(+number) FROM trials WHERE study_id = ? AND state = ?"
        if self._db().execute(query, (study_id, waiting)).fetchone()[0] is None:
            return None  # the usual case, answered without taking the write lock
        now = datetime.datetime.now().isoformat()
        with self._write() as db:
            (number,) = db.execute(query, (study_id, waiting)).fetchone()
            if number is None:  # another process took the last one meanwhile
                return None
            (trial_id,) = db.execute(
                "SELECT trial_id FROM trials WHERE study_id = ? AND number = ?", (study_id, number)
            ).fetchone()
            db.execute(
                "UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?",
                (_STATES.index(TrialState.RUNNING), now, trial_id),
            )
            return int(trial_id)

    # -- heartbeats ------------------------------------------------------------------

    def record_heartbeat(self, trial_id: int) -> None:
        with self._write(exclusive=False) as db:
            db.execute(
                "UPDATE trials SET heartbeat = ? WHERE trial_id = ?", (time.time(), trial_id)
            )

    def fail_stale_trials(self, study_id: int) -> list[int]:
        if self.heartbeat_interval is None:
            return []
        grace = self.grace_period if self.grace_period is not None else 2 * self.heartbeat_interval
        running = _STATES.index(TrialState.RUNNING)
        query = (
            "SELECT trial_id FROM trials WHERE study_id = ? AND state = ? "
            "AND heartbeat IS NOT NULL AND heartbeat < ?"
        )
        arguments = (study_id, running, time.time() - grace)
        if not self._db().execute(query, arguments).fetchall():
            return []  # the usual case, answered without the write lock
        now = datetime.datetime.now().isoformat()
        with self._write() as db:
            stale = [row[0] for row in db.execute(query, arguments).fetchall()]
            for trial_id in stale:
                db.execute(
                    "UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?",
                    (_STATES.index(TrialState.FAIL), now, trial_id),
                )
                reason = json.dumps("its worker stopped sending heartbeats")
                self._upsert(db, "trial_attrs", (trial_id, "system", "fail_reason", reason))
        return stale

    # -- reading trials --------------------------------------------------------------

    def _check_updatable(self, db: Any, trial_id: int) -> TrialState:
        row = db.execute(
            "SELECT state, number FROM trials WHERE trial_id = ?", (trial_id,)
        ).fetchone()
        return _check_row_updatable(row, trial_id)

    def _refresh(self, study_id: int) -> list[FrozenTrial]:
        """The study's trials: cached finished ones, plus new and unfinished ones read now."""
        db = self._db()
        cache = self._cache.get(study_id)
        if cache is None:
            self._check_study(db, study_id)
            cache = self._cache[study_id] = _StudyCache()
        # The new trials' ids, and -1 if the study is gone (deleted by another object or
        # process since it was cached), in one round trip.
        new = db.execute(
            "SELECT trial_id FROM trials WHERE study_id = ? AND trial_id > ? UNION ALL "
            "SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM studies WHERE study_id = ?)",
            (study_id, cache.max_trial_id, study_id),
        ).fetchall()
        if (-1,) in new:
            self._forget_if_deleted(db, study_id)
        ids = [row[0] for row in new] + sorted(cache.unfinished)
        if ids:
            appended = True
            for trial in self._load(db, ids):
                known = trial.number in cache.trials
                cache.trials[trial.number] = trial
                if known:  # a refreshed unfinished trial takes its old place
                    cache.ordered[trial.number] = trial
                elif trial.number == len(cache.ordered):
                    cache.ordered.append(trial)
                else:
                    appended = False
                if trial.state.is_finished():
                    cache.unfinished.discard(trial._trial_id)
                else:
                    cache.unfinished.add(trial._trial_id)
                cache.max_trial_id = max(cache.max_trial_id, trial._trial_id)
            if not appended:  # numbers arrived out of order: sort once
                cache.ordered = [cache.trials[n] for n in sorted(cache.trials)]
        return cache.ordered

    def _load(self, db: Any, trial_ids: list[int]) -> list[FrozenTrial]:
        """Full records of ``trial_ids`` (those that exist), read in one query per table."""
        trials = []
        for start in range(0, len(trial_ids), 300):  # 3 x 300 bound variables at most
            chunk = trial_ids[start : start + 300]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                "SELECT trial_id, number, state, objective_values, datetime_start, "
                f"datetime_complete FROM trials WHERE trial_id IN ({marks})",
                chunk,
            ).fetchall()
            parts: dict[int, dict[str, Any]] = {
                row[0]: {"params": [], "steps": {}, "user": {}, "system": {}} for row in rows
            }
            # Parameters, reports and attributes of these trials in one query; parameters
            # with the position they were written in.
            children = db.execute(
                f"SELECT trial_id, 'param', name, value, distribution, {self._PARAM_ORDER} "
                f"FROM trial_params WHERE trial_id IN ({marks}) UNION ALL "
                "SELECT trial_id, 'step', CAST(step AS TEXT), value, NULL, 0 FROM trial_steps "
                f"WHERE trial_id IN ({marks}) UNION ALL "
                "SELECT trial_id, kind, key, NULL, value, 0 FROM trial_attrs "
                f"WHERE trial_id IN ({marks})",
                [*chunk, *chunk, *chunk],
            )
            for trial_id, kind, name, value, text, position in children:
                part = parts[trial_id]
                if kind == "param":
                    part["params"].append((position, name, value, text))
                elif kind == "step":
                    part["steps"][int(name)] = math.nan if value is None else value
                else:
                    part[kind][name] = json.loads(text)
            for trial_id, number, state, values, start_, complete in rows:
                part = parts[trial_id]
                distributions = {}
                params = {}
                for _, name, value, text in sorted(part["params"], key=lambda p: p[0]):
                    distributions[name] = json_to_distribution(text)
                    params[name] = distributions[name].to_external_repr(value)
                trials.append(
                    FrozenTrial(
                        number=number,
                        state=_STATES[state],
                        value=None,
                        values=None if values is None else [float(v) for v in json.loads(values)],
                        datetime_start=_parse(start_),
                        datetime_complete=_parse(complete),
                        params=params,
                        distributions=distributions,
                        user_attrs=part["user"],
                        system_attrs=part["system"],
                        intermediate_values=dict(sorted(part["steps"].items())),
                        trial_id=trial_id,
                    )
                )
        return sorted(trials, key=lambda t: t.number)


def _check_row_updatable(row: Any, trial_id: int) -> TrialState:
    """The state of a trial row (state, number, ...), if it may still change."""
    if row is None:
        raise TrialNotFoundError(f"No trial with id {trial_id} in this storage.")
    state = _STATES[row[0]]
    if state.is_finished():
        raise finished_error(row[1], state)
    return state


class _StudyCache:
    """What one process has read of a study: finished trials never change."""

    def __init__(self) -> None:
        self.trials: dict[int, FrozenTrial] = {}
        self.ordered: list[FrozenTrial] = []
        self.unfinished: set[int] = set()
        self.max_trial_id = 0


def _real(value: float) -> float | None:
    """SQLite stores NaN as NULL; this makes that explicit."""
    value = float(value)
    return None if math.isnan(value) else value


def _json_float(value: float) -> float | str:
    return value if math.isfinite(value) else repr(value)  # 'inf', '-inf', 'nan'


def _iso(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _parse(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)
