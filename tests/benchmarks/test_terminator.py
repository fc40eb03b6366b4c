"""``python -m benchmarks.terminator``: a smoke run on a tiny budget, and the report's
arithmetic on constructed results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.readme import side_section
from benchmarks.terminator import LIBRARIES, RULES, _outcomes, build_report, main


def test_every_terminator_is_asked_on_every_librarys_study(tmp_path: Path) -> None:
    arguments = ["--trials", "22", "--seeds", "1", "--problems", "mlp-wine"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "terminator.json").read_text())
    assert {s["study"] for s in results["studies"]} == set(LIBRARIES)
    assert all(len(s["trials"]) == 22 for s in results["studies"])
    for trial in results["studies"][0]["trials"]:
        assert trial["value"] is None or abs(sum(trial["folds"]) / 3 - trial["value"]) < 1e-12
    combinations = {(s["rule"], s["terminator"], s["study"]) for s in results["stops"]}
    assert len(combinations) == len(RULES) * len(LIBRARIES) ** 2
    for stop in results["stops"]:  # asked after each trial until it stops
        assert stop["calls"] == (stop["stop"] or 22) and stop["seconds"] > 0
    section = side_section("terminator", (tmp_path / "terminator.md").read_text(), "t.md")
    assert "| mlp-wine | optuna TPE + optuna terminator |" in section


def _results() -> dict[str, Any]:
    values = [[0.5, 0.4, 0.3, 0.35, 0.2], [0.6, 0.1, None, 0.3, 0.3]]
    studies = [
        {
            "problem": "p",
            "seed": seed,
            "study": "fastune",
            "trials": [{"params": {}, "value": v} for v in trial_values],
        }
        for seed, trial_values in enumerate(values)
    ]
    stops = [
        {"problem": "p", "seed": 0, "study": "fastune", "stop": 3, "seconds": 0.75, "calls": 3},
        {"problem": "p", "seed": 1, "study": "fastune", "stop": None, "seconds": 1.0, "calls": 5},
    ]
    for stop in stops:
        stop.update(rule=RULES[0], terminator="fastune")
    return {"n_trials": 5, "studies": studies, "stops": stops}


def test_outcomes_count_the_budget_for_a_rule_that_never_stops() -> None:
    outcomes = _outcomes(_results(), rule=RULES[0], terminator="fastune", study="fastune")
    # (trials run, best at the stop, best at the budget, seconds per call)
    assert outcomes == [(3, 0.3, 0.2, 0.25), (5, 0.1, 0.1, 0.2)]
    assert _outcomes(_results(), rule=RULES[1]) == []


def test_report_cells_are_medians_over_the_studies() -> None:
    results = _results()
    results.update(command="c", started_at="s", machine="m", code={"commit": "x", "dirty": False})
    report = build_report(results)
    row = next(line for line in report.splitlines() if "| fastune studies |" in line)
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[3] == "4 (3 to 5)"  # trials run
    assert cells[5] == "0.05 (max 0.1)"  # loss: 0.1 and 0
    assert cells[6] == "1/2"  # stopped before the budget
