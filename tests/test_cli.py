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


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fastune.cli", *arguments], capture_output=True, text=True
    )


def test_study_commands_on_an_sqlite_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io
    import json

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    study = fastune.create_study(study_name="cli", storage=url)
    study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.5) ** 2, n_trials=6)
    listed = json.loads(_cli("studies", "--storage", url, "--format", "json").stdout)
    assert [(s["name"], s["n_trials"], s["best_value"]) for s in listed] == [
        ("cli", 6, study.best_value)
    ]
    table = _cli("trials", "--storage", url, "--study", "cli").stdout.splitlines()
    assert table[0].split()[:4] == ["number", "state", "value", "params_x"] and len(table) == 7
    rows = list(
        csv.DictReader(
            io.StringIO(
                _cli("trials", "--storage", url, "--study-name", "cli", "--format", "csv").stdout
            )
        )
    )
    assert [float(r["params_x"]) for r in rows] == [t.params["x"] for t in study.trials]
    best = json.loads(
        _cli("best-trial", "--storage", url, "--study", "cli", "--format", "json").stdout
    )
    assert best[0]["number"] == study.best_trial.number
    deleted = _cli("delete-study", "--storage", url, "--study", "cli")
    assert deleted.returncode == 0 and "Deleted study 'cli'" in deleted.stdout
    assert fastune.get_all_study_names(url) == []


def test_study_command_errors_hide_passwords() -> None:
    missing = _cli("trials", "--storage", "postgresql://me:secret@localhost/db", "--study", "x")
    assert missing.returncode == 1
    assert "secret" not in missing.stderr + missing.stdout
    assert "me:***@localhost" in missing.stderr


def test_workers_join_a_study_from_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "my_objective.py").write_text(
        "def objective(trial):\n    return trial.suggest_float('x', -1, 1) ** 2\n"
    )
    url = f"sqlite:///{tmp_path / 'w.db'}"
    fastune.create_study(study_name="shared", storage=url)
    command = [
        sys.executable,
        "-m",
        "fastune.cli",
        "worker",
        "my_objective:objective",
        "--storage",
        url,
        "--study",
        "shared",
        "--n-trials",
        "5",
    ]
    workers = [
        subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors
    trials = fastune.load_study(study_name="shared", storage=url).trials
    assert sorted(t.number for t in trials) == list(range(10))
    bad = _cli("worker", "no_such_module:f", "--storage", url, "--study", "shared")
    assert bad.returncode == 1 and "module:function" in bad.stderr
