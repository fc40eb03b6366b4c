"""Error evaluators: how much of the objective's movement is noise, the bar that the room
left for improvement must stay above for a study to go on."""

from __future__ import annotations

import abc
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.terminator._trials import best_complete_trial, complete_in_order

if TYPE_CHECKING:
    from fastune.terminator._improvement import BaseImprovementEvaluator
    from fastune.trial import FrozenTrial

__all__ = [
    "BaseErrorEvaluator",
    "CrossValidationErrorEvaluator",
    "MedianErrorEvaluator",
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
        scores: Two or more finite fold scores.

    Raises:
        InvalidParameterError: fewer than two scores, or one that is not finite.
        InvalidParameterTypeError: ``scores`` is not a sequence of numbers.
    """
    owner = "report_cross_validation_scores"
    allowed = "a sequence of two or more finite numbers"
    try:
        values = [float(score) for score in scores]
    except (TypeError, ValueError):
        raise invalid_type("scores", owner, allowed, scores) from None
    if len(values) < 2 or not all(math.isfinite(value) for value in values):
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
        self._constant = float(check_number(constant, "constant", "StaticErrorEvaluator") or 0.0)

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        return self._constant


class MedianErrorEvaluator(BaseErrorEvaluator):
    """A bar set once, from the study's own start: a small fraction of the median
    improvement seen early on (a heuristic of Ishibashi et al., 2023, paired with
    :class:`EMMREvaluator`).

    When ``warm_up_trials + n_initial_trials`` trials are complete, the paired evaluator is
    evaluated on the first 1, 2, ..., ``n_initial_trials`` complete trials after the
    warm-up ones (in trial order); the bar is ``threshold_ratio`` times the median of
    those values, and stays for the life of this object. Before that, the bar is just
    below zero, so that an improvement (never negative) does not stop the study.

    Args:
        paired_improvement_evaluator: The improvement evaluator the :class:`Terminator`
            compares with this bar.
        warm_up_trials: Complete trials left out at the start (often random ones), >= 0.
        n_initial_trials: Complete trials the median is taken over, >= 1.
        threshold_ratio: The bar as a fraction of the median, > 0.

    Raises:
        InvalidParameterError: an argument outside what is allowed.
        InvalidParameterTypeError: ``paired_improvement_evaluator`` is not an improvement
            evaluator.
    """

    def __init__(
        self,
        paired_improvement_evaluator: BaseImprovementEvaluator,
        warm_up_trials: int = 10,
        n_initial_trials: int = 20,
        threshold_ratio: float = 0.01,
    ) -> None:
        from fastune.terminator._improvement import BaseImprovementEvaluator

        owner = "MedianErrorEvaluator"
        if not isinstance(paired_improvement_evaluator, BaseImprovementEvaluator):
            raise invalid_type(
                "paired_improvement_evaluator",
                owner,
                "a fastune.terminator improvement evaluator",
                paired_improvement_evaluator,
            )
        self._paired = paired_improvement_evaluator
        self._warm_up_trials = int(check_int(warm_up_trials, "warm_up_trials", owner, low=0) or 0)
        self._n_initial_trials = int(
            check_int(n_initial_trials, "n_initial_trials", owner, low=1) or 1
        )
        self._threshold_ratio = float(
            check_number(threshold_ratio, "threshold_ratio", owner, low=0.0, low_inclusive=False)
            or 0.0
        )
        self._threshold: float | None = None

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        if self._threshold is not None:
            return self._threshold
        complete = complete_in_order(trials)
        start = self._warm_up_trials
        if len(complete) < start + self._n_initial_trials:
            return -sys.float_info.min
        improvements = [
            self._paired.evaluate(complete[start : start + count], study_direction)
            for count in range(1, self._n_initial_trials + 1)
        ]
        median = float(np.sort(improvements)[len(improvements) // 2])
        self._threshold = min(sys.float_info.max, median * self._threshold_ratio)
        return self._threshold
