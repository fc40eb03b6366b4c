"""The SQLite storage with real processes: persistence, resume after a crash, several
processes on one file, and its errors."""

from __future__ import annotations

import contextlib
import math
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import fastune
from fastune.exceptions import FastuneError, InvalidParameterError, InvalidParameterTypeError
from fastune.storages import SQLiteStorage, get_storage
from fastune.trial import TrialState


def _run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh Python process."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )


WORKER = """
    import os, sys
    import fastune
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    url, crash_at, n_trials = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    study = fastune.create_study(study_name="shared", storage=url, load_if_exists=True,
                                 sampler=fastune.samplers.RandomSampler())

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        trial.report(x, 0)
        if trial.number == crash_at:
            os._exit(1)  # the whole process dies mid-trial, like a SIGKILL
        return x * x

    study.optimize(objective, n_trials=n_trials)
"""


def _worker(url: str, crash_at: int, n_trials: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WORKER), url, str(crash_at), str(n_trials)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_study_outlives_its_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    study = fastune.create_study(study_name="kept", storage=url, direction="maximize")
    study.set_user_attr("owner", {"team": "a"})
    study.optimize(lambda t: -((t.suggest_float("x", -2, 2) - 1) ** 2), n_trials=15)
    best = (study.best_trial.number, study.best_value)
    out = _run(f"""
        import fastune
        study = fastune.load_study(study_name="kept", storage={url!r})
        print(len(study.trials), study.best_trial.number, study.best_value, study.user_attrs)
    """)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split(maxsplit=3)[:3] == ["15", str(best[0]), repr(best[1])]
    assert "'team': 'a'" in out.stdout


def test_completed_trials_survive_a_crash_and_the_study_resumes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    crashed = _worker(url, crash_at=7, n_trials=20)
    crashed.communicate(timeout=300)
    assert crashed.returncode == 1
    study = fastune.load_study(study_name="shared", storage=url)
    states = [t.state for t in study.trials]
    assert states[:7] == [TrialState.COMPLETE] * 7  # every completed trial is there
    assert states[7] == TrialState.RUNNING and study.trials[7].intermediate_values
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
    assert [t.number for t in study.trials] == list(range(13))


def test_several_processes_share_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    fastune.create_study(study_name="shared", storage=url)
    workers = [_worker(url, crash_at=-1, n_trials=25) for _ in range(4)]
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors
    trials = fastune.load_study(study_name="shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(100))  # none lost or doubled
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert len({t.params["x"] for t in trials}) == 100


def test_values_that_sql_stores_oddly_come_back(tmp_path: Path) -> None:
    storage = SQLiteStorage(str(tmp_path / "s.db"))
    study = fastune.create_study(storage=storage)
    trial = study.ask()
    trial.report(math.nan, 0)
    trial.report(math.inf, 1)
    study.tell(trial, math.inf)
    record = storage.get_all_trials(study._study_id)[0]
    assert math.isnan(record.intermediate_values[0]) and record.intermediate_values[1] == math.inf
    assert record.values == [math.inf]


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="'storage'.*with a file path"):
        get_storage("sqlite:///")
    with pytest.raises(InvalidParameterTypeError, match="storage"):
        get_storage("mysql://localhost/db")
    storage = SQLiteStorage(str(tmp_path / "s.db"))
    study = fastune.create_study(storage=storage)
    with pytest.raises(InvalidParameterTypeError, match="JSON"):
        study.set_user_attr("f", object())
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(FastuneError, match="schema version 99"):
        SQLiteStorage(str(tmp_path / "s.db"))


KILLED_WORKER = """
    import os, signal, sys
    import fastune
    from fastune.storages import SQLiteStorage
    storage = SQLiteStorage(sys.argv[1], heartbeat_interval=0.2, grace_period=0.6)
    study = fastune.create_study(study_name="beat", storage=storage, load_if_exists=True)

    def objective(trial):
        x = trial.suggest_float("x", -1, 1)
        if trial.number == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return x * x

    study.optimize(objective, n_trials=5)
"""


