"""fastune's methods: one line per sampler/pruner setup in ``FASTUNE_SETUPS``."""

from __future__ import annotations

import fastune
from benchmarks.problems import Problem
from benchmarks.runners.base import Method
from benchmarks.runners.optuna_api import StudySetup, study_methods
from benchmarks.space import SearchSpace, grid_search_space, is_gridable


def _grid_sampler(space: SearchSpace, budget: int, seed: int) -> fastune.samplers.GridSampler:
    return fastune.samplers.GridSampler(grid_search_space(space, budget), seed=seed)


def _tpe(space: SearchSpace, budget: int, seed: int) -> fastune.samplers.TPESampler:
    return fastune.samplers.TPESampler(seed=seed)


def _gridable(problem: Problem, budget: int) -> bool:
    return is_gridable(problem.space, budget)


FASTUNE_SETUPS: dict[str, StudySetup] = {
    "fastune random": StudySetup(lambda space, budget, seed: fastune.samplers.RandomSampler(seed)),
    "fastune grid": StudySetup(_grid_sampler, applies_to=_gridable),
    "fastune tpe": StudySetup(lambda space, budget, seed: fastune.samplers.TPESampler(seed=seed)),
    "fastune qmc": StudySetup(
        lambda space, budget, seed: fastune.samplers.QMCSampler(seed=seed, scramble=True)
    ),
    "fastune cma-es": StudySetup(
        lambda space, budget, seed: fastune.samplers.CmaEsSampler(seed=seed)
    ),
    "fastune gp": StudySetup(lambda space, budget, seed: fastune.samplers.GPSampler(seed=seed)),
    "fastune auto": StudySetup(lambda space, budget, seed: fastune.samplers.AutoSampler(seed=seed)),
    # Pruners, each with fastune's TPESampler.
    "fastune tpe+median": StudySetup(_tpe, make_pruner=fastune.pruners.MedianPruner),
    "fastune tpe+asha": StudySetup(_tpe, make_pruner=fastune.pruners.SuccessiveHalvingPruner),
    "fastune tpe+hyperband": StudySetup(_tpe, make_pruner=fastune.pruners.HyperbandPruner),
    "fastune tpe+adaptive": StudySetup(_tpe, make_pruner=fastune.pruners.AdaptivePruner),
}


def fastune_methods() -> list[Method]:
    """The fastune methods of ``FASTUNE_SETUPS``."""
    return study_methods(fastune, FASTUNE_SETUPS)
