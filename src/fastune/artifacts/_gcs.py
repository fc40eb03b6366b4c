"""An artifact store in a Google Cloud Storage bucket."""

from __future__ import annotations

import functools
import shutil
from typing import Any, BinaryIO

from fastune._imports import import_optional
from fastune._validation import invalid_type
from fastune.artifacts._store import spooled_copy
from fastune.artifacts.exceptions import ArtifactNotFound

__all__ = ["GCSArtifactStore"]


class GCSArtifactStore:
    """Keeps each artifact as a blob of a Google Cloud Storage bucket, its name the
    artifact's id (as Optuna's ``GCSArtifactStore``). Needs ``pip install
    'fastune[gcs]'``.

    Args:
        bucket_name: The bucket (it must exist).
        client: A ``google.cloud.storage.Client``; by default a new one, with the
            credentials and project Google's libraries find (``gcloud auth
            application-default login``, ``GOOGLE_APPLICATION_CREDENTIALS``, or
            ``STORAGE_EMULATOR_HOST`` for an emulator).

    The store can be pickled, so an objective that uploads runs in the worker processes
    of ``optimize(n_jobs=k)``: a worker makes its own client, the default one, or for a
    given client one with the same project, endpoint and credentials.

    Raises:
        InvalidParameterTypeError: ``bucket_name`` is not a non-empty str.
        MissingDependencyError: google-cloud-storage is not installed.

    Example:
        >>> import fastune
        >>> store = fastune.artifacts.GCSArtifactStore("my-bucket")  # doctest: +SKIP
    """

    def __init__(self, bucket_name: str, client: Any = None) -> None:
        if not isinstance(bucket_name, str) or not bucket_name:
            raise invalid_type("bucket_name", "GCSArtifactStore", "a non-empty str", bucket_name)
        self.bucket_name = bucket_name
        self._given_client = client is not None
        self._connect(client)

    def _connect(self, client: Any, **options: Any) -> None:
        if client is None:
            client = import_optional("google.cloud.storage", "gcs").Client(**options)
        self.client = client
        self.bucket_obj = client.bucket(self.bucket_name)

    def __getstate__(self) -> dict[str, Any]:
        state = {"bucket_name": self.bucket_name, "_given_client": self._given_client}
        if self._given_client:  # what makes a client like it in another process
            state["client_options"] = {
                "project": self.client.project,
                "credentials": self.client._credentials,
                "client_options": {"api_endpoint": self.client.api_endpoint},
            }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        options = state.pop("client_options", {})
        self.__dict__.update(state)
        self._connect(None, **options)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """A reader of the blob's bytes (downloaded into a temporary file first).

        Raises:
            ArtifactNotFound: no blob has this name.
        """
        blob = self.bucket_obj.get_blob(artifact_id)
        if blob is None:
            raise ArtifactNotFound(
                f"No artifact {artifact_id!r} in the GCS bucket {self.bucket_name!r}."
            )
        reader: Any = spooled_copy(blob.download_to_file)
        return reader

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Upload the bytes read from ``content_body`` (from its position) as the blob
        ``artifact_id``: a copy is uploaded, since a large upload must start at the
        beginning of a seekable stream."""
        with spooled_copy(functools.partial(shutil.copyfileobj, content_body)) as copy:
            self.bucket_obj.blob(artifact_id).upload_from_file(copy)

    def remove(self, artifact_id: str) -> None:
        """Delete the blob ``artifact_id``.

        Raises:
            ArtifactNotFound: no blob has this name.
        """
        not_found = import_optional("google.api_core.exceptions", "gcs").NotFound
        try:
            self.bucket_obj.delete_blob(artifact_id)
        except not_found as error:
            raise ArtifactNotFound(
                f"No artifact {artifact_id!r} in the GCS bucket {self.bucket_name!r}."
            ) from error
