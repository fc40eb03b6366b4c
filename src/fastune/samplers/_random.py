"""Independent uniform sampling: each parameter drawn from its own distribution."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._validation import check_int
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    grid_point,
)
from fastune.samplers._base import BaseSampler

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["RandomSampler", "sample_internal"]


def sample_internal(rng: np.random.Generator, distribution: BaseDistribution) -> float:
    """Draw one internal value uniformly from ``distribution`` (log-uniformly if ``log``)."""
    if isinstance(distribution, CategoricalDistribution):
        return float(rng.integers(len(distribution.choices)))
    if not isinstance(distribution, (FloatDistribution, IntDistribution)):
        raise TypeError(f"Unknown distribution {distribution!r}.")
    low, high, step = distribution.low, distribution.high, distribution.step
    if distribution.log:
        # Ints are drawn on the log scale of [low - 0.5, high + 0.5] and rounded, so that
        # every integer owns the stretch of the continuous scale that rounds to it.
        pad = 0.5 if isinstance(distribution, IntDistribution) else 0.0
        value = math.exp(rng.uniform(math.log(low - pad), math.log(high + pad)))
        if isinstance(distribution, IntDistribution):
            value = round(value)
        return float(min(max(value, low), high))
    if step is None:
        return float(min(rng.uniform(low, high), high))
    if isinstance(distribution, IntDistribution):
        n_steps = (int(high) - int(low)) // int(step)  # exact, however wide
        return float(low + _index_below(rng, n_steps + 1) * step)
    n_steps = round((high - low) / step)
    return min(grid_point(low, step, _index_below(rng, n_steps + 1)), high)


def _index_below(rng: np.random.Generator, n: int) -> int:
    """A uniform integer in ``[0, n)``, also past numpy's int64 (an int of +-2**62)."""
    if n <= 2**62:
        return int(rng.integers(n))
    draw = int.from_bytes(rng.bytes((n.bit_length() + 71) // 8), "little")
    return draw % n  # 64 spare bits: the bias is below 2**-64


class RandomSampler(BaseSampler):
    """Draws every parameter independently and uniformly (log-uniformly where ``log``).

    Args:
        seed: Seed of the random state; the same seed gives the same trials.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_rng": np.random.default_rng}

    def __init__(self, seed: int | None = None) -> None:
        self._seed = check_int(seed, "seed", "RandomSampler", low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return param_distribution.to_external_repr(sample_internal(self._rng, param_distribution))
