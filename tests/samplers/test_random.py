from __future__ import annotations

import numpy as np

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
