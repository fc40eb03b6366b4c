"""PyTorch Lightning (``pip install fastune[lightning]``): a callback that reports a
validation metric to a trial after each validation run and prunes the trial.

Works with the ``lightning`` package and with the older ``pytorch_lightning``.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from fastune._imports import import_optional
from fastune.exceptions import TrialPruned

__all__ = ["PyTorchLightningPruningCallback"]


def _lightning() -> Any:
    try:
        return importlib.import_module("lightning.pytorch")
    except ImportError:
        return import_optional("pytorch_lightning", "lightning")


_Callback: Any = _lightning().Callback


class PyTorchLightningPruningCallback(_Callback):
    """Report ``monitor`` at the end of each validation run and prune when told to.

    The value reported at epoch ``k`` is ``trainer.callback_metrics[monitor]`` (what the
    module logged with ``self.log``). When the study's pruner stops the trial,
    :class:`~fastune.exceptions.TrialPruned` leaves ``trainer.fit``, so a study's
    ``optimize`` records the trial as pruned. The sanity check before training reports
    nothing.

    Args:
        trial: The trial of the objective.
        monitor: The logged metric to report, such as ``"val_loss"``.

    Example:
        >>> from fastune.integration.lightning import PyTorchLightningPruningCallback
        >>> def objective(trial):  # doctest: +SKIP
        ...     trainer = lightning.Trainer(max_epochs=10, callbacks=[
        ...         PyTorchLightningPruningCallback(trial, monitor="val_accuracy")])
        ...     trainer.fit(model, train_loader, val_loader)
        ...     return trainer.callback_metrics["val_accuracy"].item()
    """

    def __init__(self, trial: Any, monitor: str) -> None:
        super().__init__()
        self.trial = trial
        self.monitor = monitor

    def on_validation_end(self, trainer: Any, pl_module: Any) -> None:
        if trainer.sanity_checking:
            return
        value = trainer.callback_metrics.get(self.monitor)
        if value is None:
            warnings.warn(
                f"The metric {self.monitor!r} was not logged, so trial {self.trial.number} "
                f"reports nothing at epoch {trainer.current_epoch}; logged metrics: "
                f"{sorted(trainer.callback_metrics)}.",
                stacklevel=2,
            )
            return
        epoch = trainer.current_epoch
        self.trial.report(float(value), epoch)
        if self.trial.should_prune():
            raise TrialPruned(f"Trial {self.trial.number} was pruned at epoch {epoch}.")
