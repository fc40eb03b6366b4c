"""optimize(n_jobs=k, backend="processes"): the objective in real worker processes."""

from __future__ import annotations

import os
import time

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.trial import TrialState


def _objective(trial: fastune.Trial) -> float:
    time.sleep(0.05)  # long enough that both workers get trials
    x = trial.suggest_float("x", -1, 1)
    n = trial.suggest_int("n", 0, 3)
    trial.set_user_attr("pid", os.getpid())
    trial.report(x * x, 0)
    if trial.should_prune():
        raise fastune.TrialPruned()
    if n == 3 and x > 0.9:
        raise ValueError("an objective error")
    return x * x + n


def test_trials_run_in_worker_processes_with_an_in_memory_study() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    finished = []
    study.optimize(
        _objective,
        n_trials=24,
        n_jobs=2,
        backend="processes",
        catch=(ValueError,),
        callbacks=[lambda s, t: finished.append(t.number)],
    )
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(24))  # n_trials for the study
    assert sorted(finished) == list(range(24))  # callbacks ran here, once per trial
    pids = {t.user_attrs["pid"] for t in trials}
    assert os.getpid() not in pids and len(pids) == 2
    assert all(t.state != TrialState.RUNNING for t in trials)
    assert all(t.intermediate_values for t in trials)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert all(t.value == t.params["x"] ** 2 + t.params["n"] for t in complete)


def test_an_uncaught_error_fails_its_trial_and_is_raised_here() -> None:
    def failing(trial: fastune.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise KeyError("boom")

    study = fastune.create_study()
    with pytest.raises(KeyError, match="boom"):
        study.optimize(failing, n_trials=10, n_jobs=2, backend="processes")
    assert study.trials and all(t.state == TrialState.FAIL for t in study.trials)
    assert len(study.trials) <= 3  # each worker stops after its current trial


def test_errors_of_trial_calls_reach_the_objective() -> None:
    def bad_suggest(trial: fastune.Trial) -> float:
        return trial.suggest_float("x", 1.0, 0.0)  # low > high

    study = fastune.create_study()
    with pytest.raises(InvalidParameterError, match="low"):
        study.optimize(bad_suggest, n_trials=2, n_jobs=2, backend="processes")


def test_unknown_backend() -> None:
    with pytest.raises(InvalidParameterError, match="backend"):
        fastune.create_study().optimize(_objective, n_trials=1, backend="fibers")
