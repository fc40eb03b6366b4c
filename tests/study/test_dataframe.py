from __future__ import annotations

import sys

import pytest

import fastune
from fastune.exceptions import InvalidParameterError


def _study() -> fastune.Study:
    study = fastune.create_study()

    def objective(trial: fastune.Trial) -> float:
        trial.set_user_attr("tag", f"t{trial.number}")
        return trial.suggest_float("x", 0, 1)

    study.optimize(objective, n_trials=4)
    return study


def test_columns_and_rows() -> None:
    frame = _study().trials_dataframe()
    assert list(frame["number"]) == [0, 1, 2, 3]
    assert {"value", "params_x", "user_attrs_tag", "state", "duration"} <= set(frame.columns)
    assert set(frame["state"]) == {"COMPLETE"}
    assert (frame["value"] == frame["params_x"]).all()


def test_multi_index_and_multi_objective() -> None:
    study = fastune.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 2.0), n_trials=2)
    frame = study.trials_dataframe(attrs=("number", "values", "params"), multi_index=True)
    assert ("values", 1) in frame.columns  # the objective's index, an int as in Optuna
    assert list(frame[("values", 1)]) == [2.0, 2.0]
    # "value" stands for the values of several objectives; metric names name them
    study.set_metric_names(["error", "speed"])
    flat = study.trials_dataframe(attrs=("value", "_trial_id"))
    assert list(flat.columns) == ["values_error", "values_speed", "trial_id"]
    assert list(flat["values_speed"]) == [2.0, 2.0]


def test_columns_follow_attrs_and_sorted_parameters() -> None:
    study = fastune.create_study()
    study.set_metric_names(["loss"])

    def objective(trial: fastune.Trial) -> float:
        if trial.number == 1:
            trial.set_system_attr("late", 1)  # a key first seen in a later trial
        return trial.suggest_float("b", 0, 1) + trial.suggest_float("a", 0, 1)

    study.optimize(objective, n_trials=2)
    frame = study.trials_dataframe(attrs=("value", "params", "system_attrs", "state"))
    assert list(frame.columns)[:3] == ["value_loss", "params_a", "params_b"]
    assert list(frame.columns)[-1] == "state"  # after every system_attrs column
    assert list(study.trials_dataframe(attrs=("values",)).columns) == ["values_loss"]


def test_empty_study_and_bad_attr() -> None:
    assert fastune.create_study().trials_dataframe().empty
    with pytest.raises(InvalidParameterError, match="'attrs'.*Got 'colour'"):
        _study().trials_dataframe(attrs=("number", "colour"))


def test_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"fastune\[pandas\]"):
        _study().trials_dataframe()
