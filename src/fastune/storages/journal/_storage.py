"""A storage whose state is the replay of an append-only log of operations."""

from __future__ import annotations

import copy
import datetime
import os
import pickle
import threading
import uuid
from collections.abc import Callable, Container, Sequence
from typing import Any, ClassVar

from fastune._study_direction import StudyDirection
from fastune._transient import Transient
from fastune._validation import invalid_type
from fastune.distributions import BaseDistribution, distribution_to_json, json_to_distribution
from fastune.exceptions import (
    DuplicatedStudyError,
    FastuneError,
    StorageInternalError,
    UpdateFinishedTrialError,
)
from fastune.storages._base import BaseStorage, to_json
from fastune.storages._in_memory import DEFAULT_STUDY_NAME_PREFIX, InMemoryStorage
from fastune.storages.journal._backend import BaseJournalBackend, BaseJournalSnapshot
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState
from fastune.version import __version__

__all__ = ["SNAPSHOT_INTERVAL", "JournalStorage"]

#: Entries between two snapshots, on a backend that keeps them: the worker whose entry
#: lands at a multiple of it saves one, so there is one save per this many entries.
SNAPSHOT_INTERVAL = 1000
# What a snapshot says it is: one of another format or fastune version is not used.
_SNAPSHOT_FORMAT = ("fastune-journal-snapshot", 1, __version__)


