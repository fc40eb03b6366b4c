from __future__ import annotations

import numpy as np

from fastune._pareto import pareto_front_mask


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


def test_duplicates_stay_on_the_front() -> None:
    losses = np.array([[1.0, 2.0], [1.0, 2.0], [2.0, 3.0]])
    assert pareto_front_mask(losses).tolist() == [True, True, False]
