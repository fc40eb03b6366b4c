from __future__ import annotations

import math

import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import MedianPruner, PercentilePruner
from fastune.trial import create_trial


def _study(pruner: fastune.pruners.BasePruner) -> fastune.Study:
    study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    for value in range(10):  # constant curves 0 .. 9
        run_trial(study, lambda step, v=value: float(v), range(5))
    study.pruner = pruner
    return study


def test_the_percentile_sets_the_bar() -> None:
    # Median of 0..9 is 4.5; the 25th percentile 2.25.
    assert run_trial(_study(MedianPruner()), lambda step: 4.0, range(5)) is None
    assert run_trial(_study(MedianPruner()), lambda step: 5.0, range(5)) == 0
    assert run_trial(_study(PercentilePruner(25.0)), lambda step: 4.0, range(5)) == 0
    assert run_trial(_study(PercentilePruner(25.0)), lambda step: 2.0, range(5)) is None


def test_startup_interval_and_min_trials() -> None:
    assert run_trial(_study(MedianPruner(n_startup_trials=11)), lambda s: 9.0, range(5)) is None
    # Checked at steps 1, 3 (warm-up 1, every 2 steps).
    pruner = MedianPruner(n_warmup_steps=1, interval_steps=2)
    assert run_trial(_study(pruner), lambda step: 9.0, range(5)) == 1
    assert run_trial(_study(MedianPruner(n_min_trials=11)), lambda s: 9.0, range(5)) is None


def test_maximize_with_an_infinite_peer_and_nan_peers_as_optuna() -> None:
    study = fastune.create_study(direction="maximize", pruner=fastune.pruners.NopPruner())
    for value in (-math.inf, 0.5, 1.0):  # a diverged log-likelihood among the peers
        run_trial(study, lambda step, v=value: v, range(2))
    study.pruner = MedianPruner(n_startup_trials=0)
    assert run_trial(study, lambda step: 0.2, range(2)) == 0  # the bar was NaN: kept
    minimize = fastune.create_study(pruner=fastune.pruners.NopPruner())
    run_trial(minimize, lambda step: 1.0, range(2))
    nan_reports = fastune.trial.create_trial(value=1.0, intermediate_values={0: math.nan})
    minimize.add_trial(nan_reports)  # a peer that reported NaN counts towards n_min_trials
    minimize.pruner = MedianPruner(n_startup_trials=0, n_min_trials=2)
    assert run_trial(minimize, lambda step: 2.0, range(2)) == 0


def test_only_peers_that_reported_the_step_count_as_optuna() -> None:
    # The peers report the even steps; the trial, far worse, the odd ones. No peer
    # reported its steps, so it is not judged: an earlier report is not carried forward.
    study = fastune.create_study(pruner=MedianPruner(n_startup_trials=1))
    for value in (0.1, 0.2, 0.3):
        study.add_trial(create_trial(value=value, intermediate_values={0: value, 2: value}))
    assert run_trial(study, lambda step: 5.0, range(1, 5, 2)) is None
    # n_min_trials counts the peers that reported the step: 1 of 3 at step 1, 3 at step 2.
    study = fastune.create_study(pruner=MedianPruner(n_startup_trials=0, n_min_trials=3))
    study.add_trial(create_trial(value=0.1, intermediate_values={0: 0.1, 1: 0.1, 2: 0.1}))
    for value in (0.2, 0.3):
        study.add_trial(create_trial(value=value, intermediate_values={0: value, 2: value}))
    assert run_trial(study, lambda step: 9.0, range(1, 3)) == 2


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"percentile": 101.0}, "percentile"),
        ({"percentile": 50.0, "n_startup_trials": -1}, "n_startup_trials"),
        ({"percentile": 50.0, "n_warmup_steps": -1}, "n_warmup_steps"),
        ({"percentile": 50.0, "interval_steps": 0}, "interval_steps"),
        ({"percentile": 50.0, "n_min_trials": 0}, "n_min_trials"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        PercentilePruner(**kwargs)
