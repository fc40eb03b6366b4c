"""Trial constraints (``set_constraint``, ``constraints``) and what the study makes of them:
the best trial and the Pareto front come from the feasible trials."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import fastune
from fastune.distributions import FloatDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.trial import FixedTrial, create_trial


def _constrained(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -1.0, 1.0)
    trial.set_constraint("x_at_least_half", 0.5 - x)
    return x**2  # best at 0, which is not feasible: the feasible best is at x = 0.5


def test_constraints_are_kept_with_the_trial_and_in_every_kind_of_trial() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(_constrained, n_trials=10)
    for trial in study.trials:
        assert trial.constraints == {"x_at_least_half": 0.5 - trial.params["x"]}
    fixed = FixedTrial({"x": 0.2})
    _constrained(fixed)
    assert fixed.constraints == {"x_at_least_half": pytest.approx(0.3)}
    record = create_trial(
        params={"x": 0.9},
        distributions={"x": FloatDistribution(-1.0, 1.0)},
        value=0.81,
        constraints={"a": -1.0, "b": 2},
    )
    assert record.constraints == {"a": -1.0, "b": 2.0}
    # Optuna's older form: a list kept by a constraints_func, its entries named by position.
    record.system_attrs["constraints"] = [0.5, -0.5]
    assert record.constraints == {"0": 0.5, "1": -0.5, "a": -1.0, "b": 2.0}


@pytest.mark.parametrize("in_sqlite", [False, True])
def test_the_best_trial_is_the_best_feasible_one(in_sqlite: bool, tmp_path: Path) -> None:
    # Both storages answer quickly with the best value; both must look past it here.
    storage = f"sqlite:///{tmp_path / 'c.db'}" if in_sqlite else None
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0), storage=storage)
    study.optimize(_constrained, n_trials=30)
    feasible = [t for t in study.trials if t.params["x"] >= 0.5]
    overall = min(study.trials, key=lambda t: t.value)
    assert overall.params["x"] < 0.5  # the plain minimum breaks the constraint
    assert study.best_trial.number == min(feasible, key=lambda t: t.value).number
    assert study.best_value == min(t.value for t in feasible)
    assert study.best_params == study.best_trial.params


def test_no_feasible_trial_means_no_best_trial() -> None:
    study = fastune.create_study()
    fastune.logging.set_verbosity(fastune.logging.INFO)  # the line that names the best
    study.optimize(lambda t: t.set_constraint("never", 1.0) or t.suggest_float("x", 0, 1), 3)
    assert len(study.trials) == 3
    with pytest.raises(ValueError, match="No feasible trial"):
        _ = study.best_trial
    [summary] = fastune.get_all_study_summaries(study._storage)
    assert summary.best_trial is None


def test_the_pareto_front_holds_feasible_trials_only() -> None:
    study = fastune.create_study(directions=["minimize", "minimize"])
    for x, bound in [(0.0, 1.0), (0.2, -1.0), (0.6, 0.0), (1.0, -0.5)]:
        study.add_trial(
            create_trial(
                params={"x": x},
                distributions={"x": FloatDistribution(0.0, 1.0)},
                values=[x, 1.0 - x],
                constraints={"c": bound},
            )
        )
    # Without constraints all four are on the front; x = 0 breaks its constraint.
    assert sorted(t.params["x"] for t in study.best_trials) == [0.2, 0.6, 1.0]


def test_a_constraint_is_set_once() -> None:
    study = fastune.create_study()
    trial = study.ask()
    trial.set_constraint("c", -1.0)
    with pytest.warns(UserWarning, match="Constraint 'c' of this trial is set already"):
        trial.set_constraint("c", 5.0)
    assert trial.constraints == {"c": -1.0}


@pytest.mark.parametrize(
    ("key", "value", "error", "fragment"),
    [
        (3, 0.0, InvalidParameterTypeError, r"'key' parameter of Trial.set_constraint"),
        ("c", "far", InvalidParameterTypeError, r"'value' parameter.*Got 'far'"),
        ("c", None, InvalidParameterTypeError, r"'value' parameter.*Got None"),
        ("c", math.nan, InvalidParameterError, r"'value' parameter.*not NaN.*Got nan"),
    ],
)
def test_bad_constraints_name_the_parameter(
    key: object, value: object, error: type[Exception], fragment: str
) -> None:
    trial = fastune.create_study().ask()
    with pytest.raises(error, match=fragment):
        trial.set_constraint(key, value)  # type: ignore[arg-type]
