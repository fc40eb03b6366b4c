"""A ``Study.optimize`` callback that stops the study when its terminator says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastune._validation import invalid_type
from fastune.logging import get_logger
from fastune.terminator.terminator import BaseTerminator, Terminator

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["TerminatorCallback"]

_logger = get_logger(__name__)


class TerminatorCallback:
    """Asks a terminator after each trial whether the study should stop, and stops it
    (``Study.stop``: running trials finish, no new ones start).

    Args:
        terminator: The terminator; a default :class:`Terminator` when None (its error is
            the cross-validation error, so the objective reports its fold scores with
            :func:`report_cross_validation_scores`).

    Raises:
        InvalidParameterTypeError: ``terminator`` is not a terminator.

    Example:
        >>> import fastune
        >>> from fastune.terminator import (
        ...     BestValueStagnationEvaluator, Terminator, TerminatorCallback)
        >>> fastune.logging.set_verbosity(fastune.logging.WARNING)
        >>> stop = TerminatorCallback(Terminator(BestValueStagnationEvaluator(10)))
        >>> study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
        >>> study.optimize(
        ...     lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=1000, callbacks=[stop]
        ... )
        >>> len(study.trials) < 1000
        True
    """

    def __init__(self, terminator: BaseTerminator | None = None) -> None:
        if terminator is not None and not callable(getattr(terminator, "should_terminate", None)):
            allowed = "a terminator (an object with a should_terminate(study) method) or None"
            raise invalid_type("terminator", "TerminatorCallback", allowed, terminator)
        self._terminator = terminator or Terminator()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if self._terminator.should_terminate(study):
            _logger.info("The study has been stopped by the terminator.")  # Optuna's line
            study.stop()
