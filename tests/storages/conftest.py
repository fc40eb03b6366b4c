"""Throwaway servers on 127.0.0.1 for the storage tests: PostgreSQL, installed from the
Debian packages when missing so that its tests run in CI, not skipped, a journal on the
Redis server of tests/conftest.py, and fastune's own gRPC storage proxy."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from benchmarks.postgresql_server import (
    NoPostgreSQLError,
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
