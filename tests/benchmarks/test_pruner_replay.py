"""``python -m benchmarks.pruner_replay`` on one seed of a cheap task, and its replay on
constructed curves."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.pruner_replay import PRUNERS, REFERENCE, main, replay, summarize
from benchmarks.readme import side_section


def test_every_pruner_judges_the_same_trials(tmp_path: Path) -> None:
    arguments = ["--problems", "sgd-partial_fit-digits", "--seeds", "1", "--trials", "8"]
    assert main([*arguments, "--workers", "1", "--output-dir", str(tmp_path)]) == 0
    records = json.loads((tmp_path / "pruner_replay.json").read_text())["records"]
    by_pruner = {record["pruner"]: record for record in records}
    assert set(by_pruner) == set(PRUNERS)
    everything = by_pruner["no pruning"]
    assert everything["epochs"] == 8 * 30 and everything["complete"] == 8
    for record in records:
        assert record["epochs"] <= everything["epochs"]
        assert record["best"] >= everything["best"]  # a subset of the same trials
    # Both libraries' median rules decide alike on the same reports.
    fastune_median, optuna_median = by_pruner["fastune median"], by_pruner["optuna median"]
    assert (fastune_median["epochs"], fastune_median["best"]) == (
        optuna_median["epochs"],
        optuna_median["best"],
    )
    report = (tmp_path / "pruner_replay.md").read_text()
    section = side_section("pruner_replay", report, "pruner_replay.md")
    assert all(f"| {name} |" in section for name in PRUNERS)


def test_replay_counts_epochs_up_to_the_prune() -> None:
    good = [1.0 / step for step in range(1, 11)]
    flat = [5.0] * 10
    # Optuna's median rule: five complete trials first, then a flat loser is stopped at
    # its first report.
    result = replay(REFERENCE, [good] * 5 + [flat])
    assert result == {"epochs": 5 * 10 + 1, "best": good[-1], "complete": 5}
    assert replay("no pruning", [flat]) == {"epochs": 10, "best": 5.0, "complete": 1}


def test_summary_pairs_seeds_with_the_reference() -> None:
    records = [
        {
            "problem": "p",
            "seed": seed,
            "pruner": pruner,
            "epochs": epochs,
            "best": best,
            "complete": 3,
        }
        for seed, pruner, epochs, best in [
            (0, REFERENCE, 100, 0.5),
            (1, REFERENCE, 200, 0.5),
            (0, "fastune adaptive", 50, 0.4),
            (1, "fastune adaptive", 100, 0.5),
        ]
    ]
    summary = summarize(records, "p")["fastune adaptive"]
    assert summary["saved"] == 0.5  # median 75 against 150
    assert (summary["better"], summary["tie"], summary["worse"]) == (1, 1, 0)
    assert summary["median_best"] == 0.45
