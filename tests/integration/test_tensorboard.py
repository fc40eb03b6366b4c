"""TensorBoardCallback writing real TensorBoard logs, read back with TensorBoard's own
reader: a run per complete trial with its hyperparameters and value, the dashboard's
configuration, mixed categorical choices, Optuna's own callback on the same program."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

pytest.importorskip("tensorflow")
pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util

import fastune
from fastune.exceptions import InvalidParameterTypeError
from fastune.integration.tensorboard import TensorBoardCallback

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", -1, 1)
    n = trial.suggest_int("n", 1, 4)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    if n == 4:  # the library's own TrialPruned: fastune's or Optuna's
        raise importlib.import_module(type(trial).__module__.split(".")[0]).TrialPruned()
    return x * x + n + (kind == "b")


def _read(path: Path) -> EventAccumulator:
    accumulator = EventAccumulator(str(path), size_guidance={"tensors": 0})
    accumulator.Reload()
    return accumulator


def _hparams(run: Path) -> dict[str, Any]:
    """The hyperparameter values written in a run."""
    content = _read(run).PluginTagToContent("hparams")["_hparams_/session_start_info"]
    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    values = data.session_start_info.hparams
    return {name: getattr(v, v.WhichOneof("kind")) for name, v in values.items()}


def _scalar(run: Path, name: str) -> tuple[int, float]:
    (event,) = _read(run).Tensors(name)
    return event.step, float(tensor_util.make_ndarray(event.tensor_proto))


def test_each_complete_trial_is_a_run(tmp_path: Path) -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=1))
    study.optimize(_objective, n_trials=8, callbacks=[TensorBoardCallback(str(tmp_path), "loss")])
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert 0 < len(complete) < 8  # some were pruned: no run for them
    runs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert runs == sorted(f"trial-{t.number}" for t in complete)
    for trial in complete:
        run = tmp_path / f"trial-{trial.number}"
        assert _scalar(run, "loss") == (trial.number, pytest.approx(trial.value))
        values = _hparams(run)
        assert values["x"] == pytest.approx(trial.params["x"])
        assert values["n"] == trial.params["n"] and values["kind"] == trial.params["kind"]
    # The configuration at the top: the domains and the metric.
    content = _read(tmp_path).PluginTagToContent("hparams")["_hparams_/experiment"]
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content).experiment
    assert [m.name.tag for m in experiment.metric_infos] == ["loss"]
    domains = {h.name: h for h in experiment.hparam_infos}
    assert domains["x"].domain_interval.min_value == -1.0
    assert domains["x"].domain_interval.max_value == 1.0


def test_mixed_categorical_choices_are_written_as_strings(tmp_path: Path) -> None:
    def objective(trial: fastune.Trial) -> float:
        return float(trial.suggest_categorical("c", [1, "one", None]) == 1)

    study = fastune.create_study(sampler=fastune.samplers.GridSampler({"c": [1, "one", None]}))
    study.optimize(objective, callbacks=[TensorBoardCallback(str(tmp_path), "v")])
    written = {_hparams(tmp_path / f"trial-{t.number}")["c"] for t in study.trials}
    assert written == {"1", "one", "None"}


@pytest.mark.filterwarnings(
    "ignore::optuna.exceptions.ExperimentalWarning", "ignore:TensorBoardCallback:FutureWarning"
)
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_callback(tmp_path: Path, library: str) -> None:
    # Optuna's own callback (optuna-integration, deprecated there since Optuna 4.9) with
    # the same program and assertions.
    module, integration = library_and_integration(library)
    callback = integration.TensorBoardCallback(str(tmp_path), "loss")
    study = module.create_study(sampler=module.samplers.RandomSampler(seed=1))
    study.optimize(_objective, n_trials=4, callbacks=[callback])
    for trial in study.trials:
        run = tmp_path / f"trial-{trial.number}"
        assert run.exists() == (trial.state.name == "COMPLETE")
        if run.exists():
            assert _scalar(run, "loss") == (trial.number, pytest.approx(trial.value))


def test_errors_name_what_is_wrong() -> None:
    with pytest.raises(InvalidParameterTypeError, match="metric_name"):
        TensorBoardCallback("logs", 3)  # type: ignore[arg-type]


def test_several_objectives_raise_before_anything_is_written(tmp_path: Path) -> None:
    # As Optuna's callback: a trial of several objectives has no one value to plot.
    study = fastune.create_study(directions=["minimize", "minimize"])
    callback = TensorBoardCallback(str(tmp_path / "logs"), "loss")
    with pytest.raises(RuntimeError):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1.0), 1, callbacks=[callback])
    assert not (tmp_path / "logs").exists()
