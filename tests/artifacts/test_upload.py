"""upload_artifact / get_all_artifact_meta / download_artifact on trials and studies, in
memory and in an SQLite file, from worker processes, and their errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from tests.artifacts.store_checks import uploads_from_worker_processes

import fastune
from fastune.artifacts import (
    ArtifactMeta,
    FileSystemArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.exceptions import (
    InvalidParameterError,
    InvalidParameterTypeError,
    UpdateFinishedTrialError,
)


def _file(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_artifacts_of_a_trial_and_a_study_come_back(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")
    study = fastune.create_study(storage=f"sqlite:///{tmp_path / 'study.db'}", study_name="s")
    trial = study.ask()
    model = upload_artifact(
        artifact_store=store,
        file_path=_file(tmp_path, "model.weights", b"weights"),
        study_or_trial=trial,
    )
    table = upload_artifact(
        artifact_store=store,
        file_path=_file(tmp_path, "table.csv.gz", gzip.compress(b"a,b\n")),
        study_or_trial=trial,
    )
    study.tell(trial, 1.0)
    summary = upload_artifact(
        artifact_store=store,
        file_path=_file(tmp_path, "notes.txt", b"n"),
        study_or_trial=study,
        mimetype="text/markdown",
    )
    loaded = fastune.load_study(study_name="s", storage=f"sqlite:///{tmp_path / 'study.db'}")
    frozen = loaded.trials[0]
    metas = get_all_artifact_meta(frozen, storage=loaded._storage)
    assert sorted(metas, key=lambda meta: meta.filename) == [
        ArtifactMeta(model, "model.weights", "application/octet-stream", None),
        ArtifactMeta(table, "table.csv.gz", "text/csv", "gzip"),
    ]
    assert get_all_artifact_meta(loaded) == [
        ArtifactMeta(summary, "notes.txt", "text/markdown", None)
    ]
    # Kept as Optuna keeps them: a system attribute "artifacts:<id>" holding JSON.
    assert json.loads(frozen.system_attrs[f"artifacts:{model}"])["filename"] == "model.weights"
    download_artifact(
        artifact_store=store, file_path=str(tmp_path / "back.weights"), artifact_id=model
    )
    assert (tmp_path / "back.weights").read_bytes() == b"weights"
    with pytest.raises(FileExistsError, match="back.weights"):
        download_artifact(
            artifact_store=store, file_path=str(tmp_path / "back.weights"), artifact_id=table
        )
    with pytest.raises(ArtifactNotFound):
        download_artifact(artifact_store=store, file_path=str(tmp_path / "x"), artifact_id="no")


def test_an_objective_in_worker_processes_attaches_its_model(tmp_path: Path) -> None:
    uploads_from_worker_processes(FileSystemArtifactStore(tmp_path / "store"), tmp_path)


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")
    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(InvalidParameterError, match="storage"):
        get_all_artifact_meta(study.trials[0])  # a FrozenTrial needs its storage
    with pytest.raises(InvalidParameterTypeError, match="study_or_trial"):
        upload_artifact(artifact_store=store, file_path="x", study_or_trial="s")
    with pytest.raises(FileNotFoundError):
        upload_artifact(
            artifact_store=store, file_path=str(tmp_path / "missing"), study_or_trial=study
        )
    assert get_all_artifact_meta(study) == []  # nothing attached by the failed upload


def test_a_finished_trial_takes_no_artifact_and_no_file_is_left(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    fastune.create_study(storage=storage, study_name="first").optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=2
    )
    study = fastune.create_study(storage=storage, study_name="second")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    finished = study.trials[0]
    assert finished._trial_id != finished.number  # the message names the number
    with pytest.raises(
        UpdateFinishedTrialError, match=r"^Trial 0 has already finished \(COMPLETE\)"
    ):
        upload_artifact(
            artifact_store=store,
            file_path=_file(tmp_path, "late.txt", b"x"),
            study_or_trial=finished,
            storage=study._storage,
        )
    assert list((tmp_path / "store").iterdir()) == []


def test_records_with_more_fields_are_read(tmp_path: Path) -> None:
    study = fastune.create_study()
    record = {"artifact_id": "a", "filename": "f", "mimetype": "m", "encoding": None, "new": 1}
    study._storage.set_study_system_attr(study._study_id, "artifacts:a", json.dumps(record))
    assert get_all_artifact_meta(study) == [ArtifactMeta("a", "f", "m", None)]


def test_optunas_older_positional_order_is_taken_with_a_warning(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")
    study = fastune.create_study()
    trial = study.ask()
    path = _file(tmp_path, "model.txt", b"weights")
    with pytest.warns(FutureWarning, match="positional order"):
        artifact_id = upload_artifact(trial, path, store)
    assert [m.artifact_id for m in get_all_artifact_meta(trial)] == [artifact_id]
    with pytest.raises(InvalidParameterError, match="'artifact_store'.*given"):
        upload_artifact(study_or_trial=trial, file_path=path)  # type: ignore[call-arg]
    twice = pytest.raises(InvalidParameterError, match="'file_path'.*given once")
    with twice, pytest.warns(FutureWarning):
        upload_artifact(trial, path, artifact_store=store, file_path=path)
