from __future__ import annotations

from pathlib import Path

import pytest

import fastune
from fastune.exceptions import InvalidParameterError, TrialPruned
from fastune.samplers import BruteForceSampler
from fastune.trial import TrialState


def conditional(trial: fastune.Trial) -> float:
    kind = trial.suggest_categorical("kind", ["float", "int"])
    if kind == "float":
        return trial.suggest_float("x", 1.0, 3.0, step=0.5)  # 5 values
    a = trial.suggest_int("a", 1, 3)
    b = trial.suggest_int("b", a, 3)  # 3, 2, then 1 values: 6 in all
    return a + b


def _combinations(study: fastune.Study) -> list[tuple]:
    return [tuple(sorted(t.params.items())) for t in study.trials]


def test_every_combination_of_a_conditional_space_once_then_the_study_stops() -> None:
    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(conditional)  # no n_trials: the sampler stops the study
    combinations = _combinations(study)
    assert len(combinations) == 11
    assert len(set(combinations)) == 11
    assert {t.params["x"] for t in study.trials if "x" in t.params} == {1.0, 1.5, 2.0, 2.5, 3.0}
    assert {(t.params["a"], t.params["b"]) for t in study.trials if "a" in t.params} == {
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 2),
        (2, 3),
        (3, 3),
    }


def test_the_order_follows_the_seed() -> None:
    orders = []
    for seed in (0, 0, 1):
        study = fastune.create_study(sampler=BruteForceSampler(seed=seed))
        study.optimize(conditional)
        orders.append(_combinations(study))
    assert orders[0] == orders[1]
    assert orders[0] != orders[2]
    assert sorted(orders[0]) == sorted(orders[2])


def test_a_pruned_trial_counts_as_tried() -> None:
    def objective(trial: fastune.Trial) -> float:
        n = trial.suggest_int("n", 0, 3)
        if n % 2:
            raise TrialPruned()
        return n

    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(objective, n_trials=20)
    assert sorted(t.params["n"] for t in study.trials) == [0, 1, 2, 3]
    assert [t.state for t in study.trials].count(TrialState.PRUNED) == 2


def test_a_failed_trial_counts_as_tried() -> None:
    def objective(trial: fastune.Trial) -> float:
        n = trial.suggest_int("n", 0, 3)
        if n == 2:
            raise ValueError("this point cannot be evaluated")
        return n

    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    # The study stops by itself once every point was tried, the failed one included
    # (it was drawn again and again before).
    study.optimize(objective, n_trials=50, catch=(ValueError,))
    assert sorted(t.params["n"] for t in study.trials) == [0, 1, 2, 3]
    assert [t.state for t in study.trials].count(TrialState.FAIL) == 1


def test_a_float_without_a_step_is_refused() -> None:
    study = fastune.create_study(sampler=BruteForceSampler())
    with pytest.raises(InvalidParameterError, match=r"give float parameter 'x' a step"):
        study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0), n_trials=1)


def test_an_sql_storage_that_lists_parameters_by_name_is_searched_the_same(
    tmp_path: Path,
) -> None:
    def objective(trial: fastune.Trial) -> float:
        first = trial.suggest_categorical("z", ["a", "b"])  # suggested first, named last
        if first == "a":
            return trial.suggest_int("b", 0, 2)
        return trial.suggest_int("a", 0, 1)

    study = fastune.create_study(
        sampler=BruteForceSampler(seed=0), storage=f"sqlite:///{tmp_path / 'brute.db'}"
    )
    study.optimize(objective, n_trials=30)
    assert len(study.trials) == 5
    assert len(set(_combinations(study))) == 5


def test_float_values_are_the_grids_own() -> None:
    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1.0, step=0.1))
    assert sorted(t.params["x"] for t in study.trials) == [i / 10 for i in range(11)]


def test_a_tiny_float_step_covers_its_grid_and_stops() -> None:
    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0.0, 1e-12, step=1e-13), n_trials=50)
    assert len(study.trials) == 11  # it rounded to 12 places: two values, never done
    assert len({t.params["x"] for t in study.trials}) == 11


def test_nan_among_the_choices_is_tried_once_per_branch() -> None:
    # NaN != NaN: a branch below a NaN choice was never seen as tried (29 trials, one
    # point 7 times, where there are 16).
    choices = [float("inf"), -float("inf"), float("nan"), None]

    def objective(trial: fastune.Trial) -> float:
        for i in range(2):
            trial.suggest_categorical(f"c{i}", choices)
        return 0.0

    study = fastune.create_study(sampler=BruteForceSampler(seed=0))
    study.optimize(objective, n_trials=100)
    points = {repr(tuple(t.params.values())) for t in study.trials}
    assert len(study.trials) == len(points) == 16


@pytest.mark.parametrize(("strict", "runs"), [(False, 2), (True, 3)])
def test_a_running_point_counts_as_tried_unless_the_search_is_strict(
    strict: bool, runs: int
) -> None:
    # As Optuna's avoid_premature_stop: by default another worker's running point is
    # not drawn again and the study stops when the rest are done; strictly, it is.
    study = fastune.create_study(sampler=BruteForceSampler(seed=0, avoid_premature_stop=strict))
    held = study.ask().suggest_int("x", 0, 2)  # left running, as by another worker
    study.optimize(lambda t: t.suggest_int("x", 0, 2), n_trials=10)
    done = [t.params["x"] for t in study.trials if t.state == TrialState.COMPLETE]
    assert len(done) == runs
    assert sorted(done) == sorted({0, 1, 2} - ({held} if not strict else set()))
