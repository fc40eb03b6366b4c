"""Smoke test of ``python -m benchmarks.variants`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.readme import side_section
from benchmarks.variants import (
    PEER_SAMPLERS,
    PRUNER_VARIANTS,
    SAMPLER_PROBLEMS,
    SAMPLER_REFERENCE,
    SAMPLER_VARIANTS,
    build_peers_report,
    main,
)


@pytest.mark.parametrize(("kind", "budget"), [("samplers", 4), ("pruners", 3)])
def test_variants_run_every_setting_beside_the_reference(
    kind: str, budget: int, tmp_path: Path
) -> None:
    arguments = [kind, "--seeds", "1", "--budget", str(budget), "--workers", "2"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / f"variants_{kind}.json").read_text())
    methods = {record["method"] for record in results["records"]}
    variants = SAMPLER_VARIANTS if kind == "samplers" else PRUNER_VARIANTS
    assert set(variants) < methods  # and the Optuna references
    assert all(len(record["best"]) == budget for record in results["records"])
    report = (tmp_path / f"variants_{kind}.md").read_text()
    assert all(f"| {name} |" in report for name in variants)
    section = side_section(f"variants_{kind}", report, f"variants_{kind}.md")
    assert all(f"| {name} |" in section for name in variants)


def test_peers_run_reuses_the_samplers_run_of_the_same_seeds(tmp_path: Path) -> None:
    arguments = ["--seeds", "1", "--budget", "4", "--workers", "2", "--output-dir", str(tmp_path)]
    with pytest.raises(SystemExit, match="variants_samplers_seeds3-3.json is missing"):
        main(["peers", "--first-seed", "3", *arguments])  # no samplers run with seed 3
    assert main(["samplers", "--default-only", *arguments]) == 0
    assert main(["peers", *arguments]) == 0
    results = json.loads((tmp_path / "variants_peers.json").read_text())
    methods = {record["method"] for record in results["records"]}
    default = next(iter(SAMPLER_VARIANTS))
    assert methods == {*PEER_SAMPLERS, default, SAMPLER_REFERENCE}
    assert results["reused_from"] == "variants_samplers.json"
    report = (tmp_path / "variants_peers.md").read_text()
    assert all(f"| {name} |" in report for name in methods)


def _records(best: dict[tuple[str, str], tuple[float, float]]) -> list[dict[str, Any]]:
    """One seed per (method, problem): a best of ``at_half`` after half the budget (4 of 8
    trials) and ``at_end`` after all of them."""
    return [
        {"method": m, "problem": p, "seed": 0, "best": [at_half] * 4 + [at_end] * 4, "cost": 8}
        for (m, p), (at_half, at_end) in best.items()
    ]


def test_peers_report_counts_a_problem_when_any_sampler_reaches_it() -> None:
    problems = [p for group in SAMPLER_PROBLEMS.values() for p in group]
    first, second = problems[:2]
    best = {(SAMPLER_REFERENCE, p): (2.0, 1.0) for p in problems}
    best |= {(m, p): (3.0, 1.5) for m in (*SAMPLER_VARIANTS, *PEER_SAMPLERS) for p in problems}
    best[("fastune gp", first)] = (1.0, 0.5)  # reaches and beats the reference
    best[("optuna cma-es", second)] = (1.0, 1.0)  # reaches it, a tie at the end
    results = {
        "command": "python -m benchmarks.variants peers",
        "started_at": "2026-11-23T00:00:00+00:00",
        "machine": "test",
        "code": None,
        "n_seeds": 1,
        "first_seed": 0,
        "budget": 8,
        "records": _records(best),
        "reused_from": "variants_samplers.json",
    }
    report = build_peers_report(results)
    n = len(problems)
    assert f"| fastune gp | 1/{n} | 1/{n} |" in report
    assert f"| optuna cma-es | 1/{n} | 0/{n} |" in report
    assert f"| fastune tpe | 0/{n} | 0/{n} |" in report
    assert report.count(f"| fastune tpe | 0/{n}") == 1  # a candidate default and a peer
    assert f"| any sampler (chosen per problem after the fact) | 2/{n} | 1/{n} |" in report
    assert f"| {first} |" in report and "0.5 RB" in report
