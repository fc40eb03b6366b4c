"""Boto3ArtifactStore against a real S3 server on loopback (moto's server: S3's HTTP API,
in a thread of the test process)."""

from __future__ import annotations

import io
import pickle
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
    Backoff,
    Boto3ArtifactStore,
)
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.exceptions import InvalidParameterTypeError, MissingDependencyError

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

BUCKET = "fastune-artifacts"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def client(endpoint: str) -> Iterator[Any]:
    made = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS)
    made.create_bucket(Bucket=BUCKET)
    yield made
    for item in made.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        made.delete_object(Bucket=BUCKET, Key=item["Key"])
    made.delete_bucket(Bucket=BUCKET)


def test_artifacts_of_a_trial_go_to_the_bucket_and_come_back(client: Any, tmp_path: Path) -> None:
    store = Boto3ArtifactStore(BUCKET, client)
    artifact_id = round_trip(
        store, tmp_path, lambda key: client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    )
    store.remove(artifact_id)
    with pytest.raises(ArtifactNotFound, match=f"{artifact_id}.*{BUCKET}"):
        store.open_reader(artifact_id)
    store.remove(artifact_id)  # S3 does not say whether the key was there


def test_a_missing_bucket_is_not_a_missing_artifact(client: Any) -> None:
    store = Boto3ArtifactStore("no-such-bucket", client)
    with pytest.raises(Exception, match="NoSuchBucket") as raised:
        store.open_reader("a1")
    assert not isinstance(raised.value, ArtifactNotFound)


@pytest.mark.parametrize("avoid_buf_copy", [False, True])
def test_a_write_uploads_from_the_current_position(client: Any, avoid_buf_copy: bool) -> None:
    source = writes_from_the_position(
        Boto3ArtifactStore(BUCKET, client, avoid_buf_copy=avoid_buf_copy)
    )
    if not avoid_buf_copy:  # the copy is uploaded: the caller's object stays open
        assert not source.closed
        source.seek(0)
        assert source.read() == b"header|payload"


def test_backoff_retries_a_write_from_the_start(client: Any) -> None:
    calls = []
    real = client.upload_fileobj

    def flaky(fileobj: Any, bucket: str, key: str) -> None:
        calls.append(key)
        if len(calls) == 1:
            fileobj.read(3)  # part of it went before the connection dropped
            raise ConnectionError("the connection dropped")
        real(fileobj, bucket, key)

    client.upload_fileobj = flaky
    store = Backoff(Boto3ArtifactStore(BUCKET, client), min_delay=0.01, max_delay=0.02)
    store.write("a1", io.BytesIO(b"weights"))
    assert len(calls) == 2
    with store.open_reader("a1") as reader:
        assert reader.read() == b"weights"


def test_the_default_client_comes_from_the_environment(
    client: Any, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEYS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEYS["aws_secret_access_key"])
    store = Boto3ArtifactStore(BUCKET)
    store.write("a1", io.BytesIO(b"x"))
    assert client.get_object(Bucket=BUCKET, Key="a1")["Body"].read() == b"x"


def test_a_pickled_store_makes_a_client_like_the_given_one(client: Any) -> None:
    store = pickle.loads(pickle.dumps(Boto3ArtifactStore(BUCKET, client)))
    assert store.client is not client
    assert store.client.meta.endpoint_url == client.meta.endpoint_url
    store.write("a1", io.BytesIO(b"from a copy"))
    with Boto3ArtifactStore(BUCKET, client).open_reader("a1") as reader:
        assert reader.read() == b"from a copy"


def test_an_objective_in_worker_processes_uploads(client: Any, tmp_path: Path) -> None:
    uploads_from_worker_processes(Boto3ArtifactStore(BUCKET, client), tmp_path)


def test_errors_name_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="bucket_name.*non-empty str"):
        Boto3ArtifactStore("")
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'fastune\[s3\]'"):
        Boto3ArtifactStore(BUCKET)
