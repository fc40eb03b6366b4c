"""JournalStorage: several workers on one journal file (threads, storage objects and real
processes), a crash mid-trial, replay, pickling and its errors."""

from __future__ import annotations

import datetime
import json
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

import fastune
from fastune.distributions import CategoricalDistribution, FloatDistribution
from fastune.exceptions import (
    InvalidParameterTypeError,
    StorageInternalError,
    UpdateFinishedTrialError,
)
from fastune.storages import JournalStorage
from fastune.storages.journal import BaseJournalBackend, BaseJournalSnapshot, JournalFileBackend
from fastune.storages.journal import _storage as journal_storage
from fastune.study import StudyDirection
from fastune.trial import TrialState, create_trial

MIN = [StudyDirection.MINIMIZE]

WORKER = """
    import os, sys
    import fastune
    from fastune.storages import JournalStorage
    from fastune.storages.journal import JournalFileBackend
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    path, crash_at, n_trials = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    storage = JournalStorage(JournalFileBackend(path))
    study = fastune.create_study(study_name="shared", storage=storage, load_if_exists=True,
                                 sampler=fastune.samplers.RandomSampler())

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        trial.report(x, 0)
        if trial.number == crash_at:
            os._exit(1)  # the whole process dies mid-trial, like a SIGKILL
        return x * x

    study.optimize(objective, n_trials=n_trials)
"""


def _worker(path: Path, crash_at: int, n_trials: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WORKER), str(path), str(crash_at), str(n_trials)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _storage(path: Path) -> JournalStorage:
    return JournalStorage(JournalFileBackend(str(path)))


