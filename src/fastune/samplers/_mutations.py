"""Mutations of the genetic samplers (NSGA-II, NSGA-III), with Optuna's names: how a
numeric parameter picked for mutation gets its new value."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from fastune._validation import check_number

if TYPE_CHECKING:
    import numpy as np

    from fastune.study import Study

__all__ = ["BaseMutation", "PolynomialMutation"]


class BaseMutation(abc.ABC):
    """Moves one numeric parameter of a child; subclass it for your own mutation. The
    value is the parameter's position in [0, 1] (on the log scale for a log parameter),
    as the crossovers see it. Without a mutation (``mutation=None``), a parameter picked
    for mutation is drawn anew at random."""

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def mutation(
        self,
        param: float,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> float:
        """The new value of ``param``, inside ``search_space_bounds`` (its lower and upper
        bound; a value outside is clipped to them)."""


class PolynomialMutation(BaseMutation):
    """Polynomial mutation (Deb and Goyal, 1996): a step drawn from a polynomial
    distribution that never crosses the bounds; the larger ``eta``, the smaller the
    steps.

    Args:
        eta: The distribution index, >= 0.

    Raises:
        InvalidParameterError: ``eta`` < 0.

    Example:
        >>> import fastune
        >>> from fastune.samplers.nsgaii import PolynomialMutation
        >>> sampler = fastune.samplers.NSGAIISampler(mutation=PolynomialMutation(eta=20))
    """

    def __init__(self, eta: float = 20.0) -> None:
        self._eta = float(check_number(eta, "eta", "PolynomialMutation", low=0.0) or 0.0)

    def mutation(
        self,
        param: float,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> float:
        lower, upper = (float(bound) for bound in search_space_bounds)
        width = upper - lower
        if width <= 0.0:
            return param
        power = self._eta + 1.0
        draw = float(rng.rand())
        if draw <= 0.5:  # a step down, at most to the lower bound
            room = (param - lower) / width
            base = 2.0 * draw + (1.0 - 2.0 * draw) * (1.0 - room) ** power
            step = base ** (1.0 / power) - 1.0
        else:  # a step up, at most to the upper bound
            room = (upper - param) / width
            base = 2.0 * (1.0 - draw) + (2.0 * draw - 1.0) * (1.0 - room) ** power
            step = 1.0 - base ** (1.0 / power)
        return param + step * width
