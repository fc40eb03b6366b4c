"""Smoke test of ``python -m benchmarks.multi_objective`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.multi_objective import main
from benchmarks.readme import side_section


def test_multi_objective_scores_both_libraries(tmp_path: Path) -> None:
    arguments = ["--seeds", "1", "--population", "4", "--moo-trials", "12", "--small-trials", "12"]
    assert main([*arguments, "--constrained-trials", "8", "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "multi_objective.json").read_text())
    methods = {(r["problem"], r["method"]) for r in results["records"]}
    assert ("dtlz2", "fastune nsga3") in methods and ("dtlz2", "optuna nsga3") in methods
    assert ("constrained-quadratic", "optuna gp") in methods
    assert ("dtlz2-small", "fastune gp") in methods
    scores = {(r["problem"], r["method"]): r["score"] for r in results["records"]}
    assert scores[("zdt1", "fastune nsga2")] > 0  # a hypervolume
    assert scores[("constrained-quadratic", "fastune gp")] >= 0.5  # the best feasible value
    report = (tmp_path / "multi_objective.md").read_text()
    section = side_section("multi_objective", report, "multi_objective.md")
    assert "| dtlz2 | fastune nsga3 |" in section
