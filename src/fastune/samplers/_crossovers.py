"""Crossovers of the genetic samplers (NSGA-II, NSGA-III), with Optuna's names: how a
child's numeric parameters are bred from its parents'.

A crossover sees the numeric parameters as rows of the unit cube (each parameter scaled
to [0, 1], on the log scale for a log parameter), one row per parent; the sampler turns
the child's row back into values. Categorical parameters are not its business: the
sampler gives each the first or the last parent's value (``swapping_prob``).
"""

from __future__ import annotations

import abc
import math
from typing import TYPE_CHECKING

import numpy as np

from fastune._validation import check_number

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = [
    "BLXAlphaCrossover",
    "BaseCrossover",
    "SBXCrossover",
    "SPXCrossover",
    "UNDXCrossover",
    "UniformCrossover",
    "VSBXCrossover",
]


class BaseCrossover(abc.ABC):
    """Breeds one child from ``n_parents`` parents; subclass it for your own crossover.

    Example:
        >>> import numpy as np
        >>> import fastune
        >>> from fastune.samplers.nsgaii import BaseCrossover
        >>> class Midpoint(BaseCrossover):
        ...     n_parents = 2
        ...     def crossover(self, parents_params, rng, study, search_space_bounds):
        ...         return parents_params.mean(axis=0)
        >>> sampler = fastune.samplers.NSGAIISampler(crossover=Midpoint(), seed=0)
    """

    def __str__(self) -> str:
        return type(self).__name__

    @property
    @abc.abstractmethod
    def n_parents(self) -> int:
        """How many parents a child has (the sampler picks them by tournament)."""

    @abc.abstractmethod
    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        """The child's row, from the parents' rows.

        Args:
            parents_params: One row per parent, shape ``(n_parents, n_numeric_params)``.
            rng: The random state to draw from (seeded from the sampler's seed).
            study: The study.
            search_space_bounds: Lower and upper bound of each column, shape
                ``(n_numeric_params, 2)`` (0 and 1 here).

        Returns:
            The child's row, shape ``(n_numeric_params,)``; a row outside the bounds is
            bred again (from parents drawn again).
        """


class UniformCrossover(BaseCrossover):
    """Each parameter of a child comes from one of its two parents: from the second with
    probability ``swapping_prob``. The default crossover of NSGAIISampler and
    NSGAIIISampler: ``crossover=UniformCrossover(p)`` is ``swapping_prob=p``, for the
    categorical parameters too.

    Args:
        swapping_prob: Chance that a parameter comes from the second parent, in [0, 1].

    Raises:
        InvalidParameterError: ``swapping_prob`` outside [0, 1].

    Example:
        >>> import fastune
        >>> from fastune.samplers.nsgaii import UniformCrossover
        >>> sampler = fastune.samplers.NSGAIISampler(crossover=UniformCrossover(0.3))
    """

    n_parents = 2

    def __init__(self, swapping_prob: float = 0.5) -> None:
        self.swapping_prob = float(
            check_number(swapping_prob, "swapping_prob", "UniformCrossover", low=0.0, high=1.0)
            or 0.0
        )

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        from_second = rng.rand(parents_params.shape[1]) < self.swapping_prob
        return np.where(from_second, parents_params[1], parents_params[0])


class BLXAlphaCrossover(BaseCrossover):
    """Blend crossover (BLX-alpha, Eshelman and Schaffer, 1993): each parameter is drawn
    uniformly from the interval its two parents span, widened by ``alpha`` times its
    length on each side.

    Args:
        alpha: The widening, >= 0 (0: between the parents only).

    Raises:
        InvalidParameterError: ``alpha`` < 0.
    """

    n_parents = 2

    def __init__(self, alpha: float = 0.5) -> None:
        self._alpha = float(check_number(alpha, "alpha", "BLXAlphaCrossover", low=0.0) or 0.0)

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        low, high = parents_params.min(axis=0), parents_params.max(axis=0)
        margin = self._alpha * (high - low)
        return rng.uniform(low - margin, high + margin)


