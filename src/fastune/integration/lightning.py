"""PyTorch Lightning (``pip install fastune[lightning]``): a callback that reports a
validation metric to a trial after each validation run and prunes the trial.

Works with the ``lightning`` package and with the older ``pytorch_lightning``, in one
process or under a distributed strategy (DDP).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from fastune._imports import import_optional
from fastune._validation import invalid
from fastune.exceptions import TrialPruned

__all__ = ["PyTorchLightningPruningCallback"]

# System attr of a trial pruned under a distributed strategy: the epoch it was pruned at,
# written by the process of global rank 0 for check_pruned in the objective's process.
_PRUNED_EPOCH_KEY = "lightning:pruned_epoch"


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

    Under a distributed strategy (``"ddp"``, ``"ddp_spawn"``, FSDP, DeepSpeed), as with
    Optuna: only the process of global rank 0 reports and asks the pruner, every rank
    gets its decision, and a pruned trial makes all ranks stop training together
    (``trainer.should_stop``), so ``fit`` returns. Call :meth:`check_pruned` right after
    ``trainer.fit``: it raises :class:`~fastune.exceptions.TrialPruned` in the objective's
    process. The ranks may run in processes of their own, so the study's storage must be
    one they share (an SQLite or PostgreSQL URL, a journal file), not the in-memory one.

    Args:
        trial: The trial of the objective.
        monitor: The logged metric to report, such as ``"val_loss"``.

    Attributes:
        is_ddp_backend: Whether the last ``fit`` ran under a distributed strategy (set in
            the processes that train).

    Raises:
        InvalidParameterError: at the start of a distributed ``fit``, the trial's study
            is kept in memory.

    Example:
        >>> from fastune.integration.lightning import PyTorchLightningPruningCallback
        >>> def objective(trial):  # doctest: +SKIP
        ...     pruning = PyTorchLightningPruningCallback(trial, monitor="val_accuracy")
        ...     trainer = lightning.Trainer(max_epochs=10, callbacks=[pruning])
        ...     trainer.fit(model, train_loader, val_loader)
        ...     pruning.check_pruned()  # needed under DDP only; harmless otherwise
        ...     return trainer.callback_metrics["val_accuracy"].item()
    """

    def __init__(self, trial: Any, monitor: str) -> None:
        super().__init__()
        self.trial = trial
        self.monitor = monitor
        self.is_ddp_backend = False

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self.is_ddp_backend = _is_distributed(trainer)
        if not self.is_ddp_backend:
            return
        from fastune.storages import InMemoryStorage

        storage = getattr(getattr(self.trial, "study", None), "_storage", None)
        if isinstance(storage, InMemoryStorage):
            # Each rank would report to a copy of the study that nobody reads.
            raise invalid(
                "trial",
                "PyTorchLightningPruningCallback",
                "a trial of a study whose storage every rank of a distributed strategy "
                "shares (an SQLite or PostgreSQL URL, a JournalStorage)",
                f"trial {self.trial.number} of a study in memory, under "
                f"{type(trainer.strategy).__name__}",
            )

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
        if not self.is_ddp_backend:
            self.trial.report(float(value), epoch)
            if self.trial.should_prune():
                raise TrialPruned(f"Trial {self.trial.number} was pruned at epoch {epoch}.")
            return
        # Raising here would kill a spawned rank (the trial would fail, the others hang):
        # rank 0 decides, every rank stops, and check_pruned raises after fit.
        should_stop = False
        if trainer.is_global_zero:
            self.trial.report(float(value), epoch)
            should_stop = bool(self.trial.should_prune())
            if should_stop:
                self.trial.study._storage.set_trial_system_attr(
                    self.trial._trial_id, _PRUNED_EPOCH_KEY, epoch
                )
        should_stop = bool(trainer.strategy.broadcast(should_stop))
        trainer.should_stop = trainer.should_stop or should_stop

    def check_pruned(self) -> None:
        """Raise :class:`~fastune.exceptions.TrialPruned` if the ranks of a distributed
        ``fit`` stopped because the trial was pruned; else do nothing.

        Call it right after ``trainer.fit``. It reads the decision from the study's
        storage, where rank 0 left it, and gives the trial in this process the values
        the ranks reported. Without a distributed strategy a pruned trial has already
        left ``fit`` with the exception, and this does nothing.
        """
        study = getattr(self.trial, "study", None)
        trial_id = getattr(self.trial, "_trial_id", None)
        if study is None or trial_id is None:  # a FixedTrial: nothing was stored
            return
        stored = study._storage.get_trial(trial_id)
        from fastune.trial import Trial

        if isinstance(self.trial, Trial):  # the ranks reported to copies of this trial
            held = self.trial._cached.intermediate_values
            for step, reported in stored.intermediate_values.items():
                held.setdefault(step, reported)
        epoch = stored.system_attrs.get(_PRUNED_EPOCH_KEY)
        if epoch is not None:
            raise TrialPruned(f"Trial {self.trial.number} was pruned at epoch {epoch}.")


def _is_distributed(trainer: Any) -> bool:
    """Whether ``trainer`` runs a distributed strategy (as Lightning itself decides)."""
    connector = getattr(trainer, "_accelerator_connector", None)
    if connector is not None and hasattr(connector, "is_distributed"):
        return bool(connector.is_distributed)
    return int(getattr(trainer, "world_size", 1)) > 1
