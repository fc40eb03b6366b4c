"""Smoke test of ``python -m benchmarks.variants`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.readme import side_section
from benchmarks.variants import PRUNER_VARIANTS, SAMPLER_VARIANTS, main


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