def test_several_processes_share_one_journal(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    fastune.create_study(study_name="shared", storage=_storage(path))
    workers = [_worker(path, -1, 15) for _ in range(3)]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
    trials = fastune.load_study(study_name="shared", storage=_storage(path)).trials
    assert sorted(t.number for t in trials) == list(range(45))
    assert len({t._trial_id for t in trials}) == 45
    assert all(
        t.state == TrialState.COMPLETE and t.value == t.params["x"] * t.params["x"] for t in trials
    )


def test_completed_trials_survive_a_crash_and_the_study_resumes(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    crashed = _worker(path, 5, 20)
    crashed.communicate(timeout=300)
    assert crashed.returncode == 1
    study = fastune.load_study(study_name="shared", storage=_storage(path))
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE] * 5 + [TrialState.RUNNING]
    assert study.trials[5].intermediate_values == {0: study.trials[5].params["x"]}
    resumed = _worker(path, -1, 4)
    resumed.communicate(timeout=300)
    assert resumed.returncode == 0
    again = fastune.load_study(study_name="shared", storage=_storage(path))
    assert [t.number for t in again.trials] == list(range(10))
    assert [t.value for t in again.trials[:5]] == [t.value for t in study.trials[:5]]


def test_an_enqueued_trial_is_started_by_one_worker_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    storage = _storage(path)
    study_id = storage.create_new_study(MIN)
    for _ in range(60):
        storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = _storage(path)  # a worker of its own, racing through the log
        while (trial_id := mine.pop_waiting_trial_id(study_id)) is not None:
            with lock:
                taken.append(trial_id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == len(set(taken)) == 60


class _Overtaken(BaseJournalBackend):
    """A backend on which another worker's writes land between this worker's read of the
    log and its next append: the race two workers on one log can run into."""

    def __init__(self, backend: BaseJournalBackend, other_worker: Callable[[], None]) -> None:
        self.backend, self.other_worker = backend, other_worker

    def read_logs(self, log_number_from: int) -> Iterable[dict[str, Any]]:
        return self.backend.read_logs(log_number_from)

    def append_logs(self, logs: list[dict[str, Any]]) -> None:
        other_worker, self.other_worker = self.other_worker, lambda: None
        other_worker()
        self.backend.append_logs(logs)


def test_a_waiting_trial_another_worker_finished_meanwhile_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    other = _storage(path)
    study_id = other.create_new_study(MIN)
    waiting = create_trial(state=TrialState.WAITING)
    first = other.create_new_trial(study_id, template_trial=waiting)
    second = other.create_new_trial(study_id, template_trial=waiting)

    def run_the_first_trial() -> None:
        assert other.pop_waiting_trial_id(study_id) == first
        other.set_trial_state_values(first, TrialState.COMPLETE, [1.0])

    # This worker reads the first trial waiting; before its start is written, the other
    # worker starts and finishes that trial: the start is refused, the next one taken.
    late = JournalStorage(_Overtaken(JournalFileBackend(str(path)), run_the_first_trial))
    assert late.pop_waiting_trial_id(study_id) == second
    assert late.pop_waiting_trial_id(study_id) is None
    assert late.get_trial(first).state == TrialState.COMPLETE


def test_a_refused_write_is_refused_for_its_writer_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    first, second = _storage(path), _storage(path)
    study_id = first.create_new_study(MIN)
    trial_id = first.create_new_trial(study_id, create_trial(state=TrialState.WAITING))
    second.get_all_trials(study_id)  # the second worker has seen the trial waiting
    assert first.set_trial_state_values(trial_id, TrialState.RUNNING)
    assert not second.set_trial_state_values(trial_id, TrialState.RUNNING)
    assert first.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    with pytest.raises(UpdateFinishedTrialError):
        second.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
    logs = [json.loads(line) for line in path.read_text().splitlines()]
    assert [log["op"] for log in logs].count("state") == 3  # the refused one is in the log
    assert "param" not in [log["op"] for log in logs]  # refused before it was written


def test_every_worker_replays_the_same_records(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    study = fastune.create_study(storage=_storage(path), study_name="s", direction="maximize")
    study.enqueue_trial({"x": 0.25})
    study.add_trial(
        create_trial(
            value=2.0,
            params={"x": 0.5},
            distributions={"x": FloatDistribution(0, 1)},
            intermediate_values={0: 1.0, 3: float("nan")},
            user_attrs={"note": {"a": [1, 2]}},
        )
    )
    study.set_user_attr("owner", "me")

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 1)
        trial.set_user_attr("half", x / 2)
        return x

    study.optimize(objective, n_trials=3)
    replayed = fastune.load_study(study_name="s", storage=_storage(path))
    for mine, theirs in zip(study.trials, replayed.trials, strict=True):
        assert (theirs.number, theirs._trial_id, theirs.state) == (
            mine.number,
            mine._trial_id,
            mine.state,
        )
        assert (theirs.params, theirs.distributions) == (mine.params, mine.distributions)
        assert (theirs.values, theirs.user_attrs) == (mine.values, mine.user_attrs)
        assert (theirs.datetime_start, theirs.datetime_complete) == (
            mine.datetime_start,
            mine.datetime_complete,
        )
        assert str(theirs.intermediate_values) == str(mine.intermediate_values)  # NaN too
    assert replayed.user_attrs == {"owner": "me"}
    assert replayed.best_trial.number == study.best_trial.number


def test_a_pickled_storage_writes_as_a_worker_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    storage = _storage(path)
    study_id = storage.create_new_study(MIN, "s")
    copied = pickle.loads(pickle.dumps(storage))
    assert copied._worker != storage._worker
    trial_id = copied.create_new_trial(study_id)
    copied.set_trial_state_values(trial_id, TrialState.COMPLETE, [3.0])
    assert storage.get_best_trial(study_id).value == 3.0


class _ListBackend(BaseJournalBackend):
    """A backend of the user's own: a list in memory."""

    def __init__(self) -> None:
        self.logs: list[dict[str, object]] = []

    def read_logs(self, log_number_from: int) -> list[dict[str, object]]:
        return self.logs[log_number_from:]

    def append_logs(self, logs: list[dict[str, object]]) -> None:
        self.logs.extend(json.loads(json.dumps(log)) for log in logs)


def test_any_backend_with_read_and_append_serves() -> None:
    backend = _ListBackend()
    sampler = fastune.samplers.RandomSampler(seed=0)
    study = fastune.create_study(storage=JournalStorage(backend), study_name="s", sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    other = fastune.load_study(study_name="s", storage=JournalStorage(backend))
    assert [t.value for t in other.trials] == [t.value for t in study.trials]
    # The study, then for each trial: created, its parameter, its end.
    ops = [log["op"] for log in backend.logs]
    assert ops == ["create_study"] + ["create_trial", "param", "state"] * 4


class _SnapshotBackend(_ListBackend, BaseJournalSnapshot):
    """A list backend that keeps a snapshot and records where each read started."""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: bytes | None = None
        self.reads_from: list[int] = []

    def read_logs(self, log_number_from: int) -> Iterable[dict[str, object]]:
        self.reads_from.append(log_number_from)
        return super().read_logs(log_number_from)

    def save_snapshot(self, snapshot: bytes) -> None:
        self.snapshot = snapshot

    def load_snapshot(self) -> bytes | None:
        return self.snapshot


def test_a_new_worker_starts_from_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_storage, "SNAPSHOT_INTERVAL", 10)
    backend = _SnapshotBackend()
    sampler = fastune.samplers.RandomSampler(seed=0)
    study = fastune.create_study(storage=JournalStorage(backend), study_name="s", sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)  # 25 entries
    assert backend.snapshot is not None
    backend.reads_from.clear()
    joined = JournalStorage(backend)
    other = fastune.load_study(study_name="s", storage=joined)
    # The snapshot was saved at entry 20: the newcomer reads only the 5 entries after it.
    assert backend.reads_from[0] == 20
    assert [(t.number, t.value, t.params) for t in other.trials] == [
        (t.number, t.value, t.params) for t in study.trials
    ]
    other.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.number for t in study.trials] == list(range(10))


def test_one_snapshot_per_interval_whatever_the_number_of_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal_storage, "SNAPSHOT_INTERVAL", 10)
    backend = _SnapshotBackend()
    saved: list[bytes] = []
    monkeypatch.setattr(backend, "save_snapshot", saved.append)
    fastune.create_study(storage=JournalStorage(backend), study_name="s")
    sampler = fastune.samplers.RandomSampler(seed=0)
    workers = [
        fastune.load_study(study_name="s", storage=JournalStorage(backend), sampler=sampler)
        for _ in "ab"
    ]
    for _ in range(5):  # the two workers take turns: 1 + 5 * 2 * 3 entries
        for worker in workers:
            worker.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(backend.logs) == 31
    assert len(saved) == 3


