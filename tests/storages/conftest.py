"""A throwaway PostgreSQL server on 127.0.0.1 for the storage tests: installed from the
Debian package when missing, so that the PostgreSQL tests run in CI, not skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from benchmarks.postgresql_server import NoPostgreSQLError, new_database, postgresql_server


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
