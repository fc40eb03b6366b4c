"""Smoke test of ``python -m benchmarks.storage_overhead`` on a tiny budget (it starts its
own throwaway PostgreSQL server)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from benchmarks.readme import side_section
from benchmarks.storage_overhead import main


def test_storage_overhead_measures_both_libraries_and_databases(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    if not os.environ.get("CI") and not Path("/usr/lib/postgresql").exists():
        pytest.skip("PostgreSQL binaries not found (apt-get install postgresql)")
    arguments = ["--checkpoints", "10,30", "--window", "5", "--optuna-max", "10"]
    load = ["--workers", "2", "--trials-per-worker", "5"]
    assert main([*arguments, *load, "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "storage_overhead.json").read_text())
    measured = {(r["library"], r["database"], r["n_trials"]) for r in results["records"]}
    assert measured == {
        (library, database, n)
        for library in ("fastune", "optuna")
        for database in ("sqlite", "journal", "postgresql", "grpc")
        for n in ((10, 30) if library == "fastune" else (10,))
    }
    assert all(r["ms_per_trial"] > 0 for r in results["records"])
    databases = [r["database"] for r in results["concurrency"]]
    assert databases == ["sqlite", "journal", "postgresql", "grpc"]
    assert all(r["numbers_ok"] and r["running"] == 0 for r in results["concurrency"])
    section = side_section(
        "storage_overhead", (tmp_path / "storage_overhead.md").read_text(), "s.md"
    )
    assert "| fastune (postgresql) |" in section and "| optuna (sqlite) |" in section
    assert "| fastune (journal) |" in section and "| optuna (grpc) |" in section
