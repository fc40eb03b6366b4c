"""Improvement evaluators: patience since the best value, the GP regret bound and EMMR."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import fastune
from fastune.distributions import FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError
from fastune.study import StudyDirection
from fastune.terminator import (
    BestValueStagnationEvaluator,
    EMMREvaluator,
    RegretBoundEvaluator,
)
from fastune.trial import FrozenTrial, create_trial


def _trials(xs: list[float], values: list[float]) -> list[FrozenTrial]:
    space = {"x": FloatDistribution(-2.0, 2.0)}
    trials = [
        create_trial(params={"x": x}, distributions=space, value=v)
        for x, v in zip(xs, values, strict=True)
    ]
    for number, trial in enumerate(trials):
        trial.number = number
    return trials


def _quadratic(xs: np.ndarray, scale: float = 1.0) -> list[FrozenTrial]:
    return _trials(list(xs), list(scale * (xs - 0.3) ** 2))


@pytest.mark.parametrize(
    ("values", "direction", "left"),
    [
        ([5, 3, 4, 4, 4], StudyDirection.MINIMIZE, 10 - 3),
        ([5, 3, 4, 3, 4], StudyDirection.MINIMIZE, 10 - 3),  # a tie is no new best
        ([5, 3, 4, 4, 4], StudyDirection.MAXIMIZE, 10 - 4),
        ([1], StudyDirection.MAXIMIZE, 10),
    ],
)
def test_stagnation_is_the_patience_left_since_the_first_best_value(
    values: list[float], direction: StudyDirection, left: int
) -> None:
    trials = _trials([0.0] * len(values), values)
    assert BestValueStagnationEvaluator(10).evaluate(trials, direction) == left


def test_stagnation_ignores_unfinished_trials_and_needs_one_complete() -> None:
    study = fastune.create_study()
    for value in [3.0, 1.0, 2.0]:
        study.tell(study.ask(), value)
    study.tell(study.ask(), state=fastune.trial.TrialState.FAIL)
    study.ask()  # running
    assert BestValueStagnationEvaluator(4).evaluate(study.trials, study.direction) == 3
    with pytest.raises(InvalidParameterError, match="complete trial"):
        BestValueStagnationEvaluator().evaluate(study.trials[3:], study.direction)
    with pytest.raises(InvalidParameterError, match="'max_stagnation_trials'"):
        BestValueStagnationEvaluator(-1)


def test_regret_bound_is_non_negative_and_shrinks_as_the_optimum_is_pinned_down() -> None:
    evaluator = RegretBoundEvaluator(seed=0)
    few = evaluator.evaluate(_quadratic(np.array([-1.8, -1.0, 1.5, 1.9])), StudyDirection.MINIMIZE)
    dense = np.concatenate([np.linspace(-2, 2, 20), np.linspace(0.1, 0.5, 40)])
    many = evaluator.evaluate(_quadratic(dense), StudyDirection.MINIMIZE)
    assert few > 0.0 and many >= 0.0
    assert many < 0.1 * few


def test_regret_bound_is_in_the_objectives_units_and_follows_the_direction() -> None:
    xs = np.random.default_rng(0).uniform(-2, 2, 30)
    bound = RegretBoundEvaluator(seed=1).evaluate(_quadratic(xs), StudyDirection.MINIMIZE)
    scaled = RegretBoundEvaluator(seed=1).evaluate(_quadratic(xs, 10.0), StudyDirection.MINIMIZE)
    flipped = RegretBoundEvaluator(seed=1).evaluate(_quadratic(xs, -1.0), StudyDirection.MAXIMIZE)
    assert scaled == pytest.approx(10.0 * bound, rel=1e-3)
    assert flipped == pytest.approx(bound, rel=1e-6)


def test_regret_bound_is_reproducible_with_a_seed_and_handles_ints_and_choices() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(
        lambda t: (
            t.suggest_int("n", 1, 9)
            + (t.suggest_categorical("kind", ["a", "b"]) == "b")
            + t.suggest_float("x", 0.01, 1, log=True)
        ),
        n_trials=25,
    )
    first = RegretBoundEvaluator(seed=3).evaluate(study.trials, study.direction)
    again = RegretBoundEvaluator(seed=3).evaluate(study.trials, study.direction)
    assert first == again and np.isfinite(first) and first >= 0.0


def test_regret_bound_refuses_what_it_cannot_model() -> None:
    with pytest.raises(InvalidParameterError, match="complete trial"):
        RegretBoundEvaluator().evaluate([], StudyDirection.MINIMIZE)
    no_params = [create_trial(value=1.0), create_trial(value=2.0)]
    with pytest.raises(InvalidParameterError, match="sharing at least one parameter"):
        RegretBoundEvaluator().evaluate(no_params, StudyDirection.MINIMIZE)
    for kwargs in ({"top_trials_ratio": 0.0}, {"top_trials_ratio": 1.5}, {"min_n_trials": 0}):
        with pytest.raises(InvalidParameterError, match=next(iter(kwargs))):
            RegretBoundEvaluator(**kwargs)


def test_emmr_falls_as_new_trials_stop_changing_the_models_best() -> None:
    xs = np.random.default_rng(0).uniform(-2, 2, 12)
    evaluator = EMMREvaluator(seed=0)
    early = _quadratic(xs)
    # The last trial lands far from all others at a new best: the model's belief moves.
    surprise = evaluator.evaluate(early + _new(early, x=-1.9, value=-5.0), StudyDirection.MINIMIZE)
    # Then many trials at the optimum, each one confirming what the model expects.
    settled = _quadratic(np.concatenate([xs, 0.3 + np.linspace(-0.05, 0.05, 40)]))
    quiet = evaluator.evaluate(settled, StudyDirection.MINIMIZE)
    assert quiet < 0.1 * surprise


def _new(trials: list[FrozenTrial], x: float, value: float) -> list[FrozenTrial]:
    trial = _trials([x], [value])[0]
    trial.number = len(trials)
    return [trial]


def test_emmr_is_scale_free_direction_free_and_seeded() -> None:
    xs = np.random.default_rng(1).uniform(-2, 2, 25)
    base = EMMREvaluator(seed=2).evaluate(_quadratic(xs), StudyDirection.MINIMIZE)
    scaled = EMMREvaluator(seed=2).evaluate(_quadratic(xs, 50.0), StudyDirection.MINIMIZE)
    flipped = EMMREvaluator(seed=2).evaluate(_quadratic(xs, -1.0), StudyDirection.MAXIMIZE)
    assert np.isfinite(base)
    assert scaled == pytest.approx(base, rel=1e-3)
    assert flipped == pytest.approx(base, rel=1e-6)


def test_emmr_returns_a_huge_value_until_it_can_model_the_trials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    huge = 1e300
    assert (
        EMMREvaluator(min_n_trials=5).evaluate(_quadratic(np.zeros(4)), StudyDirection.MINIMIZE)
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
    from fastune.terminator._emmr import _last_point_divergence, _same_prior
    from fastune.terminator._surrogate import Surrogate, complete_rows

    xs = np.random.default_rng(3).uniform(-2, 2, 15)
    trials = _trials(list(xs), list(np.sin(3 * xs) + 0.1 * xs))
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
