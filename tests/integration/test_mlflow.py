"""MLflowCallback with real MLflow on a local SQLite tracking store: runs, metrics,
params and tags, several objectives, the objective inside the trial's run, failed
trials, Optuna's own callback on the same program, and the errors."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

mlflow = pytest.importorskip("mlflow")

import fastune  # noqa: E402
from fastune.exceptions import (  # noqa: E402
    InvalidParameterError,
    InvalidParameterTypeError,
    MissingDependencyError,
)
from fastune.integration.mlflow import MLflowCallback  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")


@pytest.fixture
def uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


def _runs(uri: str, experiment: str) -> list[Any]:
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=[experiment], output_format="list")
    return sorted(runs, key=lambda run: int(run.data.tags["number"]))


def _objective(trial: fastune.Trial) -> float:
    trial.set_user_attr("note", "kept")
    x = trial.suggest_float("x", -1, 1)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return x * x + (kind == "b")


def test_each_trial_is_a_run_of_the_studys_experiment(uri: str) -> None:
    study = fastune.create_study(study_name="tuning")
    study.optimize(_objective, n_trials=3, callbacks=[MLflowCallback(uri, "loss")])
    runs = _runs(uri, "tuning")
    assert len(runs) == 3
    for run, trial in zip(runs, study.trials, strict=True):
        assert run.info.run_name == str(trial.number)
        assert run.data.metrics == {"loss": trial.value}
        assert run.data.params == {"x": str(trial.params["x"]), "kind": trial.params["kind"]}
        tags = run.data.tags
        assert tags["state"] == "COMPLETE" and tags["direction"] == "MINIMIZE"
        assert tags["note"] == "kept"
        assert tags["x_distribution"] == str(trial.distributions["x"])
        assert tags["datetime_complete"] == str(trial.datetime_complete)


def test_a_long_user_attribute_is_cut_at_mlflows_limit(uri: str) -> None:
    def objective(trial: fastune.Trial) -> float:
        trial.set_user_attr("fits", "a" * 7000)  # under MLflow's 8000: whole, as Optuna
        trial.set_user_attr("log", "b" * 9000)
        return 0.0

    study = fastune.create_study(study_name="long")
    study.optimize(objective, n_trials=1, callbacks=[MLflowCallback(uri)])
    tags = _runs(uri, "long")[0].data.tags
    assert tags["fits"] == "a" * 7000
    assert tags["log"] == "b" * 7997 + "..."


def test_several_objectives_and_their_names(uri: str) -> None:
    study = fastune.create_study(study_name="two", directions=["minimize", "maximize"])

    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return x, 1 - x

    study.optimize(objective, n_trials=2, callbacks=[MLflowCallback(uri)])
    run = _runs(uri, "two")[0]
    assert set(run.data.metrics) == {"value_0", "value_1"}
    assert run.data.tags["direction"] == "['MINIMIZE', 'MAXIMIZE']"
    named = fastune.create_study(study_name="named", directions=["minimize", "maximize"])
    named.optimize(objective, n_trials=1, callbacks=[MLflowCallback(uri, ["a", "b"])])
    assert set(_runs(uri, "named")[0].data.metrics) == {"a", "b"}
    wrong = fastune.create_study(directions=["minimize", "maximize"])
    with pytest.raises(InvalidParameterError, match="metric_name"):
        wrong.optimize(objective, n_trials=1, callbacks=[MLflowCallback(uri, ["a"])])


def test_the_objective_logs_into_its_trials_run(uri: str) -> None:
    callback = MLflowCallback(uri)

    @callback.track_in_mlflow()
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        mlflow.log_metric("inside", x + 10)
        return x * x

    study = fastune.create_study(study_name="tracked")
    study.optimize(objective, n_trials=2, callbacks=[callback])
    runs = _runs(uri, "tracked")
    assert len(runs) == 2  # one run per trial, not two
    for run, trial in zip(runs, study.trials, strict=True):
        assert run.data.metrics == {"inside": trial.params["x"] + 10, "value": trial.value}
        assert run.info.run_id == trial.system_attrs["mlflow_run_id"]


def test_a_failed_trial_is_a_run_without_metrics(uri: str) -> None:
    def objective(trial: fastune.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise ValueError("broken")

    study = fastune.create_study(study_name="failing")
    study.optimize(objective, n_trials=1, callbacks=[MLflowCallback(uri)], catch=(ValueError,))
    run = _runs(uri, "failing")[0]
    assert run.data.metrics == {} and run.data.tags["state"] == "FAIL"


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_callback(uri: str, library: str) -> None:
    # Optuna's own callback (optuna-integration) with the same program and assertions.
    module, integration = library_and_integration(library)
    study = module.create_study(study_name=f"same-{library}")
    callback = integration.MLflowCallback(tracking_uri=uri, metric_name="loss")
    study.optimize(_objective, n_trials=2, callbacks=[callback])
    runs = _runs(uri, f"same-{library}")
    assert [run.data.metrics for run in runs] == [{"loss": t.value} for t in study.trials]
    assert set(runs[0].data.tags) >= {
        "number",
        "datetime_start",
        "datetime_complete",
        "state",
        "direction",
        "x_distribution",
        "kind_distribution",
        "note",
    }


def test_errors_name_what_is_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="metric_name"):
        MLflowCallback(metric_name=3)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "mlflow", None)
    monkeypatch.delitem(sys.modules, "fastune.integration.mlflow")
    with pytest.raises(MissingDependencyError, match=r"fastune\[mlflow\]"):
        importlib.import_module("fastune.integration.mlflow")
