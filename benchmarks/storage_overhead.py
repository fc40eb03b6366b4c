"""Storages under load: overhead per trial at trial n, and several worker processes on
one study.

Storages: SQLite, a journal file (``JournalStorage(JournalFileBackend(path))``, each
library's own), PostgreSQL, and each library's gRPC storage proxy (``GrpcStorageProxy``)
to its own proxy server, started in this process on an SQLite file. Overhead: one study
per (library, database), a random sampler (so that the time is the storage's and the
study loop's), timed over the ``--window`` trials that end at each checkpoint; the
studies take turns. Concurrency:
``--workers`` processes, each running ``--trials-per-worker`` trials of one shared
study; then every trial is checked (none lost, doubled or left running) and the
throughput reported. PostgreSQL runs on a throwaway local server (``benchmarks.postgresql_server``).

``python -m benchmarks.storage_overhead`` writes ``storage_overhead.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.postgresql_server import free_port, new_database, postgresql_server
from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header
from benchmarks.timing import _trivial_objective

# Targets of the issue: SQLite <= 3 ms and PostgreSQL <= 5 ms per trial, flat from trial
# 100 to 10,000.
TARGET_MS = {"sqlite": 3.0, "postgresql": 5.0}

DATABASES = ("sqlite", "journal", "postgresql", "grpc")
JOURNAL_PREFIX = "journal:"
GRPC_PREFIX = "grpc:"

# Imports fastune only (this module's imports would add ~1.7 s to each worker's start);
# a storage spec is read as open_storage reads it.
WORKER = f"""
    import sys
    import fastune
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    spec = sys.argv[1]
    if spec.startswith({JOURNAL_PREFIX!r}):
        backend = fastune.storages.journal.JournalFileBackend(spec[{len(JOURNAL_PREFIX)}:])
        spec = fastune.storages.JournalStorage(backend)
    elif spec.startswith({GRPC_PREFIX!r}):
        port = int(spec[{len(GRPC_PREFIX)}:])
        spec = fastune.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
    study = fastune.load_study(study_name="load", storage=spec,
                               sampler=fastune.samplers.RandomSampler())
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=int(sys.argv[2]))
"""


def _specs(library: str, database: str, directory: str, server: str, proxies: list[Any]) -> str:
    """Where a study lives: a database URL, ``journal:<path>`` or ``grpc:<port>`` (see
    ``open_storage``); a proxy server started for ``grpc`` is added to ``proxies``."""
    if database == "sqlite":
        return f"sqlite:///{directory}/{library}.db"
    if database == "journal":
        return f"{JOURNAL_PREFIX}{directory}/{library}.log"
    if database == "grpc":
        port = _serve(library, f"sqlite:///{directory}/{library}-proxied.db", proxies)
        return f"{GRPC_PREFIX}{port}"
    url = new_database(server)
    return url.replace("postgresql://", "postgresql+psycopg://") if library == "optuna" else url


def _serve(library: str, url: str, proxies: list[Any]) -> int:
    """Start ``library``'s gRPC proxy server on the storage of ``url``; its port."""
    if library == "optuna":
        import optuna
        from optuna.storages._grpc.server import make_server

        port = free_port()
        proxy = make_server(optuna.storages.get_storage(url), "127.0.0.1", port, None)
        proxy.start()
    else:
        import fastune
        from fastune.storages._remote._grpc import start_server

        proxy, port = start_server(fastune.storages.get_storage(url), "127.0.0.1", 0, None)
    proxies.append(proxy)
    return int(port)


def open_storage(module: Any, spec: str) -> Any:
    """The ``storage`` argument of ``module`` (fastune or optuna) for ``spec``: a journal
    storage on a file for ``journal:<path>``, a proxy for ``grpc:<port>``, otherwise the
    URL itself."""
    if spec.startswith(JOURNAL_PREFIX):
        path = spec[len(JOURNAL_PREFIX) :]
        return module.storages.JournalStorage(module.storages.journal.JournalFileBackend(path))
    if spec.startswith(GRPC_PREFIX):
        port = int(spec[len(GRPC_PREFIX) :])
        return module.storages.GrpcStorageProxy(host="127.0.0.1", port=port)
    return spec


def measure_overhead(
    checkpoints: Sequence[int], window: int, caps: dict[str, int], server: str, proxies: list[Any]
) -> list[dict[str, Any]]:
    import optuna

    import fastune

    modules = {"fastune": fastune, "optuna": optuna}
    directory = tempfile.mkdtemp(prefix="storage-overhead-")
    studies = {
        (library, database): modules[library].create_study(
            storage=open_storage(
                modules[library], _specs(library, database, directory, server, proxies)
            ),
            sampler=modules[library].samplers.RandomSampler(seed=0),
            pruner=modules[library].pruners.NopPruner(),
        )
        for database in DATABASES
        for library in ("fastune", "optuna")
    }
    records = []
    for checkpoint in checkpoints:
        for (library, database), study in studies.items():
            if checkpoint > caps.get(library, checkpoint):
                continue
            done = len(study.get_trials(deepcopy=False))
            study.optimize(_trivial_objective, n_trials=max(checkpoint - window - done, 0))
            start = time.perf_counter()
            study.optimize(_trivial_objective, n_trials=window)
            ms = (time.perf_counter() - start) / window * 1e3
            records.append(
                {
                    "library": library,
                    "database": database,
                    "n_trials": checkpoint,
                    "ms_per_trial": round(ms, 4),
                }
            )
            print(f"{library} {database} at trial {checkpoint}: {ms:.2f} ms", file=sys.stderr)
    for study in studies.values():
        _close(study)
    return records


