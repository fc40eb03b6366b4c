from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.storages import JournalStorage, RetryFailedTrialCallback
from fastune.storages.journal import JournalFileBackend
from fastune.trial import TrialState


def test_retries_up_to_max_retry_with_the_same_params() -> None:
    study = fastune.create_study()
    retry = RetryFailedTrialCallback(max_retry=2, inherit_intermediate_values=True)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.report(0.5, 3)
    study.tell(trial, state=TrialState.FAIL)
    attempts = [study.trials[0]]
    for _ in range(3):  # each retry fails again; the third is not queued
        retry(study, attempts[-1])
        if study.trials[-1].state != TrialState.WAITING:
            break
        again = study.ask()
        again.suggest_float("x", 0, 1)
        study.tell(again, state=TrialState.FAIL)
        attempts.append(study.trials[-1])
    assert [t.number for t in attempts] == [0, 1, 2]
    assert {t.params["x"] for t in attempts} == {attempts[0].params["x"]}
    assert RetryFailedTrialCallback.retry_history(attempts[2]) == [0, 1]
    assert RetryFailedTrialCallback.retried_trial_number(attempts[2]) == 0
    assert attempts[1].intermediate_values == {3: 0.5}
    assert RetryFailedTrialCallback.retried_trial_number(attempts[0]) is None


def test_bad_max_retry() -> None:
    with pytest.raises(InvalidParameterError, match="max_retry"):
        RetryFailedTrialCallback(max_retry=-1)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "journal"])
def test_a_queued_retry_shows_the_failed_trials_params_before_it_runs(
    kind: str, tmp_path: Path
) -> None:
    storage: Any = {
        "memory": None,
        "sqlite": f"sqlite:///{tmp_path / 'retry.db'}",
        "journal": JournalStorage(JournalFileBackend(str(tmp_path / "retry.log"))),
    }[kind]
    study = fastune.create_study(storage=storage)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.suggest_categorical("c", ["a", "b"])
    trial.set_user_attr("note", "first attempt")
    study.tell(trial, state=TrialState.FAIL)
    failed = study.trials[0]
    RetryFailedTrialCallback()(study, failed)
    waiting = study.trials[1]
    assert waiting.state == TrialState.WAITING
    assert waiting.params == failed.params  # as Optuna shows it; it was {} until run
    assert waiting.distributions == failed.distributions
    assert waiting.user_attrs == {"note": "first attempt"}
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[1].state == TrialState.COMPLETE
    assert study.trials[1].params == failed.params
    assert study.trials[1].value == failed.params["x"]


def test_a_retry_asked_with_a_changed_range_keeps_its_value() -> None:
    study = fastune.create_study()
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    study.tell(trial, state=TrialState.FAIL)
    RetryFailedTrialCallback()(study, study.trials[0])
    # The code was mended meanwhile and asks for a wider range: as Optuna, the retry
    # keeps its value (it raised 'must be suggested with the same distribution').
    study.optimize(lambda t: t.suggest_float("x", 0, 2), n_trials=1)
    assert study.trials[1].state == TrialState.COMPLETE
    assert study.trials[1].params == study.trials[0].params
    other = study.ask()
    other.suggest_float("y", 0, 1)
    with pytest.raises(InvalidParameterError, match="'y'"):  # within one run: still refused
        other.suggest_float("y", 0, 2)
