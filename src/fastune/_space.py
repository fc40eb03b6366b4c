"""A search space as rows of the unit cube, shared by samplers and PBT explore.

Each parameter owns one column in ``[0, 1]``: floats linearly or on a log scale, ints and
stepped floats as equal bins (one per value), categoricals as equal bins (one per choice).
Decoding any point of the cube gives valid parameters, so a sampler or an explore step can
work on plain numbers and never leave the space.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    grid_point,
)

__all__ = ["SearchSpace"]


def _n_bins(distribution: BaseDistribution) -> int:
    """How many discrete values a distribution holds (0 for a continuous one)."""
    if isinstance(distribution, CategoricalDistribution):
        return len(distribution.choices)
    if isinstance(distribution, IntDistribution) and not distribution.log:
        return (distribution.high - distribution.low) // distribution.step + 1
    if isinstance(distribution, FloatDistribution) and distribution.step is not None:
        return round((distribution.high - distribution.low) / distribution.step) + 1
    return 0


class SearchSpace:
    """Maps parameters to rows of the unit cube and back.

    Args:
        distributions: The distribution of each parameter, by name (order is kept).

    Example:
        >>> from fastune.distributions import FloatDistribution, CategoricalDistribution
        >>> space = SearchSpace({"lr": FloatDistribution(1e-4, 1.0, log=True),
        ...                      "act": CategoricalDistribution(["relu", "tanh"])})
        >>> row = space.encode({"lr": 1e-2, "act": "tanh"})
        >>> params = space.decode(row)
        >>> round(params["lr"], 12), params["act"]
        (0.01, 'tanh')
    """

    def __init__(self, distributions: Mapping[str, BaseDistribution]) -> None:
        self.distributions = dict(distributions)
        self.names = list(self.distributions)
        self._bins = [_n_bins(d) for d in self.distributions.values()]

    def __len__(self) -> int:
        return len(self.names)

    def n_bins(self) -> list[int]:
        """How many equal bins each column has (one per value; 0 for a continuous one)."""
        return list(self._bins)

    def is_categorical(self) -> np.ndarray:
        """A boolean per column: whether it holds a categorical parameter."""
        return np.array(
            [isinstance(d, CategoricalDistribution) for d in self.distributions.values()]
        )

    def encode(self, params: Mapping[str, Any]) -> np.ndarray:
        """Return the row of the unit cube for ``params`` (which must name every column)."""
        return np.array(
            [
                self._encode_one(self.distributions[name], bins, params[name])
                for name, bins in zip(self.names, self._bins, strict=True)
            ],
            dtype=float,
        )

    def decode(self, row: np.ndarray) -> dict[str, Any]:
        """Return the parameters at a point of the unit cube (clipped into it)."""
        values = np.minimum(np.maximum(np.asarray(row, dtype=float), 0.0), 1.0).tolist()
        return {
            name: self._decode_one(self.distributions[name], bins, u)
            for name, bins, u in zip(self.names, self._bins, values, strict=True)
        }

    def decode_one(self, name: str, u: float) -> Any:
        """Return the value of parameter ``name`` at position ``u`` of its column."""
        index = self.names.index(name)
        return self._decode_one(self.distributions[name], self._bins[index], min(max(u, 0.0), 1.0))

    def bin_centres(self, column: int) -> np.ndarray:
        """Where each value of a binned ``column`` sits in the cube, as :meth:`encode`
        places it: the centres of its equal bins."""
        bins = self._bins[column]
        return (np.arange(bins) + 0.5) / bins

    def bin_index(self, rows: np.ndarray, column: int) -> np.ndarray:
        """The bin (value or choice index) of each of ``rows`` in a binned ``column``."""
        bins = self._bins[column]
        return np.minimum((rows[:, column] * bins).astype(int), bins - 1)

    def snap(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` with each binned column (choices, ints, stepped floats) moved to the
        centre of its bin, as :meth:`encode` places a value; continuous columns as they
        are. Rows that snap alike decode to the same parameters."""
        snapped = np.array(rows, dtype=float)
        for column, bins in enumerate(self._bins):
            if bins:
                snapped[:, column] = self.bin_centres(column)[self.bin_index(snapped, column)]
        return snapped

    def one_hot(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` with each categorical column spread over one indicator column per
        choice (the form a Gaussian process models); numeric columns as they are."""
        columns = []
        for index, (bins, categorical) in enumerate(
            zip(self._bins, self.is_categorical(), strict=True)
        ):
            if categorical:
                columns.append(np.eye(bins)[self.bin_index(rows, index)])
            else:
                columns.append(rows[:, index : index + 1])
        return np.hstack(columns)

    def from_one_hot(self, features: np.ndarray) -> np.ndarray:
        """The rows of the cube for ``features`` laid out as :meth:`one_hot`'s: each
        categorical takes the choice of its largest indicator."""
        rows, start = [], 0
        for column, (bins, categorical) in enumerate(
            zip(self._bins, self.is_categorical(), strict=True)
        ):
            if categorical:
                choice = np.argmax(features[:, start : start + bins], axis=1)
                rows.append(self.bin_centres(column)[choice])
                start += bins
            else:
                rows.append(features[:, start])
                start += 1
        return np.stack(rows, axis=1)

    def sample(self, rng: np.random.Generator, n: int) -> list[dict[str, Any]]:
        """Draw ``n`` parameter sets uniformly from the cube (log-uniform where ``log``)."""
        return [self.decode(row) for row in rng.random((n, len(self.names)))]

    @staticmethod
    def _encode_one(distribution: BaseDistribution, bins: int, value: Any) -> float:
        if bins:
            index = distribution.to_internal_repr(value)
            if not isinstance(distribution, CategoricalDistribution):
                low, step = distribution.low, distribution.step  # type: ignore[attr-defined]
                index = round((index - low) / step)
            return (index + 0.5) / bins
        assert isinstance(distribution, (FloatDistribution, IntDistribution))
        low, high = float(distribution.low), float(distribution.high)
        if isinstance(distribution, IntDistribution):  # a log-scaled int
            low, high = low - 0.5, high + 0.5
        if high == low:
            return 0.5
        if distribution.log:
            return (math.log(value) - math.log(low)) / (math.log(high) - math.log(low))
        return (float(value) - low) / (high - low)

    @staticmethod
    def _decode_one(distribution: BaseDistribution, bins: int, u: float) -> Any:
        if bins:
            index = min(int(u * bins), bins - 1)
            if isinstance(distribution, CategoricalDistribution):
                return distribution.choices[index]
            if isinstance(distribution, IntDistribution):
                return distribution.low + index * distribution.step
            assert isinstance(distribution, FloatDistribution)
            assert distribution.step is not None
            return min(grid_point(distribution.low, distribution.step, index), distribution.high)
        assert isinstance(distribution, (FloatDistribution, IntDistribution))
        low, high = float(distribution.low), float(distribution.high)
        is_int = isinstance(distribution, IntDistribution)
        if is_int:
            low, high = low - 0.5, high + 0.5
        if distribution.log:
            value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
        else:
            value = low + u * (high - low)
        if is_int:
            return int(min(max(round(value), distribution.low), distribution.high))
        return float(min(max(value, distribution.low), distribution.high))
