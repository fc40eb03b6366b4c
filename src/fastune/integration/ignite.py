"""PyTorch Ignite (``pip install fastune[ignite]``): a handler that reports an evaluator's
metric to a trial after each epoch and prunes the trial, with Optuna's name
(``PyTorchIgnitePruningHandler``)."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional
from fastune._validation import invalid_type, unknown_key
from fastune.exceptions import TrialPruned

__all__ = ["PyTorchIgnitePruningHandler"]

# On import, as Optuna's: reaching the name without Ignite says which extra installs it.
import_optional("ignite", "ignite")


class PyTorchIgnitePruningHandler:
    """Report ``metric`` of an evaluator to the trial (step: the trainer's epoch, from 1)
    and prune when told: attach it to the evaluator's ``COMPLETED`` event, run the
    evaluator after each training epoch, and :class:`~fastune.exceptions.TrialPruned`
    leaves training when the study's pruner stops the trial.

    Args:
        trial: The trial of the objective.
        metric: The name of one of the evaluator's metrics (``"accuracy"``,
            ``"loss"``...).
        trainer: The trainer ``Engine``, whose epoch is the step.

    Raises:
        MissingDependencyError: Ignite is not installed (on import of this module).
        InvalidParameterTypeError: ``metric`` is not a string.
        InvalidParameterError: when called, the evaluator has no such metric.

    Example:
        >>> from ignite.engine import Events  # doctest: +SKIP
        >>> handler = PyTorchIgnitePruningHandler(trial, "accuracy", trainer)  # doctest: +SKIP
        >>> evaluator.add_event_handler(Events.COMPLETED, handler)  # doctest: +SKIP
    """

    def __init__(self, trial: Any, metric: str, trainer: Any) -> None:
        if not isinstance(metric, str):
            raise invalid_type("metric", "PyTorchIgnitePruningHandler", "a metric name", metric)
        self._trial = trial
        self._metric = metric
        self._trainer = trainer

    def __call__(self, engine: Any) -> None:
        metrics = engine.state.metrics
        if self._metric not in metrics:
            raise unknown_key(
                "metric",
                "PyTorchIgnitePruningHandler",
                f"one of the evaluator's metrics {sorted(metrics)}",
                self._metric,
            )
        epoch = self._trainer.state.epoch
        self._trial.report(float(metrics[self._metric]), epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at epoch {epoch}.")
