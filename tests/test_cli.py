from __future__ import annotations

import io
import subprocess
import sys

import pytest

import fastune
from fastune._demo import run_demo, run_pbt_demo
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


def test_pbt_demo_reports_the_schedule_and_plots(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    out = io.StringIO()
    path = tmp_path / "pbt.png"
    search = run_pbt_demo(seed=0, out=out, plot_path=str(path))
    text = out.getvalue()
    assert f"Best CV accuracy: {search.best_score_:.4f}" in text
    assert "Schedule of the best member" in text
    assert len(search.cv_results_["params"]) == 64
    assert path.stat().st_size > 10_000
