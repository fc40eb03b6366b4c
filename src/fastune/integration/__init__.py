"""Integrations with other libraries; each module imports its library on first use and
names the extra to install when it is missing.

The names of Optuna's ``optuna.integration`` that fastune has (the pruning callbacks,
``OptunaSearchCV``, ``BoTorchSampler``, ``DaskStorage``, the trackers' callbacks, ...) are
reachable here, and its module names too, so that code written for
``optuna.integration`` runs after ``import fastune as optuna``
(``optuna.integration.OptunaSearchCV``, or ``optuna.integration.sklearn.OptunaSearchCV``).
They are loaded on first use: importing this package imports no optional dependency.

Example:
    >>> import fastune as optuna
    >>> optuna.integration.KerasPruningCallback  # doctest: +SKIP
    <class 'fastune.integration.keras.KerasPruningCallback'>
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastune.integration.botorch import BoTorchSampler
    from fastune.integration.catboost import CatBoostPruningCallback
    from fastune.integration.dask import DaskStorage
    from fastune.integration.ignite import PyTorchIgnitePruningHandler
    from fastune.integration.keras import KerasPruningCallback, TFKerasPruningCallback
    from fastune.integration.lightgbm import (
        LightGBMPruningCallback,
        LightGBMTuner,
        LightGBMTunerCV,
    )
    from fastune.integration.lightning import PyTorchLightningPruningCallback
    from fastune.integration.mlflow import MLflowCallback
    from fastune.integration.pytorch_distributed import TorchDistributedTrial
    from fastune.integration.shap import ShapleyImportanceEvaluator
    from fastune.integration.sklearn import OptunaSearchCV
    from fastune.integration.skorch import SkorchPruningCallback
    from fastune.integration.tensorboard import TensorBoardCallback
    from fastune.integration.wandb import WeightsAndBiasesCallback
    from fastune.integration.xgboost import XGBoostPruningCallback

__all__ = [
    "BoTorchSampler",
    "CatBoostPruningCallback",
    "DaskStorage",
    "KerasPruningCallback",
    "LightGBMPruningCallback",
    "LightGBMTuner",
    "LightGBMTunerCV",
    "MLflowCallback",
    "OptunaSearchCV",
    "PyTorchIgnitePruningHandler",
    "PyTorchLightningPruningCallback",
    "ShapleyImportanceEvaluator",
    "SkorchPruningCallback",
    "TFKerasPruningCallback",
    "TensorBoardCallback",
    "TorchDistributedTrial",
    "WeightsAndBiasesCallback",
    "XGBoostPruningCallback",
]

# Name -> the module of this package that defines it.
_LAZY = {
    "ShapleyImportanceEvaluator": "shap",
    "BoTorchSampler": "botorch",
    "WeightsAndBiasesCallback": "wandb",
    "TorchDistributedTrial": "pytorch_distributed",
    "TensorBoardCallback": "tensorboard",
    "PyTorchIgnitePruningHandler": "ignite",
    "CatBoostPruningCallback": "catboost",
    "DaskStorage": "dask",
    "KerasPruningCallback": "keras",
    "TFKerasPruningCallback": "keras",
    "PyTorchLightningPruningCallback": "lightning",
    "OptunaSearchCV": "sklearn",
    "LightGBMPruningCallback": "lightgbm",
    "LightGBMTuner": "lightgbm",
    "LightGBMTunerCV": "lightgbm",
    "MLflowCallback": "mlflow",
    "XGBoostPruningCallback": "xgboost",
    "SkorchPruningCallback": "skorch",
}
# Optuna's names of the modules whose fastune names differ: the same classes.
_OPTUNA_MODULES = ("pytorch_ignite", "pytorch_lightning", "tfkeras")


def __getattr__(name: str) -> Any:
    # The module imports its library, or raises MissingDependencyError (an ImportError)
    # naming the extra to install. The modules are reachable by name too, as Optuna's
    # (optuna.integration.sklearn).
    if name in _LAZY.values() or name in _OPTUNA_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # The public names only, not this module's imports.
    return sorted({*__all__, *_LAZY, *_LAZY.values(), *_OPTUNA_MODULES})
