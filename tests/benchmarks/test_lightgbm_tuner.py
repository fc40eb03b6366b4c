"""Smoke test of ``python -m benchmarks.lightgbm_tuner`` on a tiny budget: both libraries'
tuners on the same problem and seed, and the report's README section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.lightgbm_tuner import LIBRARIES, main
from benchmarks.readme import side_section

pytest.importorskip("lightgbm")
pytest.importorskip("optuna_integration")


def test_both_tuners_run_on_the_same_splits(tmp_path: Path) -> None:
    arguments = ["--problems", "wine", "--seeds", "1", "--rounds", "5"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    records = json.loads((tmp_path / "lightgbm_tuner.json").read_text())["records"]
    assert sorted(r["library"] for r in records) == sorted(LIBRARIES)
    for record in records:
        assert record["problem"] == "wine" and record["n_trials"] > 50
        assert 0 < record["best_valid"] < 2 and 0 < record["test"] < 5
        assert record["seconds"] > 0
    section = side_section("lightgbm_tuner", (tmp_path / "lightgbm_tuner.md").read_text(), "l.md")
    assert "| wine | fastune |" in section and "| wine | optuna |" in section
