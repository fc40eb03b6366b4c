"""GrpcStorageProxy against a real server in this process: workers sharing a study,
what it keeps and asks again, errors, pickling to worker processes, a server that
restarted empty, and its own errors."""

from __future__ import annotations

import collections
import pickle
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import fastune
from fastune.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    InvalidParameterTypeError,
    MissingDependencyError,
    StudyNotFoundError,
    TrialNotFoundError,
    UpdateFinishedTrialError,
)
from fastune.storages import GrpcStorageProxy, InMemoryStorage
from fastune.storages._remote._grpc import start_server
from fastune.study import StudyDirection
from fastune.trial import TrialState

pytest.importorskip("grpc")

MIN = [StudyDirection.MINIMIZE]


def _objective(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    trial.report(x, 0)
    return x * x


class _Server:
    """A server on a fresh in-memory storage; ``proxy()`` gives another client of it."""

    def __init__(self) -> None:
        self.storage = InMemoryStorage()
        self.server, self.port = start_server(self.storage, "127.0.0.1", 0, None)

    def proxy(self) -> GrpcStorageProxy:
        return GrpcStorageProxy(host="127.0.0.1", port=self.port)


@pytest.fixture
def server() -> Iterator[_Server]:
    running = _Server()
    yield running
    running.server.stop(None)


def _counting(proxy: GrpcStorageProxy) -> collections.Counter[str]:
    """Count the calls ``proxy`` sends, by method."""
    calls: collections.Counter[str] = collections.Counter()
    send = proxy._call

    def counted(method: str, *args: Any, **kwargs: Any) -> Any:
        calls[method] += 1
        return send(method, *args, **kwargs)

    proxy._call = counted  # type: ignore[method-assign]
    return calls


def test_workers_on_one_server_share_a_study(server: _Server) -> None:
    first, second = server.proxy(), server.proxy()
    study = fastune.create_study(study_name="s", storage=first)
    other = fastune.load_study(study_name="s", storage=second)
    study.optimize(_objective, n_trials=3)
    other.optimize(_objective, n_trials=3)
    assert [t.number for t in study.trials] == list(range(6))
    assert [t.value for t in study.trials] == [t.value for t in other.trials]
    # What the server's storage holds is what the workers wrote.
    kept = server.storage.get_all_trials(study._study_id)
    assert [(t.number, t.params, t.intermediate_values) for t in kept] == [
        (t.number, t.params, t.intermediate_values) for t in other.trials
    ]


def test_finished_trials_are_read_once(server: _Server) -> None:
    writer = fastune.create_study(storage=server.proxy(), study_name="s")
    writer.optimize(_objective, n_trials=5)
    running = writer.ask()
    proxy = server.proxy()
    study = fastune.load_study(study_name="s", storage=proxy)
    sent: list[int] = []
    send = proxy._call

    def spy(method: str, *args: Any, **kwargs: Any) -> Any:
        answer = send(method, *args, **kwargs)
        if method == "trials_not_in":
            sent.append(len(answer[1]))
        return answer

    proxy._call = spy  # type: ignore[method-assign]
    assert len(study.trials) == 6
    assert len(study.trials) == 6
    # The first read brings the 5 finished trials and the running one; the second only
    # the running one, which may have changed.
    assert sent == [6, 1]
    writer.tell(running, 0.0)
    assert study.trials[-1].state == TrialState.COMPLETE
    assert sent == [6, 1, 1]


def test_a_trial_of_this_worker_is_read_from_its_own_record(server: _Server) -> None:
    proxy, elsewhere = server.proxy(), server.proxy()
    study = fastune.create_study(storage=proxy, sampler=fastune.samplers.RandomSampler())
    calls = _counting(proxy)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.report(0.5, 2)
    trial.set_user_attr("note", {"a": [1]})
    mine = proxy.get_trial(trial._trial_id)
    # The record kept here is what the server holds, read by another worker.
    theirs = elsewhere.get_trial(trial._trial_id)
    for record in (mine, theirs):
        assert record.params == {"x": trial.params["x"]}
        assert record.intermediate_values == {2: 0.5}
        assert record.user_attrs == {"note": {"a": [1]}}
        assert record.state == TrialState.RUNNING
    assert "get_trial" not in calls
    mine.user_attrs["note"]["a"].append(2)  # a copy: the kept record is not changed
    assert proxy.get_trial(trial._trial_id).user_attrs == {"note": {"a": [1]}}
    study.tell(trial, 1.0)
    finished = proxy.get_trial(trial._trial_id)
    assert finished.state == TrialState.COMPLETE and finished.datetime_complete is not None


def test_a_trial_another_worker_runs_is_asked_for_each_time(server: _Server) -> None:
    proxy, elsewhere = server.proxy(), server.proxy()
    study = fastune.create_study(storage=proxy)
    trial = fastune.load_study(study_name=study.study_name, storage=elsewhere).ask()
    assert proxy.get_trial(trial._trial_id).intermediate_values == {}
    trial.report(0.25, 1)
    assert proxy.get_trial(trial._trial_id).intermediate_values == {1: 0.25}


def test_storage_errors_are_raised_as_themselves(server: _Server) -> None:
    proxy = server.proxy()
    study_id = proxy.create_new_study(MIN, "taken")
    with pytest.raises(DuplicatedStudyError):
        proxy.create_new_study(MIN, "taken")
    with pytest.raises(StudyNotFoundError):
        proxy.get_study_id_from_name("missing")
    with pytest.raises(TrialNotFoundError):
        proxy.get_trial(12345)
    trial_id = proxy.create_new_trial(study_id)
    proxy.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    with pytest.raises(UpdateFinishedTrialError):
        proxy.set_trial_user_attr(trial_id, "k", 1)
    with pytest.raises(ValueError, match="not a storage method"):
        proxy._call("remove_session")


def test_optimize_with_worker_processes(server: _Server) -> None:
    proxy = server.proxy()
    study = fastune.create_study(storage=proxy, study_name="s")
    study.optimize(_objective, n_trials=8, n_jobs=2)  # the proxy pickled to two processes
    trials = server.storage.get_all_trials(study._study_id)
    assert sorted(t.number for t in trials) == list(range(8))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    copy = pickle.loads(pickle.dumps(proxy))
    assert copy._own == {} and len(copy.get_all_trials(study._study_id)) == 8


def test_pruning_and_the_queue_go_through_the_proxy(server: _Server) -> None:
    study = fastune.create_study(storage=server.proxy(), pruner=fastune.pruners.MedianPruner(0))
    study.enqueue_trial({"x": 0.0})
    study.enqueue_trial({"x": 0.9})

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        for step in range(3):
            trial.report(abs(x) + step, step)
            if trial.should_prune():
                raise fastune.TrialPruned()
        return abs(x)

    study.optimize(objective, n_trials=2)
    assert [t.params["x"] for t in study.trials] == [0.0, 0.9]
    assert [t.state for t in study.trials] == [TrialState.COMPLETE, TrialState.PRUNED]


def test_a_server_restarted_empty_is_read_anew() -> None:
    first = _Server()
    proxy = first.proxy()
    fastune.create_study(storage=proxy).optimize(_objective, n_trials=3)
    first.server.stop(None).wait()
    again = InMemoryStorage()
    server, _ = start_server(again, "127.0.0.1", first.port, None)
    try:
        # The new storage numbers its study and trials from 0 again: the trials kept
        # from the old one must not be mixed in.
        study = fastune.create_study(storage=proxy)
        assert study._study_id == 0
        study.optimize(_objective, n_trials=1)
        assert len(study.trials) == 1
        assert study.trials[0].value == again.get_all_trials(0)[0].value
    finally:
        server.stop(None)


def test_a_missing_server_is_said(server: _Server) -> None:
    port = server.port
    server.server.stop(None).wait()
    proxy = GrpcStorageProxy(host="127.0.0.1", port=port)
    with pytest.raises(ConnectionError, match=rf"127.0.0.1:{port}.*run_grpc_proxy_server"):
        proxy.get_all_study_names()
    with pytest.raises(ConnectionError, match="within 0.2 s"):
        proxy.wait_server_ready(timeout=0.2)


def test_wait_server_ready_returns_once_it_answers(server: _Server) -> None:
    proxy = server.proxy()
    proxy.wait_server_ready(timeout=10)
    assert proxy.get_all_study_names() == []
    proxy.close()
    assert proxy.get_all_study_names() == []  # a new connection after close


def test_bad_arguments_name_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="host"):
        GrpcStorageProxy(host=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="port"):
        GrpcStorageProxy(port=70000)
    with pytest.raises(InvalidParameterTypeError, match="storage"):
        start_server("sqlite:///x.db", "127.0.0.1", 0, None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "grpc", None)  # as if grpcio were not installed
    with pytest.raises(MissingDependencyError, match=r"fastune\[grpc\]"):
        GrpcStorageProxy()
