"""The terminator: stop a study once the room left for improvement is smaller than the
objective's own error."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from fastune._validation import check_int, invalid_type
from fastune.terminator.erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
)
from fastune.terminator.improvement.evaluator import (
    DEFAULT_MIN_N_TRIALS,
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
)
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["BaseTerminator", "Terminator"]


def with_defaults(
    improvement_evaluator: BaseImprovementEvaluator | None,
    error_evaluator: BaseErrorEvaluator | None,
) -> tuple[BaseImprovementEvaluator, BaseErrorEvaluator]:
    """The evaluators, each defaulted: the regret bound for the improvement; for the
    error, 0 after a stagnation evaluator (its patience is the whole rule), the
    cross-validation error otherwise."""
    improvement = improvement_evaluator or RegretBoundEvaluator()
    if error_evaluator is not None:
        return improvement, error_evaluator
    if isinstance(improvement, BestValueStagnationEvaluator):
        return improvement, StaticErrorEvaluator(0.0)
    return improvement, CrossValidationErrorEvaluator()


class BaseTerminator(abc.ABC):
    """Decides whether a study should stop."""

    @abc.abstractmethod
    def should_terminate(self, study: Study) -> bool:
        """True when ``study`` should stop."""


class Terminator(BaseTerminator):
    """Stops a study when more trials are unlikely to pay: when the room for improvement
    (``improvement_evaluator``) falls below the error of the objective
    (``error_evaluator``), so that a better value would be within the noise of measuring
    it (Makarova et al., 2022, "Automatic termination for hyperparameter optimization").

    By default the room is :class:`RegretBoundEvaluator`'s bound on the best trial's
    regret and the error is :class:`CrossValidationErrorEvaluator`'s spread of the best
    trial's fold scores, which the objective reports with
    :func:`report_cross_validation_scores`. With a :class:`BestValueStagnationEvaluator`
    and no error evaluator, the error is 0 (:class:`StaticErrorEvaluator`): the study
    stops when the best value has not moved for that evaluator's patience.

    Use it in an ask-and-tell loop (``should_terminate``) or in ``Study.optimize``
    through :class:`TerminatorCallback`. Single-objective studies only.

    Args:
        improvement_evaluator: The room left for improvement.
        error_evaluator: The objective's error.
        min_n_trials: Complete trials before termination is considered, >= 1.

    Raises:
        InvalidParameterError: ``min_n_trials`` < 1.
        InvalidParameterTypeError: an evaluator without an ``evaluate`` method (any object
            with one is accepted, as in Optuna).

    Example:
        >>> import fastune
        >>> from fastune.terminator import BestValueStagnationEvaluator, Terminator
        >>> fastune.logging.set_verbosity(fastune.logging.WARNING)
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> terminator = Terminator(BestValueStagnationEvaluator(max_stagnation_trials=5))
        >>> while not terminator.should_terminate(study):
        ...     trial = study.ask()
        ...     _ = study.tell(trial, trial.suggest_float("x", -1.0, 1.0) ** 2)
        >>> best = study.best_trial.number
        >>> sum(t.number > best for t in study.trials)  # trials since the best one
        6
    """

    def __init__(
        self,
        improvement_evaluator: BaseImprovementEvaluator | None = None,
        error_evaluator: BaseErrorEvaluator | None = None,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
    ) -> None:
        owner = "Terminator"
        allowed = (
            "an evaluator (an object with an evaluate(trials, study_direction) method) or None"
        )
        for name, evaluator in (
            ("improvement_evaluator", improvement_evaluator),
            ("error_evaluator", error_evaluator),
        ):
            if evaluator is not None and not callable(getattr(evaluator, "evaluate", None)):
                raise invalid_type(name, owner, allowed, evaluator)
        self._min_n_trials = int(check_int(min_n_trials, "min_n_trials", owner, low=1) or 1)
        self._improvement_evaluator, self._error_evaluator = with_defaults(
            improvement_evaluator, error_evaluator
        )

    def should_terminate(self, study: Study) -> bool:
        """True when ``study`` has ``min_n_trials`` complete trials and the room for
        improvement is below the error.

        Raises:
            RuntimeError: ``study`` has several objectives (the type Optuna raises,
                there from ``study.direction`` once ``min_n_trials`` are complete).
            InvalidParameterError: (from the evaluators) the trials cannot be evaluated,
                e.g. without the cross-validation scores the default error needs.
        """
        if len(study.directions) > 1:
            raise RuntimeError(
                "Terminator.should_terminate: the terminator judges a study with one "
                f"objective; this study has {len(study.directions)} objectives."
            )
        trials = study.get_trials(deepcopy=False)
        if sum(t.state == TrialState.COMPLETE for t in trials) < self._min_n_trials:
            return False
        direction = study.direction
        improvement = self._improvement_evaluator.evaluate(trials, direction)
        error = self._error_evaluator.evaluate(trials, direction)
        return improvement < error
