"""TerminatorCallback: the terminator's decision stops Study.optimize."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score

import fastune
from fastune.exceptions import InvalidParameterTypeError
from fastune.terminator.callback import TerminatorCallback
from fastune.terminator.erroreval import report_cross_validation_scores
from fastune.terminator.improvement.evaluator import (
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from fastune.terminator.terminator import Terminator


def test_the_terminator_must_have_should_terminate() -> None:
    with pytest.raises(InvalidParameterTypeError, match="'terminator'"):
        TerminatorCallback(BestValueStagnationEvaluator())  # type: ignore[arg-type]


def test_any_object_with_should_terminate_stops_the_study() -> None:
    class StopAtThree:  # not a BaseTerminator, as Optuna allows
        def should_terminate(self, study: fastune.Study) -> bool:
            return len(study.trials) >= 3

    study = fastune.create_study()
    callback = TerminatorCallback(StopAtThree())  # type: ignore[arg-type]
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10, callbacks=[callback])
    assert len(study.trials) == 3


def test_callback_stops_optimize_when_the_patience_runs_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    patience = 7
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    terminator = Terminator(BestValueStagnationEvaluator(patience), min_n_trials=1)
    logger = fastune.logging.get_logger("fastune")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level("INFO", logger="fastune"):
            study.optimize(
                lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2,
                n_trials=500,
                callbacks=[TerminatorCallback(terminator)],
            )
    finally:
        logger.removeHandler(caplog.handler)
    # Optuna's line, once, at the end.
    stopped = [r.getMessage() for r in caplog.records if "terminator" in r.getMessage()]
    assert stopped == ["The study has been stopped by the terminator."]
    # The stagnation error defaults to 0: the study stops at the first trial that is
    # patience + 1 trials past the best.
    assert len(study.trials) < 500
    assert study.trials[-1].number == study.best_trial.number + patience + 1


def test_default_terminator_stops_a_cross_validated_search() -> None:
    X, y = load_iris(return_X_y=True)
    folds = KFold(n_splits=5, shuffle=True, random_state=0)

    def objective(trial: fastune.Trial) -> float:
        model = LogisticRegression(C=trial.suggest_float("C", 1e-4, 1e2, log=True), max_iter=500)
        scores = cross_val_score(model, X, y, cv=folds)
        report_cross_validation_scores(trial, scores)
        return float(np.mean(scores))

    study = fastune.create_study(direction="maximize", sampler=fastune.samplers.TPESampler(seed=0))
    terminator = Terminator(RegretBoundEvaluator(seed=0), min_n_trials=10)
    study.optimize(objective, n_trials=80, callbacks=[TerminatorCallback(terminator)])
    assert 10 <= len(study.trials) < 80
    assert study.best_value > 0.95
