"""skorch (``pip install fastune[skorch]``): a callback that reports a validation metric of a
skorch net to a trial after each epoch and prunes the trial, with Optuna's name."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional
from fastune._validation import invalid_type, unknown_key
from fastune.exceptions import TrialPruned

__all__ = ["SkorchPruningCallback"]

_skorch: Any = import_optional("skorch", "skorch")


class SkorchPruningCallback(_skorch.callbacks.Callback):
    """Report ``monitor`` from the net's history after each epoch (step: the epoch, from
    0) and prune when told: :class:`~fastune.exceptions.TrialPruned` leaves ``fit``, so a
    study's ``optimize`` records the trial as pruned.

    Args:
        trial: The trial of the objective.
        monitor: A column of the net's history, such as ``"valid_loss"`` or
            ``"valid_acc"`` (from an ``EpochScoring`` callback).

    Raises:
        MissingDependencyError: skorch is not installed (on import of this module).
        InvalidParameterError: during training, a ``monitor`` the history does not have.

    Example:
        >>> from fastune.integration import SkorchPruningCallback
        >>> def objective(trial):  # doctest: +SKIP
        ...     net = skorch.NeuralNetClassifier(
        ...         Module, max_epochs=20, lr=trial.suggest_float("lr", 1e-4, 1e-1, log=True),
        ...         callbacks=[SkorchPruningCallback(trial, "valid_acc")])
        ...     net.fit(X, y)
        ...     return net.history[-1, "valid_acc"]
    """

    def __init__(self, trial: Any, monitor: str) -> None:
        super().__init__()
        if not isinstance(monitor, str):
            raise invalid_type("monitor", "SkorchPruningCallback", "a str", monitor)
        self._trial = trial
        self._monitor = monitor

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        history = net.history
        if not history:
            return
        row = history[-1]
        if self._monitor not in row:
            raise unknown_key(
                "monitor",
                "SkorchPruningCallback",
                f"a column of the net's history {sorted(row)}",
                self._monitor,
            )
        epoch = len(history) - 1
        self._trial.report(float(row[self._monitor]), step=epoch)
        if self._trial.should_prune():
            raise TrialPruned(f"Trial was pruned at epoch {epoch}.")
