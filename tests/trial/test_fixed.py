from __future__ import annotations

import pytest

from fastune.exceptions import InvalidParameterError
from fastune.trial import FixedTrial


def objective(trial: FixedTrial) -> float:
    x = trial.suggest_float("x", -10, 10)
    kind = trial.suggest_categorical("kind", ["a", "b"])
    trial.report(x, 0)
    return x**2 + (1 if kind == "b" else 0)


def test_fixed_trial_answers_with_given_values() -> None:
    trial = FixedTrial({"x": 3.0, "kind": "b"}, number=7)
    assert objective(trial) == 10.0
    assert trial.params == {"x": 3.0, "kind": "b"}
    assert trial.number == 7
    assert not trial.should_prune()


def test_missing_parameter_is_named() -> None:
    with pytest.raises(InvalidParameterError, match="'name'.*Got 'kind'"):
        objective(FixedTrial({"x": 1.0}))


def test_value_outside_distribution_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="'x'.*inside"):
        objective(FixedTrial({"x": 11.0, "kind": "a"}))
