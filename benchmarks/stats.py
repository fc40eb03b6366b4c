"""Pure statistics behind the figures: best-so-far curves, spreads, ranks, trials to reach.

Missing values (a trial without a final value, a seed without any value yet) are None;
they count as worse than any value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple


class Spread(NamedTuple):
    """Median and interquartile range of a value over seeds; None where it is undefined."""

    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None


def best_so_far(values: Sequence[float | None], length: int) -> list[float | None]:
    """Best (lowest) value among the first k trials, for k = 1 .. ``length``.

    A study that stopped early (an exhausted grid) keeps its last best up to ``length``.
    """
    curve: list[float | None] = []
    best: float | None = None
    for k in range(length):
        value = values[k] if k < len(values) else None
        if value is not None and (best is None or value < best):
            best = value
        curve.append(best)
    return curve


def _quantile(ordered: Sequence[float], fraction: float) -> float:
    """Linear-interpolation quantile of sorted numbers that may end in +infinity."""
    position = fraction * (len(ordered) - 1)
    below, above = ordered[math.floor(position)], ordered[math.ceil(position)]
    weight = position - math.floor(position)
    if weight == 0:
        return below
    if math.isinf(above):
        return math.inf
    return below + (above - below) * weight


def spread(values: Sequence[float | None]) -> Spread:
    """Median and quartiles over seeds, a missing value counting as +infinity."""
    if not values:
        return Spread(None, None, None)
    ordered = sorted(math.inf if value is None else value for value in values)
    median, lower, upper = (
        None if math.isinf(q) else q for q in (_quantile(ordered, f) for f in (0.5, 0.25, 0.75))
    )
    return Spread(median, lower, upper)


def trials_to_reach(median_curve: Sequence[float | None], target: float) -> int | None:
    """The first k whose best-so-far value is at most ``target``; None if none is."""
    for k, value in enumerate(median_curve, start=1):
        if value is not None and value <= target:
            return k
    return None


def mean_ranks(medians: Mapping[str, Mapping[str, float | None]]) -> dict[str, float]:
    """Mean rank of each method over problems; 1 is best, ties share their average rank.

    Args:
        medians: ``medians[problem][method]``, the method's median value on the problem.
            A method missing from a problem (or with None) is not ranked there.
    """
    rank_sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for by_method in medians.values():
        ranked = {method: value for method, value in by_method.items() if value is not None}
        ordered = sorted(ranked.values())
        for method, value in ranked.items():
            first = ordered.index(value) + 1
            last = len(ordered) - ordered[::-1].index(value)
            rank_sums[method] = rank_sums.get(method, 0.0) + (first + last) / 2
            counts[method] = counts.get(method, 0) + 1
    return {method: rank_sums[method] / counts[method] for method in rank_sums}
