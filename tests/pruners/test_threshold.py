from __future__ import annotations

import math

import numpy as np
import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import ThresholdPruner


def test_prunes_outside_the_bounds_only() -> None:
    study = fastune.create_study(pruner=ThresholdPruner(lower=0.0, upper=1.0))
    assert run_trial(study, lambda step: 0.5, range(5)) is None
    assert run_trial(study, lambda step: 0.5 + 0.2 * step, range(5)) == 3
    assert run_trial(study, lambda step: -0.1, range(5)) == 0


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "lower"),
        ({"lower": 2.0, "upper": 1.0}, "lower"),
        ({"upper": 1.0, "interval_steps": 0}, "interval_steps"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        ThresholdPruner(**kwargs)


def test_no_bound_is_a_type_error_and_infinite_bounds_are_taken_as_optuna() -> None:
    with pytest.raises(TypeError, match="'lower'"):
        ThresholdPruner()
    study = fastune.create_study(pruner=ThresholdPruner(lower=-math.inf, upper=1.0))
    trial = study.ask()
    trial.report(-1e300, 0)
    assert not trial.should_prune()
    trial.report(2.0, 1)
    assert trial.should_prune()
    with pytest.raises(InvalidParameterError, match="'upper'.*inf and -inf included, NaN not"):
        ThresholdPruner(upper=math.nan)


def test_any_real_infinity_is_taken_as_python_s() -> None:
    pruner = ThresholdPruner(lower=np.float32("-inf"), upper=np.float32("inf"))
    assert (pruner._lower, pruner._upper) == (-math.inf, math.inf)
    study = fastune.create_study(pruner=ThresholdPruner(lower=0.0, upper=np.float32("inf")))
    assert run_trial(study, lambda step: 1e300, range(3)) is None
    assert run_trial(study, lambda step: -1.0, range(3)) == 0
