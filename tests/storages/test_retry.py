from __future__ import annotations

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.storages import RetryFailedTrialCallback
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
