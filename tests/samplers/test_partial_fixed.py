from __future__ import annotations

import numpy as np
import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import PartialFixedSampler, TPESampler


def _objective(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -2.0, 2.0)
    y = trial.suggest_int("y", 0, 10)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    return (x - 1.0) ** 2 + y + (0.0 if kind == "b" else 1.0)


def test_fixed_parameters_keep_their_values_and_the_rest_is_searched() -> None:
    seen_spaces: list[set[str]] = []

    class Spy(TPESampler):
        def sample_relative(self, study, trial, search_space):  # type: ignore[no-untyped-def]
            seen_spaces.append(set(search_space))
            return super().sample_relative(study, trial, search_space)

    sampler = PartialFixedSampler({"y": 3, "kind": "b"}, Spy(seed=0, n_startup_trials=5))
    study = fastune.create_study(sampler=sampler)
    study.optimize(_objective, n_trials=30)
    assert {(t.params["y"], t.params["kind"]) for t in study.trials} == {(3, "b")}
    assert len({t.params["x"] for t in study.trials}) == 30
    assert study.best_value < 3.05  # x is still modelled: near 1
    # The base sampler models x alone: the fixed parameters are not in its joint space.
    assert {"x"} in seen_spaces and all(space <= {"x"} for space in seen_spaces)


def test_numpy_values_and_equal_numbers_fix_categorical_choices() -> None:
    fixed = {"kind": np.str_("b"), "scale": np.float64(0.5), "n": 1}
    study = fastune.create_study(sampler=PartialFixedSampler(fixed, TPESampler(seed=0)))
    study.optimize(
        lambda t: (
            len(t.suggest_categorical("kind", ["a", "b"]))
            + t.suggest_categorical("scale", [0.5, 1.0])
            + t.suggest_categorical("n", [1.0, 2.0])
        ),
        n_trials=2,
    )
    assert study.trials[0].params == {"kind": "b", "scale": 0.5, "n": 1.0}


def test_a_fixed_value_outside_its_distribution_is_an_error() -> None:
    study = fastune.create_study(sampler=PartialFixedSampler({"y": 11}, TPESampler(seed=0)))
    with pytest.raises(InvalidParameterError, match=r"'fixed_params'.*'y'.*Got \{'y': 11\}"):
        study.optimize(_objective, n_trials=1)


def test_bad_arguments_name_the_parameter() -> None:
    with pytest.raises(InvalidParameterTypeError, match="'fixed_params' parameter"):
        PartialFixedSampler([("y", 3)], TPESampler())  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="'base_sampler' parameter"):
        PartialFixedSampler({"y": 3}, "tpe")  # type: ignore[arg-type]
