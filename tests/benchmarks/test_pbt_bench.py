"""The PBT benchmark: its statistics on known answers, and one quick run end to end.

The quick run goes to a temporary folder (never to benchmarks/results/); no timing is
asserted, only that the results are complete, well formed and counted consistently.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks.pbt_bench.analysis import best_at, compute_to_reach, spread, summarize_problem
from benchmarks.pbt_bench.cli import QUICK
from benchmarks.pbt_bench.methods import Method
from benchmarks.pbt_bench.problems import PROBLEMS

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

# -- statistics --------------------------------------------------------------------------


def test_best_at_keeps_the_best_score_finished_within_the_compute() -> None:
    events = [(10, 0.5), (20, None), (30, 0.7), (40, 0.6)]
    assert best_at(events, 5) is None
    assert best_at(events, 25) == 0.5
    assert best_at(events, 30) == 0.7
    assert best_at(events, math.inf) == 0.7


def test_spread_counts_a_missing_score_as_worst() -> None:
    assert spread([0.1, 0.2, 0.3]).median == pytest.approx(0.2)
    assert spread([0.1, 0.2, None]).median == pytest.approx(0.1)
    assert spread([None, None, 0.3]).median is None
    assert spread([]).median is None


def test_compute_to_reach_follows_the_median_over_runs() -> None:
    runs = [[(10, 0.5), (20, 0.9)], [(15, 0.6), (30, 0.8)], [(5, 0.7)]]
    # Medians: 0.7 from compute 15 on (0.5, 0.6, 0.7), 0.8 from 30 on (0.9, 0.8, 0.7).
    assert compute_to_reach(runs, 0.6) == 15
    assert compute_to_reach(runs, 0.8) == 30
    assert compute_to_reach(runs, 0.95) is None


def test_verdict_needs_half_the_compute_and_a_higher_median_at_equal_compute() -> None:
    methods = [
        {"name": "pbt", "library": "fastune"},
        {"name": "peer", "library": "optuna"},
    ]
    runs = [
        {"problem": "p", "method": "pbt", "seed": 0, "events": [(10, 0.7), (20, 0.9)]},
        {"problem": "p", "method": "peer", "seed": 0, "events": [(20, 0.6), (80, 0.85)]},
    ]
    for run in runs:
        run.update(test_score=0.5, seconds=1.0, pick_units=1.0)
    summary = summarize_problem(runs, methods, {"pbt": 20, "peer": 80})
    verdict = summary["verdicts"]["pbt"]["peers"]["peer"]
    assert summary["targets"] == {"peer": 0.85}
    assert verdict["compute_to_reach"] == 20
    assert verdict["ratio"] == pytest.approx(4.0)
    assert verdict["pbt_at_pbt_budget"] == 0.9
    assert verdict["peer_at_pbt_budget"] == 0.6
    assert summary["verdicts"]["pbt"]["holds_cv"]

    runs[0]["events"] = [(10, 0.7), (20, 0.8)]
    summary = summarize_problem(runs, methods, {"pbt": 20, "peer": 80})
    assert summary["compute_to_reach"]["peer"]["pbt"] is None
    assert not summary["verdicts"]["pbt"]["holds_cv"]


def test_headline_verdict_rests_on_the_held_out_accuracy_of_the_picks() -> None:
    methods = [
        {"name": "pbt", "library": "fastune"},
        {"name": "peer", "library": "optuna"},
    ]
    runs = [
        # PBT wins on CV (its best of many noisy evaluations) but its pick is worse held out.
        {"problem": "p", "method": "pbt", "seed": 0, "events": [(10, 0.7), (20, 0.9)]},
        {"problem": "p", "method": "peer", "seed": 0, "events": [(20, 0.6), (80, 0.85)]},
    ]
    runs[0].update(test_score=0.90)
    runs[1].update(test_score=0.92)
    for run in runs:
        run.update(seconds=1.0, pick_units=1.0)
    verdict = summarize_problem(runs, methods, {"pbt": 20, "peer": 80})["verdicts"]["pbt"]
    assert verdict["holds_cv"]
    assert not verdict["holds"]
    assert not verdict["peers"]["peer"]["held_out_at_least"]

    runs[0]["test_score"] = 0.92  # a tie held out counts, with a quarter of the compute
    verdict = summarize_problem(runs, methods, {"pbt": 20, "peer": 80})["verdicts"]["pbt"]
    assert verdict["holds"]

    runs[0]["events"] = [(10, 0.7), (50, 0.9)]  # more than half the peer's compute
    verdict = summarize_problem(runs, methods, {"pbt": 50, "peer": 80})["verdicts"]["pbt"]
    assert not verdict["holds"]


# -- the quick mode, end to end ----------------------------------------------------------


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    output_dir = tmp_path_factory.mktemp("pbt_bench")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.pbt_bench", "--quick", "--output-dir", str(output_dir)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return output_dir, json.loads((output_dir / "pbt_quick.json").read_text())


def test_quick_results_hold_every_problem_method_and_seed(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_results
    expected = {
        (problem, method.name, seed)
        for problem in PROBLEMS
        for method in QUICK.methods
        for seed in range(QUICK.n_seeds)
    }
    assert {(r["problem"], r["method"], r["seed"]) for r in results["runs"]} == expected
    assert set(results["summary"]) == set(PROBLEMS)
    assert results["machine"]["nproc"] >= 1
    assert "--quick" in results["command"]
    assert {"fastune", "optuna", "scikit-learn"} <= set(results["versions"])


def test_quick_runs_count_compute_consistently(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_results
    methods = {method.name: method for method in QUICK.methods}
    for run in results["runs"]:
        method: Method = methods[run["method"]]
        nominal = method.nominal_compute(PROBLEMS[run["problem"]])
        spent = [event[0] for event in run["events"]]
        assert spent == sorted(spent)
        assert spent[0] > 0
        scores = [score for _, score in run["events"] if score is not None]
        assert scores
        assert all(0.0 <= score <= 1.0 for score in scores)
        assert 0.0 <= run["test_score"] <= 1.0
        if method.library == "fastune":
            # Every PBT step is counted: the run spends exactly its nominal compute.
            assert spent[-1] == nominal
            assert len(spent) == method.population_size * method.generations
        else:
            assert len(spent) == method.trials
            assert 0 < spent[-1] <= nominal


def test_quick_summary_and_report_are_complete(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    output_dir, results = quick_results
    report = (output_dir / "pbt_quick.md").read_text()
    assert report.startswith("# PBT benchmark")
    assert "## Headline" in report
    peers = [m.name for m in QUICK.methods if m.library != "fastune"]
    for problem, summary in results["summary"].items():
        assert set(summary["targets"]) == set(peers)
        assert all(target is not None for target in summary["targets"].values())
        assert set(summary["verdicts"]) == {m.name for m in QUICK.methods if m.library == "fastune"}
        assert f"### {problem}" in report
        figure = output_dir / f"pbt_quick_{problem}.png"
        assert figure.stat().st_size > 0
        assert f"`{figure.name}`" in report
