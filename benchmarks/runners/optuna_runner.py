"""Optuna's methods: its default TPE, TPE with the median and Hyperband pruners, GP,
CMA-ES and random.

Optuna 5's ``create_study`` uses a ``MedianPruner`` by default, so every setup here
without a pruner gets ``NopPruner`` explicitly (see ``run_study``). GP and CMA-ES sample
categorical parameters independently; their per-trial warning about it is turned off.
"""

from __future__ import annotations

import importlib.util

import optuna

from benchmarks.runners.base import Method
from benchmarks.runners.optuna_api import StudySetup, study_methods

OPTUNA_SETUPS: dict[str, StudySetup] = {
    "optuna tpe": StudySetup(lambda space, budget, seed: optuna.samplers.TPESampler(seed=seed)),
    "optuna tpe+median": StudySetup(
        lambda space, budget, seed: optuna.samplers.TPESampler(seed=seed),
        make_pruner=optuna.pruners.MedianPruner,
    ),
    "optuna tpe+hyperband": StudySetup(
        lambda space, budget, seed: optuna.samplers.TPESampler(seed=seed),
        make_pruner=optuna.pruners.HyperbandPruner,
    ),
    "optuna gp": StudySetup(
        lambda space, budget, seed: optuna.samplers.GPSampler(
            seed=seed, warn_independent_sampling=False
        )
    ),
    "optuna cma-es": StudySetup(
        lambda space, budget, seed: optuna.samplers.CmaEsSampler(
            seed=seed, warn_independent_sampling=False
        )
    ),
    "optuna random": StudySetup(
        lambda space, budget, seed: optuna.samplers.RandomSampler(seed=seed)
    ),
}


def optuna_methods() -> list[Method]:
    """The Optuna methods of ``OPTUNA_SETUPS``."""
    return study_methods(optuna, OPTUNA_SETUPS)


def optuna_unavailable() -> dict[str, str]:
    """Why an Optuna method cannot run here, by method name."""
    if importlib.util.find_spec("cmaes") is None:
        return {"optuna cma-es": "the 'cmaes' package that CmaEsSampler needs is not installed"}
    return {}
