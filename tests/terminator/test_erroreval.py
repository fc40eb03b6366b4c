"""Error evaluators of fastune.terminator.erroreval: the cross-validation error of the
best trial and a static bar."""

from __future__ import annotations

import math

import numpy as np
import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.study import StudyDirection
from fastune.terminator.erroreval import (
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
    report_cross_validation_scores,
)


def _study_with_scores(direction: str, folds: list[list[float]]) -> fastune.Study:
    study = fastune.create_study(direction=direction)
    for scores in folds:
        trial = study.ask()
        report_cross_validation_scores(trial, scores)
        study.tell(trial, float(np.mean(scores)))
    return study


def _corrected_std(scores: list[float]) -> float:
    k = len(scores)
    mean = sum(scores) / k
    variance = sum((s - mean) ** 2 for s in scores) / k
    return math.sqrt((1 / k + 1 / (k - 1)) * variance)


@pytest.mark.parametrize(("direction", "best"), [("maximize", 1), ("minimize", 0)])
def test_cross_validation_error_is_the_best_trials_corrected_fold_spread(
    direction: str, best: int
) -> None:
    folds = [[0.1, 0.3, 0.2, 0.2], [0.9, 0.7, 0.8, 0.85, 0.75]]
    study = _study_with_scores(direction, folds)
    error = CrossValidationErrorEvaluator().evaluate(study.trials, study.direction)
    assert error == pytest.approx(_corrected_std(folds[best]))


def test_cross_validation_error_without_reported_scores_says_how_to_report_them() -> None:
    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    with pytest.raises(InvalidParameterError, match="report_cross_validation_scores"):
        CrossValidationErrorEvaluator().evaluate(study.trials, study.direction)
    with pytest.raises(InvalidParameterError, match="complete trial"):
        CrossValidationErrorEvaluator().evaluate([], StudyDirection.MINIMIZE)


def test_reported_scores_are_kept_as_floats_in_a_sqlite_study(tmp_path) -> None:
    storage = f"sqlite:///{tmp_path / 'cv.db'}"
    study = fastune.create_study(storage=storage, direction="maximize")
    trial = study.ask()
    report_cross_validation_scores(trial, np.array([0.5, 0.75, 1.0]))
    study.tell(trial, 0.75)
    loaded = fastune.load_study(study_name=study.study_name, storage=storage)
    assert loaded.trials[0].system_attrs["terminator:cv_scores"] == [0.5, 0.75, 1.0]
    error = CrossValidationErrorEvaluator().evaluate(loaded.trials, loaded.direction)
    assert error == pytest.approx(_corrected_std([0.5, 0.75, 1.0]))


@pytest.mark.parametrize(
    ("scores", "error"),
    [
        ([0.5], InvalidParameterError),
        ([0.5, "high"], InvalidParameterTypeError),
        (0.5, InvalidParameterTypeError),
    ],
)
def test_report_cross_validation_scores_refuses_bad_scores(scores: object, error: type) -> None:
    trial = fastune.create_study().ask()
    with pytest.raises(error, match="'scores' parameter of report_cross_validation_scores"):
        report_cross_validation_scores(trial, scores)  # type: ignore[arg-type]


def test_a_failed_fold_makes_the_error_nan_and_the_trial_completes() -> None:
    # cross_val_score's error_score=np.nan gives a NaN fold; Optuna keeps it
    study = fastune.create_study()
    study.optimize(
        lambda t: report_cross_validation_scores(t, [t.suggest_float("x", 0, 1), math.nan]) or 0.5,
        n_trials=2,
    )
    assert [t.state for t in study.trials] == [fastune.trial.TrialState.COMPLETE] * 2
    assert math.isnan(CrossValidationErrorEvaluator().evaluate(study.trials, study.direction))


def test_static_error_is_its_constant() -> None:
    assert StaticErrorEvaluator(0.25).evaluate([], StudyDirection.MAXIMIZE) == 0.25
    three = StaticErrorEvaluator(3).evaluate([], StudyDirection.MAXIMIZE)
    assert three == 3 and isinstance(three, int)  # as given, as Optuna
    with pytest.raises(InvalidParameterError, match="'constant'"):
        StaticErrorEvaluator(float("inf"))
