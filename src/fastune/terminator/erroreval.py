"""Error evaluators: how much of the objective's movement is noise, the bar that the room
left for improvement must stay above for a study to go on (Optuna's
``optuna.terminator.erroreval``; :class:`MedianErrorEvaluator` is in
``median_erroreval``)."""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_number, invalid, invalid_type
from fastune.terminator._trials import best_complete_trial

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

__all__ = [
    "BaseErrorEvaluator",
    "CrossValidationErrorEvaluator",
    "StaticErrorEvaluator",
    "report_cross_validation_scores",
]

# Optuna's key, so that a trial's reported scores read the same in both libraries.
CV_SCORES_KEY = "terminator:cv_scores"


class BaseErrorEvaluator(abc.ABC):
    """Estimates the statistical error of the objective from a study's trials."""

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The error, in the objective's units, given the trials so far."""


class CrossValidationErrorEvaluator(BaseErrorEvaluator):
    """The error of a cross-validated objective: the spread of the best trial's fold
    scores, as reported by :func:`report_cross_validation_scores`.

    For ``k`` fold scores with variance ``s2`` (``numpy.var``), the error is
    ``sqrt((1 / k + 1 / (k - 1)) * s2)``: the standard deviation of the mean score, widened
    for the overlap of the folds' training sets (Nadeau and Bengio's correction, as in
    Makarova et al., 2022, and Optuna).

    Raises (from :meth:`evaluate`):
        InvalidParameterError: no complete trial, or the best one has no reported scores.

    Example:
        >>> import fastune
        >>> from fastune.terminator import (
        ...     CrossValidationErrorEvaluator, report_cross_validation_scores)
        >>> study = fastune.create_study(direction="maximize")
        >>> trial = study.ask()
        >>> report_cross_validation_scores(trial, [0.8, 0.9, 0.85])
        >>> _ = study.tell(trial, 0.85)
        >>> error = CrossValidationErrorEvaluator().evaluate(study.trials, study.direction)
        >>> round(error, 4)
        0.0373
    """

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        owner = "CrossValidationErrorEvaluator.evaluate"
        best = best_complete_trial(trials, study_direction, owner)
        scores = best.system_attrs.get(CV_SCORES_KEY)
        if scores is None:
            raise invalid(
                "trials",
                owner,
                "trials whose best one reported its fold scores with "
                "fastune.terminator.report_cross_validation_scores(trial, scores)",
                f"best trial #{best.number} without them",
            )
        k = len(scores)
        return math.sqrt((1.0 / k + 1.0 / (k - 1)) * float(np.var(scores)))


def report_cross_validation_scores(trial: Any, scores: Sequence[float]) -> None:
    """Keep a trial's cross-validation fold scores, for
    :class:`CrossValidationErrorEvaluator` (and so for the default :class:`Terminator`).

    Call it in the objective, with the scores whose mean the objective returns.

    Args:
        trial: The running trial.
        scores: Two or more fold scores. A NaN one (a failed fold, scikit-learn's
            ``error_score=np.nan``) is kept, as in Optuna: the error is then NaN, and
            the terminator does not stop on this trial's error.

    Raises:
        InvalidParameterError: fewer than two scores.
        InvalidParameterTypeError: ``scores`` is not a sequence of numbers.
    """
    owner = "report_cross_validation_scores"
    allowed = "a sequence of two or more numbers"
    try:
        values = [float(score) for score in scores]
    except (TypeError, ValueError):
        raise invalid_type("scores", owner, allowed, scores) from None
    if len(values) < 2:
        raise invalid("scores", owner, allowed, scores)
    trial.set_system_attr(CV_SCORES_KEY, values)


class StaticErrorEvaluator(BaseErrorEvaluator):
    """An error that does not depend on the trials: a fixed bar for the improvement
    evaluator (0 with :class:`BestValueStagnationEvaluator`: stop when its patience runs
    out).

    Args:
        constant: The error, a finite number.

    Raises:
        InvalidParameterError: ``constant`` is not finite.
    """

    def __init__(self, constant: float) -> None:
        check_number(constant, "constant", "StaticErrorEvaluator")
        self._constant = constant

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        return self._constant  # as given, as Optuna's (an int stays an int)
