"""RDBStorage: Optuna's name opens fastune's SQLite or PostgreSQL storage from a URL."""

from __future__ import annotations

from pathlib import Path

import pytest

import fastune
from fastune.exceptions import (
    InvalidParameterError,
    InvalidParameterTypeError,
    StorageInternalError,
)
from fastune.storages import (
    InMemoryStorage,
    PostgreSQLStorage,
    RDBStorage,
    RetryFailedTrialCallback,
    SQLiteStorage,
)


def test_an_sqlite_url_opens_a_study_file_with_optunas_options(tmp_path: Path) -> None:
    retry = RetryFailedTrialCallback(max_retry=2)
    storage = RDBStorage(
        url=f"sqlite:///{tmp_path / 'study.db'}",
        engine_kwargs={"connect_args": {"timeout": 5}},
        heartbeat_interval=30,
        grace_period=90,
        failed_trial_callback=retry,
    )
    assert isinstance(storage, SQLiteStorage)
    assert isinstance(storage, RDBStorage)
    assert not isinstance(fastune.storages.InMemoryStorage(), RDBStorage)
    assert (storage.timeout, storage.heartbeat_interval, storage.grace_period) == (5.0, 30, 90)
    assert storage.failed_trial_callback is retry
    study = fastune.create_study(storage=storage, study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    again = fastune.load_study(study_name="s", storage=f"sqlite:///{tmp_path / 'study.db'}")
    assert len(again.trials) == 3


def test_optunas_heartbeat_and_version_methods(tmp_path: Path) -> None:
    retry = RetryFailedTrialCallback()
    url = f"sqlite:///{tmp_path / 'study.db'}"
    storage = RDBStorage(url, heartbeat_interval=30, failed_trial_callback=retry)
    assert storage.get_heartbeat_interval() == 30
    assert storage.get_heartbeat_stale_trial_callback() is retry  # Optuna 5's name
    assert storage.get_failed_trial_callback() is retry
    plain = RDBStorage(url)
    assert plain.get_heartbeat_interval() is None
    assert plain.get_failed_trial_callback() is None
    assert storage.get_current_version() == storage.get_head_version() == "1"
    assert storage.get_all_versions()[0] == storage.get_head_version()
    fastune.create_study(storage=storage, study_name="kept")
    storage.upgrade()  # at the head version: the study is untouched
    assert fastune.get_all_study_names(storage=url) == ["kept"]


def test_sqlalchemy_postgresql_urls_open_the_postgresql_storage(postgresql_url: str) -> None:
    assert postgresql_url.startswith("postgresql://")
    for scheme in ("postgresql+psycopg2://", "postgresql+psycopg://"):
        storage = RDBStorage(scheme + postgresql_url[len("postgresql://") :])
        assert isinstance(storage, PostgreSQLStorage)
        assert storage.url == postgresql_url
    study = fastune.create_study(storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(fastune.load_study(study_name=study.study_name, storage=postgresql_url).trials) == 2


def test_engine_options_fastune_has_no_use_for_are_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    with pytest.warns(UserWarning, match=r"\['connect_args.check_same_thread', 'pool_size'\]"):
        storage = RDBStorage(
            url, engine_kwargs={"pool_size": 5, "connect_args": {"check_same_thread": False}}
        )
    assert storage.timeout == 60.0


def test_other_databases_and_bad_arguments_are_refused() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"'url' parameter of RDBStorage.*Got 'mysql://u:\*\*\*@h/db'"
    ):
        RDBStorage("mysql://u:secret@h/db")
    with pytest.raises(InvalidParameterError, match="'heartbeat_interval'.*Got 0"):
        RDBStorage("sqlite:///:memory:", heartbeat_interval=0)


def test_heartbeats_of_an_in_memory_database_are_accepted_with_a_warning() -> None:
    # Optuna's own example of RetryFailedTrialCallback, word for word.
    with pytest.warns(UserWarning, match="heartbeat_interval=60 has no effect.*sqlite:///:memory:"):
        storage = RDBStorage(
            url="sqlite:///:memory:",
            heartbeat_interval=60,
            grace_period=120,
            failed_trial_callback=fastune.storages.RetryFailedTrialCallback(max_retry=3),
        )
    study = fastune.create_study(storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.state for t in study.trials] == [fastune.trial.TrialState.COMPLETE] * 2


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_in_memory_sqlite_urls_keep_the_study_in_memory(url: str) -> None:
    # Optuna's own RDBStorage example uses sqlite:///:memory:.
    for storage in (RDBStorage(url), url):
        study = fastune.create_study(storage=storage)
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        assert isinstance(study._storage, InMemoryStorage)
        assert len(study.trials) == 3


def test_url_of_an_sqlite_storage(tmp_path: Path) -> None:
    storage = RDBStorage(f"sqlite:///{tmp_path}/a.db")
    assert storage.url == f"sqlite:///{tmp_path}/a.db"
    assert RDBStorage(storage.url).path == storage.path
    with pytest.raises(InvalidParameterTypeError, match="'url' parameter"):
        RDBStorage(3)  # type: ignore[arg-type]
    retry = fastune.storages.RetryHeartbeatStaleTrialCallback(max_retry=1)
    with pytest.raises(InvalidParameterError, match="'failed_trial_callback' parameter"):
        RDBStorage(
            "sqlite:///x.db", heartbeat_stale_trial_callback=retry, failed_trial_callback=retry
        )
    with pytest.raises(InvalidParameterTypeError, match="'engine_kwargs' parameter"):
        RDBStorage("sqlite:///x.db", engine_kwargs=["timeout"])  # type: ignore[arg-type]


def test_an_sqlite_file_that_cannot_be_opened_is_a_named_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("notes")
    for url, reason in (
        (f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "unable to open database file"),
        (f"sqlite:///{text}", "file is not a database"),
    ):
        with pytest.raises(StorageInternalError, match=f"Cannot open {url}: {reason}"):
            fastune.create_study(storage=url)
