"""Artifact stores: where the files attached to studies and trials are kept."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, BinaryIO, Protocol

from fastune._validation import invalid, invalid_type
from fastune.artifacts.exceptions import ArtifactNotFound

__all__ = ["ArtifactStore", "FileSystemArtifactStore", "spooled_copy"]

# A copy of an artifact stays in memory up to this size, then goes to a temporary file.
_SPOOL_BYTES = 64 * 1024 * 1024


class ArtifactStore(Protocol):
    """What ``upload_artifact`` and ``download_artifact`` need of a store."""

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """A binary reader of the artifact's bytes (the caller closes it)."""

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Keep the bytes read from ``content_body`` under ``artifact_id``."""

    def remove(self, artifact_id: str) -> None:
        """Delete the artifact."""


class FileSystemArtifactStore:
    """Keeps each artifact as a file named by its id in ``base_path`` (a directory on a
    disk every worker can reach: local, or a network file system).

    Args:
        base_path: The directory; created if missing.

    Raises:
        InvalidParameterTypeError: ``base_path`` is not a path.

    Example:
        >>> import fastune, tempfile, pathlib
        >>> store = fastune.artifacts.FileSystemArtifactStore(tempfile.mkdtemp())
        >>> model = pathlib.Path(tempfile.mkdtemp()) / "model.txt"
        >>> _ = model.write_text("weights")
        >>> study = fastune.create_study()
        >>> trial = study.ask()
        >>> artifact_id = fastune.artifacts.upload_artifact(
        ...     artifact_store=store, file_path=str(model), study_or_trial=trial)
        >>> [m.filename for m in fastune.artifacts.get_all_artifact_meta(trial)]
        ['model.txt']
    """

    def __init__(self, base_path: str | Path) -> None:
        if not isinstance(base_path, (str, os.PathLike)):
            raise invalid_type(
                "base_path", "FileSystemArtifactStore", "a path (str or os.PathLike)", base_path
            )
        self._base = Path(base_path)
        self._base.mkdir(parents=True, exist_ok=True)

    def _path(self, artifact_id: str) -> Path:
        """The artifact's file: any name that stays inside the base directory (as
        Optuna's store; not absolute, no '..' out of it)."""
        if not isinstance(artifact_id, str) or not artifact_id:
            raise invalid_type(
                "artifact_id", "FileSystemArtifactStore", "a non-empty str", artifact_id
            )
        path = (self._base / artifact_id).resolve()
        base = self._base.resolve()
        if Path(artifact_id).is_absolute() or path == base or base not in path.parents:
            raise invalid(
                "artifact_id",
                "FileSystemArtifactStore",
                "a name inside the store's directory (not absolute, not out of it)",
                artifact_id,
            )
        return path

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """Open the artifact for reading.

        Raises:
            ArtifactNotFound: no artifact has this id.
        """
        try:
            return open(self._path(artifact_id), "rb")
        except FileNotFoundError:
            raise ArtifactNotFound(f"No artifact {artifact_id!r} in {self._base}.") from None

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Copy ``content_body`` into the store, under a temporary name first, so that a
        reader never sees half an artifact."""
        path = self._path(artifact_id)
        draft = path.with_name(f".{artifact_id}.partial")
        try:
            with open(draft, "wb") as file:
                shutil.copyfileobj(content_body, file)
            os.replace(draft, path)
        except BaseException:
            draft.unlink(missing_ok=True)
            raise

    def remove(self, artifact_id: str) -> None:
        """Delete the artifact.

        Raises:
            ArtifactNotFound: no artifact has this id.
        """
        try:
            os.remove(self._path(artifact_id))
        except FileNotFoundError:
            raise ArtifactNotFound(f"No artifact {artifact_id!r} in {self._base}.") from None


def spooled_copy(write_into: Callable[[IO[bytes]], object]) -> IO[bytes]:
    """A temporary file (in memory up to 64 MiB, then on disk) that ``write_into``
    fills, rewound for reading; the caller closes it."""
    copy: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned open)
    try:
        write_into(copy)
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy
