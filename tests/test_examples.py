"""Every example runs, at the small budget of its --quick flag, so that none rots."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(script: str, **env: str) -> str:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def test_torch_pbt_digits_example() -> None:
    pytest.importorskip("torch")
    output = _run("torch_pbt_digits.py")
    assert "trained on cpu: 8 segments" in output or "trained on cuda" in output
    assert "test accuracy" in output
    assert "generation 1:" in output


def test_keras_digits_example() -> None:
    pytest.importorskip("keras")
    output = _run("keras_digits.py")
    assert "search: best {'units'" in output
    assert "PBT: learning-rate schedule" in output


def test_lightgbm_search_that_stops_example() -> None:
    pytest.importorskip("lightgbm")
    output = _run("lightgbm_search_that_stops.py")
    assert "of 25 trials: best CV log loss" in output


def test_lightgbm_stepwise_tuning_example() -> None:
    pytest.importorskip("lightgbm")
    output = _run("lightgbm_stepwise_tuning.py")
    assert "trials in 6 steps" in output
    assert "test log loss, tuned:" in output


def test_pytorch_distributed_digits_example() -> None:
    pytest.importorskip("torch")
    output = _run("pytorch_distributed_digits.py")
    assert "4 trials: " in output
    assert "best validation accuracy" in output