class _BinaryCrossover(BaseCrossover):
    """The shared part of SBX and VSBX: two candidate children per parameter, then per
    parameter the children's values (with ``use_child_gene_prob``) or the parents', in
    either order (swapped with ``uniform_crossover_prob``), and one of the two children."""

    n_parents = 2

    def __init__(
        self,
        eta: float | None = None,
        uniform_crossover_prob: float = 0.5,
        use_child_gene_prob: float = 0.5,
    ) -> None:
        owner = type(self).__name__
        self._eta = check_number(eta, "eta", owner, low=0.0, allow_none=True)
        self._uniform_crossover_prob = float(
            check_number(uniform_crossover_prob, "uniform_crossover_prob", owner, low=0.0, high=1.0)
            or 0.0
        )
        self._use_child_gene_prob = float(
            check_number(
                use_child_gene_prob,
                "use_child_gene_prob",
                owner,
                low=0.0,
                high=1.0,
                low_inclusive=False,
            )
            or 0.0
        )

    def _eta_for(self, study: Study) -> float:
        """The distribution index: as given, else 20 with several objectives, 2 with one."""
        if self._eta is not None:
            return self._eta
        return 20.0 if len(study.directions) > 1 else 2.0

    def _pick_genes(
        self,
        children: tuple[np.ndarray, np.ndarray],
        parents_params: np.ndarray,
        rng: np.random.RandomState,
    ) -> np.ndarray:
        size = parents_params.shape[1]
        use_child = rng.rand(size) < self._use_child_gene_prob
        swap = rng.rand(size) < self._uniform_crossover_prob
        first = np.where(use_child, children[0], parents_params[0])
        second = np.where(use_child, children[1], parents_params[1])
        first, second = np.where(swap, second, first), np.where(swap, first, second)
        return first if rng.rand() < 0.5 else second


class SBXCrossover(_BinaryCrossover):
    """Simulated binary crossover (Deb and Agrawal, 1995), bounded: two children spread
    around the parents' mean by a factor drawn from a polynomial distribution whose
    index ``eta`` sets how close they stay (larger: closer), never past the bounds.

    Args:
        eta: The distribution index, >= 0; None: 20 with several objectives, 2 with one
            (as in Optuna).
        uniform_crossover_prob: Chance that the two children swap a parameter, in [0, 1].
        use_child_gene_prob: Chance that a parameter comes from the children rather than
            the parents, in (0, 1].

    Raises:
        InvalidParameterError: an argument outside the ranges above.
    """

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        exponent = 1.0 / (self._eta_for(study) + 1.0)
        smaller, larger = parents_params.min(axis=0), parents_params.max(axis=0)
        spread = np.maximum(larger - smaller, 1e-10)
        draws = rng.rand(parents_params.shape[1])

        def factor(room: np.ndarray) -> np.ndarray:
            # The polynomial distribution cut at the bound ``room`` spreads away.
            reach = 2.0 - np.power(1.0 + 2.0 * room / spread, -1.0 / exponent)
            inside = draws * reach <= 1.0
            low = np.power(np.maximum(draws * reach, 0.0), exponent)
            high = np.power(1.0 / np.maximum(2.0 - draws * reach, 1e-300), exponent)
            return np.where(inside, low, high)

        middle = 0.5 * (smaller + larger)
        lower_child = middle - 0.5 * factor(smaller - search_space_bounds[:, 0]) * spread
        upper_child = middle + 0.5 * factor(search_space_bounds[:, 1] - larger) * spread
        return self._pick_genes((lower_child, upper_child), parents_params, rng)


