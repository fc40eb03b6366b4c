"""Artifacts (Optuna's ``optuna.artifacts``): files, such as trained models or plots,
attached to a study or a trial and kept in an artifact store."""

from __future__ import annotations

from fastune.artifacts import exceptions
from fastune.artifacts._backoff import Backoff
from fastune.artifacts._boto3 import Boto3ArtifactStore
from fastune.artifacts._gcs import GCSArtifactStore
from fastune.artifacts._store import ArtifactStore, FileSystemArtifactStore
from fastune.artifacts._upload import (
    ArtifactMeta,
    download_artifact,
    get_all_artifact_meta,
    upload_artifact,
)

__all__ = [
    "ArtifactMeta",
    "ArtifactStore",
    "Backoff",
    "Boto3ArtifactStore",
    "FileSystemArtifactStore",
    "GCSArtifactStore",
    "download_artifact",
    "exceptions",
    "get_all_artifact_meta",
    "upload_artifact",
]
