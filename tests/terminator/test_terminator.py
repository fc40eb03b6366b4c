"""The terminator's decision and its defaults."""

from __future__ import annotations

import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.study import StudyDirection
from fastune.terminator import (
    BaseErrorEvaluator,
    BaseImprovementEvaluator,
    StaticErrorEvaluator,
    Terminator,
)
from fastune.trial import FrozenTrial


class _Fixed(BaseImprovementEvaluator, BaseErrorEvaluator):
    """Always the same number; counts its calls."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.calls = 0

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        self.calls += 1
        return self.value


def _study(n_complete: int) -> fastune.Study:
    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=n_complete)
    study.tell(study.ask(), state=fastune.trial.TrialState.FAIL)
    return study


@pytest.mark.parametrize(("improvement", "error", "stop"), [(0.1, 0.2, True), (0.2, 0.2, False)])
def test_terminates_when_the_improvement_is_below_the_error(
    improvement: float, error: float, stop: bool
) -> None:
    terminator = Terminator(_Fixed(improvement), _Fixed(error), min_n_trials=3)
    assert terminator.should_terminate(_study(3)) is stop


def test_does_not_ask_the_evaluators_before_enough_complete_trials() -> None:
    improvement = _Fixed(0.0)
    terminator = Terminator(improvement, _Fixed(1.0), min_n_trials=4)
    assert not terminator.should_terminate(_study(3))  # 4 trials, one failed
    assert improvement.calls == 0


def test_default_error_needs_reported_cross_validation_scores() -> None:
    with pytest.raises(InvalidParameterError, match="report_cross_validation_scores"):
        Terminator(min_n_trials=2).should_terminate(_study(5))


def test_refuses_several_objectives_and_bad_arguments() -> None:
    study = fastune.create_study(directions=["minimize", "maximize"])
    with pytest.raises(RuntimeError, match="one objective"):  # Optuna's type
        Terminator(_Fixed(0.0), _Fixed(1.0), min_n_trials=1).should_terminate(study)
    with pytest.raises(InvalidParameterError, match="'min_n_trials' parameter of Terminator"):
        Terminator(min_n_trials=0)
    with pytest.raises(InvalidParameterTypeError, match="'improvement_evaluator'"):
        Terminator("regret")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="'error_evaluator'"):
        Terminator(error_evaluator=0.1)  # type: ignore[arg-type]


def test_evaluators_need_only_an_evaluate_method() -> None:
    class Improvement:  # no fastune base class, as Optuna allows
        def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
            return 0.1

    terminator = Terminator(Improvement(), StaticErrorEvaluator(0.2), min_n_trials=2)  # type: ignore[arg-type]
    assert terminator.should_terminate(_study(2))