def _close(study: Any) -> None:
    """Close a study's database connections (fastune's storage, or Optuna's engine)."""
    storage = study._storage
    backend = getattr(storage, "_backend", storage)
    if hasattr(backend, "engine"):
        backend.engine.dispose()
    elif hasattr(storage, "close"):
        storage.close()


def measure_concurrency(
    n_workers: int, per_worker: int, server: str, proxies: list[Any]
) -> list[dict[str, Any]]:
    import fastune
    from fastune.trial import TrialState

    directory = tempfile.mkdtemp(prefix="storage-load-")
    records = []
    for database in DATABASES:
        spec = _specs("fastune", database, directory, server, proxies)
        _close(fastune.create_study(study_name="load", storage=open_storage(fastune, spec)))
        code = textwrap.dedent(WORKER)
        start = time.perf_counter()
        workers = [
            subprocess.Popen([sys.executable, "-c", code, spec, str(per_worker)])
            for _ in range(n_workers)
        ]
        failures = sum(worker.wait() != 0 for worker in workers)
        seconds = time.perf_counter() - start
        loaded = fastune.load_study(study_name="load", storage=open_storage(fastune, spec))
        trials = loaded.get_trials(deepcopy=False)
        _close(loaded)
        numbers = sorted(t.number for t in trials)
        records.append(
            {
                "database": database,
                "workers": n_workers,
                "trials_per_worker": per_worker,
                "trials": len(trials),
                "numbers_ok": numbers == list(range(n_workers * per_worker)),
                "complete": sum(t.state == TrialState.COMPLETE for t in trials),
                "running": sum(t.state == TrialState.RUNNING for t in trials),
                "failed_workers": failures,
                "seconds": round(seconds, 2),
                "trials_per_second": round(len(trials) / seconds, 1),
            }
        )
        print(f"{database}: {records[-1]}", file=sys.stderr)
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    sizes = sorted({r["n_trials"] for r in records})
    lines = [
        *side_report_header("Storages under load", results),
        "* Overhead: one study per library and database, RandomSampler, the trivial "
        f"objective (two floats and an int); ms per trial over the {results['window']} "
        "trials that end at trial n. Journal: each library's JournalStorage on a file. "
        "PostgreSQL is a local server (127.0.0.1). gRPC: each library's GrpcStorageProxy to "
        "its own proxy server in this process (one more thread on the same cores), which "
        "serves an SQLite file. Targets for fastune: SQLite <= 3 ms, "
        "PostgreSQL <= 5 ms, flat from trial 100 to 10,000 (none set for the journal).",
        "",
    ]
    rows = []
    for key in dict.fromkeys((r["library"], r["database"]) for r in records):
        mine = {
            r["n_trials"]: r["ms_per_trial"]
            for r in records
            if (r["library"], r["database"]) == key
        }
        rows.append(
            [f"{key[0]} ({key[1]})", *(f"{mine[n]:.3g}" if n in mine else "—" for n in sizes)]
        )
    lines += table(["storage", *(f"trial {n:,}" for n in sizes)], rows)
    load = results["concurrency"]
    if load:
        lines += [
            "",
            f"Concurrency: {load[0]['workers']} worker processes x "
            f"{load[0]['trials_per_worker']} trials on one fastune study (start-up included).",
            "",
        ]
        lines += table(
            [
                "database",
                "trials",
                "numbers 0..n-1, once each",
                "complete",
                "left running",
                "failed workers",
                "seconds",
                "trials per second",
            ],
            (
                [
                    r["database"],
                    str(r["trials"]),
                    "yes" if r["numbers_ok"] else "no",
                    str(r["complete"]),
                    str(r["running"]),
                    str(r["failed_workers"]),
                    f"{r['seconds']:.1f}",
                    f"{r['trials_per_second']:.0f}",
                ]
                for r in load
            ),
        )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoints", default="100,1000,3000,10000")
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--optuna-max", type=int, default=1000, help="Optuna's RDB is slow")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--trials-per-worker", type=int, default=250)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    checkpoints = [int(n) for n in options.checkpoints.split(",")]
    proxies: list[Any] = []  # the gRPC proxy servers started, stopped at the end
    try:
        with postgresql_server() as server:
            records = measure_overhead(
                checkpoints, options.window, {"optuna": options.optuna_max}, server, proxies
            )
            load = measure_concurrency(options.workers, options.trials_per_worker, server, proxies)
    finally:
        for proxy in proxies:
            proxy.stop(None)
    fields = {"window": options.window, "records": records, "concurrency": load}
    return "storage_overhead", fields, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("storage_overhead", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
