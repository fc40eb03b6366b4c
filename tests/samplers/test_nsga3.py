"""NSGAIIISampler: the reference-point elite on constructed fronts, a three-objective
search, and its arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from benchmarks.multi_objective import dtlz2
from tests.samplers.fronts import record as _record

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import NSGAIIISampler, RandomSampler
from fastune.samplers._nsga3 import _associate, _normalized, niche_select, simplex_lattice
from fastune.study import StudyDirection

THREE = [StudyDirection.MINIMIZE] * 3


def test_the_default_reference_points_are_the_simplex_lattice() -> None:
    points = simplex_lattice(3, 3)
    assert len(points) == math.comb(3 + 2, 2) == 10
    assert np.allclose(points.sum(axis=1), 1.0)
    assert np.allclose(points * 3, np.round(points * 3))
    assert len({tuple(p) for p in points}) == 10


def test_the_cut_front_is_spread_over_the_reference_directions() -> None:
    crowd = [[0.9, 0.05 + 0.01 * i, 0.05 - 0.01 * i] for i in range(5)]  # near (1, 0, 0)
    lone = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.34, 0.33, 0.33]]
    behind = [[1.0, 1.0, 1.0]]  # dominated: a later front
    trials = [_record(v) for v in crowd + lone + behind]
    elite = NSGAIIISampler(population_size=4, seed=0)._elite(trials, THREE)
    values = [t.values for t in elite]
    assert all(v in values for v in lone)  # each alone on its direction
    assert sum(v in values for v in crowd) == 1  # the crowd gives one point


def test_niches_filled_by_the_kept_fronts_come_last() -> None:
    # Rows 0-2 are kept fronts, all on direction 0; rows 3-7 the cut front.
    nearest = np.array([0, 0, 0, 0, 0, 1, 1, 2])
    distance = np.array([0.1, 0.1, 0.1, 0.0, 0.0, 0.5, 0.2, 0.9])
    for seed in range(20):
        picks = niche_select(nearest, distance, 3, 3, 2, np.random.default_rng(seed))
        # Directions 1 and 2 are empty: each gives its nearest member (rows 6 and 7).
        assert sorted(picks) == [3, 4]
    third = niche_select(nearest, distance, 3, 3, 3, np.random.default_rng(0))
    assert sorted(third)[1:] == [3, 4] and sorted(third)[0] in (0, 1, 2)


def test_normalization_and_association_on_fixed_numbers() -> None:
    losses = np.array([[2.0, 10.0], [4.0, 6.0], [6.0, 2.0]])
    # Ideal (2, 2); extremes (6, 2) and (2, 10): intercepts 4 and 8.
    assert np.allclose(_normalized(losses), [[0.0, 1.0], [0.5, 0.5], [1.0, 0.0]])
    with_infinity = _normalized(np.array([[0.0, 1.0], [1.0, 0.0], [np.inf, 0.5]]))
    assert np.all(np.isfinite(with_infinity))
    nearest, distance = _associate(
        np.array([[1.0, 0.1], [0.5, 0.5], [0.0, 2.0]]), np.array([[1.0, 0.0], [0.5, 0.5]])
    )
    assert list(nearest) == [0, 1, 1]  # (0, 2): 2 from the first line, sqrt(2) from the second
    assert np.allclose(distance, [0.1, 0.0, np.sqrt(2.0)], atol=1e-6)


def test_whole_fronts_first_and_feasible_before_infeasible() -> None:
    front = [_record([1.0, 0.0, 0.0]), _record([0.0, 1.0, 0.0]), _record([0.0, 0.0, 1.0])]
    second = [_record([1.0, 1.0, 0.5]), _record([0.5, 1.0, 1.0])]
    broken = [_record([0.0, 0.0, 0.0], bound=1.0)]
    sampler = NSGAIIISampler(population_size=4, seed=0)
    elite = sampler._elite(front + second + broken, THREE)
    assert all(t in elite for t in front) and len(elite) == 4
    assert broken[0] not in elite
    assert len(sampler._elite(front, THREE)) == 3  # fewer than the population: all kept


def test_a_three_objective_search_comes_near_the_front() -> None:
    def distance_to_the_front(sampler: fastune.samplers.BaseSampler) -> float:
        study = fastune.create_study(directions=["minimize"] * 3, sampler=sampler)
        study.optimize(dtlz2, n_trials=400)
        front = np.array([t.values for t in study.best_trials])
        return float(np.median(np.linalg.norm(front, axis=1) - 1.0))

    evolved = distance_to_the_front(NSGAIIISampler(population_size=20, seed=0))
    # Seeds 0-4: 0.03-0.06 against random search's 0.16-0.19.
    assert evolved < distance_to_the_front(RandomSampler(seed=0)) / 2


def test_reference_points_given_by_the_user() -> None:
    sampler = NSGAIIISampler(
        population_size=6, seed=0, reference_points=np.array([[1.0, 0.0], [0.0, 1.0]])
    )
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("y", 0, 1)), 18)
    assert {t.system_attrs["NSGAIIISampler:generation"] for t in study.trials} == {0, 1, 2}
    wrong = NSGAIIISampler(population_size=4, reference_points=np.ones((3, 3)))
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=wrong)
    with pytest.raises(InvalidParameterError, match="reference_points.*with 2 columns"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), 12)


def test_errors_name_what_is_wrong() -> None:
    with pytest.raises(InvalidParameterError, match="dividing_parameter"):
        NSGAIIISampler(dividing_parameter=0)
    with pytest.raises(InvalidParameterError, match="reference_points"):
        NSGAIIISampler(reference_points=np.array([1.0, 2.0]))
    with pytest.raises(InvalidParameterError, match="non-negative"):
        NSGAIIISampler(reference_points=np.array([[1.0, -1.0]]))
    with pytest.raises(InvalidParameterError, match="not all 0"):
        NSGAIIISampler(reference_points=np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(InvalidParameterError, match="non-empty"):
        NSGAIIISampler(reference_points=np.zeros((2, 0)))
    points = np.eye(2)
    sampler = NSGAIIISampler(reference_points=points)
    points[0, 0] = -5.0  # the sampler keeps a copy of its own
    assert sampler._directions_for(2)[0, 0] == 1.0
    with pytest.raises(InvalidParameterTypeError, match="reference_points"):
        NSGAIIISampler(reference_points=[["a", "b"]])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="child_generation_strategy"):
        NSGAIIISampler(child_generation_strategy="breed")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="population_size"):
        NSGAIIISampler(population_size=1)
