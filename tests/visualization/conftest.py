"""Render with the Agg backend: no window, same pixels everywhere (and a stand-in GUI
backend for the tests of the live window)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def window_backend() -> Iterator[Any]:
    """pyplot with the stand-in GUI backend, not in interactive mode (a script's
    default); Agg again afterwards."""
    import matplotlib.pyplot as plt
    from tests.visualization import window_backend as backend

    backend.SHOWN.clear()
    backend.EVENT_LOOPS.clear()
    interactive = plt.isinteractive()
    plt.ioff()
    plt.switch_backend("module://tests.visualization.window_backend")
    try:
        yield backend
    finally:
        plt.switch_backend("Agg")
        plt.interactive(interactive)


def _chromium_binary() -> str | None:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """A headless browser for the report test: installed from the Debian package when
    missing (as root, with apt-get), so that the test runs in CI, not skipped."""
    import os
    import shutil
    import subprocess

    binary = _chromium_binary()
    if binary is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
        binary = _chromium_binary()
    if binary is None:
        message = "chromium not found (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: the browser test must run in CI")
        pytest.skip(message)
    return binary
