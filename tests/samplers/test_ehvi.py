"""The hypervolume improvement behind GPSampler's several objectives, against the
hypervolume computed directly."""

from __future__ import annotations

import numpy as np
import pytest

from fastune._pareto import hypervolume
from fastune.samplers._ehvi import expected_improvement_volume, improvement_boxes


@pytest.mark.parametrize("m", [2, 3])
def test_the_boxes_give_each_points_hypervolume_improvement(m: int) -> None:
    rng = np.random.default_rng(m)
    reference = np.full(m, 1.1)
    for _ in range(10):
        front = rng.random((int(rng.integers(1, 12)), m))
        lower, upper = improvement_boxes(front, reference)
        points = rng.random((25, m)) * 1.3 - 0.1  # some beyond the reference
        exact = [
            hypervolume(np.vstack([front, p]), reference) - hypervolume(front, reference)
            for p in points
        ]
        certain = expected_improvement_volume(
            points, np.zeros_like(points), lower, upper, np.zeros((1, m))
        )
        np.testing.assert_allclose(certain, exact, atol=1e-12)


def test_the_expectation_averages_over_the_draws() -> None:
    front = np.array([[0.2, 0.8], [0.5, 0.5], [0.8, 0.2]])
    reference = np.array([1.0, 1.0])
    lower, upper = improvement_boxes(front, reference)
    mean, std = np.array([[0.4, 0.4]]), np.array([[0.1, 0.2]])
    normals = np.random.default_rng(0).standard_normal((20_000, 2))
    draws = mean + std * normals
    direct = np.mean(
        [hypervolume(np.vstack([front, d]), reference) for d in draws[:2000]]
    ) - hypervolume(front, reference)
    expected = expected_improvement_volume(mean, std, lower, upper, normals[:2000])
    assert expected[0] == pytest.approx(direct, rel=1e-9)
    # A point behind the front improves nothing; a spread around it sometimes does.
    behind = np.array([[0.9, 0.9]])
    assert expected_improvement_volume(behind, 0 * behind, lower, upper, normals[:1])[0] == 0
    assert expected_improvement_volume(behind, 0.3 + 0 * behind, lower, upper, normals)[0] > 0
