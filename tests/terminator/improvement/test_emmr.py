"""EMMREvaluator: the expected minimum model regret, Ishibashi et al. (2023)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from tests.terminator.improvement.curves import quadratic, trials_of

from fastune.distributions import IntDistribution
from fastune.exceptions import InvalidParameterError
from fastune.study import StudyDirection
from fastune.terminator.improvement.emmr import EMMREvaluator
from fastune.trial import FrozenTrial, create_trial


def test_emmr_falls_as_new_trials_stop_changing_the_models_best() -> None:
    xs = np.random.default_rng(0).uniform(-2, 2, 12)
    evaluator = EMMREvaluator(seed=0)
    early = quadratic(xs)
    # The last trial lands far from all others at a new best: the model's belief moves.
    surprise = evaluator.evaluate(early + _new(early, x=-1.9, value=-5.0), StudyDirection.MINIMIZE)
    # Then many trials at the optimum, each one confirming what the model expects.
    settled = quadratic(np.concatenate([xs, 0.3 + np.linspace(-0.05, 0.05, 40)]))
    quiet = evaluator.evaluate(settled, StudyDirection.MINIMIZE)
    assert quiet < 0.1 * surprise


def _new(trials: list[FrozenTrial], x: float, value: float) -> list[FrozenTrial]:
    trial = trials_of([x], [value])[0]
    trial.number = len(trials)
    return [trial]


def test_emmr_is_scale_free_direction_free_and_seeded() -> None:
    xs = np.random.default_rng(1).uniform(-2, 2, 25)
    base = EMMREvaluator(seed=2).evaluate(quadratic(xs), StudyDirection.MINIMIZE)
    scaled = EMMREvaluator(seed=2).evaluate(quadratic(xs, 50.0), StudyDirection.MINIMIZE)
    flipped = EMMREvaluator(seed=2).evaluate(quadratic(xs, -1.0), StudyDirection.MAXIMIZE)
    assert np.isfinite(base)
    assert scaled == pytest.approx(base, rel=1e-3)
    assert flipped == pytest.approx(base, rel=1e-6)


def test_emmr_returns_a_huge_value_until_it_can_model_thetrials_of(
    caplog: pytest.LogCaptureFixture,
) -> None:
    huge = 1e300
    assert (
        EMMREvaluator(min_n_trials=5).evaluate(quadratic(np.zeros(4)), StudyDirection.MINIMIZE)
        > huge
    )
    no_params = [create_trial(value=float(v)) for v in range(5)]
    evaluator = EMMREvaluator()
    with caplog.at_level(logging.WARNING, logger="fastune"):
        assert evaluator.evaluate(no_params, StudyDirection.MINIMIZE) > huge
        assert evaluator.evaluate(no_params, StudyDirection.MINIMIZE) > huge
    assert sum("share no parameter" in r.message for r in caplog.records) == 1
    for kwargs in ({"min_n_trials": 1}, {"delta": 0.0}, {"delta": 2.0}):
        with pytest.raises(InvalidParameterError, match=next(iter(kwargs))):
            EMMREvaluator(**kwargs)


def test_emmr_models_int_parameters() -> None:
    space = {"n": IntDistribution(1, 20)}
    trials = [
        create_trial(params={"n": n}, distributions=space, value=(n - 7) ** 2) for n in range(1, 21)
    ]
    for number, trial in enumerate(trials):
        trial.number = number
    assert np.isfinite(EMMREvaluator(seed=0).evaluate(trials, StudyDirection.MINIMIZE))


def test_emmr_divergence_is_the_kl_between_the_two_posteriors_at_the_last_point() -> None:
    from fastune.terminator._surrogate import Surrogate, complete_rows
    from fastune.terminator.improvement.emmr import _last_point_divergence, _same_prior

    xs = np.random.default_rng(3).uniform(-2, 2, 15)
    trials = trials_of(list(xs), list(np.sin(3 * xs) + 0.1 * xs))
    space, rows, gains = complete_rows(trials, StudyDirection.MAXIMIZE)
    surrogate = Surrogate(seed=0)
    now = surrogate.fit(space, rows, gains, "test")
    before = _same_prior(now, rows[:-1], gains[:-1])
    # One Gaussian observation moves the marginal at its point from (m0, v0) to (m1, v1);
    # with the same prior, the GPs' KL divergence is that of the two marginals.
    m0, s0 = surrogate.posterior(space, before, rows[-1:])
    m1, s1 = surrogate.posterior(space, now, rows[-1:])
    v0, v1 = float(s0[0]) ** 2, float(s1[0]) ** 2
    expected = 0.5 * (np.log(v0 / v1) + (v1 + float(m1[0] - m0[0]) ** 2) / v0 - 1.0)
    divergence = _last_point_divergence(surrogate, space, now, before, rows, gains)
    assert divergence > 0.0
    assert divergence == pytest.approx(expected, rel=1e-4)
