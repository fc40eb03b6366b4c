"""FileSystemArtifactStore: write, read, remove, and ids that are not names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from fastune.artifacts import FileSystemArtifactStore
from fastune.artifacts.exceptions import ArtifactNotFound
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError


def test_write_read_and_remove(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")  # made if missing
    store.write("a1", io.BytesIO(b"\x00weights\xff"))
    with store.open_reader("a1") as reader:
        assert reader.read() == b"\x00weights\xff"
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["a1"]  # no draft left
    store.remove("a1")
    with pytest.raises(ArtifactNotFound, match="a1"):
        store.open_reader("a1")
    with pytest.raises(ArtifactNotFound, match="a1"):
        store.remove("a1")


def test_an_id_cannot_reach_outside_the_store(tmp_path: Path) -> None:
    store = FileSystemArtifactStore(tmp_path / "store")
    for bad in ("../escape", "/etc/passwd", "sub/../../escape", "."):
        with pytest.raises(InvalidParameterError, match="artifact_id"):
            store.write(bad, io.BytesIO(b"x"))
    with pytest.raises(InvalidParameterTypeError, match="artifact_id"):
        store.write("", io.BytesIO(b"x"))
    assert not (tmp_path / "escape").exists()
    for fine in ("my model.bin", "modèle", ".hidden"):  # any name inside, as Optuna's store
        store.write(fine, io.BytesIO(b"x"))
        with store.open_reader(fine) as reader:
            assert reader.read() == b"x"
    with pytest.raises(InvalidParameterTypeError, match="base_path"):
        FileSystemArtifactStore(3)  # type: ignore[arg-type]


def test_a_write_that_fails_leaves_no_draft(tmp_path: Path) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError("the source went away")

    store = FileSystemArtifactStore(tmp_path / "store")
    with pytest.raises(OSError, match="went away"):
        store.write("a1", Broken())
    assert list((tmp_path / "store").iterdir()) == []
