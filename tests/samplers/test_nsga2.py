from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from benchmarks.multi_objective import zdt1
from tests.samplers.fronts import record as _record

import fastune
from fastune._pareto import hypervolume
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import NSGAIISampler, RandomSampler
from fastune.samplers._nsga2 import GENERATION_KEY, _crowding, _ranks
from fastune.study import StudyDirection

TWO = [StudyDirection.MINIMIZE, StudyDirection.MINIMIZE]


def test_generations_follow_the_population_size() -> None:
    study = fastune.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=6, seed=0)
    )
    study.optimize(zdt1, n_trials=24)
    assert [t.system_attrs[GENERATION_KEY] for t in study.trials] == sorted([0, 1, 2, 3] * 6)


def test_children_inherit_their_values_from_earlier_generations() -> None:
    sampler = NSGAIISampler(population_size=8, mutation_prob=0.0, crossover_prob=1.0, seed=1)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=32)
    for child in study.trials[8:]:
        earlier = [
            t
            for t in study.trials
            if t.system_attrs[GENERATION_KEY] < child.system_attrs[GENERATION_KEY]
        ]
        for name, value in child.params.items():
            assert value in {t.params[name] for t in earlier}


def test_it_approaches_the_front_better_than_random_search() -> None:
    volumes = {}
    for name, sampler in [
        ("nsga2", NSGAIISampler(population_size=20, seed=0)),
        ("random", RandomSampler(seed=0)),
    ]:
        study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(zdt1, n_trials=200)
        front = np.array([t.values for t in study.best_trials])
        volumes[name] = hypervolume(front, np.array([1.1, 11.0]))
    # Seeds 0-4 at 300 trials (python -m benchmarks.multi_objective): NSGA-II 10.8-11.3,
    # Optuna's NSGA-II 10.8-11.2, random 10.0-10.4.
    assert volumes["nsga2"] > volumes["random"] + 0.3


def test_fronts_crowding_and_constraints() -> None:
    trials = [
        _record([0.0, 1.0]),  # front 0, an end
        _record([0.5, 0.5]),  # front 0, middle
        _record([1.0, 0.0]),  # front 0, an end
        _record([0.6, 0.6]),  # front 1 (dominated by [0.5, 0.5])
        _record([0.0, 0.0], bound=2.0),  # would dominate all, but breaks its constraint
        _record([0.1, 0.1], bound=0.5),  # breaks it less
    ]
    ranked = _ranks(trials, TWO)
    assert [r.rank for r in ranked] == [0, 0, 0, 1, 3, 2]
    assert [math.isinf(r.crowding) for r in ranked[:3]] == [True, False, True]
    elite = NSGAIISampler(population_size=4)._elite(trials, TWO)  # whole fronts first,
    assert {tuple(t.values) for t in elite} == {  # feasible before infeasible
        (0.0, 1.0),
        (0.5, 0.5),
        (1.0, 0.0),
        (0.6, 0.6),
    }
    # The last front is cut by crowding distance: its ends first.
    assert [tuple(t.values) for t in NSGAIISampler(population_size=2)._elite(trials, TWO)] in (
        [(0.0, 1.0), (1.0, 0.0)],
        [(1.0, 0.0), (0.0, 1.0)],
    )


def test_constrained_search_keeps_to_the_feasible_side() -> None:
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        first, second = zdt1(trial)
        trial.set_constraint("x0_at_least_half", 0.5 - trial.params["x0"])
        return first, second

    study = fastune.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=10, seed=0)
    )
    study.optimize(objective, n_trials=80)
    first = [t.params["x0"] >= 0.5 for t in study.trials[:10]]
    last = [t.params["x0"] >= 0.5 for t in study.trials[-20:]]
    assert np.mean(last) > max(0.7, np.mean(first))
    assert all(t.params["x0"] >= 0.5 for t in study.best_trials)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"population_size": 1}, InvalidParameterError, "'population_size'"),
        ({"mutation_prob": 1.5}, InvalidParameterError, "'mutation_prob'"),
        ({"crossover_prob": -0.1}, InvalidParameterError, "'crossover_prob'"),
        ({"swapping_prob": 2.0}, InvalidParameterError, "'swapping_prob'"),
        ({"crossover": "sbx"}, InvalidParameterError, "'crossover' parameter.*None"),
        ({"constraints_func": 3}, InvalidParameterTypeError, "'constraints_func'"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        NSGAIISampler(**kwargs)


def test_an_infinite_objective_leaves_crowding_distances_ordered() -> None:
    distances = _crowding(np.array([[0.0, np.inf], [0.2, 0.8], [1.0, 0.0], [0.5, 0.5]]))
    assert not np.isnan(distances).any()
    assert np.isinf(distances[[0, 2]]).all()


def test_a_new_sampler_on_a_long_study_works_out_every_generation() -> None:
    sampler = NSGAIISampler(population_size=2, seed=0)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=2400)  # 1,200 generations
    study.sampler = pickle.loads(pickle.dumps(sampler))  # its parents are not pickled
    study.optimize(zdt1, n_trials=1)
    assert study.trials[-1].system_attrs[GENERATION_KEY] == 1200
