"""Shared fixtures: keep fastune's per-trial log lines out of the test output."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import fastune


@pytest.fixture(autouse=True)
def _quiet_logging() -> Iterator[None]:
    verbosity = fastune.logging.get_verbosity()
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    yield
    fastune.logging.set_verbosity(verbosity)
