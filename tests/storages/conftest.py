"""Throwaway servers on 127.0.0.1 for the storage tests: PostgreSQL and Redis, installed
from the Debian packages when missing so that their tests run in CI, not skipped, and
fastune's own gRPC storage proxy."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator

import pytest
from benchmarks.postgresql_server import (
    NoPostgreSQLError,
    free_port,
    new_database,
    postgresql_server,
)

from fastune.storages import BaseStorage, GrpcStorageProxy, InMemoryStorage
from fastune.storages._remote._grpc import start_server
from fastune.storages.journal import JournalRedisBackend


@pytest.fixture(scope="session")
def postgresql_base() -> Iterator[str]:
    """The base URL (no database) of a PostgreSQL server started for this session."""
    pytest.importorskip("psycopg")
    try:
        with postgresql_server() as url:
            yield url
    except NoPostgreSQLError as error:
        if os.environ.get("CI"):
            pytest.fail(f"{error}: the PostgreSQL tests must run in CI")
        pytest.skip(str(error))


@pytest.fixture
def postgresql_url(postgresql_base: str) -> str:
    """The URL of a fresh database for one test."""
    return new_database(postgresql_base)


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


@pytest.fixture
def redis_backend(redis_server: str) -> JournalRedisBackend:
    """A journal backend on the session's server, under a key prefix of its own."""
    return JournalRedisBackend(redis_server, prefix=f"test-{uuid.uuid4().hex}")


@pytest.fixture
def grpc_proxy() -> Iterator[BaseStorage]:
    """A GrpcStorageProxy to a server started in this process on a fresh in-memory
    storage, stopped after the test."""
    pytest.importorskip("grpc")
    server, port = start_server(InMemoryStorage(), "127.0.0.1", 0, None)
    proxy = GrpcStorageProxy(host="127.0.0.1", port=port)
    try:
        yield proxy
    finally:
        proxy.close()
        server.stop(None)
