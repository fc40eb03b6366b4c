"""Improvement evaluators of fastune.terminator.improvement.evaluator: patience since the
best value and the GP regret bound."""

from __future__ import annotations

import numpy as np
import pytest
from tests.terminator.improvement.curves import quadratic, trials_of

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.study import StudyDirection
from fastune.terminator.improvement.evaluator import (
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from fastune.trial import create_trial


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
    trials = trials_of([0.0] * len(values), values)
    patience_left = BestValueStagnationEvaluator(10).evaluate(trials, direction)
    assert patience_left == left and isinstance(patience_left, int)  # a count, as Optuna's


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
    few = evaluator.evaluate(quadratic(np.array([-1.8, -1.0, 1.5, 1.9])), StudyDirection.MINIMIZE)
    dense = np.concatenate([np.linspace(-2, 2, 20), np.linspace(0.1, 0.5, 40)])
    many = evaluator.evaluate(quadratic(dense), StudyDirection.MINIMIZE)
    assert few > 0.0 and many >= 0.0
    assert many < 0.1 * few


def test_regret_bound_is_in_the_objectives_units_and_follows_the_direction() -> None:
    xs = np.random.default_rng(0).uniform(-2, 2, 30)
    bound = RegretBoundEvaluator(seed=1).evaluate(quadratic(xs), StudyDirection.MINIMIZE)
    scaled = RegretBoundEvaluator(seed=1).evaluate(quadratic(xs, 10.0), StudyDirection.MINIMIZE)
    flipped = RegretBoundEvaluator(seed=1).evaluate(quadratic(xs, -1.0), StudyDirection.MAXIMIZE)
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
