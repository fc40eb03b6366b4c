"""One study runner for every library with Optuna's API (fastune and Optuna itself).

A ``StudySetup`` says how to build the sampler and pruner; ``run_study`` does the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks.problems import EvaluationProblem, LearningCurveProblem, Problem
from benchmarks.runners.base import Method, RunResult
from benchmarks.space import SearchSpace, suggest_params

#: Builds a sampler from the problem's space, the trial budget and the seed.
SamplerFactory = Callable[[SearchSpace, int, int], Any]


@dataclass(frozen=True)
class StudySetup:
    """Sampler and pruner of a method; the pruner defaults to the library's ``NopPruner``."""

    make_sampler: SamplerFactory
    make_pruner: Callable[[], Any] | None = None
    applies_to: Callable[[Problem, int], bool] = lambda problem, budget: True


def run_study(
    library: ModuleType, setup: StudySetup, problem: Problem, budget: int, seed: int
) -> RunResult:
    """Optimize ``problem`` for ``budget`` trials with a study of ``library``."""
    pruner = setup.make_pruner() if setup.make_pruner else library.pruners.NopPruner()
    study = library.create_study(
        # A fixed name: Hyperband assigns brackets by a hash of the study name, and a
        # random one made its runs differ from one run of the suite to the next.
        study_name=f"{problem.name}-seed-{seed}",
        direction="minimize",
        sampler=setup.make_sampler(problem.space, budget, seed),
        pruner=pruner,
    )
    result = RunResult()
    if isinstance(problem, LearningCurveProblem):
        objective = _curve_objective(library, problem, result)
    elif isinstance(problem, EvaluationProblem):
        objective = _evaluation_objective(problem, seed, result)
    else:
        raise TypeError(f"Unknown kind of problem: {problem!r}")
    start = time.perf_counter()
    study.optimize(objective, n_trials=budget)
    result.seconds = time.perf_counter() - start
    return result


def _evaluation_objective(
    problem: EvaluationProblem, seed: int, result: RunResult
) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        value = problem.evaluate(suggest_params(trial, problem.space), seed)
        result.cost += problem.cost_per_trial
        result.record(value)
        return value

    return objective


def _curve_objective(
    library: ModuleType, problem: LearningCurveProblem, result: RunResult
) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        value = float("nan")
        for epoch, value in enumerate(problem.train(suggest_params(trial, problem.space)), 1):
            result.cost += 1
            trial.report(value, epoch)
            if trial.should_prune():
                result.record(None)
                raise library.TrialPruned()
        result.record(value)
        return value

    return objective


def study_methods(library: ModuleType, setups: dict[str, StudySetup]) -> list[Method]:
    """A ``Method`` per named setup of ``library``."""
    return [
        Method(
            name=name,
            library=library.__name__,
            run=lambda problem, budget, seed, setup=setup: run_study(
                library, setup, problem, budget, seed
            ),
            applies_to=setup.applies_to,
        )
        for name, setup in setups.items()
    ]
