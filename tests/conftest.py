"""Shared fixtures: keep fastune's per-trial log lines out of the test output; a Redis
server on 127.0.0.1 (installed from the Debian package when missing, so that its tests
run in CI, not skipped) for the storage and command-line tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest
from benchmarks.postgresql_server import free_port

import fastune


@pytest.fixture(autouse=True)
def _quiet_logging() -> Iterator[None]:
    verbosity = fastune.logging.get_verbosity()
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    yield
    fastune.logging.set_verbosity(verbosity)


def _redis_server_binary() -> str | None:
    """The redis-server program, installed from the Debian package when missing (as root,
    with apt-get)."""
    found = shutil.which("redis-server")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=False, env=env)
        found = shutil.which("redis-server")
    return found


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The URL of a Redis server started on 127.0.0.1 for this session, keeping nothing
    on disk."""
    redis = pytest.importorskip("redis")
    binary = _redis_server_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server not found: the Redis tests must run in CI")
        pytest.skip("redis-server not found (apt-get install redis-server)")
    port = free_port()
    home = tempfile.mkdtemp(prefix="fastune-redis-")
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", home],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30.0
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
