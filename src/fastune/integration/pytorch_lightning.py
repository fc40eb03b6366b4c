"""Optuna's module name for the PyTorch Lightning callback
(``optuna.integration.pytorch_lightning``): the same class as
:mod:`fastune.integration.lightning`'s."""

from fastune.integration.lightning import PyTorchLightningPruningCallback

__all__ = ["PyTorchLightningPruningCallback"]
