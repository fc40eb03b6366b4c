from __future__ import annotations

import contextlib
import datetime
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import fastune
from fastune._demo import run_demo, run_pbt_demo
from fastune.cli import main
from fastune.trial import TrialState


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


TRIAL_COLUMNS = (
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "state",
)


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
    assert [(s["name"], s["direction"], s["n_trials"], s["best_value"]) for s in listed] == [
        ("cli", ["MINIMIZE"], 6, study.best_value)
    ]
    table = _cli("trials", "--storage", url, "--study", "cli").stdout.splitlines()
    assert table[0].split() == [*TRIAL_COLUMNS[:5], "params", "state"] and len(table) == 7
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
    assert best["number"] == study.best_trial.number  # one object, as Optuna's
    assert best["params"] == study.best_trial.params
    deleted = _cli("delete-study", "--storage", url, "--study", "cli")
    # What was done goes to the log (standard error), as with Optuna's CLI.
    assert deleted.returncode == 0 and "Deleted study 'cli'" in deleted.stderr
    assert deleted.stdout == ""
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
    full = json.dumps({"x": json.loads(distribution_to_json(FloatDistribution(0, 1)))})
    short = json.dumps({"x": {"type": "float", "low": 0, "high": 1}})  # Optuna's short form
    for seed, space in enumerate([full, full, short]):  # each ask builds its sampler anew
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
    _cli("study", "set-user-attr", *at, "-k", "team", "--value", "a")
    assert fastune.load_study(study_name="loop", storage=url).user_attrs == {"team": "a"}
    names = json.loads(_cli("study-names", "--storage", url, "-f", "json").stdout)
    assert names == [{"name": "loop"}]
    best = json.loads(_cli("best-trials", *at, "-f", "json").stdout)
    assert [row["number"] for row in best] == [study.best_trial.number]
    assert "schema version 1" in _cli("storage", "upgrade", "--storage", url).stderr
    # The table shows a value as stored, in full: what ask prints is used as it is.
    table = _cli("ask", *at, "--search-space", full, "-f", "table", "--flatten").stdout
    asked = fastune.load_study(study_name="loop", storage=url).trials[-1]
    assert repr(asked.params["x"]) in table and len(repr(asked.params["x"])) > 8
    listed = _cli("trials", *at).stdout
    assert all(repr(t.params["x"]) in listed for t in study.trials)
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


@pytest.mark.parametrize("kind", ["sqlite", "journal file"])
def test_workers_join_a_study_from_the_command_line(tmp_path: Path, kind: str) -> None:
    from fastune.storages import JournalStorage
    from fastune.storages.journal import JournalFileBackend

    (tmp_path / "my_objective.py").write_text(
        "def objective(trial):\n    return trial.suggest_float('x', -1, 1) ** 2\n"
    )
    url = f"sqlite:///{tmp_path / 'w.db'}" if kind == "sqlite" else str(tmp_path / "w.log")
    storage: Any = url if kind == "sqlite" else JournalStorage(JournalFileBackend(url))
    fastune.create_study(study_name="shared", storage=storage)
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
    trials = fastune.load_study(study_name="shared", storage=storage).trials
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


def _same_trials(library: Any, url: str) -> None:
    """The same studies, trial for trial (dates included), in fastune or Optuna."""
    start = datetime.datetime(2024, 5, 1, 12, 0, 0, 250000)
    distributions = library.distributions
    states = library.trial.TrialState

    def trial(
        number: int, state: Any, values: Any, params: dict, attrs: dict, seconds: float
    ) -> Any:
        return library.trial.FrozenTrial(
            number=number,
            state=state,
            value=None,
            values=values,
            datetime_start=start,
            datetime_complete=start + datetime.timedelta(seconds=seconds),
            params=params,
            distributions={
                k: distributions.IntDistribution(1, 3)
                if k == "n"
                else distributions.FloatDistribution(0, 1)
                for k in params
            },
            user_attrs=attrs,
            system_attrs={},
            intermediate_values={},
            trial_id=number,
        )

    one = library.create_study(storage=url, study_name="one")
    one.add_trial(trial(0, states.COMPLETE, [0.5], {"x": 0.5}, {}, 1.5))
    one.add_trial(trial(1, states.COMPLETE, [0.25], {"x": 0.25, "n": 2}, {"k": "v", "l": [1]}, 62))
    one.add_trial(trial(2, states.FAIL, None, {"x": 0.75}, {}, 0.001))
    one.add_trial(trial(3, states.PRUNED, None, {}, {}, 3))
    two = library.create_study(storage=url, study_name="two", directions=["minimize", "maximize"])
    two.add_trial(trial(0, states.COMPLETE, [0.5, 0.5], {"x": 0.5}, {}, 1))
    two.add_trial(trial(1, states.COMPLETE, [0.25, 0.25], {"x": 0.25}, {}, 2))
    two.add_trial(trial(2, states.FAIL, None, {"x": 0.1}, {}, 2))
    named = library.create_study(
        storage=url, study_name="named", directions=["minimize", "maximize"]
    )
    named.set_metric_names(["loss", "acc"])
    named.add_trial(trial(0, states.COMPLETE, [0.5, 0.5], {"x": 0.5}, {}, 1))
    loss = library.create_study(storage=url, study_name="loss")
    loss.set_metric_names(["loss"])
    loss.add_trial(trial(0, states.COMPLETE, [0.5], {"x": 0.5}, {"a": 1}, 1))


