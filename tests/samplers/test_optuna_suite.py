"""Optuna's published sampler suite (``optuna.testing.pytest_samplers``) on fastune's
samplers: bounds, steps, log scales, categorical and conditional parameters, NaN values,
relative proposals, several objectives, as Optuna checks its own samplers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.optuna_suites import optuna_suite

from fastune import samplers
from fastune.samplers import BaseSampler

suite = optuna_suite("pytest_samplers")

# Every sampler that proposes any parameter (BruteForceSampler needs a step on floats,
# as Optuna's, and is left out as Optuna leaves it out).
ANY_SPACE: dict[str, Callable[[], BaseSampler]] = {
    "random": lambda: samplers.RandomSampler(seed=0),
    "tpe": lambda: samplers.TPESampler(seed=0),
    "tpe-multivariate": lambda: samplers.TPESampler(seed=0, multivariate=True),
    "gp": lambda: samplers.GPSampler(seed=0),
    "cmaes": lambda: samplers.CmaEsSampler(seed=0),
    "qmc": lambda: samplers.QMCSampler(seed=0),
    "nsga2": lambda: samplers.NSGAIISampler(seed=0),
    "nsga3": lambda: samplers.NSGAIIISampler(seed=0),
    "auto": lambda: samplers.AutoSampler(seed=0),
}
# Samplers with a relative proposal, from the first trial on.
RELATIVE: dict[str, Callable[[], BaseSampler]] = {
    "tpe-multivariate": lambda: samplers.TPESampler(seed=0, multivariate=True, n_startup_trials=0),
    "gp": lambda: samplers.GPSampler(seed=0, n_startup_trials=0),
    "cmaes": lambda: samplers.CmaEsSampler(seed=0),
    "qmc": lambda: samplers.QMCSampler(seed=0),
}
SINGLE_OBJECTIVE_ONLY = ("cmaes",)


class TestBasic(suite.BasicSamplerTestCase):  # type: ignore[name-defined]
    @pytest.fixture(params=sorted(ANY_SPACE))
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return ANY_SPACE[request.param]


class TestRelative(suite.RelativeSamplerTestCase):  # type: ignore[name-defined]
    @pytest.fixture(params=sorted(RELATIVE))
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return RELATIVE[request.param]


class TestMultiObjective(suite.MultiObjectiveSamplerTestCase):  # type: ignore[name-defined]
    @pytest.fixture(params=sorted(set(ANY_SPACE) - set(SINGLE_OBJECTIVE_ONLY)))
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return ANY_SPACE[request.param]


class TestSingleObjectiveOnly(suite.SingleOnlySamplerTestCase):  # type: ignore[name-defined]
    @pytest.fixture(params=SINGLE_OBJECTIVE_ONLY)
    def sampler(self, request: pytest.FixtureRequest) -> Callable[[], BaseSampler]:
        return ANY_SPACE[request.param]
