from __future__ import annotations

import numpy as np
import pytest
from sklearn.gaussian_process.kernels import Matern

from fastune.samplers._additive_kernel import AdditiveMatern


def test_it_is_the_mean_of_one_dimensional_matern_kernels() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.random((6, 3)), rng.random((4, 3))
    scales = np.array([0.2, 0.5, 1.5])
    kernel = AdditiveMatern(scales)(x, y)
    columns = [Matern(scales[c], nu=2.5)(x[:, [c]], y[:, [c]]) for c in range(3)]
    np.testing.assert_allclose(kernel, np.mean(columns, axis=0))
    np.testing.assert_allclose(AdditiveMatern(scales).diag(x), np.ones(6))


def test_its_gradient_is_the_derivative_in_the_log_length_scales() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((7, 3))
    kernel = AdditiveMatern(np.array([0.3, 0.1, 2.0]))
    value, gradient = kernel(x, eval_gradient=True)
    assert gradient.shape == (7, 7, 3)
    step = 1e-6
    for column in range(3):
        theta = kernel.theta.copy()
        theta[column] += step
        moved = kernel.clone_with_theta(theta)(x)
        np.testing.assert_allclose((moved - value) / step, gradient[:, :, column], atol=1e-5)


def test_the_gradient_is_only_taken_on_the_training_points() -> None:
    x = np.zeros((2, 2))
    with pytest.raises(ValueError, match="Y is None"):
        AdditiveMatern(1.0)(x, x, eval_gradient=True)