def test_a_killed_workers_trial_is_failed_and_retried(tmp_path: Path) -> None:
    import time

    from fastune.storages import RetryFailedTrialCallback

    path = str(tmp_path / "study.db")
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_WORKER), path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9  # SIGKILL: no cleanup ran
    storage = SQLiteStorage(
        path,
        heartbeat_interval=0.2,
        grace_period=0.6,
        failed_trial_callback=RetryFailedTrialCallback(max_retry=1),
    )
    study = fastune.load_study(study_name="beat", storage=storage)
    assert study.trials[2].state == TrialState.RUNNING  # nobody knows yet
    time.sleep(1.0)  # longer than the grace period
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=2)
    trials = study.trials
    assert trials[2].state == TrialState.FAIL
    assert "heartbeats" in trials[2].system_attrs["fail_reason"]
    retry = trials[3]  # queued by the callback, run first
    assert retry.state == TrialState.COMPLETE
    assert retry.params == trials[2].params
    assert RetryFailedTrialCallback.retried_trial_number(retry) == 2
    assert RetryFailedTrialCallback.retry_history(retry) == [2]
    assert all(t.state != TrialState.RUNNING for t in trials)


def test_heartbeat_arguments(tmp_path: Path) -> None:
    with pytest.raises(fastune.exceptions.InvalidParameterError, match="heartbeat_interval"):
        SQLiteStorage(":unused:", heartbeat_interval=0)
    with pytest.raises(fastune.exceptions.InvalidParameterError, match="grace_period"):
        SQLiteStorage(":unused:", heartbeat_interval=1.0, grace_period=-1)
    # Optuna accepts these two; they warn here (and a short grace fails live trials).
    path = str(tmp_path / "heartbeat.db")
    with pytest.warns(UserWarning, match="grace_period=5 does nothing without heartbeat"):
        SQLiteStorage(path, grace_period=5)
    with pytest.warns(UserWarning, match="grace_period=0.2 is not longer than heartbeat"):
        storage = SQLiteStorage(path, heartbeat_interval=1.0, grace_period=0.2)
    assert storage.grace_period == 0.2


def test_a_trial_whose_worker_dies_while_sampling_is_found(tmp_path: Path) -> None:
    from fastune.storages import fail_stale_trials

    dying = textwrap.dedent(
        """
        import os, sys
        import fastune
        from fastune.storages import SQLiteStorage

        class Dying(fastune.samplers.RandomSampler):
            def infer_relative_search_space(self, study, trial):
                os._exit(3)  # the worker dies while its sampler works

        storage = SQLiteStorage(sys.argv[1], heartbeat_interval=0.1, grace_period=0.3)
        study = fastune.load_study(study_name="s", storage=storage, sampler=Dying())
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
        """
    )
    path = str(tmp_path / "s.db")
    storage = SQLiteStorage(path, heartbeat_interval=0.1, grace_period=0.3)
    study = fastune.create_study(study_name="s", storage=storage)
    died = subprocess.run([sys.executable, "-c", dying, path], timeout=300, check=False)
    assert died.returncode == 3
    study.ask()  # an ask-and-tell trial of this process: no heartbeat thread, not dead
    time.sleep(0.6)
    fail_stale_trials(study)
    states = [t.state for t in study.trials]
    assert states == [TrialState.FAIL, TrialState.RUNNING]  # the first stayed RUNNING


def test_fail_stale_trials_fails_and_requeues_without_optimize(tmp_path: Path) -> None:
    import time

    from fastune.storages import RetryFailedTrialCallback, fail_stale_trials

    path = str(tmp_path / "study.db")
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED_WORKER), path], timeout=300, check=False
    )
    assert killed.returncode == -9
    storage = SQLiteStorage(
        path,
        heartbeat_interval=0.2,
        grace_period=0.6,
        failed_trial_callback=RetryFailedTrialCallback(max_retry=1),
    )
    study = fastune.load_study(study_name="beat", storage=storage)
    assert study.trials[2].state == TrialState.RUNNING  # nobody has looked yet
    time.sleep(1.0)  # longer than the grace period
    fail_stale_trials(study)
    assert [t.state for t in study.trials] == [
        TrialState.COMPLETE,
        TrialState.COMPLETE,
        TrialState.FAIL,
        TrialState.WAITING,
    ]
    assert RetryFailedTrialCallback.retried_trial_number(study.trials[3]) == 2