class VSBXCrossover(_BinaryCrossover):
    """A modified simulated binary crossover (vSBX, Pan et al., 2021): the two children
    are spread from each parent by factors drawn from SBX's unbounded polynomial
    distribution, so that children also land beyond the parents on either side.

    Args:
        eta, uniform_crossover_prob, use_child_gene_prob: As for :class:`SBXCrossover`.

    Raises:
        InvalidParameterError: an argument outside the ranges of :class:`SBXCrossover`.
    """

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        exponent = 1.0 / (self._eta_for(study) + 1.0)
        draws = rng.rand(parents_params.shape[1])
        beta_first = np.power(1.0 / np.maximum(2.0 * draws, 1e-10), exponent)
        beta_second = np.power(1.0 / np.maximum(2.0 * (1.0 - draws), 1e-10), exponent)
        x1, x2 = parents_params[0], parents_params[1]
        if rng.rand() <= 0.5:
            near = 0.5 * ((1.0 + beta_first) * x1 + (1.0 - beta_second) * x2)
        else:
            near = 0.5 * ((1.0 - beta_first) * x1 + (1.0 + beta_second) * x2)
        if rng.rand() <= 0.5:
            far = 0.5 * ((3.0 - beta_first) * x1 - (1.0 - beta_second) * x2)
        else:
            far = 0.5 * ((3.0 - beta_second) * x2 - (1.0 - beta_first) * x1)
        return self._pick_genes((near, far), parents_params, rng)


class SPXCrossover(BaseCrossover):
    """Simplex crossover (Tsutsui et al., 1999): a child drawn uniformly from the simplex
    of three parents, enlarged about its centre by ``epsilon``.

    Args:
        epsilon: The enlargement, > 0; None: ``sqrt(number of numeric parameters + 2)``
            (as in Optuna).

    Raises:
        InvalidParameterError: ``epsilon`` <= 0.
    """

    n_parents = 3

    def __init__(self, epsilon: float | None = None) -> None:
        self._epsilon = check_number(
            epsilon, "epsilon", "SPXCrossover", low=0.0, low_inclusive=False, allow_none=True
        )

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        count = len(parents_params)
        epsilon = self._epsilon or math.sqrt(parents_params.shape[1] + 2)
        centre = parents_params.mean(axis=0)
        vertices = centre + epsilon * (parents_params - centre)
        # Tsutsui's recurrence: a point uniform in the simplex, one vertex at a time.
        weights = np.power(rng.rand(count - 1), 1.0 / np.arange(1, count))
        offset = np.zeros(parents_params.shape[1])
        for k in range(1, count):
            offset = weights[k - 1] * (vertices[k - 1] - vertices[k] + offset)
        return vertices[-1] + offset


class UNDXCrossover(BaseCrossover):
    """Unimodal normal distribution crossover (Ono and Kobayashi, 1997): a child drawn
    from a normal distribution about the midpoint of two parents, stretched along the
    line between them (``sigma_xi``) and, across it, by the third parent's distance from
    that line (``sigma_eta``).

    Args:
        sigma_xi: Standard deviation along the parents' line, in units of their distance;
            > 0.
        sigma_eta: Standard deviation across it, in units of the third parent's distance;
            > 0; None: ``0.35 / sqrt(number of numeric parameters)`` (the paper's).

    Raises:
        InvalidParameterError: a standard deviation <= 0.
    """

    n_parents = 3

    def __init__(self, sigma_xi: float = 0.5, sigma_eta: float | None = None) -> None:
        owner = "UNDXCrossover"
        self._sigma_xi = float(
            check_number(sigma_xi, "sigma_xi", owner, low=0.0, low_inclusive=False) or 0.0
        )
        self._sigma_eta = check_number(
            sigma_eta, "sigma_eta", owner, low=0.0, low_inclusive=False, allow_none=True
        )

    def crossover(
        self,
        parents_params: np.ndarray,
        rng: np.random.RandomState,
        study: Study,
        search_space_bounds: np.ndarray,
    ) -> np.ndarray:
        first, second, third = parents_params[:3]
        size = len(first)
        middle = 0.5 * (first + second)
        along = second - first
        child = middle + rng.normal(0.0, self._sigma_xi) * along
        if size == 1:
            return child
        length = float(np.linalg.norm(along))
        direction = along / length if length > 1e-10 else np.eye(size)[0]
        # An orthonormal basis whose first vector is the parents' direction: the others
        # span the directions across the line.
        basis, _ = np.linalg.qr(np.column_stack([direction, np.eye(size)[:, : size - 1]]))
        across = basis[:, 1:]
        offset = third - first
        distance = float(np.linalg.norm(offset - (offset @ direction) * direction))
        sigma_eta = self._sigma_eta or 0.35 / math.sqrt(size)
        return child + distance * across @ rng.normal(0.0, sigma_eta, size - 1)
