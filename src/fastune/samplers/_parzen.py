"""A Parzen estimator over rows of the unit cube: truncated-normal kernels on numeric
columns (integrated over their bin for discrete ones), one-hot kernels smoothed by the
prior weight on categorical columns, plus a broad prior kernel. Sampling and
log-density are vectorized over candidates and kernels.

The estimator is incremental: a kernel can be added or removed at the cost of a few
array inserts, because each numeric column is kept sorted and a kernel's bandwidth
depends only on its neighbours in that order. A long study therefore refits its model
of the "above" trials in O(d) work per new trial instead of sorting everything again.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["ParzenEstimator"]

_PRIOR_MU = 0.5
_PRIOR_SIGMA = 1.0  # the prior kernel spans the whole column
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


_OFFSET = 2.0  # shift between columns in the flat sorted array; values lie in [0, 1]
_LOG_NEGLIGIBLE = 60.0  # kernels this far below the largest add nothing visible
_MAX_TABLE_BINS = 128  # discrete columns with more bins compute their masses directly


class ParzenEstimator:
    """A weighted mixture of product kernels over observed rows, one kernel a slot.

    Args:
        bins: Per column, the number of discrete values (0 for a continuous column).
        categorical: Per column, whether it is categorical.
        prior_weight: Weight of the prior kernel (centred, wide, uniform on categories)
            relative to an observation of weight 1; it also smooths each categorical
            kernel (see ``_smoothing``).
        consider_magic_clip: Keep bandwidths above ``1 / min(100, 2 + n)``.
    """

    def __init__(
        self,
        bins: np.ndarray,
        categorical: np.ndarray,
        prior_weight: float = 1.0,
        consider_magic_clip: bool = True,
    ) -> None:
        d = len(bins)
        self.bins = np.asarray(bins)
        self.categorical = np.asarray(categorical, dtype=bool)
        self.prior_weight = float(prior_weight)
        self.consider_magic_clip = consider_magic_clip
        numeric = ~self.categorical
        self._numeric = np.flatnonzero(numeric)
        self._continuous = np.flatnonzero(numeric & (self.bins == 0))
        self._discrete = np.flatnonzero(numeric & (self.bins > 0))
        self._categorical = np.flatnonzero(self.categorical)
        # Column -> its index among the continuous columns, or -1.
        self._continuous_index = np.full(d, -1)
        self._continuous_index[self._continuous] = np.arange(len(self._continuous))
        # Slot storage; a removed slot is dead (weight 0) until an add reuses it.
        self._capacity = 0
        self._used = 0  # slots [0, used) have been handed out
        self._free: list[int] = []
        self._changes = 0  # kernels added or removed so far
        self._weighed: tuple[int, object] | None = None  # (changes, weights) last set
        self.mus = np.empty((0, d))
        self.keys = np.empty(0)  # orders the slots for the weights (oldest first)
        self._alive = np.empty(0, dtype=bool)
        self.sigmas = np.empty((0, d))
        self._raw_weights = np.empty(0)
        # Per continuous column: x * mu / s^2 and -x^2 / (2 s^2); then the rest of the log
        # kernel summed over the columns, which does not depend on x; then the log weight:
        # the continuous part of every kernel, weighted, is one matrix product with
        # [x, x^2, 1, 1]. The per-column rest is kept to update its sum when one column's
        # bandwidth moves.
        n_continuous = len(self._continuous)
        self._coef = np.empty((2 * n_continuous + 2, 0))
        self._constant = np.empty((0, n_continuous))
        # The prior kernel's log-density, but for its weight and its discrete columns, as
        # the same product: -(x - 1/2)^2 / 2 per continuous column, uniform categoricals.
        self._prior_coef = np.concatenate(
            [
                np.full(n_continuous, 0.5),
                np.full(n_continuous, -0.5),
                [-(0.125 + _LOG_SQRT_2PI + _PRIOR_LOG_MASS) * n_continuous],
                [-np.log(self.bins[self._categorical]).sum()],
            ]
        )
        # The alive slots sorted by value within each numeric column, the columns one
        # after the other; a column's values are shifted by _OFFSET times its index, so
        # the whole array is sorted and one searchsorted places a row in every column.
        self._flat = np.empty(0)
        self._flat_slots = np.empty(0, dtype=int)
        self._shift = _OFFSET * np.arange(len(self._numeric))
        self._columns = np.arange(len(self._numeric))
        # Column of each entry of a (numeric columns, 5) window around one position each.
        self._window_columns = np.repeat(self._columns, 5).reshape(-1, 5)
        # Discrete columns with few bins: every bin's log-mass under each kernel (bins x
        # slots), kept up to date with the bandwidths, so a density is a lookup instead
        # of two normal CDFs.
        self._bin_tables = {
            int(column): np.zeros((int(self.bins[column]), 0))
            for column in self._discrete
            if self.bins[column] <= _MAX_TABLE_BINS
        }
        self._low = self._clip_low()
        self._weights_stale = True
        self._log_weights = np.empty(0)
        self._log_prior_weight = 0.0
        self._work = np.empty((2, 0))  # see _buffers
        self._work32 = np.empty(0, dtype=np.float32)
        self._grow(1)  # sampling indexes a row even when there is no kernel yet

    # -- building -----------------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        rows: np.ndarray,
        weights: np.ndarray,
        bins: np.ndarray,
        categorical: np.ndarray,
        prior_weight: float = 1.0,
        consider_magic_clip: bool = True,
        keys: np.ndarray | None = None,
    ) -> ParzenEstimator:
        """An estimator with one kernel per row of ``rows`` (n, d), weighted by
        ``weights`` (n,); ``keys`` order the kernels for :meth:`set_weights` (by default
        their position)."""
        estimator = cls(bins, categorical, prior_weight, consider_magic_clip)
        n = len(rows)
        estimator._grow(n)
        estimator._used = n
        estimator.mus[:n] = rows
        estimator.keys[:n] = np.arange(n) if keys is None else keys
        estimator._alive[:n] = True
        estimator._raw_weights[:n] = weights
        values = rows[:, estimator._numeric].T  # (numeric columns, n)
        order = np.argsort(values, axis=1, kind="stable")
        estimator._flat_slots = order.ravel()
        estimator._flat = (
            np.take_along_axis(values, order, axis=1) + estimator._shift[:, None]
        ).ravel()
        estimator._rebandwidth_all()
        return estimator

    @property
    def n(self) -> int:
        """The number of kernels, the prior kernel not counted."""
        return self._used - len(self._free)

    def add(self, row: np.ndarray, key: float) -> int:
        """Add a kernel at ``row``; ``key`` orders it among the others for
        :meth:`set_weights`. Returns its slot."""
        if self._free:
            slot = self._free.pop()
        else:
            if self._used == self._capacity:
                self._grow(2 * self._capacity)
            slot = self._used
            self._used += 1
        self._changes += 1
        self.mus[slot] = row
        self.keys[slot] = key
        self._alive[slot] = True
        self._raw_weights[slot] = 1.0
        self._weights_stale = True
        if self._numeric.size:
            shifted = row[self._numeric] + self._shift
            position = np.searchsorted(self._flat, shifted, side="right")
            # np.insert for both arrays, without its general-purpose checks.
            landed = position + self._columns
            kept = np.ones(len(self._flat) + len(landed), dtype=bool)
            kept[landed] = False
            flat, flat_slots = np.empty(len(kept)), np.empty(len(kept), dtype=int)
            flat[kept], flat_slots[kept] = self._flat, self._flat_slots
            flat[landed], flat_slots[landed] = shifted, slot
            self._flat, self._flat_slots = flat, flat_slots
            size = self.n
            columns = self._columns
            # Where the new entries landed within their columns, after the insert.
            self._rebandwidth_near(position + columns - columns * size, size)
        return slot

    def remove(self, slot: int) -> None:
        """Remove the kernel in ``slot``."""
        if not (0 <= slot < self._used and self._alive[slot]):
            raise KeyError(f"no kernel in slot {slot}")
        self._changes += 1
        self._alive[slot] = False
        self._raw_weights[slot] = 0.0
        self._coef[:, slot] = 0.0
        self._constant[slot] = 0.0
        self._free.append(slot)
        self._weights_stale = True
        if self._numeric.size:
            kept = self._flat_slots != slot  # one entry per column goes
            where = np.flatnonzero(~kept)
            self._flat, self._flat_slots = self._flat[kept], self._flat_slots[kept]
            size = self.n
            columns = self._columns
            # Its right neighbour now sits where it was, its left one just before.
            self._rebandwidth_near(where - columns * (size + 1), size)

    def set_weights(self, weights: Callable[[int], np.ndarray]) -> None:
        """Weigh the kernels by ``weights(n)``, which lists n weights for the kernels
        ordered by their keys, smallest key first. The weights depend on that order
        alone: with the same ``weights`` and no kernel added or removed since the last
        call, there is nothing to set."""
        if self._weighed == (self._changes, weights):
            return
        self._weighed = (self._changes, weights)
        alive = np.flatnonzero(self._alive[: self._used])
        order = alive[np.argsort(self.keys[alive], kind="stable")]
        self._raw_weights[: self._used] = 0.0
        self._raw_weights[order] = weights(len(order))
        self._weights_stale = True

    def _grow(self, capacity: int) -> None:
        extra = max(capacity, 1) - self._capacity
        if extra <= 0:
            return
        d = len(self.bins)
        self.mus = np.vstack([self.mus, np.full((extra, d), _PRIOR_MU)])
        self.keys = np.append(self.keys, np.zeros(extra))
        self._alive = np.append(self._alive, np.zeros(extra, dtype=bool))
        self.sigmas = np.vstack([self.sigmas, np.ones((extra, d))])
        self._raw_weights = np.append(self._raw_weights, np.zeros(extra))
        self._coef = np.hstack([self._coef, np.zeros((len(self._coef), extra))])
        self._constant = np.vstack([self._constant, np.zeros((extra, len(self._continuous)))])
        for column, table in self._bin_tables.items():
            self._bin_tables[column] = np.hstack([table, np.zeros((len(table), extra))])
        self._capacity += extra

    # -- bandwidths ---------------------------------------------------------------------

    def _clip_low(self) -> float:
        return 1.0 / min(100.0, self.n + 2.0) if self.consider_magic_clip else 1e-12

    def _rebandwidth_all(self) -> None:
        size = self.n
        columns = np.repeat(np.arange(len(self._numeric)), size)
        self._rebandwidth(columns, np.tile(np.arange(size), len(self._numeric)), size)

    def _rebandwidth_near(self, positions: np.ndarray, size: int) -> None:
        """Recompute the bandwidths an insert or delete at ``positions`` (one per numeric
        column, within the column of ``size`` entries) can change: the neighbours, and
        the outermost kernels, whose rule differs."""
        if self._clip_low() != self._low:  # the clip moved with n: every kernel changes
            self._rebandwidth_all()
            return
        near = positions[:, None] + np.arange(-2, 3)
        keep = (near >= 0) & (near < size)
        self._rebandwidth(self._window_columns[keep], near[keep], size)

    def _rebandwidth(self, columns: np.ndarray, positions: np.ndarray, size: int) -> None:
        """Bandwidths of the entries at ``positions`` of the sorted numeric ``columns``
        (each of ``size`` entries): the larger gap to a neighbour, where the ends of the
        column count as neighbours, except that the outermost observations take the gap
        to their inner neighbour (they do not reach to the ends); clipped into
        ``[1 / min(100, n + 2), 1]``: narrow kernels where good points cluster."""
        self._low = self._clip_low()
        if size == 0 or not len(columns):
            return
        entries = columns * size + positions
        slots = self._flat_slots[entries]
        column = self._numeric[columns]
        here = self.mus[slots, column]
        if size == 1:  # the only kernel: the larger gap to an end
            raw = np.maximum(here, 1.0 - here)
        else:  # a gap that crosses into the next column counts as 0
            before = self._flat_slots[np.maximum(entries - 1, 0)]
            after = self._flat_slots[np.minimum(entries + 1, len(self._flat_slots) - 1)]
            below = np.where(positions > 0, here - self.mus[before, column], 0.0)
            above = np.where(positions < size - 1, self.mus[after, column] - here, 0.0)
            raw = np.maximum(below, above)
        sigma = np.minimum(np.maximum(raw, self._low), 1.0)
        self.sigmas[slots, column] = sigma
        for tabled, table in self._bin_tables.items():
            rows = column == tabled
            if rows.any():
                edges = np.arange(len(table) + 1)[:, None] / len(table)
                mu_, sigma_ = here[rows], sigma[rows]
                table[:, slots[rows]] = _log_mass(
                    (edges[:-1] - mu_) / sigma_, (edges[1:] - mu_) / sigma_
                ) - _truncation(mu_, sigma_)
        if self._discrete.size:
            index = self._continuous_index[column]
            continuous = index >= 0
            slots, index, sigma = slots[continuous], index[continuous], sigma[continuous]
            mu = here[continuous]
        else:  # every numeric column is continuous, in the same order
            index, mu = columns, here
        inverse_variance = 1.0 / sigma**2
        self._coef[index, slots] = mu * inverse_variance
        self._coef[len(self._continuous) + index, slots] = -0.5 * inverse_variance
        self._constant[slots, index] = -0.5 * mu**2 * inverse_variance - (
            np.log(sigma) + _LOG_SQRT_2PI + _truncation(mu, sigma)
        )
        # A slot met in several columns gets the same (final) sum each time.
        self._coef[-2, slots] = self._constant[slots].sum(axis=1)

    def _weights_now(self) -> tuple[np.ndarray, float]:
        """Normalized log weights of the slots, and of the prior kernel."""
        if self._weights_stale:
            total = self._raw_weights[: self._used].sum() + self.prior_weight
            with np.errstate(divide="ignore"):  # dead slots weigh log(0) = -inf
                self._log_weights = np.log(self._raw_weights[: self._used] / total)
            self._log_prior_weight = float(np.log(self.prior_weight / total))
            # A dead slot weighs e^-1e30 in the product: -inf could meet a 0 there.
            np.maximum(self._log_weights, -1e30, out=self._coef[-1, : self._used])
            self._weights_stale = False
        return self._log_weights, self._log_prior_weight

    # -- density ------------------------------------------------------------------------

    def log_pdf(self, x: np.ndarray) -> np.ndarray:
        """Log-density (log-probability for discrete columns) of rows ``x`` (m, d)."""
        used = self._used
        _, log_prior_weight = self._weights_now()  # the log weights are in the product
        kernels, scratch, small = self._buffers(len(x), used)
        n_continuous = len(self._continuous)
        features = np.empty((len(x), 2 * n_continuous + 2))
        features[:, :n_continuous] = x[:, self._continuous]
        np.square(features[:, :n_continuous], out=features[:, n_continuous:-2])
        features[:, -2:] = 1.0
        np.matmul(features, self._coef[:, :used], out=kernels)
        for column in map(int, self._discrete):
            bins = int(self.bins[column])
            table = self._bin_tables.get(column)
            if table is not None:
                chosen = np.minimum(np.floor(x[:, column] * bins), bins - 1).astype(int)
                np.take(table[:, :used], chosen, axis=0, out=scratch)
                kernels += scratch
                continue
            mu, sigma = self.mus[:used, column], self.sigmas[:used, column]
            kernels += _bin_log_mass(x[:, column : column + 1], mu, sigma, bins)
        for column in map(int, self._categorical):
            bins = int(self.bins[column])
            epsilon = self._smoothing(bins)
            chosen = np.minimum(np.floor(x[:, column] * bins), bins - 1)[:, None]
            observed = np.floor(self.mus[:used, column] * bins)[None, :]
            np.equal(chosen, observed, out=scratch, casting="unsafe")  # 1.0 where same
            scratch *= np.log1p(-epsilon + epsilon / bins) - np.log(epsilon / bins)
            kernels += scratch
            kernels += np.log(epsilon / bins)
        prior = log_prior_weight + features @ self._prior_coef
        if self._discrete.size:
            prior += _bin_log_mass(
                x[:, self._discrete], _PRIOR_MU, _PRIOR_SIGMA, self.bins[self._discrete]
            ).sum(axis=1)
        # log-sum-exp over the kernels and the prior. The terms, shifted by the largest,
        # lie in [-inf, 0] and are exponentiated in single precision, which numpy
        # vectorizes where its double exp is a scalar loop (4x slower on AVX2): a relative
        # error of 1e-7 in the density, far below what the candidates' ranking notices.
        # Terms more than e^60 below the largest are raised to e^-60 first: far-away
        # kernels would otherwise send exp into its slow underflow path, and the error,
        # at most n * e^-60 relative, is negligible too.
        peak = np.maximum(kernels.max(axis=1, initial=-np.inf), prior)
        np.subtract(kernels, peak[:, None], out=small, casting="same_kind")
        np.maximum(small, -_LOG_NEGLIGIBLE, out=small)
        np.exp(small, out=small)
        return peak + np.log(small.sum(axis=1, dtype=float) + np.exp(prior - peak))

    def _smoothing(self, bins: int) -> float:
        """The share of a categorical kernel spread evenly over its ``bins`` choices, the
        rest on the observed one. As Optuna's: each kernel gives ``a = prior_weight /
        (n + 1)`` to every choice and 1 more to the observed one, then is normalized."""
        spread = bins * self.prior_weight / (self.n + 1.0)
        return spread / (1.0 + spread)

    def _buffers(self, m: int, used: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Reusable (m, used) work arrays for :meth:`log_pdf`: two double, one single
        precision. Fresh arrays of this size would come from new memory pages on every
        call, and the page faults would cost more than the arithmetic."""
        need = m * used
        if self._work.shape[1] < need:
            size = max(need, 2 * self._work.shape[1])
            self._work = np.empty((2, size))
            self._work32 = np.empty(size, dtype=np.float32)
        return (
            self._work[0, :need].reshape(m, used),
            self._work[1, :need].reshape(m, used),
            self._work32[:need].reshape(m, used),
        )

    # -- sampling -----------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` rows from the mixture."""
        used = self._used
        log_weights, log_prior_weight = self._weights_now()
        probabilities = np.exp(np.append(log_weights, log_prior_weight))
        # Generator.choice(p=...) by hand (the same draws): its checks of p cost more
        # than the draw itself.
        cumulative = np.cumsum(probabilities)
        kernels = np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right")
        prior = (kernels == used)[:, None]
        chosen = np.minimum(kernels, max(used - 1, 0))
        mu = np.where(prior, _PRIOR_MU, self.mus[chosen])
        sigma = np.where(prior, _PRIOR_SIGMA, self.sigmas[chosen])
        from scipy.special import ndtr, ndtri  # on first use: scipy.special is slow to load

        low, high = ndtr(-mu / sigma), ndtr((1.0 - mu) / sigma)
        u = low + rng.random(mu.shape) * (high - low)
        # np.minimum / np.maximum: np.clip costs more than the arithmetic at this size.
        inverse = ndtri(np.minimum(np.maximum(u, 1e-12), 1 - 1e-12))
        samples = np.minimum(np.maximum(mu + sigma * inverse, 0.0), 1.0)
        for column in self._categorical:
            bins = int(self.bins[column])
            epsilon = self._smoothing(bins)
            observed = np.floor(mu[:, column] * bins).astype(int)
            keep = (rng.random(size) < 1.0 - epsilon) & ~prior[:, 0]  # prior: uniform
            choice = np.where(keep, observed, rng.integers(bins, size=size))
            samples[:, column] = (choice + 0.5) / bins
        return samples


