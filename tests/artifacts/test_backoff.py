from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pytest

from fastune.artifacts import Backoff, FileSystemArtifactStore
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.exceptions import InvalidParameterError


class Flaky(FileSystemArtifactStore):
    """Fails the first ``failures`` writes after reading part of the body."""

    def __init__(self, path: Path, failures: int) -> None:
        super().__init__(path)
        self.failures = failures
        self.attempts = 0

    def write(self, artifact_id: str, content_body: BinaryIO) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            content_body.read(3)
            raise ConnectionError("the request was dropped")
        super().write(artifact_id, content_body)


def test_a_dropped_write_is_retried_from_the_start_of_the_body(tmp_path: Path) -> None:
    flaky = Flaky(tmp_path, failures=2)
    store = Backoff(flaky, max_retries=3, min_delay=0.001, max_delay=0.01)
    store.write("model", io.BytesIO(b"weights"))
    assert flaky.attempts == 3
    with store.open_reader("model") as reader:
        assert reader.read() == b"weights"  # not "ghts": the body was rewound


def test_retries_run_out_and_a_missing_artifact_is_not_retried(tmp_path: Path) -> None:
    flaky = Flaky(tmp_path, failures=5)
    with pytest.raises(ConnectionError):
        Backoff(flaky, max_retries=2, min_delay=0.001, max_delay=0.01).write(
            "model", io.BytesIO(b"x")
        )
    assert flaky.attempts == 2
    with pytest.raises(ArtifactNotFound):
        Backoff(flaky, min_delay=0.001, max_delay=0.01).open_reader("nothing")
    with pytest.raises(InvalidParameterError, match="'max_delay'"):
        Backoff(flaky, min_delay=1.0, max_delay=0.5)
