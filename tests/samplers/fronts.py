"""Finished trials with given objective values, for the tests of the elite of the
genetic samplers."""

from __future__ import annotations

from fastune.distributions import FloatDistribution
from fastune.trial import FrozenTrial, create_trial


def record(values: list[float], bound: float = 0.0) -> FrozenTrial:
    """A complete trial with these objective values and one constraint at ``bound``
    (feasible when <= 0)."""
    return create_trial(
        params={"x": 0.5},
        distributions={"x": FloatDistribution(0.0, 1.0)},
        values=values,
        constraints={"c": bound},
    )
