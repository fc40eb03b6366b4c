"""The Parzen estimator behind TPE: its bandwidth rule, its densities, and that adding and
removing kernels one by one gives the same model as fitting the rows at once."""

from __future__ import annotations

import numpy as np
import pytest

from fastune.samplers._parzen import ParzenEstimator

# A continuous column, a discrete one with few bins (looked up in a table), one with many
# bins (computed directly), and a categorical one.
BINS = np.array([0, 7, 500, 3])
CATEGORICAL = np.array([False, False, False, True])


def _rows(rng: np.random.Generator, n: int) -> np.ndarray:
    rows = rng.random((n, 4))
    for column in (1, 2, 3):
        rows[:, column] = (rng.integers(BINS[column], size=n) + 0.5) / BINS[column]
    return rows


def test_bandwidths_follow_the_neighbour_gaps() -> None:
    rows = np.array([[0.1], [0.6], [0.2]])
    estimator = ParzenEstimator.fit(rows, np.ones(3), np.array([0]), np.array([False]))
    # Outermost kernels take the gap to their inner neighbour, the others the larger
    # gap; all are clipped below at 1 / (n + 2).
    assert estimator.sigmas[:3, 0] == pytest.approx([0.2, 0.4, 0.4])
    single = ParzenEstimator.fit(np.array([[0.3]]), np.ones(1), np.array([0]), np.array([False]))
    assert single.sigmas[0, 0] == pytest.approx(0.7)  # alone: the gap to the far end


def test_densities_sum_to_one() -> None:
    rng = np.random.default_rng(0)
    rows = _rows(rng, 40)
    weights = rng.random(40) + 0.1
    for column, bins in enumerate(BINS):
        one = ParzenEstimator.fit(rows[:, [column]], weights, BINS[[column]], CATEGORICAL[[column]])
        if bins == 0:  # a density on [0, 1]: its mean over a fine grid is its integral
            grid = (np.arange(20_000) + 0.5) / 20_000
            mass = np.exp(one.log_pdf(grid[:, None])).mean()
        else:  # probabilities of the bins
            centres = (np.arange(bins) + 0.5) / bins
            mass = np.exp(one.log_pdf(centres[:, None])).sum()
        assert mass == pytest.approx(1.0, abs=1e-3), column


def test_adding_and_removing_equals_fitting_afresh() -> None:
    rng = np.random.default_rng(1)
    rows = _rows(rng, 120)
    rows[:, 1] = rng.random(120)  # distinct values: ties may be ordered either way
    rows[:, 2] = (rng.choice(500, size=120, replace=False) + 0.5) / 500
    incremental = ParzenEstimator(BINS, CATEGORICAL)
    slots = {}
    for key in range(120):
        slots[key] = incremental.add(rows[key], key)
        if key % 3 == 2:  # remove an earlier one now and then, so slots get reused
            victim = int(rng.choice(sorted(slots)))
            incremental.remove(slots.pop(victim))
    keys = np.array(sorted(slots))

    def weights(n: int) -> np.ndarray:
        return np.linspace(0.5, 1.0, n)

    incremental.set_weights(weights)
    fresh = ParzenEstimator.fit(rows[keys], weights(len(keys)), BINS, CATEGORICAL, keys=keys)
    assert incremental.n == fresh.n == len(keys)
    live = np.array([slots[k] for k in keys])
    numeric = [0, 1, 2]
    np.testing.assert_allclose(
        incremental.sigmas[live][:, numeric], fresh.sigmas[: len(keys)][:, numeric]
    )
    x = _rows(rng, 50)
    np.testing.assert_allclose(incremental.log_pdf(x), fresh.log_pdf(x), rtol=1e-9)


def test_samples_come_from_the_kernels() -> None:
    # Two tight clusters, each with its own category.
    rng = np.random.default_rng(0)
    x = np.concatenate([0.1 + 0.01 * rng.random(10), 0.9 + 0.01 * rng.random(10)])
    category = np.repeat([(2 + 0.5) / 3, (0 + 0.5) / 3], 10)
    estimator = ParzenEstimator.fit(
        np.column_stack([x, category]), np.ones(20), np.array([0, 3]), np.array([False, True])
    )
    samples = estimator.sample(rng, 4000)
    assert ((samples >= 0) & (samples <= 1)).all()
    near = np.minimum(np.abs(samples[:, 0] - 0.105), np.abs(samples[:, 0] - 0.905))
    assert np.mean(near < 0.1) > 0.8  # the prior kernel and the wide outer ones aside
    # A sample keeps its kernel's category but for the 1 / (1 + n) smoothing.
    low = samples[:, 0] < 0.2
    high = samples[:, 0] > 0.8
    assert np.mean(samples[low, 1] == category[0]) > 0.85
    assert np.mean(samples[high, 1] == category[-1]) > 0.85


def test_removing_an_empty_slot_is_an_error() -> None:
    estimator = ParzenEstimator(BINS, CATEGORICAL)
    slot = estimator.add(np.full(4, 0.5), 0)
    estimator.remove(slot)
    with pytest.raises(KeyError, match="slot"):
        estimator.remove(slot)


@pytest.mark.parametrize("prior_weight", [0.01, 1.0, 10.0])
def test_categorical_kernels_are_smoothed_by_the_prior_weight_as_optuna(
    prior_weight: float,
) -> None:
    # Optuna gives each categorical kernel a = prior_weight / (n + 1) on every choice and
    # 1 more on the observed one, normalized; the smoothing was 1 / (n + 1) whatever the
    # prior weight.
    choices, n = 6, 3
    rows = np.array([[2.5 / choices]] * n)  # n observations of choice 2
    estimator = ParzenEstimator.fit(
        rows, np.ones(n), np.array([choices]), np.array([True]), prior_weight=prior_weight
    )
    a = prior_weight / (n + 1)
    kernel = np.full(choices, a / (1 + choices * a))
    kernel[2] = (1 + a) / (1 + choices * a)
    expected = (n * kernel + prior_weight / choices) / (n + prior_weight)
    points = (np.arange(choices)[:, None] + 0.5) / choices
    np.testing.assert_allclose(np.exp(estimator.log_pdf(points)), expected)
    draws = estimator.sample(np.random.default_rng(0), 20000)
    shares = np.bincount(np.floor(draws[:, 0] * choices).astype(int), minlength=choices) / 20000
    np.testing.assert_allclose(shares, expected, atol=0.015)
