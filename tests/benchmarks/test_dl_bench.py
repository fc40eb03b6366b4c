"""The deep-learning benchmark: its statistics on known answers, and one quick run end to end
(to a temporary folder, never to benchmarks/results/; no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("optuna")

from benchmarks.dl_bench import (
    FASTUNE,
    OPTUNA,
    OPTUNA_EVENTS,
    QUICK,
    Plan,
    pick_at,
    reach_verdict,
    summarize,
)

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def test_pick_at_scores_the_best_validation_pick_finished_within_the_compute() -> None:
    events = [[10, 0.5, 0.55], [20, None, None], [30, 0.8, 0.7], [40, 0.8, 0.9]]
    assert pick_at(events, 5) is None
    assert pick_at(events, 25) == 0.55
    assert pick_at(events, 35) == 0.7
    assert pick_at(events, 100) == 0.7  # a tie goes to the earlier pick


def test_summary_states_both_targets() -> None:
    plan = Plan("t", 1, population_size=2, generations=2, epochs_per_generation=5,
                optuna_trials=2, epochs_per_trial=20)  # fmt: skip
    runs: list[dict[str, Any]] = [
        {"method": FASTUNE, "events": [[10, 0.7, 0.72], [20, 0.9, 0.88]]},
        {"method": OPTUNA, "events": [[20, 0.6, 0.6], [80, 0.85, 0.86]]},
    ]
    for run in runs:
        run.update(seconds=1.0, peak_rss_mb=100.0)
    summary = summarize(runs, plan)
    assert summary["target_validation"] == 0.85
    assert summary["pbt_epochs_to_reach"] == 20
    assert summary["ratio"] == pytest.approx(4.0)
    assert summary["equal_epochs"] == 20
    assert summary["methods"][OPTUNA]["test_at_pbt_budget"]["median"] == 0.6
    assert summary["reach_holds"] and summary["test_holds"]

    runs[0]["events"] = [[10, 0.7, 0.5], [20, 0.8, 0.5]]
    summary = summarize(runs, plan)
    assert summary["pbt_epochs_to_reach"] is None
    assert not summary["reach_holds"] and not summary["test_holds"]


def test_quick_run_writes_complete_consistent_results(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.dl_bench", "--quick", "--output-dir", str(tmp_path)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((tmp_path / "dl_bench_quick.json").read_text())
    runs = results["runs"]
    assert {(r["method"], r["seed"]) for r in runs} == {
        (method, seed) for method in (FASTUNE, OPTUNA) for seed in range(QUICK.n_seeds)
    }
    for run in runs:
        spent = [event[0] for event in run["events"]]
        assert spent == sorted(spent) and spent[0] > 0
        assert run["peak_rss_mb"] > 0
        if run["method"] == FASTUNE:  # every epoch counted: exactly the nominal budget
            assert spent[-1] == QUICK.pbt_epochs
            assert len(spent) == QUICK.population_size * QUICK.generations
        else:  # one event per reported epoch, of pruned trials too
            assert spent == list(range(1, len(spent) + 1))
            assert QUICK.optuna_trials <= spent[-1] <= QUICK.optuna_trials * QUICK.epochs_per_trial
        scores = [event[1] for event in run["events"] if event[1] is not None]
        assert scores and all(0.0 <= score <= 1.0 for score in scores)
    report = (tmp_path / "dl_bench_quick.md").read_text()
    assert "## Headline" in report and "--quick" in results["command"]
    assert {"torch", "optuna", "fastune"} <= set(results["versions"])
    assert results["optuna_events"] == OPTUNA_EVENTS
    assert set(results["code"]) == {"commit", "dirty"}


def test_reach_verdict_is_not_judged_where_optuna_kept_only_its_last_epochs() -> None:
    results: dict[str, Any] = {
        "plan": {"population_size": 10, "generations": 15},
        "summary": {"reach_holds": True},
    }
    assert reach_verdict(results).startswith("not judged (yes as measured, biased")
    assert reach_verdict(results | {"optuna_events": OPTUNA_EVENTS}) == "yes"
