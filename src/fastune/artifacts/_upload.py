"""Attach files to studies and trials: upload, list and download artifacts."""

from __future__ import annotations

import dataclasses
import json
import mimetypes
import os
import shutil
import uuid
import warnings
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid, invalid_type
from fastune.artifacts._store import ArtifactStore
from fastune.exceptions import UpdateFinishedTrialError

if TYPE_CHECKING:
    from fastune.storages import BaseStorage

__all__ = ["ArtifactMeta", "download_artifact", "get_all_artifact_meta", "upload_artifact"]

#: Prefix of the system attributes that hold artifact metadata (Optuna's key).
ARTIFACTS_PREFIX = "artifacts:"


@dataclasses.dataclass
class ArtifactMeta:
    """What is known of an uploaded artifact: its id in the store, the name of the file
    it was uploaded from, its MIME type and its encoding (such as ``"gzip"``)."""

    artifact_id: str
    filename: str
    mimetype: str
    encoding: str | None


def _target(
    study_or_trial: Any, storage: BaseStorage | None, owner: str
) -> tuple[BaseStorage, str, int]:
    """The storage, the kind ("study" or "trial") and the id an artifact is attached to.
    A trial or study is known by its attributes, so that the stand-ins an objective gets
    in a worker process (``optimize(n_jobs=k)``) serve too: their storage calls run in
    the parent."""
    from fastune.trial import FrozenTrial

    if isinstance(study_or_trial, FrozenTrial):
        if storage is None:
            raise invalid(
                "storage",
                owner,
                "the storage the FrozenTrial is kept in (required with a FrozenTrial)",
                storage,
            )
        return storage, "trial", study_or_trial._trial_id
    if hasattr(study_or_trial, "_trial_id") and hasattr(study_or_trial, "study"):
        own = study_or_trial.study._storage
        return storage or own, "trial", study_or_trial._trial_id
    if hasattr(study_or_trial, "_study_id") and hasattr(study_or_trial, "_storage"):
        return storage or study_or_trial._storage, "study", study_or_trial._study_id
    raise invalid_type("study_or_trial", owner, "a Trial, a FrozenTrial or a Study", study_or_trial)


def upload_artifact(
    *args: Any,
    artifact_store: ArtifactStore | None = None,
    file_path: str | None = None,
    study_or_trial: Any = None,
    storage: BaseStorage | None = None,
    mimetype: str | None = None,
    encoding: str | None = None,
) -> str:
    """Copy the file at ``file_path`` into ``artifact_store`` and attach it to a study or
    a trial (its metadata kept in their system attributes, as Optuna keeps it).

    Args:
        artifact_store: Where the file's bytes go, such as a
            :class:`FileSystemArtifactStore`.
        file_path: The file to upload.
        study_or_trial: A ``Trial`` or ``Study``; a ``FrozenTrial`` with ``storage``.
        storage: The storage of a ``FrozenTrial`` (for a ``Trial`` or ``Study``: by
            default theirs).
        mimetype: By default guessed from the file name (``application/octet-stream``
            when unknown).
        encoding: By default guessed from the file name (such as ``gzip``).

    Returns:
        The artifact's id.

    Optuna's older positional order ``upload_artifact(study_or_trial, file_path,
    artifact_store)`` is taken too, with a ``FutureWarning`` as in Optuna 5.

    Raises:
        InvalidParameterTypeError: ``study_or_trial`` is none of the three.
        InvalidParameterError: a ``FrozenTrial`` without ``storage``; a missing or twice
            given argument.
        UpdateFinishedTrialError: the trial has finished (nothing is written).
        FileNotFoundError: no file at ``file_path``.
    """
    owner = "upload_artifact"
    given: dict[str, Any] = {"artifact_store": artifact_store, "file_path": file_path}
    given["study_or_trial"] = study_or_trial
    if args:
        warnings.warn(
            "upload_artifact takes keyword arguments; the positional order "
            "(study_or_trial, file_path, artifact_store) is deprecated, as in Optuna.",
            FutureWarning,
            stacklevel=2,
        )
        names = ("study_or_trial", "file_path", "artifact_store")
        if len(args) > len(names):
            raise invalid("args", owner, "at most 3 positional arguments", len(args))
        for name, value in zip(names, args, strict=False):
            if given[name] is not None:
                raise invalid(name, owner, "given once (by position or by name)", value)
            given[name] = value
    for name, value in given.items():
        if value is None:
            raise invalid(name, owner, "given", None)
    store: ArtifactStore = given["artifact_store"]
    path: str = given["file_path"]
    study_or_trial = given["study_or_trial"]
    target_storage, kind, target_id = _target(study_or_trial, storage, owner)
    if not isinstance(path, (str, os.PathLike)):
        raise invalid_type("file_path", owner, "a path (str or os.PathLike)", path)
    guessed_type, guessed_encoding = mimetypes.guess_type(os.fspath(path))
    meta = ArtifactMeta(
        artifact_id=str(uuid.uuid4()),
        filename=os.path.basename(path),
        mimetype=mimetype or guessed_type or "application/octet-stream",
        encoding=encoding or guessed_encoding,
    )
    if kind == "trial":  # a finished trial takes no new record: refuse before writing
        frozen = target_storage.get_trial(target_id)
        if frozen.state.is_finished():
            raise UpdateFinishedTrialError(
                f"Trial {frozen.number} has already finished ({frozen.state.name}): "
                "an artifact is attached while the trial runs."
            )
    with open(path, "rb") as file:
        store.write(meta.artifact_id, file)
    key = ARTIFACTS_PREFIX + meta.artifact_id
    record = json.dumps(dataclasses.asdict(meta))
    if kind == "trial":
        target_storage.set_trial_system_attr(target_id, key, record)
    else:
        target_storage.set_study_system_attr(target_id, key, record)
    return meta.artifact_id


def get_all_artifact_meta(
    study_or_trial: Any, *, storage: BaseStorage | None = None
) -> list[ArtifactMeta]:
    """The metadata of every artifact attached to a study or a trial (in the order the
    storage lists attributes: upload order in memory, by id in SQL storages).

    Raises:
        InvalidParameterTypeError: ``study_or_trial`` is not a Trial, FrozenTrial or Study.
        InvalidParameterError: a ``FrozenTrial`` without ``storage``.
    """
    target_storage, kind, target_id = _target(study_or_trial, storage, "get_all_artifact_meta")
    attrs = (
        target_storage.get_trial(target_id).system_attrs
        if kind == "trial"
        else target_storage.get_study_system_attrs(target_id)
    )
    fields = [field.name for field in dataclasses.fields(ArtifactMeta)]
    records = [json.loads(v) for k, v in attrs.items() if k.startswith(ARTIFACTS_PREFIX)]
    return [ArtifactMeta(**{name: record.get(name) for name in fields}) for record in records]


def download_artifact(*, artifact_store: ArtifactStore, file_path: str, artifact_id: str) -> None:
    """Copy an artifact's bytes from ``artifact_store`` to a new file at ``file_path``.

    Raises:
        FileExistsError: a file is at ``file_path`` already (it is not overwritten).
        ArtifactNotFound: the store has no artifact ``artifact_id``.
    """
    if os.path.exists(file_path):
        raise FileExistsError(f"File already exists: {file_path}")
    with artifact_store.open_reader(artifact_id) as reader, open(file_path, "xb") as file:
        shutil.copyfileobj(reader, file)
