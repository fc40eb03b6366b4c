"""Smoke test of ``python -m benchmarks.storage_overhead`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.readme import storage_section
from benchmarks.storage_overhead import main


def test_storage_overhead_measures_both_libraries(tmp_path: Path) -> None:
    arguments = ["--checkpoints", "10,30", "--window", "5", "--optuna-max", "10"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    records = json.loads((tmp_path / "storage_overhead.json").read_text())["records"]
    measured = {(r["library"], r["n_trials"]) for r in records}
    assert measured == {("fastune", 10), ("fastune", 30), ("optuna", 10)}
    assert all(r["ms_per_trial"] > 0 for r in records)
    section = storage_section((tmp_path / "storage_overhead.md").read_text(), "s.md")
    assert "| fastune (sqlite) |" in section and "| optuna (sqlite) |" in section