def test_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    storage = SQLiteStorage(str(tmp_path / "threads.db"), heartbeat_interval=0.01)
    study = fastune.create_study(storage=storage, sampler=fastune.samplers.RandomSampler(seed=0))

    def objective(trial: fastune.Trial) -> float:
        time.sleep(0.03)  # long enough for the trial's heartbeat thread to write
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=30)  # a heartbeat thread per trial
    for _ in range(10):
        study.optimize(objective, n_trials=2, n_jobs=2, backend="threads")
    # The connections of threads that ended are closed when the next thread connects: a
    # handful remain (this thread, the last workers and heartbeats), not one per thread
    # that ever used the storage (over 50 here).
    assert len(storage._connections) <= 6
    assert len(study.trials) == 50


def test_a_trial_asked_through_another_storage_object_is_told(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'two.db'}"
    asking = fastune.create_study(storage=url, study_name="s")
    trial = asking.ask()
    trial.suggest_float("x", 0, 1)
    telling = fastune.load_study(storage=url, study_name="s")
    telling.tell(trial, 0.5)
    assert telling.trials[0].state == TrialState.COMPLETE and telling.trials[0].value == 0.5
    elsewhere = fastune.create_study(storage=f"sqlite:///{tmp_path / 'other.db'}", study_name="s")
    with pytest.raises(fastune.exceptions.InvalidParameterError, match="a trial of this study"):
        elsewhere.tell(asking.ask(), 0.5)


def test_a_database_written_by_optuna_is_refused_clearly(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    path = tmp_path / "optuna.db"
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.create_study(storage=f"sqlite:///{path}", study_name="o")
    tables_before = _tables(path)
    with pytest.raises(FastuneError, match=r"optuna\.db.*written by Optuna.*of its own"):
        fastune.load_study(storage=f"sqlite:///{path}", study_name="o")
    assert _tables(path) == tables_before  # nothing of fastune's was added to it


def test_a_database_of_fastunes_that_optuna_opened_stays_fastunes(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    url = f"sqlite:///{tmp_path / 'fastune.db'}"
    fastune.create_study(storage=url, study_name="mine").optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=2
    )
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with contextlib.suppress(Exception):  # Optuna cannot read it; it adds its tables
        optuna.get_all_study_names(storage=url)
    assert "alembic_version" in _tables(tmp_path / "fastune.db")
    assert len(fastune.load_study(storage=url, study_name="mine").trials) == 2


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_a_thread_removing_its_session_closes_its_connection(tmp_path: Path) -> None:
    storage = SQLiteStorage(str(tmp_path / "s.db"))
    assert len(storage._connections) == 1
    storage.remove_session()
    assert storage._connections == []
    assert storage.get_all_study_names() == []  # a new connection


def test_a_storage_freed_while_the_interpreter_exits_says_nothing(tmp_path: Path) -> None:
    # Held by a module cleared late at exit, the storage is freed after the modules it
    # uses were torn down.
    out = _run(f"""
        import os
        from fastune.storages import SQLiteStorage
        os.kept_until_exit = SQLiteStorage({str(tmp_path / "s.db")!r})
    """)
    assert out.returncode == 0 and out.stderr == ""


def test_the_url_may_give_the_timeout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    storage = get_storage(f"{url}?timeout=5")
    assert isinstance(storage, SQLiteStorage) and storage.timeout == 5.0
    assert storage.path == str(tmp_path / "q.db")  # no file named after the query
    rdb = fastune.storages.RDBStorage(f"{url}?timeout=7")
    assert rdb.timeout == 7.0
    given = fastune.storages.RDBStorage(
        f"{url}?timeout=7", engine_kwargs={"connect_args": {"timeout": 3}}
    )
    assert given.timeout == 3.0  # connect_args win, as in SQLAlchemy
    with pytest.raises(InvalidParameterError, match=r"only query option is timeout \(got 'mode'\)"):
        get_storage(f"{url}?mode=ro")
    with pytest.raises(InvalidParameterError, match="'timeout'.*> 0"):
        get_storage(f"{url}?timeout=soon")
    with pytest.raises(InvalidParameterError, match="'timeout'.*connect_args.*>= 0"):
        fastune.storages.RDBStorage(url, engine_kwargs={"connect_args": {"timeout": -1}})