# Runs Optuna's CLI on each argument list of argv[1] (JSON) and prints the outputs: in a
# process of its own, as its main() adds a handler to the root logger at each call.
OPTUNA_CLI = """
import contextlib, io, json, sys
import optuna.cli
outputs = []
for arguments in json.loads(sys.argv[1]):
    sys.argv = ["optuna", *arguments]
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert optuna.cli.main() == 0, arguments
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


@pytest.mark.filterwarnings("ignore::Warning")  # Optuna's ExperimentalWarning
def test_trial_output_has_the_fields_of_optunas_cli(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    pytest.importorskip("yaml")
    _same_trials(optuna, f"sqlite:///{tmp_path / 'optuna.db'}")
    _same_trials(fastune, f"sqlite:///{tmp_path / 'fastune.db'}")

    def ours(*arguments: str) -> str:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main([*arguments, "--storage", f"sqlite:///{tmp_path / 'fastune.db'}"]) == 0
        return out.getvalue()

    runs = [
        [command, "--study-name", study, *flatten, "-f", output]
        for study, command in [
            ("one", "trials"),
            ("one", "best-trial"),
            ("one", "best-trials"),
            ("two", "trials"),
            ("two", "best-trials"),
            ("named", "trials"),
            ("loss", "best-trial"),
        ]
        for flatten in ([], ["--flatten"])
        for output in ("json", "yaml", "table", "value")
    ]
    storage = ["--storage", f"sqlite:///{tmp_path / 'optuna.db'}"]
    optunas = subprocess.run(
        [sys.executable, "-c", OPTUNA_CLI, json.dumps([[*run, *storage] for run in runs])],
        capture_output=True,
        text=True,
    )
    assert optunas.returncode == 0, optunas.stderr
    for arguments, expected in zip(runs, json.loads(optunas.stdout), strict=True):
        got = ours(*arguments)
        if arguments[-1] == "json":  # the same fields, in the same order
            assert json.dumps(json.loads(got)) == json.dumps(json.loads(expected)), arguments
        elif arguments[-1] in ("yaml", "value"):
            assert got == expected, arguments
        else:  # the columns (fastune draws its table its own way)
            columns = [column.strip() for column in expected.splitlines()[1].strip("|").split("|")]
            assert got.splitlines()[0].split() == columns, arguments
    nested = json.loads(ours("trials", "--study", "one", "-f", "json"))
    assert list(nested[1]) == list(TRIAL_COLUMNS)
    assert nested[1]["params"] == {"n": 2, "x": 0.25}
    assert nested[1]["user_attrs"] == {"k": "v", "l": [1]}
    assert nested[1]["duration"] == "0:01:02" and nested[0]["duration"] == "0:00:01.500000"
    flat = ours("trials", "--study", "one", "-f", "csv").splitlines()  # csv: always flat
    assert flat[0].split(",") == [
        *TRIAL_COLUMNS[:5],
        "params_n",
        "params_x",
        "user_attrs_k",
        "user_attrs_l",
        "state",
    ]


OPTUNAS_FORMATS = ("json", "yaml", "table", "value")  # fastune's csv is its own


@pytest.mark.filterwarnings("ignore::Warning")  # Optuna's ExperimentalWarning
def test_study_listings_and_ask_print_what_optunas_cli_prints(tmp_path: Path) -> None:
    optuna = pytest.importorskip("optuna")
    pytest.importorskip("yaml")
    import yaml

    theirs_url, ours_url = (f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("o", "f"))
    for library, url in ((optuna, theirs_url), (fastune, ours_url)):
        _same_trials(library, url)
        library.load_study(study_name="two", storage=url).set_user_attr("team", "a")
    space = json.dumps({"x": {"name": "FloatDistribution", "attributes": {"low": 0, "high": 1}}})
    runs = [
        ["study-names"],  # one name per line by default, as Optuna's
        ["study-names", "-f", "json"],
        *(["studies", *flat, "-f", f] for flat in ([], ["--flatten"]) for f in OPTUNAS_FORMATS),
        *(
            ["ask", "--study-name", "one", "--search-space", space, *flat, "-f", f]
            for flat in ([], ["--flatten"])
            for f in ("json", "value")
        ),
    ]
    # Optuna's studies command appends its user_attrs column to a header kept on its
    # class, so that each call in one process has one more: restored between calls.
    restoring = OPTUNA_CLI.replace(
        "for arguments in",
        "header = list(optuna.cli._Studies._study_list_header)\nfor arguments in",
    ).replace(
        "    sys.argv =",
        "    optuna.cli._Studies._study_list_header = list(header)\n    sys.argv =",
    )
    optunas = subprocess.run(
        [
            sys.executable,
            "-c",
            restoring,
            json.dumps([[*run, "--storage", theirs_url] for run in runs]),
        ],
        capture_output=True,
        text=True,
    )
    assert optunas.returncode == 0, optunas.stderr
    for arguments, expected in zip(runs, json.loads(optunas.stdout), strict=True):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            assert main([*arguments, "--storage", ours_url]) == 0
        got = out.getvalue()
        if arguments[0] == "study-names":
            assert got == expected, arguments
        elif arguments[0] == "ask":  # the same fields; the sampled values differ
            if arguments[-1] == "json":
                asked, their_asked = json.loads(got), json.loads(expected)
                assert list(asked) == list(their_asked), arguments
                assert asked["number"] == their_asked["number"] >= 4, arguments
            else:  # the number, then the parameters
                assert got.split()[0] == expected.split()[0], arguments
                assert len(got.split()) == len(expected.split()), arguments
        elif arguments[-1] in ("json", "yaml"):  # Optuna's fields, then fastune's
            parse = json.loads if arguments[-1] == "json" else yaml.safe_load
            rows, their_rows = parse(got), parse(expected)
            if arguments[-1] == "json":  # in Optuna's order (YAML sorts the keys)
                assert [list(r)[: len(t)] for r, t in zip(rows, their_rows, strict=True)] == [
                    list(t) for t in their_rows
                ], arguments
            assert [{k: r[k] for k in t} for r, t in zip(rows, their_rows, strict=True)] == (
                their_rows
            ), arguments
            assert [r["complete"] for r in rows] == [2, 2, 1, 1]
        elif arguments[-1] == "value":
            for line, their_line in zip(got.splitlines(), expected.splitlines(), strict=True):
                assert line.startswith(their_line + " "), arguments
        else:  # the table's columns
            header = expected.splitlines()[1].strip("|").split("|")
            columns = [column.strip() for column in header]
            assert got.splitlines()[0].split()[: len(columns)] == columns, arguments


def test_the_storage_comes_from_the_environment_or_a_class_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastune.storages import JournalStorage
    from fastune.storages.journal import JournalFileBackend

    journal = tmp_path / "studies.log"
    hinted = ["--storage", str(journal), "--storage-class", "JournalFileBackend"]
    assert main(["create-study", "--study-name", "j", *hinted]) == 0
    fastune.load_study(
        study_name="j", storage=JournalStorage(JournalFileBackend(str(journal)))
    ).optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    capsys.readouterr()
    # An existing file without a hint is a journal file, as Optuna guesses.
    assert main(["trials", "--storage", str(journal), "--study", "j", "-f", "json"]) == 0
    assert [row["state"] for row in json.loads(capsys.readouterr().out)] == ["COMPLETE"] * 2
    # ... unless it is an SQLite file (known by its header).
    database = tmp_path / "studies.db"
    fastune.create_study(study_name="s", storage=f"sqlite:///{database}")
    assert main(["study-names", "--storage", str(database)]) == 0
    assert capsys.readouterr().out == "s\n"
    for name, url in (("OPTUNA_STORAGE", f"sqlite:///{database}"), ("FASTUNE_STORAGE", "")):
        monkeypatch.setenv(name, url)  # an empty FASTUNE_STORAGE counts as unset
    assert main(["study-names"]) == 0
    assert capsys.readouterr().out == "s\n"
    monkeypatch.setenv("FASTUNE_STORAGE", str(journal))  # fastune's name comes first
    assert main(["study-names"]) == 0
    assert capsys.readouterr().out == "j\n"
    assert main(["study-names", "--storage", str(tmp_path / "nothing-here")]) == 1
    error = capsys.readouterr().err
    assert "'--storage' parameter of fastune study-names" in error and "nothing-here" in error
    assert "--storage-class JournalFileBackend" in error
    with pytest.raises(SystemExit):
        main(["studies", "--storage-class", "Nope"])
    error = capsys.readouterr().err
    assert "'Nope'" in error and "RDBStorage, JournalFileBackend, JournalRedisBackend" in error


def test_a_redis_url_is_a_journal_on_redis(
    redis_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from fastune.storages import JournalStorage
    from fastune.storages.journal import JournalRedisBackend

    url = f"{redis_server}/3"  # a database of its own on the session's server
    assert main(["create-study", "--storage", url, "--study-name", "r"]) == 0
    study = fastune.load_study(study_name="r", storage=JournalStorage(JournalRedisBackend(url)))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    capsys.readouterr()
    hinted = ["--storage", url, "--storage-class", "JournalRedisBackend"]
    for storage in (["--storage", url], hinted):
        assert main(["trials", *storage, "--study", "r", "-f", "json"]) == 0
        assert [row["params"]["x"] for row in json.loads(capsys.readouterr().out)] == [
            t.params["x"] for t in study.trials
        ]


def test_log_options_of_optunas_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    fastune.create_study(study_name="s", storage=url)
    at = ["--storage", url, "--study-name", "s"]
    log_file = tmp_path / "cli.log"
    space = json.dumps({"x": {"type": "float", "low": 0, "high": 1}})
    try:
        assert main(["ask", *at, "--search-space", space, "--log-file", str(log_file)]) == 0
        captured = capsys.readouterr()
        asked = json.loads(captured.out)
        assert "Asked trial 0 with parameters" in captured.err
        assert "[I " in log_file.read_text() and "Asked trial 0" in log_file.read_text()
        # -q: warnings and errors only; before the command name or after it.
        for where in (["-q", "tell", *at], ["tell", *at, "-q"]):
            number = "0" if where[0] == "-q" else "1"
            if number == "1":
                main(["ask", *at, "--search-space", space])
                capsys.readouterr()
            told = [*where, "--trial-number", number, "--values", str(asked["params"]["x"])]
            assert main(told) == 0
            assert capsys.readouterr() == ("", "")
        assert main(["tell", *at, "--trial-number", "7", "--values", "1", "--debug"]) == 1
        error = capsys.readouterr().err
        assert error.startswith("Traceback") and "TrialNotFoundError" in error
        assert error.endswith(
            "fastune tell: Study 's' has no trial number 7 (its trials: numbered 0 to 1).\n"
        )
    finally:
        fastune.logging.set_verbosity(fastune.logging.INFO)
        logger = fastune.logging.get_logger("fastune")
        for handler in list(logger.handlers):
            if isinstance(handler, logging.FileHandler):
                logger.removeHandler(handler)
                handler.close()


def test_best_trial_is_one_trial_or_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'best.db'}"
    study = fastune.create_study(study_name="s", storage=url)
    at = ["--storage", url, "--study", "s"]
    assert main(["best-trial", *at, "-f", "json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "fastune best-trial: Study 's' has no complete trial" in captured.err
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert main(["best-trial", *at, "-f", "json"]) == 0
    best = json.loads(capsys.readouterr().out)
    assert best["number"] == study.best_trial.number and best["value"] == study.best_value
    assert main(["best-trial", *at, "-f", "json", "--flatten"]) == 0
    assert json.loads(capsys.readouterr().out)["params_x"] == study.best_params["x"]
    fastune.create_study(study_name="two", storage=url, directions=["minimize", "maximize"])
    assert main(["best-trial", "--storage", url, "--study", "two"]) == 1
    assert "a study with one objective. Got 'two', which has 2" in capsys.readouterr().err


def test_a_storage_sqlite_cannot_open_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("notes")
    no_folder = f"sqlite:///{tmp_path / 'missing' / 'x.db'}"
    folder, text = f"sqlite:///{tmp_path}", f"sqlite:///{not_a_database}"
    for arguments, url, reason in (
        (["studies", "--storage", no_folder], no_folder, "unable to open database file"),
        (["trials", "--storage", text, "--study", "s"], text, "file is not a database"),
        (["plot", "slice", "--storage", folder, "--study", "s", "-o", "x.png"], folder, ""),
        (["report", "--storage", text, "--study", "s"], text, "file is not a database"),
        (["worker", "math:sqrt", "--storage", folder, "--study", "s"], folder, ""),
    ):
        assert main(arguments) == 1, arguments
        error = capsys.readouterr().err
        assert error.startswith(f"fastune {arguments[0]}: Cannot open {url}: {reason}")
        assert error.count("\n") == 1, error


def test_tell_names_the_study_of_a_missing_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'tell.db'}"
    fastune.create_study(study_name="other", storage=url)  # "tell" is study 2
    fastune.create_study(study_name="tell", storage=url).optimize(
        lambda t: t.suggest_float("x", 0, 1), n_trials=2
    )
    told = ["tell", "--storage", url, "--study", "tell", "--trial-number", "5", "--values", "1"]
    assert main(told) == 1
    assert capsys.readouterr().err == (
        "fastune tell: Study 'tell' has no trial number 5 (its trials: numbered 0 to 1).\n"
    )


def _slow_objective(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text(
        "import pathlib, time\n"
        "def objective(trial):\n"
        "    x = trial.suggest_float('x', 0, 1)\n"
        "    pathlib.Path(f'started-{trial.number}').touch()\n"
        "    time.sleep(120)\n"
        "    return x\n"
    )


@pytest.mark.parametrize("retry", [False, True])
def test_sigterm_fails_the_workers_trial_and_stops_it(tmp_path: Path, retry: bool) -> None:
    _slow_objective(tmp_path)
    url = f"sqlite:///{tmp_path / 'term.db'}"
    fastune.create_study(study_name="term", storage=url)
    command = [sys.executable, "-m", "fastune.cli", "worker", "slow:objective"]
    command += ["--storage", url, "--study", "term", "--n-trials", "3"]
    if retry:  # the trial goes to the retry callback, as a dead worker's would
        command += ["--heartbeat-interval", "1", "--grace-period", "60"]
        command += ["--retry-failed-trials", "1"]
    worker = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "started-0").exists():  # in the objective
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(worker.pid, signal.SIGTERM)
        _, errors = worker.communicate(timeout=60)
    finally:
        worker.kill()
    assert worker.returncode == 128 + signal.SIGTERM, errors
    trials = fastune.load_study(study_name="term", storage=url).trials
    assert trials[0].state == TrialState.FAIL
    assert "SIGTERM" in trials[0].system_attrs["fail_reason"]
    if retry:
        assert [t.state for t in trials] == [TrialState.FAIL, TrialState.WAITING]
        assert trials[1].params == trials[0].params
        assert "stopped by SIGTERM; trial 0 failed and was queued again." in errors
    else:
        assert len(trials) == 1
        assert "stopped by SIGTERM; trial 0 failed." in errors
    assert not (tmp_path / "started-1").exists()


def test_worker_catch_keeps_it_going_after_a_failed_trial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "flaky.py").write_text(
        "class BadBatch(Exception):\n"
        "    pass\n"
        "def objective(trial):\n"
        "    x = trial.suggest_float('x', 0, 1)\n"
        "    if trial.number % 2:\n"
        "        raise BadBatch(f'bad batch in trial {trial.number}')\n"
        "    return x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    url = f"sqlite:///{tmp_path / 'catch.db'}"
    study = fastune.create_study(study_name="catch", storage=url)
    run = ["worker", "flaky:objective", "--storage", url, "--study", "catch", "--n-trials", "4"]
    with pytest.raises(Exception, match="bad batch in trial 1") as stopped:
        main(run)  # by default, as optimize: the first error stops the worker
    assert type(stopped.value).__name__ == "BadBatch"
    assert [t.state.name for t in study.trials] == ["COMPLETE", "FAIL"]
    assert main([*run, "--catch", "KeyError,flaky.BadBatch"]) == 0
    assert [t.state.name for t in study.trials[2:]] == ["COMPLETE", "FAIL"] * 2
    assert main([*run, "--catch", "KeyError", "--catch", "flaky:BadBatch"]) == 0
    assert len(study.trials) == 10
    capsys.readouterr()
    for name in ("NoSuchError", "flaky.objective", "KeyboardInterrupt", "nomodule.Error"):
        assert main([*run, "--catch", f"ValueError,{name}"]) == 1
        error = capsys.readouterr().err
        assert "The '--catch' parameter of fastune worker must be exception class" in error
        assert f"Got {name!r} instead." in error
    assert len(study.trials) == 10  # refused before any trial
