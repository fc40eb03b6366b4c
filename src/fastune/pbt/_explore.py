"""Explore strategies: how a member that copied a donor changes the donor's params.

``Perturb`` multiplies or shifts each value and sometimes resamples it; ``PB2`` picks
the params a Gaussian-process bandit expects to improve the score most. Both stay
inside the search space: log scales are respected, ints stay ints and categorical
values move to a neighbouring choice.
"""

from __future__ import annotations

import abc
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    grid_point,
)
from fastune.pbt._history import ExploreContext

__all__ = ["PB2", "BaseExplore", "Perturb", "as_explore", "check_factors"]


class BaseExplore(abc.ABC):
    """Turns a donor's hyperparameters into the hyperparameters of its copy."""

    @abc.abstractmethod
    def explore(self, params: dict[str, Any], context: ExploreContext) -> dict[str, Any]:
        """Return new hyperparameters inside ``context.space``, derived from ``params``."""


def _perturb_value(distribution: BaseDistribution, value: Any, factor: float) -> Any:
    if isinstance(distribution, CategoricalDistribution):
        index = int(distribution.to_internal_repr(value))
        last = len(distribution.choices) - 1
        move = 1 if factor > 1 else -1
        if not 0 <= index + move <= last:
            move = -move
        return distribution.choices[min(max(index + move, 0), last)]
    assert isinstance(distribution, (FloatDistribution, IntDistribution))
    low, high = distribution.low, distribution.high
    if distribution.log or (low >= 0 and value > 0):
        new = value * factor
    else:  # a range through zero: shift by the same share of the range instead
        new = value + (factor - 1.0) * (high - low)
    step = distribution.step
    if isinstance(distribution, IntDistribution):
        index = round((new - low) / step)
        if low + index * step == value:  # an int must still move
            index += 1 if factor > 1 else -1
        return int(min(max(low + index * step, low), high))
    new = min(max(new, low), high)
    if step is not None:
        index = round((new - low) / step)
        if index == round((value - low) / step):  # a stepped float must still move
            index += 1 if factor > 1 else -1
        last = math.floor((high - low) / step + 1e-8)
        return min(grid_point(low, step, min(max(index, 0), last)), high)
    return float(new)


class Perturb(BaseExplore):
    """Multiply each value by a random factor, or resample it from the space.

    For each parameter, with probability ``resample_probability`` a fresh value is drawn
    from its distribution; otherwise the value is multiplied by one of
    ``perturbation_factors`` (chosen at random) and clipped into the range. A value in
    a range that crosses zero is shifted by ``(factor - 1) * (high - low)`` instead; an
    int or a stepped float moves by at least one step (unless at a bound); a categorical
    value moves to the neighbouring choice (up for a factor above 1, down otherwise).

    With ``adapt_to_diversity``, the exploration rate follows the spread of the
    population: when the population has collapsed (diversity ``d`` below 0.5, where 1 is
    a uniform spread), the resample probability is multiplied by ``m = min(3, 0.5 / d)``
    and each factor ``f`` becomes ``f ** m``, so a converged population explores further.

    Args:
        perturbation_factors: Positive factors, one chosen per parameter.
        resample_probability: Chance, per parameter, of drawing a fresh value.
        adapt_to_diversity: Explore more when the population has collapsed.

    Raises:
        InvalidParameterError: an empty or non-positive ``perturbation_factors``, or a
            ``resample_probability`` outside ``[0, 1]``.
    """

    def __init__(
        self,
        perturbation_factors: Sequence[float] = (0.8, 1.2),
        resample_probability: float = 0.25,
        adapt_to_diversity: bool = True,
    ) -> None:
        self.perturbation_factors = check_factors(perturbation_factors, "Perturb")
        self.resample_probability = float(
            check_number(resample_probability, "resample_probability", "Perturb", low=0.0, high=1.0)
            or 0.0
        )
        self.adapt_to_diversity = bool(adapt_to_diversity)

    def exploration_multiplier(self, context: ExploreContext) -> float:
        """How much more than its base rate the strategy explores now (>= 1)."""
        if not self.adapt_to_diversity:
            return 1.0
        diversity = context.diversity()
        return 1.0 if diversity >= 0.5 else min(3.0, 0.5 / max(diversity, 1e-9))

    def explore(self, params: dict[str, Any], context: ExploreContext) -> dict[str, Any]:
        multiplier = self.exploration_multiplier(context)
        probability = min(1.0, self.resample_probability * multiplier)
        rng = context.rng
        new = {}
        for name, distribution in context.space.distributions.items():
            if rng.random() < probability:
                new[name] = context.space.decode_one(name, float(rng.random()))
            else:
                factor = float(rng.choice(self.perturbation_factors)) ** multiplier
                new[name] = _perturb_value(distribution, params[name], factor)
        return new