@pytest.mark.parametrize("snapshot", [b"not a pickle", pickle.dumps(("another", 0, None))])
def test_a_snapshot_that_is_not_fastunes_is_passed_over(snapshot: bytes) -> None:
    backend = _SnapshotBackend()
    study = fastune.create_study(storage=JournalStorage(backend), study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    backend.snapshot = snapshot
    other = fastune.load_study(study_name="s", storage=JournalStorage(backend))
    assert [t.value for t in other.trials] == [t.value for t in study.trials]


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterTypeError, match="log_storage"):
        JournalStorage(str(tmp_path / "journal.log"))  # type: ignore[arg-type]
    storage = _storage(tmp_path / "journal.log")
    study_id = storage.create_new_study(MIN)
    with pytest.raises(InvalidParameterTypeError, match="JSON-serializable"):
        storage.set_study_user_attr(study_id, "when", datetime.date(2026, 1, 1))
    trial_id = storage.create_new_trial(study_id)
    with pytest.raises(InvalidParameterTypeError, match=r"set_user_attr\('s'\).*JSON-serializable"):
        storage.set_trial_user_attr(trial_id, "s", {1, 2})
    bad = create_trial(value=1.0, user_attrs={"f": object()})
    with pytest.raises(InvalidParameterTypeError, match="template_trial.user_attrs"):
        storage.create_new_trial(study_id, template_trial=bad)
    assert len(storage.get_all_trials(study_id)) == 1  # nothing of the refused writes kept


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_process_writes_as_a_worker_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _storage(tmp_path / "journal.log")
    study_id = storage.create_new_study(MIN)
    go, go_signal = os.pipe()
    answer, answer_signal = os.pipe()
    if os.fork() == 0:  # the child (a multiprocessing "fork" worker): the same object
        os.read(go, 1)
        os.write(answer_signal, str(storage.create_new_trial(study_id)).encode())
        os._exit(0)
    append = storage._backend.append_logs

    def append_then_let_the_child_write(logs: list[dict[str, object]]) -> None:
        append(logs)
        os.write(go_signal, b"x")  # the child's entry lands before this one is replayed
        theirs.append(int(os.read(answer, 20)))

    theirs: list[int] = []
    monkeypatch.setattr(storage._backend, "append_logs", append_then_let_the_child_write)
    mine = storage.create_new_trial(study_id)
    os.wait()
    assert {mine, *theirs} == {0, 1}  # each got the id of its own entry


def test_an_entry_that_cannot_be_applied_fails_its_writer_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    writer, other = _storage(path), _storage(path)
    study_id = writer.create_new_study(MIN)
    trial_id = writer.create_new_trial(study_id)
    with pytest.raises(StorageInternalError, match="could not be applied"):
        writer.set_trial_param(trial_id, "c", 3.0, CategoricalDistribution(["a"]))  # no index 3
    assert len(other.get_all_trials(study_id)) == 1  # the other worker replays past it
    writer.set_trial_param(trial_id, "c", 0.0, CategoricalDistribution(["a"]))
    assert other.get_trial(trial_id).params == {"c": "a"}


def test_a_journal_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    path.write_text('{"op_code": 0, "study_name": "theirs", "directions": [1]}\n')
    storage = _storage(path)
    for _ in range(2):  # refused every time, never read past
        with pytest.raises(StorageInternalError, match="not an operation of fastune"):
            storage.get_all_study_names()


def test_a_trial_asked_through_another_object_on_the_file_is_told(tmp_path: Path) -> None:
    path = str(tmp_path / "told.log")
    study = fastune.create_study(study_name="s", storage=JournalStorage(JournalFileBackend(path)))
    other = fastune.load_study(study_name="s", storage=JournalStorage(JournalFileBackend(path)))
    trial = other.ask()
    study.tell(trial, 1.0)  # the same store: the same trial ids in every replica
    assert other.trials[0].value == 1.0
