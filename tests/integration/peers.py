"""The two libraries a side-by-side test runs its program on: fastune with
``fastune.integration``, and Optuna with optuna-integration (``optuna_integration``,
where Optuna 4.9 moved ``optuna.integration``)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

LIBRARIES = ("fastune", "optuna")


def library_and_integration(library: str) -> tuple[ModuleType, ModuleType]:
    """The library, its logging quiet, and its integration package; the test is skipped
    when optuna-integration is not installed."""
    if library == "optuna":
        integration = pytest.importorskip("optuna_integration")
    else:
        integration = importlib.import_module("fastune.integration")
    module = importlib.import_module(library)
    module.logging.set_verbosity(module.logging.WARNING)
    return module, integration
