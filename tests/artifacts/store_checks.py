"""Checks every artifact store must pass, shared by the tests of each store: a trial's
artifact goes to the store under its id and comes back, a write starts at the stream's
position, and an objective in worker processes uploads (the store is pickled)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import fastune
from fastune.artifacts import (
    ArtifactStore,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)


def round_trip(store: ArtifactStore, tmp_path: Path, kept: Callable[[str], bytes]) -> str:
    """Upload a trial's file, check that ``kept(artifact_id)`` (the bytes the backend
    holds under the id, read around the store) and a download give it back; return the
    id."""
    model = tmp_path / "model.bin"
    model.write_bytes(b"\x00weights\xff" * 1000)
    study = fastune.create_study()
    trial = study.ask()
    artifact_id = upload_artifact(artifact_store=store, file_path=str(model), study_or_trial=trial)
    study.tell(trial, 1.0)
    assert kept(artifact_id) == model.read_bytes()  # under the artifact's id, as Optuna's
    (meta,) = get_all_artifact_meta(study.trials[0], storage=study._storage)
    assert (meta.artifact_id, meta.filename) == (artifact_id, "model.bin")
    back = tmp_path / "back.bin"
    download_artifact(artifact_store=store, file_path=str(back), artifact_id=artifact_id)
    assert back.read_bytes() == model.read_bytes()
    return artifact_id


def writes_from_the_position(store: ArtifactStore) -> io.BytesIO:
    """Write a stream positioned past a header: only the rest is kept. Returns the
    source, for checks of what the store left of it."""
    source = io.BytesIO(b"header|payload")
    source.seek(len(b"header|"))
    store.write("a1", source)
    with store.open_reader("a1") as reader:
        assert reader.read() == b"payload"
    return source


def uploads_from_worker_processes(store: ArtifactStore, tmp_path: Path) -> None:
    """An objective run in two worker processes attaches a file to each trial."""

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        path = tmp_path / f"model-{trial.number}.txt"
        path.write_text(repr(x))
        upload_artifact(artifact_store=store, file_path=str(path), study_or_trial=trial)
        # The storage seen here is the parent's (a stand-in that counts as a storage).
        seen = fastune.load_study(study_name=trial.study.study_name, storage=trial.study._storage)
        assert len(seen.trials) >= 1
        return x * x

    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=4, n_jobs=2, backend="processes")
    assert len(study.trials) == 4
    for trial in study.trials:
        (meta,) = get_all_artifact_meta(trial, storage=study._storage)
        with store.open_reader(meta.artifact_id) as reader:
            assert float(reader.read()) == trial.params["x"]
