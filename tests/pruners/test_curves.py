from __future__ import annotations

import math

import fastune
from fastune.pruners._curves import best_so_far, is_check_step, value_at
from fastune.study import StudyDirection
from fastune.trial import TrialState, create_trial


def _trial(values: dict[int, float]) -> fastune.trial.FrozenTrial:
    return create_trial(state=TrialState.PRUNED, intermediate_values=values)


def test_value_at_reads_through_skipped_steps() -> None:
    trial = _trial({0: 3.0, 2: 2.0, 4: 1.0})
    assert value_at(trial, 2) == 2.0
    assert value_at(trial, 3) == 2.0  # skipped: the last report before it
    assert value_at(trial, 5) is None  # never got that far
    assert value_at(_trial({2: 1.0}), 1) is None  # nothing reported before


def test_check_steps_after_warm_up_and_by_interval() -> None:
    def checked(steps: list[int]) -> bool:
        return is_check_step(_trial({s: 1.0 for s in steps}), 2, 3)

    assert not checked([0, 1])  # warm-up
    assert checked([0, 1, 2])  # the first point, 2
    assert not checked([0, 1, 2, 3])
    assert checked([0, 1, 2, 3, 4, 5])  # the next point, 5
    assert checked([0, 6])  # skipped past points 2 and 5: checked once, now
    assert not checked([0, 6, 7])


def test_best_so_far_follows_the_direction() -> None:
    trial = _trial({0: 3.0, 1: math.nan, 2: 1.0})
    assert best_so_far(trial, StudyDirection.MINIMIZE) == 1.0
    assert best_so_far(trial, StudyDirection.MAXIMIZE) == 3.0
    assert math.isnan(best_so_far(_trial({0: math.nan}), StudyDirection.MINIMIZE))