class PB2(BaseExplore):
    """Population Based Bandits: a Gaussian-process bandit chooses the new params.

    From every finished segment it learns how the improvement of the score over a
    segment, ``score_after - score_before``, depends on the time (generation) and the
    numeric hyperparameters (encoded in the unit cube). For a copy, it scores
    ``n_candidates`` points (random ones and perturbations of the donor) by the upper
    confidence bound ``mean + kappa * std`` of the expected improvement at the coming
    generation, and takes the best. Categorical parameters follow ``fallback``, which is
    also used for everything until ``min_observations`` segments have been seen.

    Args:
        kappa: Weight of the uncertainty in the bound (larger explores more).
        n_candidates: Points scored per choice.
        min_observations: Segments needed before the model is used.
        fallback: The strategy for categoricals and for the start.

    Raises:
        InvalidParameterError: ``kappa < 0``, ``n_candidates < 1`` or
            ``min_observations < 2``.
    """

    def __init__(
        self,
        kappa: float = 2.0,
        n_candidates: int = 256,
        min_observations: int = 8,
        fallback: BaseExplore | None = None,
    ) -> None:
        self.kappa = float(check_number(kappa, "kappa", "PB2", low=0.0) or 0.0)
        self.n_candidates = int(check_int(n_candidates, "n_candidates", "PB2", low=1) or 1)
        self.min_observations = int(
            check_int(min_observations, "min_observations", "PB2", low=2) or 2
        )
        if fallback is not None and not isinstance(fallback, BaseExplore):
            raise invalid_type("fallback", "PB2", "a BaseExplore or None", fallback)
        self.fallback = fallback if fallback is not None else Perturb()

    def explore(self, params: dict[str, Any], context: ExploreContext) -> dict[str, Any]:
        proposal = self.fallback.explore(params, context)
        numeric = ~context.space.is_categorical()
        observed = [
            s for s in context.history if np.isfinite(s.score_before) and np.isfinite(s.score_after)
        ]
        if not numeric.any() or len(observed) < self.min_observations:
            return proposal
        space, rng = context.space, context.rng
        horizon = max(s.generation for s in observed) + 1.0
        inputs = np.array(
            [[s.generation / horizon, *space.encode(s.params)[numeric]] for s in observed]
        )
        gains = np.array([s.score_after - s.score_before for s in observed])
        model = _fit_gp(inputs, gains)
        start = space.encode(params)[numeric]
        half = self.n_candidates // 2
        candidates = np.vstack(
            [
                rng.random((self.n_candidates - half, int(numeric.sum()))),
                np.clip(start + rng.normal(0.0, 0.15, (half, int(numeric.sum()))), 0.0, 1.0),
            ]
        )
        times = np.full((len(candidates), 1), context.generation / horizon)
        mean, std = model.predict(np.hstack([times, candidates]), return_std=True)
        best = candidates[int(np.argmax(mean + self.kappa * std))]
        row = space.encode(proposal)
        row[numeric] = best
        chosen = space.decode(row)
        return chosen


def _fit_gp(inputs: np.ndarray, targets: np.ndarray) -> Any:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        length_scale=np.full(inputs.shape[1], 0.3), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, (1e-6, 1e1))
    model = GaussianProcessRegressor(kernel=kernel, normalize_y=True, n_restarts_optimizer=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(inputs, targets)
    return model


def check_factors(factors: Any, owner: str) -> tuple[float, ...]:
    try:
        if isinstance(factors, (str, bytes)):  # "12" would read as (1.0, 2.0)
            raise TypeError
        values = tuple(float(f) for f in factors)
    except (TypeError, ValueError):
        raise invalid_type(
            "perturbation_factors", owner, "a sequence of positive numbers", factors
        ) from None
    if not values or any(not np.isfinite(f) or f <= 0 for f in values):
        raise invalid(
            "perturbation_factors", owner, "a non-empty sequence of positive numbers", factors
        )
    return values


def as_explore(
    explore: Any,
    perturbation_factors: Sequence[float],
    resample_probability: float,
    owner: str = "PopulationBasedTraining",
) -> BaseExplore:
    """Resolve the ``explore`` argument: an object, ``"perturb"`` or ``"pb2"``."""
    if isinstance(explore, BaseExplore):
        return explore
    perturb = Perturb(perturbation_factors, resample_probability)
    if explore == "perturb":
        return perturb
    if explore == "pb2":
        return PB2(fallback=perturb)
    raise invalid("explore", owner, "'perturb', 'pb2' or a BaseExplore", explore)
