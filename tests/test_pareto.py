from __future__ import annotations

import numpy as np
import pytest

import fastune._pareto as pareto
from fastune._pareto import (
    crowding_distances,
    hypervolume,
    pareto_front_mask,
    pareto_ranks,
)


def _brute_force(losses: np.ndarray) -> np.ndarray:
    n = len(losses)
    return np.array(
        [
            not any(
                np.all(losses[j] <= losses[i]) and np.any(losses[j] < losses[i]) for j in range(n)
            )
            for i in range(n)
        ]
    )


def test_matches_brute_force_on_random_points() -> None:
    rng = np.random.default_rng(0)
    for n_objectives in (2, 3):
        losses = rng.integers(0, 6, size=(80, n_objectives)).astype(float)
        np.testing.assert_array_equal(pareto_front_mask(losses), _brute_force(losses))


def test_the_sweep_for_many_rows_matches_the_pairwise_rule() -> None:
    rng = np.random.default_rng(3)
    losses = rng.integers(0, 12, size=(300, 2)).astype(float)  # above the pairwise limit
    np.testing.assert_array_equal(pareto_front_mask(losses), _brute_force(losses))
    ranks = pareto_ranks(losses)
    for front in range(ranks.max() + 1):
        left = ranks >= front
        np.testing.assert_array_equal(pareto_front_mask(losses[left]), ranks[left] == front)


def test_pareto_ranks_until_stops_after_the_front_that_reaches_the_count() -> None:
    losses = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 3.0], [3.0, 3.0], [2.0, 0.5]])
    assert pareto_ranks(losses, until=3).tolist() == [0, 1, 0, 1, 0]  # 3 ranked: stop
    assert pareto_ranks(losses, until=4).tolist() == [0, 1, 0, 2, 0]


def test_duplicates_stay_on_the_front() -> None:
    losses = np.array([[1.0, 2.0], [1.0, 2.0], [2.0, 3.0]])
    assert pareto_front_mask(losses).tolist() == [True, True, False]


def test_infinite_losses_of_both_signs_in_a_row() -> None:
    # inf + -inf is NaN: numpy warned (an error under this suite's filters).
    losses = np.array([[np.inf, -np.inf], [1.0, 2.0], [2.0, 3.0]])
    assert pareto_front_mask(losses).tolist() == [True, True, False]


def test_pareto_ranks_peel_the_fronts() -> None:
    losses = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 3.0], [3.0, 3.0], [2.0, 0.5]])
    assert pareto_ranks(losses).tolist() == [0, 1, 0, 2, 0]
    rng = np.random.default_rng(1)
    losses = rng.random((60, 3))
    ranks = pareto_ranks(losses)
    for front in range(ranks.max() + 1):  # each front is the front of what is left
        left = ranks >= front
        np.testing.assert_array_equal(pareto_front_mask(losses[left]), ranks[left] == front)


def test_large_three_dimensional_fronts_are_swept_slice_by_slice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(4)
    losses = rng.random((60, 3))
    reference = np.full(3, 1.2)
    at_once = hypervolume(losses, reference)
    monkeypatch.setattr(pareto, "_PREFIX_LIMIT", 10)  # the memory-bounded path
    assert hypervolume(losses, reference) == pytest.approx(at_once, rel=1e-12)


def test_hypervolume_of_known_fronts() -> None:
    square = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    assert hypervolume(square, np.array([2.0, 2.0])) == 3.25
    assert hypervolume(np.array([[0.0, 0.0, 0.0]]), np.array([1.0, 2.0, 3.0])) == 6.0
    # Two boxes of 2 x 1 x 2 and 1 x 2 x 2, overlapping in 1 x 1 x 2.
    boxes = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])
    assert hypervolume(boxes, np.array([2.0, 2.0, 3.0])) == 4 + 4 - 2
    assert hypervolume(np.array([[3.0, 0.0]]), np.array([2.0, 2.0])) == 0.0  # beyond it


def test_hypervolume_matches_a_grid_count_in_three_dimensions() -> None:
    rng = np.random.default_rng(0)
    points = np.round(rng.random((12, 3)) * 10) / 10  # on a 0.1 grid: exact cell count
    centres = (np.indices((10, 10, 10)).reshape(3, -1).T + 0.5) / 10
    covered = np.zeros(len(centres), dtype=bool)
    for point in points:
        covered |= np.all(centres >= point, axis=1)
    assert np.isclose(hypervolume(points, np.ones(3)), covered.mean())


def test_an_infinite_objective_leaves_crowding_distances_ordered() -> None:
    losses = np.array([[0.0, np.inf], [0.2, 0.8], [1.0, 0.0], [0.5, 0.5]])
    distances = crowding_distances(losses)
    assert not np.isnan(distances).any()
    assert np.isinf(distances[[0, 2]]).all()
