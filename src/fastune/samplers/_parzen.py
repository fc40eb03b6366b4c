"""A Parzen estimator over rows of the unit cube: truncated-normal kernels on numeric
columns (integrated over their bin for discrete ones), smoothed one-hot kernels on
categorical columns, plus a broad prior kernel. Sampling and log-density are vectorized
over candidates and kernels.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

__all__ = ["ParzenEstimator"]

_PRIOR_SIGMA = 1.0  # the prior kernel spans the whole column


class ParzenEstimator:
    """A weighted mixture of product kernels fitted to observed rows.

    Args:
        rows: Observations, shape (n, d), in the unit cube (categorical columns hold the
            bin centre of their choice).
        weights: Weight of each observation, shape (n,).
        bins: Per column, the number of discrete values (0 for a continuous column).
        categorical: Per column, whether it is categorical.
        prior_weight: Weight of the prior kernel (centred, wide, uniform on categories).
        consider_magic_clip: Keep bandwidths above ``1 / min(100, 1 + n)``.
    """

    def __init__(
        self,
        rows: np.ndarray,
        weights: np.ndarray,
        bins: np.ndarray,
        categorical: np.ndarray,
        prior_weight: float = 1.0,
        consider_magic_clip: bool = True,
    ) -> None:
        n, d = rows.shape
        self.bins = bins
        self.categorical = categorical
        self.numeric = ~categorical
        self.mus = np.vstack([rows, np.full((1, d), 0.5)])
        raw = np.append(weights, prior_weight)
        self.log_weights = np.log(raw / raw.sum())
        self.sigmas = np.ones((n + 1, d))  # the last row is the prior kernel
        if n:
            self.sigmas[:-1] = _neighbour_bandwidths(rows, consider_magic_clip)
        discrete = bins > 0
        # Continuous columns: the summed squared distances are two matrix products.
        self._continuous = self.numeric & ~discrete
        mu = self.mus[:, self._continuous]
        inverse_variance = 1.0 / self.sigmas[:, self._continuous] ** 2
        self._inverse_variance = inverse_variance
        self._mu_over_variance = mu * inverse_variance
        sigma = self.sigmas[:, self._continuous]
        self._log_constant = -0.5 * (mu**2 * inverse_variance).sum(axis=1) - (
            np.log(sigma * np.sqrt(2 * np.pi)) + _truncation(mu, sigma)
        ).sum(axis=1)
        # Categorical kernels: mass 1 - eps on the observed choice, eps spread evenly.
        self._choice_index = np.floor(self.mus * np.maximum(bins, 1)).astype(int)
        self._epsilon = np.where(categorical, 1.0 / (1.0 + n), 0.0)

    # -- density ------------------------------------------------------------------------

    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        """Log-density (log-probability for discrete columns) of rows ``x`` (m, d)."""
        per_kernel = np.tile(self._log_constant, (x.shape[0], 1))
        if self._continuous.any():
            values = x[:, self._continuous]
            per_kernel += values @ self._mu_over_variance.T
            per_kernel -= 0.5 * (values**2) @ self._inverse_variance.T
        for column in np.flatnonzero(self.numeric & ~self._continuous):
            per_kernel += self._discrete_log_kernel(x[:, column], int(column))
        for column in np.flatnonzero(self.categorical):
            per_kernel += self._categorical_log_kernel(x[:, column], int(column))
        per_kernel += self.log_weights
        peak = per_kernel.max(axis=1, keepdims=True)
        return (peak + np.log(np.exp(per_kernel - peak).sum(axis=1, keepdims=True)))[:, 0]

    def _discrete_log_kernel(self, values: np.ndarray, column: int) -> np.ndarray:
        """Log-probability of the bin that holds each value, under each kernel."""
        mu = self.mus[:, column][None, :]
        sigma = self.sigmas[:, column][None, :]
        log_mass = _truncation(mu, sigma)
        bins = int(self.bins[column])
        index = np.minimum(np.floor(values * bins), bins - 1)[:, None]
        low, high = index / bins, (index + 1) / bins
        return _log_mass((low - mu) / sigma, (high - mu) / sigma) - log_mass

    def _categorical_log_kernel(self, values: np.ndarray, column: int) -> np.ndarray:
        bins = int(self.bins[column])
        chosen = np.minimum(np.floor(values * bins), bins - 1).astype(int)[:, None]
        observed = self._choice_index[:, column][None, :]
        epsilon = self._epsilon[column]
        probability = np.where(chosen == observed, 1.0 - epsilon + epsilon / bins, epsilon / bins)
        probability[:, -1] = 1.0 / bins  # the prior kernel is uniform
        return np.log(probability)

    # -- sampling -----------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` rows from the mixture."""
        kernels = rng.choice(len(self.log_weights), size=size, p=np.exp(self.log_weights))
        mu = self.mus[kernels]
        sigma = self.sigmas[kernels]
        low, high = ndtr(-mu / sigma), ndtr((1.0 - mu) / sigma)
        u = low + rng.random(mu.shape) * (high - low)
        samples = np.clip(mu + sigma * ndtri(np.clip(u, 1e-12, 1 - 1e-12)), 0.0, 1.0)
        for column in np.flatnonzero(self.categorical):
            bins = int(self.bins[column])
            epsilon = self._epsilon[column]
            observed = self._choice_index[kernels, column]
            keep = rng.random(size) < 1.0 - epsilon
            keep[kernels == len(self.log_weights) - 1] = False  # prior: uniform choice
            choice = np.where(keep, observed, rng.integers(bins, size=size))
            samples[:, column] = (choice + 0.5) / bins
        return samples


