from __future__ import annotations

import io
import subprocess
import sys

import pytest

import fastune
from fastune._demo import run_demo
from fastune.cli import main


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastune.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"fastune {fastune.__version__}"


def test_demo_reports_best_params_and_a_table() -> None:
    out = io.StringIO()
    study = run_demo(n_trials=3, seed=0, out=out)
    text = out.getvalue()
    assert len(study.trials) == 3
    assert f"Best accuracy: {study.best_value:.4f}" in text
    assert "learning_rate = " in text
    assert "Top 5 trials:" in text and "accuracy" in text
    assert 0.8 < study.best_value <= 1.0


def test_demo_rejects_bad_trial_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--n-trials", "0"])
    assert "--n-trials must be a positive int. Got 0" in capsys.readouterr().err
