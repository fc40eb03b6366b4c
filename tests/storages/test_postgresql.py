"""The PostgreSQL storage with real processes, on the session's throwaway server."""

from __future__ import annotations

import pytest
from tests.storages.test_sqlite import _worker

import fastune
from fastune.exceptions import StorageInternalError
from fastune.storages import PostgreSQLStorage
from fastune.trial import TrialState


def test_several_processes_share_one_database(postgresql_url: str) -> None:
    fastune.create_study(study_name="shared", storage=postgresql_url)
    workers = [_worker(postgresql_url, crash_at=-1, n_trials=25) for _ in range(4)]
    for worker in workers:
        _, errors = worker.communicate(timeout=300)
        assert worker.returncode == 0, errors
    trials = fastune.load_study(study_name="shared", storage=postgresql_url).trials
    assert sorted(t.number for t in trials) == list(range(100))  # none lost or doubled
    assert all(t.state == TrialState.COMPLETE for t in trials)


def test_completed_trials_survive_a_crash(postgresql_url: str) -> None:
    crashed = _worker(postgresql_url, crash_at=4, n_trials=10)
    crashed.communicate(timeout=300)
    assert crashed.returncode == 1
    study = fastune.load_study(study_name="shared", storage=postgresql_url)
    assert [t.state for t in study.trials[:4]] == [TrialState.COMPLETE] * 4
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3)
    assert [t.number for t in study.trials] == list(range(8))


def test_a_connection_error_hides_the_password(postgresql_base: str) -> None:
    wrong = postgresql_base.replace("postgres@", "postgres:hunter2@").rsplit(":", 1)[0] + ":1/x"
    with pytest.raises(StorageInternalError) as error:
        PostgreSQLStorage(wrong)
    assert "hunter2" not in str(error.value) and "postgres:***@" in str(error.value)
