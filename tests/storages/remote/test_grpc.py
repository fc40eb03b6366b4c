"""run_grpc_proxy_server in a process of its own, on an SQLite file: worker processes
share a study through it, a worker that dies keeps its completed trials, and what the
server writes is in the file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from benchmarks.postgresql_server import free_port

import fastune
from fastune.storages import GrpcStorageProxy, InMemoryStorage, SQLiteStorage
from fastune.storages._remote._grpc import start_server
from fastune.trial import TrialState

pytest.importorskip("grpc")

SERVER = """
    import sys
    import fastune
    storage = fastune.storages.get_storage(f"sqlite:///{sys.argv[1]}")
    fastune.storages.run_grpc_proxy_server(storage, host="127.0.0.1", port=int(sys.argv[2]))
"""

WORKER = """
    import os, sys
    import fastune
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    proxy = fastune.storages.GrpcStorageProxy(host="127.0.0.1", port=int(sys.argv[1]))
    proxy.wait_server_ready(timeout=60)
    study = fastune.create_study(study_name="shared", storage=proxy, load_if_exists=True)
    crash_at = int(sys.argv[2])

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        if trial.number == crash_at:
            os._exit(1)  # the worker dies mid-trial, like a SIGKILL
        return x * x

    study.optimize(objective, n_trials=int(sys.argv[3]))
"""


def _run(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """The path of an SQLite file and the port of a proxy server process serving it."""
    path, port = tmp_path / "study.db", free_port()
    server = _run(SERVER, path, port)
    try:
        GrpcStorageProxy(host="127.0.0.1", port=port).wait_server_ready(timeout=60)
        yield path, port
    finally:
        server.terminate()
        server.communicate(timeout=60)


def test_worker_processes_share_a_study_through_the_server(served: tuple[Path, int]) -> None:
    path, port = served
    workers = [_run(WORKER, port, -1, 10) for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-2000:]
    trials = fastune.load_study(study_name="shared", storage=SQLiteStorage(str(path))).trials
    assert sorted(t.number for t in trials) == list(range(20))
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_completed_trials_survive_a_crash_of_their_worker(served: tuple[Path, int]) -> None:
    path, port = served
    crashed = _run(WORKER, port, 4, 10)
    crashed.communicate(timeout=300)
    assert crashed.returncode == 1
    proxy = GrpcStorageProxy(host="127.0.0.1", port=port)
    states = [t.state for t in fastune.load_study(study_name="shared", storage=proxy).trials]
    assert states == [TrialState.COMPLETE] * 4 + [TrialState.RUNNING]
    on_file = fastune.load_study(study_name="shared", storage=SQLiteStorage(str(path)))
    assert [t.state for t in on_file.trials] == states


def test_a_port_in_use_is_said() -> None:
    server, port = start_server(InMemoryStorage(), "127.0.0.1", 0, None)
    try:
        with pytest.raises(RuntimeError, match=rf"127.0.0.1:{port}"):
            start_server(InMemoryStorage(), "127.0.0.1", port, None)
    finally:
        server.stop(None)
