"""Timing measurements, run in the main process alone (no quality study runs meanwhile).

Overhead: ms per trial of a whole study on a trivial objective, so sampler + storage time.
Throughput: trials per second with n_jobs = 1, 2 on CPU-bound objectives. The libraries
are interleaved within each repeat, so machine noise hits them alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

from benchmarks.cpu_objectives import CPU_BOUND_OBJECTIVES
from benchmarks.runners.fastune_runner import FASTUNE_SETUPS
from benchmarks.runners.optuna_runner import OPTUNA_SETUPS
from benchmarks.space import FloatParam, IntParam, SearchSpace, suggest_params
from benchmarks.suites import MarginalOverheadPlan, OverheadPlan, ThroughputPlan

#: The trivial objective's space; its grid (see ``grid_search_space``) has >= 10,000 points.
TRIVIAL_SPACE: SearchSpace = (
    FloatParam("x", -1.0, 1.0),
    FloatParam("y", -1.0, 1.0),
    IntParam("n", 0, 20),
)
# Grid budget of the overhead studies: 22 x 22 x 21 = 10,164 points.
TRIVIAL_GRID_BUDGET = 10_164


def _library_and_setup(method: str) -> tuple[Any, Any]:
    import optuna

    import fastune

    if method in FASTUNE_SETUPS:
        return fastune, FASTUNE_SETUPS[method]
    return optuna, OPTUNA_SETUPS[method]


def _new_study(method: str, budget: int, seed: int) -> Any:
    library, setup = _library_and_setup(method)
    return library.create_study(
        sampler=setup.make_sampler(TRIVIAL_SPACE, budget, seed),
        pruner=library.pruners.NopPruner(),
    )


def _trivial_objective(trial: Any) -> float:
    params = suggest_params(trial, TRIVIAL_SPACE)
    return params["x"] ** 2 + params["y"] ** 2 + params["n"]


def measure_overhead(plan: OverheadPlan) -> list[dict[str, Any]]:
    """Milliseconds per trial of each method, per study size and repeat."""
    runs = [
        (n_trials, repeat, method)
        for n_trials, repeats in plan.repeats_by_n_trials.items()
        for repeat in range(repeats)
        for method in plan.methods
        if n_trials <= plan.max_n_trials.get(method, n_trials)
    ]
    records = []
    for n_trials, repeat, method in tqdm(runs, desc="overhead", unit="study"):
        study = _new_study(method, TRIVIAL_GRID_BUDGET, seed=repeat)
        start = time.perf_counter()
        study.optimize(_trivial_objective, n_trials=n_trials)
        elapsed = time.perf_counter() - start
        # An exhausted grid stops early: divide by the trials that ran.
        n_run = len(study.get_trials(deepcopy=False))
        records.append(
            {
                "method": method,
                "n_trials": n_trials,
                "repeat": repeat,
                "ms_per_trial": round(elapsed / n_run * 1e3, 4),
            }
        )
    return records


def _floats_objective(n_params: int) -> Callable[[Any], float]:
    def objective(trial: Any) -> float:
        return sum(trial.suggest_float(f"x{i}", -5.0, 5.0) ** 2 for i in range(n_params))

    return objective


def measure_marginal_overhead(plan: MarginalOverheadPlan) -> list[dict[str, Any]]:
    """Milliseconds per trial of each method at each checkpoint n: one long study per
    method, advanced untimed to n - window trials, then timed over the window. The
    methods take turns at each checkpoint, so machine noise hits them alike."""
    space: SearchSpace = tuple(FloatParam(f"x{i}", -5.0, 5.0) for i in range(plan.n_params))
    objective = _floats_objective(plan.n_params)
    studies = {}
    for method in plan.methods:
        library, setup = _library_and_setup(method)
        studies[method] = library.create_study(
            sampler=setup.make_sampler(space, max(plan.checkpoints), 0),
            pruner=library.pruners.NopPruner(),
        )
    records = []
    for checkpoint in tqdm(plan.checkpoints, desc="marginal overhead", unit="checkpoint"):
        for method, study in studies.items():
            if checkpoint > plan.max_n_trials.get(method, checkpoint):
                continue
            done = len(study.get_trials(deepcopy=False))
            study.optimize(objective, n_trials=max(checkpoint - plan.window - done, 0))
            start = time.perf_counter()
            study.optimize(objective, n_trials=plan.window)
            elapsed = time.perf_counter() - start
            records.append(
                {
                    "method": method,
                    "n_trials": checkpoint,
                    "n_params": plan.n_params,
                    "window": plan.window,
                    "ms_per_trial": round(elapsed / plan.window * 1e3, 4),
                }
            )
    return records


def measure_throughput(plan: ThroughputPlan) -> list[dict[str, Any]]:
    """Trials per second of each method and objective with each ``n_jobs``."""
    runs = [
        (repeat, objective_name, method, n_jobs)
        for repeat in range(plan.repeats)
        for objective_name in CPU_BOUND_OBJECTIVES
        for method in plan.methods
        for n_jobs in plan.n_jobs
    ]
    records = []
    for repeat, objective_name, method, n_jobs in tqdm(runs, desc="throughput", unit="study"):
        # "<method> threads": fastune's workers as threads, not processes (its default).
        base = method.removesuffix(" threads")
        study = _new_study(base, plan.n_trials, seed=repeat)
        options = {"backend": "threads"} if method != base else {}
        start = time.perf_counter()
        study.optimize(
            CPU_BOUND_OBJECTIVES[objective_name],
            n_trials=plan.n_trials,
            n_jobs=n_jobs,
            **options,
        )
        elapsed = time.perf_counter() - start
        records.append(
            {
                "method": method,
                "objective": objective_name,
                "n_jobs": n_jobs,
                "repeat": repeat,
                "trials_per_second": round(plan.n_trials / elapsed, 3),
            }
        )
    return records
