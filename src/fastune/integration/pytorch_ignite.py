"""Optuna's module name for the PyTorch Ignite handler (``optuna.integration.pytorch_ignite``): the
same class as :mod:`fastune.integration.ignite`'s."""

from fastune.integration.ignite import PyTorchIgnitePruningHandler

__all__ = ["PyTorchIgnitePruningHandler"]
