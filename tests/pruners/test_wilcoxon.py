from __future__ import annotations

import math

import pytest
from tests.pruners.test_conformance import run_trial

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pruners import WilcoxonPruner

# Instances of very different difficulty: the scores of one trial spread far more across
# instances than two trials differ on any one instance. The hard ones come first, so that
# a trial's running mean stays above the best trial's final mean (4.5) until the end: a
# trial whose running mean beats it is never pruned.
DIFFICULTY = [9.0, 5.0, 8.0, 6.0, 7.0, 3.0, 4.0, 1.0, 2.0, 0.0]
STEPS = range(len(DIFFICULTY))


def scores(offset: float, wobble: float = 0.0):  # type: ignore[no-untyped-def]
    return lambda step: DIFFICULTY[step] + offset + wobble * (-1) ** step


def study_with_best(direction: str = "minimize") -> fastune.Study:
    study = fastune.create_study(direction=direction, pruner=WilcoxonPruner(p_threshold=0.1))
    sign = 1.0 if direction == "minimize" else -1.0
    run_trial(study, lambda step: sign * scores(0.0)(step), STEPS)  # the best so far
    return study


def test_a_trial_a_little_worse_on_every_instance_is_pruned() -> None:
    # Worse by 0.2 against spreads of 9 across instances: only a paired test sees it.
    study = study_with_best()
    pruned_at = run_trial(study, scores(0.2), STEPS)
    # One-sided signed-rank test, all differences positive: p = 1/2**n, below 0.1 at n = 4.
    assert pruned_at == 3


def test_a_trial_better_on_average_goes_on() -> None:
    study = study_with_best()
    # A tie on every instance is not worse.
    assert run_trial(study, scores(0.0), STEPS) is None
    # Worse on the first instances, better on the rest and on average.
    assert run_trial(study, lambda step: scores(0.3 if step < 3 else -0.5)(step), STEPS) is None


def test_it_waits_for_enough_paired_steps_and_a_best_trial() -> None:
    study = fastune.create_study(pruner=WilcoxonPruner(n_startup_steps=6))
    assert run_trial(study, scores(0.0), STEPS) is None  # no best trial yet: nothing pruned
    assert run_trial(study, scores(0.2), STEPS) == 5
    # Steps the best trial never reported are not compared (with a warning, as Optuna).
    with pytest.warns(UserWarning, match="did not: WilcoxonPruner leaves them out"):
        assert run_trial(study, lambda step: scores(0.2)(step - 20), range(20, 30)) is None


def test_it_warns_where_optuna_warns_and_decides_the_same() -> None:
    study = fastune.create_study(pruner=WilcoxonPruner())
    study.add_trial(fastune.trial.create_trial(value=0.0))  # the best, without reports
    with pytest.warns(UserWarning, match="has no intermediate values.*Study.add_trial"):
        assert run_trial(study, scores(5.0), STEPS) is None
    study = study_with_best()
    with pytest.warns(UserWarning, match="Trial 1 reported an infinite or NaN value"):
        assert run_trial(study, lambda step: math.nan if step == 3 else 9.0, STEPS) is None
    study = fastune.create_study(pruner=WilcoxonPruner())
    best = {step: math.inf if step == 0 else 0.0 for step in STEPS}
    study.add_trial(fastune.trial.create_trial(value=0.0, intermediate_values=best))
    with pytest.warns(UserWarning, match=r"best trial \(trial 0\) reported an infinite"):
        assert run_trial(study, scores(5.0), STEPS) is None


def test_maximize() -> None:
    study = study_with_best("maximize")
    assert run_trial(study, lambda step: -scores(0.2)(step), STEPS) == 3
    assert run_trial(study, lambda step: -scores(-0.2)(step), STEPS) is None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"p_threshold": 1.5}, "'p_threshold'"), ({"n_startup_steps": -1}, "'n_startup_steps'")],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        WilcoxonPruner(**kwargs)
