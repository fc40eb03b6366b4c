"""Optuna's published test suites (``optuna.testing.pytest_samplers``, ``pytest_storages``,
``pytest_importance``: the base classes Optuna offers authors of samplers, storages and
importance evaluators), loaded with the name ``optuna`` bound to fastune, so that their
tests run on fastune's classes as on code written for Optuna.

The suites are read from the installed Optuna package, not copied: each is executed as a
fresh module while ``sys.modules`` maps the ``optuna`` names it imports to fastune's
modules, then the map is restored (the real Optuna stays importable for other tests).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

import fastune
from fastune.storages._frozen_study import FrozenStudy
from fastune.storages._sql import DEFAULT_STUDY_NAME_PREFIX
from fastune.study import StudyDirection


def _module(name: str, **names: Any) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(names)
    return module


def _pruned_objective(trial: Any) -> float:
    raise fastune.TrialPruned()


# What the suites import from Optuna, by module name. Private modules appear where a suite
# reads a private name (the storage suite builds FrozenStudy records itself).
_PUBLIC = ("distributions", "exceptions", "importance", "samplers", "storages", "study", "trial")
_FASTUNE_AS_OPTUNA: dict[str, ModuleType] = {
    "optuna": fastune,
    **{f"optuna.{name}": importlib.import_module(f"fastune.{name}") for name in _PUBLIC},
    "optuna.storages._base": _module(
        "optuna.storages._base", DEFAULT_STUDY_NAME_PREFIX=DEFAULT_STUDY_NAME_PREFIX
    ),
    "optuna.study._frozen": _module("optuna.study._frozen", FrozenStudy=FrozenStudy),
    "optuna.study._study_direction": _module(
        "optuna.study._study_direction", StudyDirection=StudyDirection
    ),
    "optuna.testing.objectives": _module(
        "optuna.testing.objectives", pruned_objective=_pruned_objective
    ),
}


def optuna_suite(name: str) -> ModuleType:
    """Optuna's ``optuna.testing.<name>`` with ``optuna`` meaning fastune; the test
    module is skipped where the installed Optuna does not publish that suite."""
    pytest.importorskip("optuna")
    spec = importlib.util.find_spec(f"optuna.testing.{name}")
    if spec is None or spec.loader is None:
        pytest.skip(f"the installed Optuna has no optuna.testing.{name}", allow_module_level=True)
    saved = {key: sys.modules.get(key) for key in _FASTUNE_AS_OPTUNA}
    sys.modules.update(_FASTUNE_AS_OPTUNA)
    try:
        suite = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(suite)
    finally:
        for key, module in saved.items():
            if module is None:
                del sys.modules[key]
            else:
                sys.modules[key] = module
    return suite


def skipped(reason: str) -> Any:
    """A suite's test replaced by a skip with ``reason``: where fastune differs on purpose
    (the README's list of differences says how), or where the test's premise rests on
    what Optuna's random generator draws."""

    def test(*args: Any, **kwargs: Any) -> None:
        pytest.skip(reason)

    return test