def _bin_log_mass(values: np.ndarray, mu: object, sigma: object, bins: object) -> np.ndarray:
    """Log-probability, under N(mu, sigma) truncated to [0, 1], of the bin (one of
    ``bins`` equal bins) that holds each value; broadcasts."""
    count = np.asarray(bins)
    index = np.minimum(np.floor(values * count), count - 1)
    low, high = index / count, (index + 1) / count
    mu_, sigma_ = np.asarray(mu), np.asarray(sigma)
    return _log_mass((low - mu_) / sigma_, (high - mu_) / sigma_) - _truncation(mu_, sigma_)


def _truncation(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """log of the mass of N(mu, sigma) inside [0, 1]; 0 for kernels far from both ends,
    which is most of them, so only the others pay for the normal CDF."""
    if np.shape(mu) != np.shape(sigma):
        mu, sigma = np.broadcast_arrays(mu, sigma)
    mu, sigma = np.asarray(mu), np.asarray(sigma)
    result = np.zeros(mu.shape)
    near = (mu - 8.0 * sigma < 0.0) | (mu + 8.0 * sigma > 1.0)
    if near.any():
        result[near] = _log_mass(-mu[near] / sigma[near], (1.0 - mu[near]) / sigma[near])
    return result


def _log_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a <= b, accurate in the tails."""
    # Use the upper tail when both bounds are positive, where Phi is close to 1.
    flip = a > 0
    a_, b_ = np.where(flip, -b, a), np.where(flip, -a, b)
    from scipy.special import log_ndtr  # on first use: scipy.special is slow to load

    log_b, log_a = log_ndtr(b_), log_ndtr(a_)
    return log_b + np.log1p(-np.exp(np.minimum(log_a - log_b, -1e-300)))


# log(Phi(b) - Phi(a)) of the prior kernel on [0, 1], with math.erf: scipy.special is
# slow to import, and `import fastune` should not wait for it.
_PRIOR_LOG_MASS = math.log(
    0.5
    * (
        math.erf((1.0 - _PRIOR_MU) / _PRIOR_SIGMA / math.sqrt(2.0))
        - math.erf(-_PRIOR_MU / _PRIOR_SIGMA / math.sqrt(2.0))
    )
)
