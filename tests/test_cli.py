from __future__ import annotations

import io
import re
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
    study = run_demo(n_trials=8, seed=0, out=out)
    text = out.getvalue()
    assert len(study.trials) == 8
    # Each complete trial reported its running CV mean after each of the 3 folds.
    complete = study.get_trials(states=(fastune.trial.TrialState.COMPLETE,))
    assert complete and all(len(t.intermediate_values) == 3 for t in complete)
    assert re.search(r"\d+ trials complete and \d+ pruned in", text)
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


def test_optunas_ask_and_tell_loop_from_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from fastune.distributions import FloatDistribution, distribution_to_json

    url = f"sqlite:///{tmp_path / 'ask.db'}"
    at = ("--storage", url, "--study-name", "loop")
    created = _cli(
        "--storage", url, "create-study", "--study-name", "loop", "--direction", "maximize"
    )
    assert created.returncode == 0 and created.stdout.strip() == "loop"
    assert _cli("create-study", *at, "--skip-if-exists").returncode == 0
    space = json.dumps({"x": json.loads(distribution_to_json(FloatDistribution(0, 1)))})
    for seed in range(3):  # each ask builds its sampler anew: a seed each
        sampler = ("--sampler", "RandomSampler", "--sampler-kwargs", json.dumps({"seed": seed}))
        trial = json.loads(_cli("ask", *at, "--search-space", space, *sampler).stdout)
        value = str(trial["params"]["x"])
        told = _cli("tell", *at, "--trial-number", str(trial["number"]), "--values", value)
        assert told.returncode == 0, told.stderr
    study = fastune.load_study(study_name="loop", storage=url)
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 3
    assert study.best_value == max(t.params["x"] for t in study.trials)
    again = ("--trial-number", "2", "--state", "pruned", "--skip-if-finished")
    assert _cli("tell", *at, *again).returncode == 0
    _cli("study", "set-user-attr", *at, "-k", "team", "-v", "a")
    assert fastune.load_study(study_name="loop", storage=url).user_attrs == {"team": "a"}
    names = json.loads(_cli("study-names", "--storage", url, "-f", "json").stdout)
    assert names == [{"name": "loop"}]
    best = json.loads(_cli("best-trials", *at, "-f", "json").stdout)
    assert [row["number"] for row in best] == [study.best_trial.number]
    assert "schema version 1" in _cli("storage", "upgrade", "--storage", url).stdout
    unknown = _cli("ask", *at, "--sampler", "Nope")
    assert unknown.returncode == 1
    assert "'--sampler'" in unknown.stderr and "TPESampler" in unknown.stderr
    missing = _cli("trials", "--study-name", "loop")
    assert missing.returncode == 2 and "needs --storage" in missing.stderr


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


def _plot_study(tmp_path) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'plots.db'}"
    study = fastune.create_study(
        study_name="plots", storage=url, sampler=fastune.samplers.RandomSampler(seed=0)
    )
    study.optimize(
        lambda t: t.suggest_float("x", 1e-3, 1, log=True) + t.suggest_int("n", 1, 3), n_trials=8
    )
    both = fastune.create_study(study_name="two", storage=url, directions=["minimize", "maximize"])
    both.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=5)
    return url