class JournalStorage(Transient, BaseStorage):
    """Keeps every change to the studies as an entry of a shared log (a journal), and each
    worker's view as the replay of that log in its own memory.

    Any number of processes, on one machine or on machines that share a file system,
    may open the same journal: each write is appended as one entry, and every worker
    replays the entries in the log's order, so all of them agree on study and trial ids,
    trial numbers and which of two workers started an enqueued trial (the first entry
    wins; the other worker's is replayed as refused, and that worker gets the refusal).
    Reads replay the entries added since the last read, then answer from memory, so a
    read costs a file size check when nothing changed.

    On a backend that keeps snapshots (a
    :class:`~fastune.storages.journal.BaseJournalSnapshot`, such as
    :class:`~fastune.storages.journal.JournalRedisBackend`), the worker whose entry lands
    at a multiple of ``SNAPSHOT_INTERVAL`` (1,000) saves the state replayed so far, and a
    new storage object starts from the newest snapshot and replays only the entries after
    it. A snapshot is a pickle: give only trusted workers write access to the store. One
    of another fastune version, or that cannot be read, is passed over (the whole log is
    replayed).

    Values kept in attributes must be JSON-serializable. Heartbeats (and so the failing of
    trials whose worker died) are not supported, as in Optuna's journal storage.

    Args:
        log_storage: Where the log lives: a
            :class:`~fastune.storages.journal.JournalFileBackend`, or any
            :class:`~fastune.storages.journal.BaseJournalBackend`.

    Raises:
        InvalidParameterTypeError: ``log_storage`` is not a journal backend.

    Example:
        >>> import fastune, tempfile
        >>> from fastune.storages import JournalStorage
        >>> from fastune.storages.journal import JournalFileBackend
        >>> path = tempfile.mkdtemp() + "/journal.log"
        >>> study = fastune.create_study(storage=JournalStorage(JournalFileBackend(path)))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> len(JournalStorage(JournalFileBackend(path)).get_all_trials(study._study_id))
        5
    """

    # A copy writes as a worker of its own: a new id, no outcomes of the original's writes
    # (a forked process gets its own by _own_worker).
    _transient: ClassVar[dict[str, Any]] = {
        "_lock": threading.RLock,
        "_worker": lambda: uuid.uuid4().hex,
        "_pid": os.getpid,
        "_outcomes": dict,
    }

    def __init__(self, log_storage: BaseJournalBackend) -> None:
        if not isinstance(log_storage, BaseJournalBackend):
            raise invalid_type(
                "log_storage",
                "JournalStorage",
                "a journal backend such as fastune.storages.journal.JournalFileBackend(path)",
                log_storage,
            )
        self._backend = log_storage
        self._replica = InMemoryStorage()
        self._n_read = 0  # entries of the log replayed so far
        self._worker = uuid.uuid4().hex
        self._pid = os.getpid()
        self._n_written = 0  # entries this object appended
        self._outcomes: dict[int, Any] = {}  # entry number of this worker -> its result
        self._lock = threading.RLock()
        self._snapshot_due = False  # this worker's entry landed at a snapshot's place
        if isinstance(log_storage, BaseJournalSnapshot):
            self._restore(log_storage.load_snapshot())

    # -- the log ------------------------------------------------------------------------

    def _own_worker(self) -> None:
        """A process forked from the one that made this object writes as a worker of its
        own: with the parent's id, each would take the other's outcomes for its own."""
        if self._pid != os.getpid():
            self._pid, self._worker, self._outcomes = os.getpid(), uuid.uuid4().hex, {}

    def _sync(self) -> None:
        """Replay the entries appended since the last replay."""
        self._own_worker()
        for entry in self._backend.read_logs(self._n_read):
            if not isinstance(entry, dict) or entry.get("op") not in _REPLAY:
                raise StorageInternalError(
                    f"Entry {self._n_read} of the journal is not an operation of fastune's "
                    f"journal storage (a journal written by another library?): {entry!r:.200}"
                )
            outcome = self._replay(entry)
            self._n_read += 1
            if entry.get("worker") == self._worker:
                self._outcomes[entry["seq"]] = outcome
                self._snapshot_due |= self._n_read % SNAPSHOT_INTERVAL == 0

    def _write(self, op: str, **fields: Any) -> Any:
        """Append one entry, replay the log up to it, and return its result (or raise the
        error its replay gave)."""
        with self._lock:
            self._own_worker()
            self._n_written += 1
            seq = self._n_written
            self._backend.append_logs([{"op": op, "worker": self._worker, "seq": seq, **fields}])
            self._sync()
            outcome = self._outcomes.pop(seq)
            if self._snapshot_due and isinstance(self._backend, BaseJournalSnapshot):
                self._snapshot_due = False
                state = (_SNAPSHOT_FORMAT, self._n_read, self._replica)
                self._backend.save_snapshot(pickle.dumps(state))
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _restore(self, snapshot: bytes | None) -> None:
        """Start from ``snapshot`` (from :meth:`_write`) if it is one this fastune
        wrote; otherwise from the empty state, to replay the whole log."""
        if snapshot is None:
            return
        try:
            kind, n_read, replica = pickle.loads(snapshot)
        except Exception:  # not a snapshot of this format: the log is replayed instead
            return
        if kind == _SNAPSHOT_FORMAT and isinstance(replica, InMemoryStorage):
            self._n_read, self._replica = int(n_read), replica

    def _replay(self, entry: dict[str, Any]) -> Any:
        """Apply one entry to the replica: its result, or the error that refused it (the
        same on every worker, since it depends on the earlier entries only)."""
        try:
            return _REPLAY[entry["op"]](self._replica, entry)
        except FastuneError as error:
            return error
        except Exception as error:  # a malformed entry: refused alike on every worker
            return StorageInternalError(
                f"Journal entry {self._n_read} ({entry['op']}) could not be applied: {error!r}"
            )

    def _read(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._sync()
            return method(*args, **kwargs)

    @property
    def _identity(self) -> str:
        return self._backend._identity or super()._identity

    # -- studies ------------------------------------------------------------------------

    def create_new_study(
        self, directions: Sequence[StudyDirection], study_name: str | None = None
    ) -> int:
        if study_name is None:
            study_name = DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        if study_name in self.get_all_study_names():
            raise DuplicatedStudyError(f"A study named {study_name!r} already exists.")
        names = [StudyDirection(d).name for d in directions]
        return int(self._write("create_study", name=study_name, directions=names))

    def delete_study(self, study_id: int) -> None:
        self._read(self._replica.get_study_name_from_id, study_id)  # unknown id: the error
        self._write("delete_study", study_id=study_id)

    def get_study_id_from_name(self, study_name: str) -> int:
        return int(self._read(self._replica.get_study_id_from_name, study_name))

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._read(self._replica.get_study_name_from_id, study_id))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return list(self._read(self._replica.get_study_directions, study_id))

    def get_all_study_names(self) -> list[str]:
        return list(self._read(self._replica.get_all_study_names))

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._read(self._replica.get_study_name_from_id, study_id)
        to_json(value, f"set_user_attr({key!r})")
        self._write("study_attr", study_id=study_id, kind="user", key=key, value=value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._read(self._replica.get_study_name_from_id, study_id)
        to_json(value, f"set_system_attr({key!r})")
        self._write("study_attr", study_id=study_id, kind="system", key=key, value=value)

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._read(self._replica.get_study_user_attrs, study_id))

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return dict(self._read(self._replica.get_study_system_attrs, study_id))

    # -- trials -------------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        self._read(self._replica.get_study_name_from_id, study_id)
        if template_trial is None:
            return int(self._write("create_trial", study_id=study_id, start=_now()))
        template = _trial_to_json(template_trial)
        return int(self._write("create_trial", study_id=study_id, template=template))

    def set_trial_param(
        self,
        trial_id: int,
        param_name: str,
        param_value_internal: float,
        distribution: BaseDistribution,
    ) -> None:
        self._check_updatable(trial_id)
        self._write(
            "param",
            trial_id=trial_id,
            name=param_name,
            value=float(param_value_internal),
            distribution=distribution_to_json(distribution),
        )

    def set_trial_state_values(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None = None
    ) -> bool:
        self._check_updatable(trial_id)
        floats = None if values is None else [float(v) for v in values]
        return bool(
            self._write("state", trial_id=trial_id, state=state.name, values=floats, at=_now())
        )

    def set_trial_intermediate_value(
        self, trial_id: int, step: int, intermediate_value: float
    ) -> None:
        self._check_updatable(trial_id)
        self._write("report", trial_id=trial_id, step=int(step), value=float(intermediate_value))

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._check_updatable(trial_id)
        to_json(value, f"set_user_attr({key!r})")
        self._write("trial_attr", trial_id=trial_id, kind="user", key=key, value=value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._check_updatable(trial_id)
        to_json(value, f"set_system_attr({key!r})")
        self._write("trial_attr", trial_id=trial_id, kind="system", key=key, value=value)

    def get_trial(self, trial_id: int) -> FrozenTrial:
        trial: FrozenTrial = self._read(self._replica.get_trial, trial_id)
        return trial

    def get_all_trials(
        self,
        study_id: int,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        return list(self._read(self._replica.get_all_trials, study_id, deepcopy, states))

    def get_n_trials(
        self, study_id: int, state: TrialState | Container[TrialState] | None = None
    ) -> int:
        return int(self._read(self._replica.get_n_trials, study_id, state))

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        trial: FrozenTrial = self._read(self._replica.get_best_trial, study_id)
        return trial

    def pop_waiting_trial_id(self, study_id: int) -> int | None:
        """The oldest WAITING trial, moved to RUNNING, from the replica's queue (no scan
        of the trials). Another worker may start, or start and finish, that trial between
        the read and the write: the start is then refused, and the next waiting trial is
        tried."""
        while True:
            with self._lock:
                self._sync()
                waiting = self._replica._study(study_id).waiting
                if not waiting:
                    return None
                trial_id = waiting[0]
            try:
                if self.set_trial_state_values(trial_id, TrialState.RUNNING):
                    return trial_id
            except UpdateFinishedTrialError:
                pass  # another worker started and finished it meanwhile: the next one

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        return int(
            self._read(
                self._replica.get_trial_id_from_study_id_trial_number, study_id, trial_number
            )
        )

    def _check_updatable(self, trial_id: int) -> None:
        """Refuse at once what the replay would refuse now (an unknown or finished trial),
        without growing the log; the replay still decides when workers race."""
        self._read(self._replica._updatable_trial, trial_id)


# -- replaying entries on the replica (an InMemoryStorage) --------------------------------


def _create_study(replica: InMemoryStorage, entry: dict[str, Any]) -> int:
    directions = [StudyDirection[name] for name in entry["directions"]]
    return replica.create_new_study(directions, entry["name"])


def _delete_study(replica: InMemoryStorage, entry: dict[str, Any]) -> None:
    replica.delete_study(entry["study_id"])


def _study_attr(replica: InMemoryStorage, entry: dict[str, Any]) -> None:
    setter = (
        replica.set_study_user_attr if entry["kind"] == "user" else replica.set_study_system_attr
    )
    setter(entry["study_id"], entry["key"], entry["value"])


def _create_trial(replica: InMemoryStorage, entry: dict[str, Any]) -> int:
    template = entry.get("template")
    if template is None:
        trial_id = replica.create_new_trial(entry["study_id"])
        replica._trial(trial_id).datetime_start = _parse(entry["start"])
        return trial_id
    return replica.create_new_trial(entry["study_id"], _trial_from_json(template))


def _param(replica: InMemoryStorage, entry: dict[str, Any]) -> None:
    distribution = json_to_distribution(entry["distribution"])
    replica.set_trial_param(entry["trial_id"], entry["name"], entry["value"], distribution)


def _state(replica: InMemoryStorage, entry: dict[str, Any]) -> bool:
    state = TrialState[entry["state"]]
    changed = replica.set_trial_state_values(entry["trial_id"], state, entry["values"])
    if changed:
        trial = replica._trial(entry["trial_id"])
        if state == TrialState.RUNNING:
            trial.datetime_start = _parse(entry["at"])
        if state.is_finished():
            trial.datetime_complete = _parse(entry["at"])
    return changed


def _report(replica: InMemoryStorage, entry: dict[str, Any]) -> None:
    replica.set_trial_intermediate_value(entry["trial_id"], entry["step"], entry["value"])


def _trial_attr(replica: InMemoryStorage, entry: dict[str, Any]) -> None:
    setter = (
        replica.set_trial_user_attr if entry["kind"] == "user" else replica.set_trial_system_attr
    )
    setter(entry["trial_id"], entry["key"], entry["value"])


_REPLAY: dict[str, Callable[[InMemoryStorage, dict[str, Any]], Any]] = {
    "create_study": _create_study,
    "delete_study": _delete_study,
    "study_attr": _study_attr,
    "create_trial": _create_trial,
    "param": _param,
    "state": _state,
    "report": _report,
    "trial_attr": _trial_attr,
}


# -- helpers ------------------------------------------------------------------------------


def _now() -> str:
    return datetime.datetime.now().isoformat()


def _parse(text: str | None) -> datetime.datetime | None:
    return None if text is None else datetime.datetime.fromisoformat(text)


def _trial_to_json(trial: FrozenTrial) -> dict[str, Any]:
    for where, attrs in (("user_attrs", trial.user_attrs), ("system_attrs", trial.system_attrs)):
        to_json(attrs, f"create_new_trial (template_trial.{where})")
    return {
        "state": trial.state.name,
        "values": trial.values,
        "start": None if trial.datetime_start is None else trial.datetime_start.isoformat(),
        "complete": None
        if trial.datetime_complete is None
        else trial.datetime_complete.isoformat(),
        "params": {
            name: [dist.to_internal_repr(trial.params[name]), distribution_to_json(dist)]
            for name, dist in trial.distributions.items()
        },
        "user_attrs": trial.user_attrs,
        "system_attrs": trial.system_attrs,
        "intermediate": [[int(step), float(v)] for step, v in trial.intermediate_values.items()],
    }


def _trial_from_json(record: dict[str, Any]) -> FrozenTrial:
    distributions = {name: json_to_distribution(d) for name, (_, d) in record["params"].items()}
    return FrozenTrial(
        number=0,
        state=TrialState[record["state"]],
        value=None,
        values=record["values"],
        datetime_start=_parse(record["start"]),
        datetime_complete=_parse(record["complete"]),
        params={
            name: distributions[name].to_external_repr(internal)
            for name, (internal, _) in record["params"].items()
        },
        distributions=distributions,
        user_attrs=copy.deepcopy(record["user_attrs"]),
        system_attrs=copy.deepcopy(record["system_attrs"]),
        intermediate_values={int(step): value for step, value in record["intermediate"]},
        trial_id=0,
    )
