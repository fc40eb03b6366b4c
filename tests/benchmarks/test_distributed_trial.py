"""Smoke test of ``python -m benchmarks.distributed_trial`` on a few trials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.distributed_trial import main
from benchmarks.readme import side_section


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.distributed's import
def test_distributed_trial_writes_both_libraries(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("optuna_integration")
    assert main(["--trials", "4", "--steps", "2", "--output-dir", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "distributed_trial.json").read_text())
    by = {r["library"]: r for r in results["records"]}
    assert set(by) == {"fastune", "optuna"}
    assert all(r["ms_per_call"] > 0 and r["calls_per_trial"] == 8 for r in by.values())
    # fastune's ranks get the study's values (Optuna's floats arrive as 32-bit ones).
    assert by["fastune"]["off_record_rank0"] == by["fastune"]["off_record_rank1"] == 0
    report = (tmp_path / "distributed_trial.md").read_text()
    section = side_section("distributed_trial", report, "distributed_trial.md")
    assert "| fastune |" in section and "| optuna |" in section
