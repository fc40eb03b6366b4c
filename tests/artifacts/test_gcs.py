"""GCSArtifactStore against a real Cloud Storage server on loopback (gcp-storage-emulator:
the JSON API of Cloud Storage, in a thread of the test process)."""

from __future__ import annotations

import io
import pickle
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.artifacts.store_checks import (
    round_trip,
    uploads_from_worker_processes,
    writes_from_the_position,
)

from fastune.artifacts import (
    GCSArtifactStore,
)
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.exceptions import InvalidParameterTypeError, MissingDependencyError

storage = pytest.importorskip("google.cloud.storage")
emulator = pytest.importorskip("gcp_storage_emulator.server")
credentials = pytest.importorskip("google.auth.credentials")

BUCKET = "fastune-artifacts"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = emulator.create_server("127.0.0.1", port, in_memory=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def client(endpoint: str) -> Iterator[Any]:
    made = storage.Client(
        project="fastune-tests",
        credentials=credentials.AnonymousCredentials(),
        client_options={"api_endpoint": endpoint},
    )
    bucket = made.create_bucket(BUCKET)
    yield made
    for blob in made.list_blobs(BUCKET):
        blob.delete()
    bucket.delete()


def test_artifacts_of_a_trial_go_to_the_bucket_and_come_back(client: Any, tmp_path: Path) -> None:
    store = GCSArtifactStore(BUCKET, client)
    artifact_id = round_trip(
        store, tmp_path, lambda name: client.bucket(BUCKET).get_blob(name).download_as_bytes()
    )
    store.remove(artifact_id)
    with pytest.raises(ArtifactNotFound, match=f"{artifact_id}.*{BUCKET}"):
        store.open_reader(artifact_id)
    with pytest.raises(ArtifactNotFound, match=f"{artifact_id}.*{BUCKET}"):
        store.remove(artifact_id)


def test_a_write_uploads_from_the_current_position(client: Any) -> None:
    writes_from_the_position(GCSArtifactStore(BUCKET, client))


def test_the_default_client_comes_from_the_environment(
    client: Any, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "fastune-tests")
    store = GCSArtifactStore(BUCKET)
    store.write("a1", io.BytesIO(b"x"))
    assert client.bucket(BUCKET).get_blob("a1").download_as_bytes() == b"x"


def test_a_pickled_store_makes_a_client_like_the_given_one(client: Any) -> None:
    store = pickle.loads(pickle.dumps(GCSArtifactStore(BUCKET, client)))
    assert store.client is not client
    assert (store.client.project, store.client.api_endpoint) == (
        client.project,
        client.api_endpoint,
    )
    store.write("a1", io.BytesIO(b"from a copy"))
    with GCSArtifactStore(BUCKET, client).open_reader("a1") as reader:
        assert reader.read() == b"from a copy"


def test_an_objective_in_worker_processes_uploads(client: Any, tmp_path: Path) -> None:
    uploads_from_worker_processes(GCSArtifactStore(BUCKET, client), tmp_path)


def test_errors_name_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="bucket_name.*non-empty str"):
        GCSArtifactStore(None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "google.cloud.storage", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'fastune\[gcs\]'"):
        GCSArtifactStore(BUCKET)
