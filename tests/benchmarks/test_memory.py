"""Smoke test of ``python -m benchmarks.memory`` on a tiny budget."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.memory import main
from benchmarks.readme import side_section


def test_memory_grows_with_the_trials(tmp_path: Path) -> None:
    arguments = ["--checkpoints", "20,60", "--params", "3", "--optuna-max", "20"]
    assert main([*arguments, "--output-dir", str(tmp_path)]) == 0
    records = json.loads((tmp_path / "memory.json").read_text())["records"]
    held = {(r["method"], r["n_trials"]): r["bytes"] for r in records}
    assert held[("fastune tpe", 60)] > held[("fastune tpe", 20)] > 0
    assert ("optuna tpe", 60) not in held  # capped
    section = side_section("memory", (tmp_path / "memory.md").read_text(), "memory.md")
    assert "| fastune tpe |" in section and "kB per trial" in section
