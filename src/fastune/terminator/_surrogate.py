"""The Gaussian process the GP-based improvement evaluators share: GPSampler's model
(joint and additive Matern 5/2 kernels, one-hot categoricals) fitted to the complete
trials' gains, and its confidence bounds."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune.samplers._gp import GPSampler, _finite, _posterior, target_scaling
from fastune.search_space import intersection_search_space
from fastune.terminator._trials import complete_in_order, gains

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

_N_NEAR = 8  # best rows the bound's maximizer starts local candidates from


class Surrogate:
    """A GP over a study's search space, with GPSampler's kernel, hyperparameter prior
    and acquisition maximizer; its random draws follow ``seed``."""

    def __init__(self, seed: int | None, deterministic_objective: bool = False) -> None:
        self._engine = GPSampler(seed=seed, deterministic_objective=deterministic_objective)

    def fit(self, space: SearchSpace, rows: np.ndarray, targets: np.ndarray, key: str) -> Any:
        """The regressor fitted to ``targets`` at ``rows`` (its hyperparameters start from
        the last fit under ``key``)."""
        with self._engine._lock:
            return self._engine._fit(space, rows, targets, (key, len(space)))

    def posterior(
        self, space: SearchSpace, model: Any, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the latent function at ``rows``."""
        return _posterior(model, space.one_hot(rows))

    def covariance(self, space: SearchSpace, model: Any, rows: np.ndarray) -> np.ndarray:
        """Posterior covariance matrix of the latent function at ``rows`` (noise left out)."""
        from scipy.linalg import solve_triangular

        features = space.one_hot(rows)
        latent = model.kernel_.k1  # the signal part of the kernel: all but the noise
        cross = latent(model.X_train_, features)
        solved = solve_triangular(model.L_, cross, lower=True, check_finite=False)
        _, scale = target_scaling(model)
        return np.asarray((latent(features) - solved.T @ solved) * scale**2)

    def regret_bound(self, space: SearchSpace, model: Any, rows: np.ndarray, delta: float) -> float:
        """How much better than the observed points the function can be, with
        probability about ``1 - delta``: the largest upper confidence bound over the space
        minus the largest lower confidence bound over ``rows`` (Makarova et al., 2022,
        for a gain to maximize). The bounds are ``mean +- sqrt(beta) * std`` with
        ``beta = 2 log(d n^2 pi^2 / (6 delta)) / 5`` for ``n`` rows in ``d`` dimensions
        (the paper's choice, scaled down by 5 as in its experiments)."""
        n, d = rows.shape
        width = math.sqrt(max(0.0, 2.0 * math.log(d * n**2 * math.pi**2 / (6.0 * delta)) / 5.0))

        def upper(candidates: np.ndarray) -> np.ndarray:
            mean, std = self.posterior(space, model, candidates)
            return mean + width * std

        mean, std = self.posterior(space, model, rows)
        near = rows[np.argsort(-mean)[:_N_NEAR]]
        with self._engine._lock:
            top = self._engine._maximize(space, upper, near)
        highest_upper = max(float((mean + width * std).max()), float(upper(top[None, :])[0]))
        return highest_upper - float((mean - width * std).max())


def complete_rows(
    trials: list[FrozenTrial], study_direction: StudyDirection
) -> tuple[SearchSpace, np.ndarray, np.ndarray]:
    """The search space every complete trial shares, the complete trials' rows in it (in
    trial order) and their gains (the value, negated when minimizing; infinities clipped
    to the finite range)."""
    complete = complete_in_order(trials)
    space = SearchSpace(intersection_search_space(complete))
    rows = np.array([space.encode(t.params) for t in complete]).reshape(len(complete), len(space))
    return space, rows, _finite(gains(complete, study_direction))
