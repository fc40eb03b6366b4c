"""Smoke test of ``python -m benchmarks.gp_time`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.gp_time import main
from benchmarks.readme import side_section


def test_gp_time_writes_both_libraries(tmp_path: Path) -> None:
    arguments = ["--function", "1", "--dim", "2", "--trials", "6", "--seeds", "1"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "gp_time.json").read_text())
    assert {r["method"] for r in results["records"]} == {"fastune gp", "optuna gp"}
    assert all(r["seconds"] > 0 and r["n_trials"] == 6 for r in results["records"])
    report = (tmp_path / "gp_time.md").read_text()
    section = side_section("gp_time", report, "gp_time.md")
    assert "| fastune gp |" in section and "| optuna gp |" in section