def _truncation(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """log of the mass of N(mu, sigma) inside [0, 1]; 0 for kernels far from both ends,
    which is most of them, so only the others pay for the normal CDF."""
    result = np.zeros(np.broadcast(mu, sigma).shape)
    mu, sigma = np.broadcast_to(mu, result.shape), np.broadcast_to(sigma, result.shape)
    near = (mu - 8.0 * sigma < 0.0) | (mu + 8.0 * sigma > 1.0)
    result[near] = _log_mass(-mu[near] / sigma[near], (1.0 - mu[near]) / sigma[near])
    return result


def _log_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a <= b, accurate in the tails."""
    # Use the upper tail when both bounds are positive, where Phi is close to 1.
    flip = a > 0
    a_, b_ = np.where(flip, -b, a), np.where(flip, -a, b)
    log_b, log_a = log_ndtr(b_), log_ndtr(a_)
    return log_b + np.log1p(-np.exp(np.minimum(log_a - log_b, -1e-300)))


def _neighbour_bandwidths(rows: np.ndarray, consider_magic_clip: bool) -> np.ndarray:
    """Per observation and column, the larger gap to a neighbouring observation (the ends
    of the column count as neighbours, except for the outermost observations), clipped
    into ``[1 / min(100, n + 2), 1]``: narrow kernels where good points cluster."""
    n = rows.shape[0]
    order = np.argsort(rows, axis=0)
    sorted_rows = np.take_along_axis(rows, order, axis=0)
    padded = np.vstack([np.zeros((1, rows.shape[1])), sorted_rows, np.ones((1, rows.shape[1]))])
    gaps = np.diff(padded, axis=0)
    sorted_sigmas = np.maximum(gaps[:-1], gaps[1:])
    if n >= 2:  # the outermost observations do not reach to the ends
        sorted_sigmas[0] = gaps[1]
        sorted_sigmas[-1] = gaps[-2]
    sigmas = np.empty_like(sorted_sigmas)
    np.put_along_axis(sigmas, order, sorted_sigmas, axis=0)
    low = 1.0 / min(100.0, n + 2.0) if consider_magic_clip else 1e-12
    return np.clip(sigmas, low, 1.0)
