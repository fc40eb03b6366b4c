"""A throwaway PostgreSQL server on 127.0.0.1, for the tests and the benchmarks.

The server's binaries come from the Debian package, installed when missing (as root,
with apt-get). The cluster lives in a temporary directory and goes away on exit.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["NoPostgreSQLError", "free_port", "new_database", "postgresql_server"]


class NoPostgreSQLError(RuntimeError):
    """The PostgreSQL binaries are missing and cannot be installed here."""


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _install() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgresql_server() -> Iterator[str]:
    """Start a server; yield its base URL (no database); stop it and delete its files.

    Raises:
        NoPostgreSQLError: no binaries, and not root with apt-get to install them.
    """
    binaries = _binaries()
    if binaries is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _install()
        binaries = _binaries()
    if binaries is None:
        raise NoPostgreSQLError("PostgreSQL binaries not found (apt-get install postgresql)")
    # Not under a private directory: the server refuses to run as root, so as root it
    # runs as the package's user, which must reach its files.
    home = Path(tempfile.mkdtemp(prefix="fastune-postgresql-"))
    data = home / "data"
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(home, "postgres")
    port = free_port()
    quiet = {"check": True, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    initdb = [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run([*as_user, *initdb, "--no-sync"], **quiet)  # type: ignore[arg-type]
    options = f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off -c max_connections=200"
    control = [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-w"]
    log = ["-l", str(data / "log")]
    subprocess.run([*control, "-o", options, *log, "start"], **quiet)  # type: ignore[arg-type]
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*control, "-m", "immediate", "stop"], **quiet)  # type: ignore[arg-type]
        shutil.rmtree(home, ignore_errors=True)


def new_database(server: str) -> str:
    """A new empty database on ``server``; its URL."""
    import psycopg

    name = f"fastune_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"
