"""Optuna's module name for the tf.keras callback (``optuna.integration.tfkeras``): the
same class as :mod:`fastune.integration.keras`'s."""

from fastune.integration.keras import TFKerasPruningCallback

__all__ = ["TFKerasPruningCallback"]