def test_plot_command_writes_every_kind_as_a_readable_png(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    import matplotlib.image

    from fastune._cli_plots import PLOT_KINDS

    url = _plot_study(tmp_path)
    for kind in PLOT_KINDS:
        path = tmp_path / f"{kind}.png"
        study = "two" if kind == "pareto-front" else "plots"
        assert main(["plot", kind, "--storage", url, "--study", study, "-o", str(path)]) == 0
        image = matplotlib.image.imread(path)
        assert image.shape[0] > 100 and image.shape[1] > 100, kind


def test_plot_command_errors_say_what_is_allowed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    url = _plot_study(tmp_path)
    out = str(tmp_path / "x.png")
    unknown = _cli("plot", "history", "--storage", url, "--study", "plots", "-o", out)
    assert unknown.returncode == 2
    assert "invalid choice: 'history'" in unknown.stderr
    assert "'optimization-history'" in unknown.stderr and "'pareto-front'" in unknown.stderr
    several = _cli("plot", "slice", "--storage", url, "--study", "two", "-o", out)
    assert several.returncode == 1 and "'target' parameter of plot_slice" in several.stderr
    picked = _cli(
        "plot", "slice", "--storage", url, "--study", "two", "-o", out, "--objective", "1"
    )
    assert picked.returncode == 0 and (tmp_path / "x.png").stat().st_size > 1000
    wrong = _cli("plot", "slice", "--storage", url, "--study", "two", "-o", out, "--objective", "2")
    assert wrong.returncode == 1 and "from 0 to 1. Got 2 instead." in wrong.stderr
    missing = _cli("plot", "slice", "--storage", url, "--study", "nope", "-o", out)
    assert missing.returncode == 1 and "nope" in missing.stderr


def test_report_command_writes_one_html_file_and_the_trials(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    url = _plot_study(tmp_path)
    html, table = tmp_path / "report.html", tmp_path / "trials.csv"
    result = _cli(
        "report", "--storage", url, "--study", "plots", "-o", str(html), "--trials", str(table)
    )
    assert result.returncode == 0, result.stderr
    page = html.read_text(encoding="utf-8")
    best = fastune.load_study(study_name="plots", storage=url).best_trial
    assert f"<td>{best.number}</td><td>{best.value:.6g}</td>" in page
    assert page.count('<img src="data:image/png;base64,') == 8
    assert len(table.read_text().splitlines()) == 9  # header and 8 trials


def test_demo_writes_the_study_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    from fastune._demo import write_demo_report

    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=4)
    out = io.StringIO()
    path = tmp_path / "demo_report.html"
    write_demo_report(study, str(path), out)
    assert f"written to {path}" in out.getvalue()
    assert path.read_text(encoding="utf-8").count("data:image/png;base64,") == 8


def test_worker_errors_are_named_and_make_no_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.db"
    url = f"sqlite:///{missing}"
    result = _cli("worker", "math:sqrt", "--storage", url, "--study", "s")
    assert result.returncode == 1 and f"No database file at {missing}" in result.stderr
    assert not missing.exists()  # opening it made an empty database file
    for arguments, message in (
        (("--n-trials", "-1"), "--n-trials must be an int >= 1. Got -1"),
        (("--timeout", "-3"), "--timeout must be a number of seconds >= 0. Got -3.0"),
    ):
        result = _cli("worker", "math:sqrt", "--storage", url, "--study", "s", *arguments)
        assert result.returncode == 2 and message in result.stderr
    result = _cli("worker", "math.sqrt", "--storage", url, "--study", "s")
    assert result.returncode == 2 and "module:function" in result.stderr


def test_a_dead_workers_trial_is_failed_and_retried_by_the_next(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import time

    (tmp_path / "dying.py").write_text(
        "import os\n"
        "def objective(trial):\n"
        "    x = trial.suggest_float('x', 0, 1)\n"
        "    if os.environ.get('DIE'):\n"
        "        os._exit(3)  # killed mid-trial\n"
        "    return x\n"
    )
    url = f"sqlite:///{tmp_path / 'beat.db'}"
    fastune.create_study(study_name="beat", storage=url)
    beats = ("--heartbeat-interval", "0.1", "--grace-period", "0.3", "--retry-failed-trials", "1")
    command = [sys.executable, "-m", "fastune.cli", "worker", "dying:objective"]
    command += ["--storage", url, "--study", "beat", *beats]
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    died = subprocess.run([*command, "--n-trials", "1"], env={**environment, "DIE": "1"})
    assert died.returncode == 3
    time.sleep(0.6)  # past the grace period
    ran = subprocess.run([*command, "--n-trials", "2"], env=environment, capture_output=True)
    assert ran.returncode == 0, ran.stderr
    trials = fastune.load_study(study_name="beat", storage=url).trials
    assert [t.state.name for t in trials] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert trials[1].params == trials[0].params  # the retry of the dead worker's trial
    alone = _cli(
        "worker", "math:sqrt", "--storage", url, "--study", "beat", "--retry-failed-trials", "1"
    )
    assert alone.returncode == 1 and "needs --heartbeat-interval" in alone.stderr
