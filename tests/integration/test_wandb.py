"""fastune.integration.wandb: the callback logging to real W&B runs in offline mode (read
back from the run files W&B writes), Optuna's own callback on the same program, and the
callback's errors."""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path
from typing import Any

import pytest
from tests.integration.peers import LIBRARIES, library_and_integration
from tests.integration.pruning import PruneAtStep

import fastune
from fastune.exceptions import (
    FastuneError,
    InvalidParameterError,
    InvalidParameterTypeError,
)

wandb = pytest.importorskip("wandb")
pb = pytest.importorskip("wandb.proto.wandb_internal_pb2")

from fastune.integration.wandb import WeightsAndBiasesCallback  # noqa: E402


@pytest.fixture(autouse=True)
def _quiet_and_finished(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("WANDB_SILENT", "true")
    yield
    wandb.finish()  # a study's run left open by a test


def _records(path: Path) -> list[Any]:
    """The records of a W&B run file: a header, then blocks of 32 KiB holding chunks
    (crc32, length, kind: 1 whole, 2 first, 3 middle, 4 last) of protobuf records."""
    data = path.read_bytes()
    if len(data) < 7:  # not written yet
        return []
    assert data[:4] == b":W&B"
    records, position, pending, block = [], 7, b"", 32768
    while position + 7 <= len(data):
        left = block - position % block
        _, length, kind = struct.unpack("<IHB", data[position : position + 7])
        if left < 7 or (length == 0 and kind == 0):  # the padding at a block's end
            position += left
            continue
        if position + 7 + length > len(data):  # a chunk still being written
            break
        pending += data[position + 7 : position + 7 + length]
        position += 7 + length
        if kind in (1, 4):
            record = pb.Record()
            record.ParseFromString(pending)
            records.append(record)
            pending = b""
    return records


def _finished_records(path: Path) -> list[Any]:
    """The records of a finished run: W&B's writer may still be flushing the file when
    ``wandb.finish()`` returns, so it is read again until its exit record is there."""
    deadline = time.monotonic() + 60.0
    while True:
        records = _records(path)
        if any(record.WhichOneof("record_type") == "exit" for record in records):
            return records
        assert time.monotonic() < deadline, f"{path} has no exit record after 60 s"
        time.sleep(0.1)


def _runs(directory: Path) -> list[dict[str, Any]]:
    """Each run W&B wrote under ``directory``, in order: its name, tags, config, the
    rows it logged and the step metric of each name."""
    runs = []
    for path in directory.glob("wandb/offline-run-*/run-*.wandb"):
        run: dict[str, Any] = {"rows": [], "config": {}, "step_metric": {}}
        for record in _finished_records(path):
            kind = record.WhichOneof("record_type")
            if kind == "run":
                run["name"], run["tags"] = record.run.display_name, list(record.run.tags)
                run["start"] = record.run.start_time.ToNanoseconds()
            elif kind == "config":
                for item in record.config.update:
                    run["config"][item.key] = json.loads(item.value_json)
            elif kind == "history":
                row = {
                    item.key or "/".join(item.nested_key): json.loads(item.value_json)
                    for item in record.history.item
                }
                run["rows"].append({k: v for k, v in row.items() if not k.startswith("_")})
            elif kind == "metric":
                run["step_metric"][record.metric.name] = record.metric.step_metric
        runs.append(run)
    return sorted(runs, key=lambda run: run["start"])


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", -2.0, 2.0)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return x**2 + (kind == "b")


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Optuna 4.9 deprecated its callback
@pytest.mark.parametrize("library", LIBRARIES)
def test_one_run_for_the_study_with_a_row_per_trial(library: str, tmp_path: Path) -> None:
    module, integration = library_and_integration(library)
    callback = integration.WeightsAndBiasesCallback(
        metric_name="loss", wandb_kwargs={"mode": "offline", "dir": str(tmp_path)}
    )
    study = module.create_study(pruner=module.pruners.NopPruner())
    study.optimize(_objective, n_trials=5, callbacks=[callback])
    wandb.finish()
    (run,) = _runs(tmp_path)
    assert run["config"]["direction"] == ["MINIMIZE"]
    assert len(run["rows"]) == 5
    for row, trial in zip(run["rows"], study.trials, strict=True):
        assert row["x"] == trial.params["x"]
        assert row["kind"] == trial.params["kind"]
        assert row.get("loss") == trial.value


def test_rows_are_plotted_against_the_trial_number(tmp_path: Path) -> None:
    callback = WeightsAndBiasesCallback(
        metric_name="loss", wandb_kwargs={"mode": "offline", "dir": str(tmp_path)}
    )
    study = fastune.create_study(pruner=PruneAtStep(1))

    def objective(trial: fastune.Trial) -> float:
        value = _objective(trial)
        if trial.number == 1:
            trial.report(value, 1)
            if trial.should_prune():
                raise fastune.TrialPruned()
        return value

    study.optimize(objective, n_trials=3, callbacks=[callback])
    wandb.finish()
    (run,) = _runs(tmp_path)
    assert [row["trial_number"] for row in run["rows"]] == [0, 1, 2]
    assert study.trials[1].state == fastune.trial.TrialState.PRUNED
    # A pruned trial's value is its last report, as in Optuna.
    assert [row["loss"] for row in run["rows"]] == [t.value for t in study.trials]
    assert run["step_metric"] == {n: "trial_number" for n in ("x", "kind", "loss")}


def test_trials_finishing_out_of_order_are_all_kept(tmp_path: Path) -> None:
    # Optuna's callback logs at step=trial.number: W&B drops the row of trial 0 when it
    # finishes after trial 1.
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        time.sleep(0.5 if trial.number == 0 else 0.0)
        return x

    callback = WeightsAndBiasesCallback(wandb_kwargs={"mode": "offline", "dir": str(tmp_path)})
    study = fastune.create_study()
    study.optimize(objective, n_trials=4, n_jobs=2, backend="threads", callbacks=[callback])
    wandb.finish()
    (run,) = _runs(tmp_path)
    assert sorted(row["trial_number"] for row in run["rows"]) == [0, 1, 2, 3]
    assert run["rows"][-1]["trial_number"] == 0  # it did finish last
    assert {row["trial_number"]: row["value"] for row in run["rows"]} == {
        t.number: t.value for t in study.trials
    }


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_a_run_per_trial(library: str, tmp_path: Path) -> None:
    module, integration = library_and_integration(library)
    callback = integration.WeightsAndBiasesCallback(
        wandb_kwargs={"mode": "offline", "dir": str(tmp_path), "tags": ["mine"]},
        as_multirun=True,
    )
    study = module.create_study(study_name="tuning", pruner=module.pruners.NopPruner())
    study.optimize(_objective, n_trials=3, callbacks=[callback])
    runs = _runs(tmp_path)
    assert len(runs) == 3
    for run, trial in zip(runs, study.trials, strict=True):
        assert run["name"].startswith(f"trial/{trial.number}")
        assert run["tags"] == ["mine", "tuning"]
        assert run["config"]["x"] == trial.params["x"]
        assert run["config"]["direction"] == ["MINIMIZE"]
        (row,) = run["rows"]
        assert row["value"] == trial.value
        assert row["trial_number"] == trial.number


def test_the_objective_logs_into_its_trials_run(tmp_path: Path) -> None:
    # Optuna's callback logs the trial at step=trial.number into the run the objective
    # logged to already: W&B drops that row (its step is below the run's), so the run
    # lacks the trial's value.
    callback = WeightsAndBiasesCallback(
        wandb_kwargs={"mode": "offline", "dir": str(tmp_path)}, as_multirun=True
    )

    @callback.track_in_wandb()
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -2.0, 2.0)
        wandb.log({"inside": x * 10})
        return x**2

    study = fastune.create_study()
    study.optimize(objective, n_trials=3, callbacks=[callback])
    runs = _runs(tmp_path)
    assert len(runs) == 3  # one per trial: the objective's run is the one completed
    for run, trial in zip(runs, study.trials, strict=True):
        assert run["name"].startswith(f"trial/{trial.number}")
        logged = {k: v for row in run["rows"] for k, v in row.items()}
        assert logged["inside"] == pytest.approx(trial.params["x"] * 10)
        assert logged["value"] == trial.value
        assert logged["trial_number"] == trial.number


