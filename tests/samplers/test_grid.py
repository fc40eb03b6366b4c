from __future__ import annotations

import time

import numpy as np
import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import GridSampler
from fastune.trial import TrialState


def test_visits_every_point_once_then_stops() -> None:
    space = {"x": [-1, 0, 1], "y": ["a", "b"]}
    study = fastune.create_study(sampler=GridSampler(space, seed=0))
    study.optimize(
        lambda t: t.suggest_int("x", -1, 1) + (t.suggest_categorical("y", ["a", "b"]) == "b")
    )
    points = sorted((t.params["x"], t.params["y"]) for t in study.trials)
    assert points == sorted((x, y) for x in (-1, 0, 1) for y in ("a", "b"))
    assert GridSampler(space).grid_size == 6
    assert study.sampler.is_exhausted(study)  # type: ignore[attr-defined]


def test_parallel_workers_share_the_grid() -> None:
    space = {"x": list(range(12))}

    def objective(trial: fastune.Trial) -> float:
        time.sleep(0.005)
        return float(trial.suggest_int("x", 0, 11))

    study = fastune.create_study(sampler=GridSampler(space, seed=1))
    study.optimize(objective, n_jobs=2)
    values = [t.params["x"] for t in study.trials if t.state == TrialState.COMPLETE]
    assert sorted(values) == list(range(12))  # each point once, none twice


def test_enqueued_grid_point_counts_as_visited() -> None:
    study = fastune.create_study(sampler=GridSampler({"x": [1, 2, 3]}, seed=0))
    study.enqueue_trial({"x": 2})
    study.optimize(lambda t: t.suggest_int("x", 1, 3))
    assert study.trials[0].params["x"] == 2
    assert sorted(t.params["x"] for t in study.trials) == [1, 2, 3]


def test_an_enqueued_trial_off_the_grid_takes_no_point() -> None:
    # It took a random point, which then never ran (a = 100, 0; 50 never).
    study = fastune.create_study(sampler=GridSampler({"a": [0, 50]}, seed=0))
    study.enqueue_trial({"a": 100})
    study.optimize(lambda t: t.suggest_int("a", 0, 100))
    assert study.trials[0].params["a"] == 100
    assert sorted(t.params["a"] for t in study.trials) == [0, 50, 100]


def test_a_partly_enqueued_trial_takes_a_point_that_agrees_with_it() -> None:
    # It took a random point, whose b the enqueued value then replaced: that point never
    # ran, and another ran twice, with some of these seeds.
    for seed in range(6):
        study = fastune.create_study(sampler=GridSampler({"a": [0, 50], "b": [1, 2]}, seed=seed))
        study.enqueue_trial({"b": 2})
        study.optimize(lambda t: t.suggest_int("a", 0, 100) + t.suggest_int("b", 0, 5))
        assert study.trials[0].params["b"] == 2
        points = sorted((t.params["a"], t.params["b"]) for t in study.trials)
        assert points == [(0, 1), (0, 2), (50, 1), (50, 2)]  # each point once


def test_a_partly_enqueued_trial_off_the_grid_names_the_parameter_it_lacks() -> None:
    # As Optuna's (an error): no grid point gives 'b' a value that goes with a = 7.
    study = fastune.create_study(sampler=GridSampler({"a": [0, 50], "b": [1, 2]}))
    study.enqueue_trial({"a": 7})
    with pytest.raises(InvalidParameterError, match=r"'param_name'.*\{'a': 7\}.*Got 'b'"):
        study.optimize(lambda t: t.suggest_int("a", 0, 100) + t.suggest_int("b", 0, 5))


def test_parameter_outside_the_grid() -> None:
    study = fastune.create_study(sampler=GridSampler({"x": [1, 2]}))
    with pytest.raises(InvalidParameterError, match="'param_name'.*Got 'y'"):
        study.optimize(lambda t: t.suggest_float("y", 0, 1), n_trials=1)


def test_grid_value_outside_the_distribution() -> None:
    study = fastune.create_study(sampler=GridSampler({"x": [5.0]}))
    with pytest.raises(InvalidParameterError, match="inside the suggested distribution"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)


@pytest.mark.parametrize(
    ("space", "error"),
    [
        ({"x": []}, InvalidParameterError),
        ({"x": "abc"}, InvalidParameterTypeError),
        ({"x": [[1, 2]]}, InvalidParameterTypeError),
        ([("x", [1])], InvalidParameterTypeError),
    ],
)
def test_bad_search_space(space: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="GridSampler"):
        GridSampler(space)  # type: ignore[arg-type]


def test_a_grid_of_numpy_values_gives_python_values() -> None:
    study = fastune.create_study(sampler=GridSampler({"n": np.array([16, 32])}))
    study.optimize(lambda t: float(t.suggest_categorical("n", [16, 32])), n_trials=2)
    assert sorted(t.params["n"] for t in study.trials) == [16, 32]
    assert all(type(t.params["n"]) is int for t in study.trials)


def test_a_second_grid_on_a_study_visits_all_its_points() -> None:
    study = fastune.create_study(sampler=GridSampler({"x": [0, 1]}, seed=0))
    study.optimize(lambda t: t.suggest_int("x", 0, 10), n_trials=2)
    study.sampler = GridSampler({"x": [5, 6, 7, 8]}, seed=0)
    study.optimize(lambda t: t.suggest_int("x", 0, 10))  # stops when its grid is done
    assert sorted(t.params["x"] for t in study.trials[2:]) == [5, 6, 7, 8]


def test_grid_values_match_choices_as_the_distribution_does() -> None:
    for grid, choices in (
        (np.array([1, 2]), list(np.array([1, 2]))),  # numpy choices (a regression once)
        ([1, 2], [1.0, 2.0]),  # ints for floats, as Optuna
        ([float("nan"), 1.0], [float("nan"), 1.0]),
    ):
        study = fastune.create_study(sampler=GridSampler({"x": grid}, seed=0))
        study.optimize(lambda t, c=choices: float(t.suggest_categorical("x", c) == c[0]), 5)
        assert len(study.trials) == 2


def test_without_a_seed_every_run_visits_the_grid_in_the_same_order() -> None:
    # As Optuna (seed 0 for the order): a partial or resumed grid takes the same points.
    space = {"x": list(range(8)), "y": ["a", "b"]}

    def order(sampler: GridSampler) -> list[tuple]:
        study = fastune.create_study(sampler=sampler)
        study.optimize(
            lambda t: t.suggest_int("x", 0, 7) + len(t.suggest_categorical("y", ["a", "b"])),
            n_trials=6,
        )
        return [(t.params["x"], t.params["y"]) for t in study.trials]

    assert (
        order(GridSampler(space)) == order(GridSampler(space)) == order(GridSampler(space, seed=0))
    )
    reseeded = GridSampler(space)
    reseeded.reseed_rng()
    assert len(set(order(reseeded))) == 6


def test_tuple_values_are_grid_points_as_categorical_choices() -> None:
    # A choice such as a layer-size pair: Optuna's grid takes it (with a warning).
    grid = {"layers": [(32, 32), (64,)]}
    study = fastune.create_study(sampler=GridSampler(grid, seed=0))
    study.optimize(lambda t: sum(t.suggest_categorical("layers", [(32, 32), (64,)])))
    assert sorted(t.params["layers"] for t in study.trials) == [(32, 32), (64,)]
    with pytest.raises(InvalidParameterTypeError, match="tuples of them"):
        GridSampler({"x": [(1, [2])]})
