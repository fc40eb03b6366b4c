"""Smoke test of ``python -m benchmarks.pruner_overhead`` on a tiny study."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.pruner_overhead import PRUNERS, main
from benchmarks.readme import side_section


def test_pruner_overhead_writes_every_pruner(tmp_path: Path) -> None:
    arguments = ["--trials", "8", "--steps", "6", "--new-trials", "2"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "pruner_overhead.json").read_text())
    assert {r["pruner"] for r in results["records"]} == set(PRUNERS)
    assert all(r["ms_per_check"] > 0 and r["n_trials"] == 8 for r in results["records"])
    report = (tmp_path / "pruner_overhead.md").read_text()
    section = side_section("pruner_overhead", report, "pruner_overhead.md")
    assert "| fastune adaptive |" in section and "| optuna median |" in section