def test_several_objectives_get_numbered_or_given_names(tmp_path: Path) -> None:
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0.0, 1.0)
        return x, 1 - x

    directions = ["minimize", "maximize"]
    for names in ("score", ["error", "speed"]):
        callback = WeightsAndBiasesCallback(
            names, wandb_kwargs={"mode": "offline", "dir": str(tmp_path)}
        )
        fastune.create_study(directions=directions).optimize(
            objective, n_trials=1, callbacks=[callback]
        )
        wandb.finish()
    first, second = (run["rows"][0] for run in _runs(tmp_path))
    assert first["score_0"] + first["score_1"] == pytest.approx(1.0)
    assert second["error"] + second["speed"] == pytest.approx(1.0)

    callback = WeightsAndBiasesCallback(
        ["error"], wandb_kwargs={"mode": "offline", "dir": str(tmp_path)}
    )
    with pytest.raises(InvalidParameterError, match="one name per objective"):
        fastune.create_study(directions=directions).optimize(
            objective, n_trials=1, callbacks=[callback]
        )


def test_bad_arguments_are_named() -> None:
    with pytest.raises(InvalidParameterTypeError, match="'metric_name'"):
        WeightsAndBiasesCallback(metric_name=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="'wandb_kwargs'"):
        WeightsAndBiasesCallback(wandb_kwargs=[("mode", "offline")])  # type: ignore[arg-type]


def test_the_objectives_wandb_log_runs_in_threads_unless_processes_are_asked_for(
    tmp_path: Path,
) -> None:
    # Optuna's workers are threads: wandb.log in the objective reaches the study's run.
    # fastune's would be processes, without that run: the callback asks for threads.
    callback = WeightsAndBiasesCallback(wandb_kwargs={"mode": "offline", "dir": str(tmp_path)})

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        wandb.log({"inside": x})
        return x

    study = fastune.create_study()
    study.optimize(objective, n_trials=4, n_jobs=2, callbacks=[callback])
    assert [t.state for t in study.trials] == [fastune.trial.TrialState.COMPLETE] * 4

    @callback.track_in_wandb()
    def tracked(trial: fastune.Trial) -> float:
        return trial.suggest_float("x", 0.0, 1.0)

    with pytest.raises(FastuneError, match="another process"):
        study.optimize(tracked, n_trials=2, n_jobs=2, backend="processes", callbacks=[callback])
    wandb.finish()
    (run,) = _runs(tmp_path)
    inside = sorted(row["inside"] for row in run["rows"] if "inside" in row)
    assert inside == sorted(t.params["x"] for t in study.trials[:4])
