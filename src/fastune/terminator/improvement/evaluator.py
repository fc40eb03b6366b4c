"""Improvement evaluators: how much room for improvement a study has left, which the
terminator compares with the objective's error."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number, invalid
from fastune.terminator._surrogate import Surrogate, complete_rows
from fastune.terminator._trials import complete_in_order, gains, no_complete_trial

if TYPE_CHECKING:
    from fastune.trial import FrozenTrial

__all__ = [
    "BaseImprovementEvaluator",
    "BestValueStagnationEvaluator",
    "RegretBoundEvaluator",
]

DEFAULT_MIN_N_TRIALS = 20
DEFAULT_TOP_TRIALS_RATIO = 0.5


class BaseImprovementEvaluator(abc.ABC):
    """Estimates the room for improvement left in a study from its trials."""

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The room for improvement given the trials so far (larger: more room)."""


class RegretBoundEvaluator(BaseImprovementEvaluator):
    """A high-probability bound on how far the best trial is from the optimum (its
    regret), from a Gaussian process (Makarova et al., 2022, "Automatic termination for
    hyperparameter optimization").

    The GP (GPSampler's model) is fitted to the best complete trials: the top
    ``top_trials_ratio`` of them, but at least ``min_n_trials`` (all of them when fewer),
    on the parameters every complete trial has. The bound is the largest upper confidence
    bound over the search space minus the largest lower confidence bound over those
    trials, in the objective's units. It shrinks as the GP grows sure that no region is
    much better than the best trials.

    Args:
        top_trials_ratio: Fraction of the complete trials the GP is fitted to, in (0, 1].
        min_n_trials: The fewest trials it is fitted to, >= 1.
        seed: Seed of the random candidates the upper bound is maximized over.

    Raises:
        InvalidParameterError: an argument outside what is allowed; from
            :meth:`evaluate`, no complete trial or no parameter they all share.
    """

    def __init__(
        self,
        top_trials_ratio: float = DEFAULT_TOP_TRIALS_RATIO,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
        seed: int | None = None,
    ) -> None:
        owner = "RegretBoundEvaluator"
        self._top_trials_ratio = float(
            check_number(
                top_trials_ratio, "top_trials_ratio", owner, low=0.0, high=1.0, low_inclusive=False
            )
            or 0.0
        )
        self._min_n_trials = int(check_int(min_n_trials, "min_n_trials", owner, low=1) or 1)
        self._surrogate = Surrogate(check_int(seed, "seed", owner, low=0, allow_none=True))

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        owner = "RegretBoundEvaluator.evaluate"
        space, rows, values = complete_rows(trials, study_direction)
        if len(values) == 0:
            raise no_complete_trial(owner)
        if len(space) == 0:
            raise invalid(
                "trials", owner, "complete trials sharing at least one parameter", "none shared"
            )
        n_top = int(np.clip(int(len(values) * self._top_trials_ratio), self._min_n_trials, None))
        top = np.argsort(-values, kind="stable")[: min(n_top, len(values))]
        model = self._surrogate.fit(space, rows[top], values[top], "regret bound")
        return self._surrogate.regret_bound(space, model, rows[top], delta=0.1)


class BestValueStagnationEvaluator(BaseImprovementEvaluator):
    """Patience: how many more complete trials may pass without a new best value before
    the study stops. With the default error (:class:`StaticErrorEvaluator` of 0), the
    terminator stops the study once ``max_stagnation_trials`` complete trials in a row
    have not improved on the best.

    Args:
        max_stagnation_trials: Complete trials allowed without a new best, >= 0.

    Raises:
        InvalidParameterError: ``max_stagnation_trials`` < 0; from :meth:`evaluate`, no
            complete trial.
    """

    def __init__(self, max_stagnation_trials: int = 30) -> None:
        self._max_stagnation_trials = int(
            check_int(
                max_stagnation_trials,
                "max_stagnation_trials",
                "BestValueStagnationEvaluator",
                low=0,
            )
            or 0
        )

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        complete = complete_in_order(trials)
        if not complete:
            raise no_complete_trial("BestValueStagnationEvaluator.evaluate")
        # The first trial that reached the best value.
        best_at = int(np.argmax(gains(complete, study_direction)))
        return self._max_stagnation_trials - (len(complete) - 1 - best_at)
