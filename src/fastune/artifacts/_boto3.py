"""An artifact store in an S3 bucket (Amazon S3 or a server that speaks its API: MinIO,
Ceph, Cloudflare R2...), through boto3."""

from __future__ import annotations

import functools
import shutil
from typing import Any, BinaryIO

from fastune._imports import import_optional
from fastune._validation import invalid_type
from fastune.artifacts._store import spooled_copy
from fastune.artifacts.exceptions import ArtifactNotFound

__all__ = ["Boto3ArtifactStore"]


class Boto3ArtifactStore:
    """Keeps each artifact as an object of an S3 bucket, its key the artifact's id (as
    Optuna's ``Boto3ArtifactStore``). Every worker that reaches the bucket shares the
    artifacts. Needs ``pip install 'fastune[s3]'``.

    Args:
        bucket_name: The bucket (it must exist).
        client: A boto3 S3 client; by default ``boto3.client("s3")``, which takes its
            credentials, region and endpoint from the environment as boto3 does
            (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL_S3`` for a server other than
            Amazon's, ``~/.aws/config``...).
        avoid_buf_copy: Hand the caller's file object to boto3 as it is. By default the
            bytes are first copied (in memory up to 64 MiB, then in a temporary file),
            because boto3's ``upload_fileobj`` may close the object it is given.

    Removing an artifact that is not there is not an error: S3 does not say whether
    the key existed.

    The store can be pickled, so an objective that uploads runs in the worker processes
    of ``optimize(n_jobs=k)``: a worker makes its own client, the default one, or for a
    given client one with the same endpoint, region, configuration and credentials
    (their values at pickling time).

    Raises:
        InvalidParameterTypeError: ``bucket_name`` is not a non-empty str.
        MissingDependencyError: boto3 is not installed.

    Example:
        >>> import fastune
        >>> store = fastune.artifacts.Boto3ArtifactStore("my-bucket")  # doctest: +SKIP
    """

    def __init__(
        self, bucket_name: str, client: Any = None, *, avoid_buf_copy: bool = False
    ) -> None:
        if not isinstance(bucket_name, str) or not bucket_name:
            raise invalid_type("bucket_name", "Boto3ArtifactStore", "a non-empty str", bucket_name)
        self.bucket = bucket_name
        self._given_client = client is not None
        self.client = client if client is not None else _boto3().client("s3")
        self._avoid_buf_copy = bool(avoid_buf_copy)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        client = state.pop("client")
        if self._given_client:  # what makes a client like it in another process
            credentials = client._request_signer._credentials
            frozen = credentials.get_frozen_credentials() if credentials else None
            state["client_options"] = {
                "endpoint_url": client.meta.endpoint_url,
                "region_name": client.meta.region_name,
                "config": client.meta.config,
                "aws_access_key_id": frozen.access_key if frozen else None,
                "aws_secret_access_key": frozen.secret_key if frozen else None,
                "aws_session_token": frozen.token if frozen else None,
            }
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        options = state.pop("client_options", {})
        self.__dict__.update(state)
        self.client = _boto3().client("s3", **options)

    def open_reader(self, artifact_id: str) -> BinaryIO:
        """A reader of the object's bytes, streamed from the bucket.

        Raises:
            ArtifactNotFound: no object has this key.
        """
        error_class = import_optional("botocore.exceptions", "s3").ClientError
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=artifact_id)
        except error_class as error:
            # A missing key; a missing bucket (NoSuchBucket, also a 404) is raised as is.
            if getattr(error, "response", {}).get("Error", {}).get("Code") == "NoSuchKey":
                raise ArtifactNotFound(
                    f"No artifact {artifact_id!r} in the S3 bucket {self.bucket!r}."
                ) from error
            raise
        body: BinaryIO = response["Body"]
        return body

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        """Upload the bytes read from ``content_body`` as the object ``artifact_id``; the
        caller's file object is left open unless ``avoid_buf_copy``."""
        if self._avoid_buf_copy:
            self.client.upload_fileobj(content_body, self.bucket, artifact_id)
            return
        with spooled_copy(functools.partial(shutil.copyfileobj, content_body)) as copy:
            self.client.upload_fileobj(copy, self.bucket, artifact_id)

    def remove(self, artifact_id: str) -> None:
        """Delete the object ``artifact_id``."""
        self.client.delete_object(Bucket=self.bucket, Key=artifact_id)


def _boto3() -> Any:
    return import_optional("boto3", "s3")
