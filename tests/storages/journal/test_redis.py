"""JournalRedisBackend on a real Redis server on 127.0.0.1: order and atomicity of the
log, key prefixes, worker processes, a crashed worker, snapshots, and its errors."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import threading
import uuid

import pytest

import fastune
from fastune.exceptions import InvalidParameterTypeError, MissingDependencyError
from fastune.storages import JournalRedisStorage, JournalStorage
from fastune.storages.journal import JournalRedisBackend
from fastune.storages.journal import _storage as journal_storage
from fastune.trial import TrialState


def _objective(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    return x * x


def test_entries_come_back_in_order_from_any_position(redis_backend: JournalRedisBackend) -> None:
    assert redis_backend.read_logs(0) == []
    redis_backend.append_logs([{"op": "a", "n": 0}, {"op": "b", "n": [1, 2]}])
    redis_backend.append_logs([])
    redis_backend.append_logs([{"op": "c"}])
    everything = [{"op": "a", "n": 0}, {"op": "b", "n": [1, 2]}, {"op": "c"}]
    assert redis_backend.read_logs(0) == everything
    assert redis_backend.read_logs(2) == [{"op": "c"}]
    assert redis_backend.read_logs(3) == []


def test_appends_of_many_threads_never_interleave(redis_server: str) -> None:
    prefix = uuid.uuid4().hex

    def write(thread: int) -> None:
        backend = JournalRedisBackend(redis_server, prefix=prefix)  # a connection each
        for batch in range(20):
            backend.append_logs([{"thread": thread, "batch": batch, "i": i} for i in range(3)])

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logs = JournalRedisBackend(redis_server, prefix=prefix).read_logs(0)
    assert len(logs) == 4 * 20 * 3
    for start in range(0, len(logs), 3):  # each batch in one piece, in its order
        batch = logs[start : start + 3]
        assert [e["i"] for e in batch] == [0, 1, 2]
        assert len({(e["thread"], e["batch"]) for e in batch}) == 1


def test_prefixes_keep_journals_apart(redis_server: str) -> None:
    first = JournalStorage(JournalRedisBackend(redis_server, prefix="first-" + uuid.uuid4().hex))
    second = JournalStorage(JournalRedisBackend(redis_server, prefix="second-" + uuid.uuid4().hex))
    fastune.create_study(study_name="s", storage=first).optimize(_objective, n_trials=3)
    assert second.get_all_study_names() == []
    fastune.create_study(study_name="s", storage=second).optimize(_objective, n_trials=1)
    assert len(fastune.load_study(study_name="s", storage=first).trials) == 3


def test_worker_processes_share_the_journal(redis_backend: JournalRedisBackend) -> None:
    study = fastune.create_study(storage=JournalStorage(redis_backend), study_name="s")
    study.optimize(_objective, n_trials=12, n_jobs=2)  # the storage pickled to two processes
    trials = fastune.load_study(study_name="s", storage=JournalStorage(redis_backend)).trials
    assert sorted(t.number for t in trials) == list(range(12))
    assert all(t.state == TrialState.COMPLETE for t in trials)


CRASHING_WORKER = """
    import os, sys
    import fastune
    from fastune.storages import JournalStorage
    from fastune.storages.journal import JournalRedisBackend
    backend = JournalRedisBackend(sys.argv[1], prefix=sys.argv[2])
    study = fastune.create_study(storage=JournalStorage(backend), study_name="s")

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        if trial.number == 3:
            os._exit(1)  # the process dies mid-trial, like a SIGKILL
        return x * x

    study.optimize(objective, n_trials=10)
"""


def test_completed_trials_survive_a_crash_of_their_worker(redis_server: str) -> None:
    prefix = uuid.uuid4().hex
    worker = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASHING_WORKER), redis_server, prefix],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 1, worker.stderr[-2000:]
    backend = JournalRedisBackend(redis_server, prefix=prefix)
    trials = fastune.load_study(study_name="s", storage=JournalStorage(backend)).trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3 + [TrialState.RUNNING]
    # x * x as the worker computes it: x ** 2 (libm's pow) differs in the last digit for some x.
    assert all(t.value == t.params["x"] * t.params["x"] for t in trials[:3])


def test_snapshots_are_kept_in_the_server(
    redis_backend: JournalRedisBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert redis_backend.load_snapshot() is None
    monkeypatch.setattr(journal_storage, "SNAPSHOT_INTERVAL", 10)
    sampler = fastune.samplers.RandomSampler(seed=0)
    study = fastune.create_study(
        storage=JournalStorage(redis_backend), study_name="s", sampler=sampler
    )
    study.optimize(_objective, n_trials=8)  # 25 entries: a snapshot at 20
    snapshot = redis_backend.load_snapshot()
    assert snapshot is not None and pickle.loads(snapshot)[1] == 20
    # A new worker, in a fresh object on the same keys, starts from it.
    joined = JournalStorage(pickle.loads(pickle.dumps(redis_backend)))
    assert joined._n_read == 20
    other = fastune.load_study(study_name="s", storage=joined)
    assert [t.value for t in other.trials] == [t.value for t in study.trials]


def test_optunas_older_name_warns_and_works(redis_server: str) -> None:
    with pytest.warns(FutureWarning, match="JournalRedisBackend"):
        backend = JournalRedisStorage(redis_server, prefix=uuid.uuid4().hex)
    fastune.create_study(storage=JournalStorage(backend)).optimize(_objective, n_trials=2)
    assert len(backend.read_logs(0)) > 0


def test_errors_name_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="url"):
        JournalRedisBackend(6379)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="use_cluster"):
        JournalRedisBackend("redis://localhost", use_cluster="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="prefix"):
        JournalRedisBackend("redis://localhost", prefix=1)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "redis", None)  # as if the package were not installed
    with pytest.raises(MissingDependencyError, match=r"fastune\[redis\]"):
        JournalRedisBackend("redis://localhost")
