"""Quality runs: every (problem, method, seed) study of a suite, one per worker process,
then summarized per (problem, method) into best-so-far curves and checkpoint values.
"""

from __future__ import annotations

import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from benchmarks.problems import PROBLEMS
from benchmarks.runners import METHODS, RunResult
from benchmarks.stats import best_so_far, spread
from benchmarks.suites import Suite

# Results keep this many significant digits: enough for every table and plot.
SIGNIFICANT_DIGITS = 6
# Studies of these methods take longest: started first so the workers finish together.
SLOW_METHODS = ("optuna gp", "sklearn halving search", "sklearn random search")


@dataclass(frozen=True)
class Task:
    """One study to run."""

    problem: str
    method: str
    seed: int
    budget: int


def quiet_libraries() -> None:
    """Silence per-trial log lines and warnings of the searched libraries."""
    import optuna

    import fastune

    warnings.simplefilter("ignore")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fastune.logging.set_verbosity(fastune.logging.WARNING)


def plan_tasks(suite: Suite, unavailable: set[str]) -> list[Task]:
    """Every study of ``suite`` whose method is available and applies to its problem.

    A (problem, method, seed) that two plans list runs once, as the first plan says.
    """
    tasks: dict[tuple[str, str, int], Task] = {}
    for plan in suite.quality:
        for problem in plan.problems:
            for method in plan.methods:
                if method in unavailable or not METHODS[method].applies_to(
                    PROBLEMS[problem], plan.budget
                ):
                    continue
                for seed in range(plan.n_seeds):
                    task = Task(problem, method, seed, plan.budget)
                    tasks.setdefault((problem, method, seed), task)
    return sorted(tasks.values(), key=lambda task: task.method not in SLOW_METHODS)


def run_task(task: Task) -> tuple[Task, RunResult]:
    """Run one study (in a worker process)."""
    result = METHODS[task.method].run(PROBLEMS[task.problem], task.budget, task.seed)
    return task, result


def run_tasks(tasks: list[Task], n_workers: int) -> list[tuple[Task, RunResult]]:
    """Run ``tasks`` on ``n_workers`` processes, with a progress bar."""
    context = multiprocessing.get_context("spawn")
    outcomes = []
    with (
        ProcessPoolExecutor(n_workers, mp_context=context, initializer=quiet_libraries) as pool,
        tqdm(total=len(tasks), desc="quality studies", unit="study") as bar,
    ):
        futures = [pool.submit(run_task, task) for task in tasks]
        for future in as_completed(futures):
            outcomes.append(future.result())
            bar.update(1)
    return outcomes


def _rounded(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.{SIGNIFICANT_DIGITS}g}")


def summarize(outcomes: list[tuple[Task, RunResult]], suite: Suite) -> list[dict[str, Any]]:
    """One record per (problem, method): per-seed values at checkpoints, median curves, cost.

    Each seed counts once: of two outcomes of one (problem, method, seed), the first is
    kept. Records come in the suite's order of problems, then of methods.
    """
    by_study: dict[tuple[str, str], dict[int, tuple[Task, RunResult]]] = {}
    for task, result in outcomes:
        runs_by_seed = by_study.setdefault((task.problem, task.method), {})
        runs_by_seed.setdefault(task.seed, (task, result))
    problems, methods = suite.problems, suite.methods
    records = []
    for (problem_name, method_name), runs_by_seed in sorted(
        by_study.items(), key=lambda item: (problems.index(item[0][0]), methods.index(item[0][1]))
    ):
        runs = [runs_by_seed[seed] for seed in sorted(runs_by_seed)]
        budget = runs[0][0].budget
        curves = [best_so_far(result.values, budget) for _, result in runs]
        spreads = [spread([curve[k] for curve in curves]) for k in range(budget)]
        records.append(
            {
                "problem": problem_name,
                "group": PROBLEMS[problem_name].group,
                "method": method_name,
                "library": METHODS[method_name].library,
                "budget": budget,
                "seeds": [task.seed for task, _ in runs],
                "best_at": {
                    str(k): [_rounded(curve[k - 1]) for curve in curves]
                    for k in (*suite.checkpoints, budget)
                    if k <= budget
                },
                "median_curve": [_rounded(point.median) for point in spreads],
                "lower_quartile_curve": [_rounded(point.lower_quartile) for point in spreads],
                "upper_quartile_curve": [_rounded(point.upper_quartile) for point in spreads],
                "cost": [result.cost for _, result in runs],
                "seconds": [round(result.seconds, 3) for _, result in runs],
            }
        )
    return records
