from __future__ import annotations

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.samplers import AutoSampler, RandomSampler


def _study(objective, n_trials: int, directions: list[str] | None = None) -> fastune.Study:  # type: ignore[no-untyped-def]
    study = fastune.create_study(
        directions=directions or ["minimize"], sampler=RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=n_trials)
    return study


def numeric(dimension: int):  # type: ignore[no-untyped-def]
    def objective(trial: fastune.Trial) -> float:
        return sum(trial.suggest_float(f"x{i}", 0, 1) for i in range(dimension))

    return objective


def test_rules_in_order() -> None:
    auto = AutoSampler(seed=0)
    assert auto.choose(_study(numeric(3), 9)) == "qmc"  # 9 < n_startup_trials
    assert auto.choose(_study(numeric(3), 10)) == "gp"
    assert auto.choose(_study(numeric(12), 30)) == "cmaes"  # more than 10 dimensions
    assert AutoSampler(max_gp_trials=20).choose(_study(numeric(3), 25)) == "cmaes"

    def with_choice(trial: fastune.Trial) -> float:
        return trial.suggest_float("x", 0, 1) + (trial.suggest_categorical("c", [0, 1]))

    assert auto.choose(_study(with_choice, 10)) == "tpe"

    def conditional(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + (trial.suggest_float("y", 0, 1) if x > 0.5 else 0.0)

    assert auto.choose(_study(conditional, 12)) == "tpe"
    two = _study(
        lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)),
        10,
        directions=["minimize", "minimize"],
    )
    assert auto.choose(two) == "gp"  # two objectives on a small numeric space
    three = _study(
        lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1), 0.0),
        10,
        directions=["minimize"] * 3,
    )
    assert auto.choose(three) == "tpe-independent"  # more objectives: per parameter
    assert AutoSampler(max_gp_trials=5).choose(two) == "tpe-independent"

    def conditional_two(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return (x, trial.suggest_float("y", 0, 1)) if x > 0.5 else (x, 1.0)

    assert auto.choose(_study(conditional_two, 12, directions=["minimize"] * 2)) == "tpe"


def test_pruned_trials_count_towards_the_start() -> None:
    def pruned_after_one_step(trial: fastune.Trial) -> float:
        trial.report(trial.suggest_float("x", 0, 1), 1)
        raise fastune.TrialPruned()

    study = _study(pruned_after_one_step, 10)
    assert AutoSampler().choose(study) == "gp"
    assert AutoSampler(n_startup_trials=11).choose(study) == "qmc"


def test_each_trial_records_its_sampler() -> None:
    study = fastune.create_study(sampler=AutoSampler(seed=0, n_startup_trials=4))

    def objective(trial: fastune.Trial) -> float:
        return (trial.suggest_float("x", -2, 2) - 1) ** 2 + trial.suggest_float("y", -2, 2) ** 2

    study.optimize(objective, n_trials=8)
    used = [t.system_attrs["auto:sampler"] for t in study.trials]
    assert used == ["qmc"] * 4 + ["gp"] * 4
    assert study.best_value < 1.0


def test_bad_arguments() -> None:
    with pytest.raises(InvalidParameterError, match="'max_gp_trials' parameter of AutoSampler"):
        AutoSampler(max_gp_trials=-1)
