from __future__ import annotations

import numpy as np
import pytest

from fastune.distributions import FloatDistribution, IntDistribution
from fastune.samplers._random import sample_internal


def test_log_int_gives_every_integer_its_share() -> None:
    rng = np.random.default_rng(0)
    draws = [sample_internal(rng, IntDistribution(1, 4, log=True)) for _ in range(4000)]
    counts = np.bincount(np.array(draws, dtype=int), minlength=5)[1:]
    # log-uniform over [0.5, 4.5]: 1 takes log(1.5/0.5) / log(9) = 50 % of the mass.
    assert abs(counts[0] / 4000 - np.log(3) / np.log(9)) < 0.03
    assert counts.min() > 0


def test_float_step_values_are_clean() -> None:
    rng = np.random.default_rng(0)
    values = {sample_internal(rng, FloatDistribution(0, 1, step=0.1)) for _ in range(300)}
    assert values == {round(0.1 * k, 1) for k in range(11)}


def test_a_low_that_rounds_below_itself_is_never_undercut() -> None:
    low = 0.1 + 0.2  # 0.30000000000000004
    distribution = FloatDistribution(low, low + 1.0, step=0.1)
    rng = np.random.default_rng(0)
    values = [sample_internal(rng, distribution) for _ in range(300)]
    assert min(values) == low and all(distribution._contains(v) for v in values)


def test_an_int_range_past_int64_is_drawn_uniformly() -> None:
    distribution = IntDistribution(-(2**62), 2**62)  # 2**63 + 1 values
    rng = np.random.default_rng(0)
    values = [sample_internal(rng, distribution) for _ in range(200)]
    assert all(-(2**62) <= v <= 2**62 for v in values)
    assert np.mean(np.array(values) > 0) == pytest.approx(0.5, abs=0.15)
