"""MedianErrorEvaluator: a bar set once from the median of the early improvements."""

from __future__ import annotations

import pytest

from fastune.distributions import FloatDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.study import StudyDirection
from fastune.terminator.improvement.evaluator import BaseImprovementEvaluator
from fastune.terminator.median_erroreval import MedianErrorEvaluator
from fastune.trial import FrozenTrial, create_trial


class _CountingImprovement(BaseImprovementEvaluator):
    """The number of trials it is given, and the first trial number of each call."""

    def __init__(self) -> None:
        self.first_numbers: list[int] = []

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        self.first_numbers.append(trials[0].number)
        return float(len(trials))


def _trials(n: int) -> list[FrozenTrial]:
    trials = [
        create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=i)
        for i in range(n)
    ]
    for number, trial in enumerate(trials):
        trial.number = number
    return trials


def test_median_error_is_a_fraction_of_the_median_early_improvement_and_then_fixed() -> None:
    paired = _CountingImprovement()
    evaluator = MedianErrorEvaluator(
        paired, warm_up_trials=3, n_initial_trials=5, threshold_ratio=0.1
    )
    assert evaluator.evaluate(_trials(7), StudyDirection.MINIMIZE) < 0  # too few yet
    assert paired.first_numbers == []
    # Prefixes of 1..5 trials after the 3 warm-up ones: improvements 1..5, median 3.
    assert evaluator.evaluate(_trials(8), StudyDirection.MINIMIZE) == pytest.approx(0.3)
    assert paired.first_numbers == [3] * 5
    assert evaluator.evaluate(_trials(40), StudyDirection.MINIMIZE) == pytest.approx(0.3)
    assert len(paired.first_numbers) == 5  # set once


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"warm_up_trials": -1}, "warm_up_trials"),
        ({"n_initial_trials": 0}, "n_initial_trials"),
        ({"threshold_ratio": 0.0}, "threshold_ratio"),
    ],
)
def test_median_error_refuses_bad_arguments(kwargs: dict, name: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of MedianErrorEvaluator"):
        MedianErrorEvaluator(_CountingImprovement(), **kwargs)
    with pytest.raises(InvalidParameterTypeError, match="paired_improvement_evaluator"):
        MedianErrorEvaluator(0.5)  # type: ignore[arg-type]
