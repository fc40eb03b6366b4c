"""The error evaluator of Ishibashi et al. (2023), paired with :class:`EMMREvaluator`:
a bar set once from the median of the improvements seen early in the study (Optuna's
``optuna.terminator.median_erroreval``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number, invalid_type
from fastune.terminator._trials import complete_in_order
from fastune.terminator.erroreval import BaseErrorEvaluator
from fastune.terminator.improvement.evaluator import BaseImprovementEvaluator

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

__all__ = ["MedianErrorEvaluator"]


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
        InvalidParameterTypeError: ``paired_improvement_evaluator`` has no ``evaluate``
            method.
    """

    def __init__(
        self,
        paired_improvement_evaluator: BaseImprovementEvaluator,
        warm_up_trials: int = 10,
        n_initial_trials: int = 20,
        threshold_ratio: float = 0.01,
    ) -> None:
        owner = "MedianErrorEvaluator"
        if not callable(getattr(paired_improvement_evaluator, "evaluate", None)):
            raise invalid_type(
                "paired_improvement_evaluator",
                owner,
                "an improvement evaluator (an object with an evaluate(trials, "
                "study_direction) method)",
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
