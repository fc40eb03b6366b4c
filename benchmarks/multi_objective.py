"""Several objectives and constraints, side by side with Optuna: NSGA-II and TPE on ZDT1
(two objectives), NSGA-III, NSGA-II and TPE on DTLZ2 (three objectives), scored by the
hypervolume of the final Pareto front; GP and TPE on both at the small budget of Bayesian
optimization (``-small``); GP and TPE on a constrained quadratic, scored by the best
feasible value. Every method gets the same seeds and budget.

``python -m benchmarks.multi_objective`` writes ``multi_objective.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header

# name -> (directions, objective(trial, library), hypervolume reference or None)
Problem = tuple[list[str], Callable[[Any], Any], list[float] | None]


def zdt1(trial: Any) -> tuple[float, float]:
    """ZDT1 on 5 variables: the front is x0 in [0, 1], the others 0."""
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(5)]
    g = 1.0 + 9.0 * sum(x[1:]) / 4.0
    return x[0], g * (1.0 - math.sqrt(x[0] / g))


def dtlz2(trial: Any) -> tuple[float, float, float]:
    """DTLZ2 with 3 objectives on 6 variables: the front is the unit sphere's octant."""
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(6)]
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return (
        (1 + g) * math.cos(a) * math.cos(b),
        (1 + g) * math.cos(a) * math.sin(b),
        (1 + g) * math.sin(a),
    )


def constrained_quadratic(trial: Any) -> float:
    """(x - 1)^2 + (y - 1)^2 under x + y <= 1 (a user attribute read by constraints_func):
    the best feasible value is 0.5, at (0.5, 0.5)."""
    x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
    trial.set_user_attr("c", x + y - 1.0)
    return (x - 1) ** 2 + (y - 1) ** 2


PROBLEMS: dict[str, Problem] = {
    "zdt1": (["minimize", "minimize"], zdt1, [1.1, 11.0]),
    "dtlz2": (["minimize"] * 3, dtlz2, [1.1, 1.1, 1.1]),
    # The same problems at the small budget of Bayesian optimization (GPSampler).
    "zdt1-small": (["minimize", "minimize"], zdt1, [1.1, 11.0]),
    "dtlz2-small": (["minimize"] * 3, dtlz2, [1.1, 1.1, 1.1]),
    "constrained-quadratic": (["minimize"], constrained_quadratic, None),
}


def _constraint(trial: Any) -> list[float]:
    return [trial.user_attrs["c"]]


def _default(library: Any, seed: int, population: int) -> Any:
    """The library's default sampler: fastune's AutoSampler, Optuna's TPESampler."""
    if library.__name__ == "fastune":
        return library.samplers.AutoSampler(seed=seed)
    return library.samplers.TPESampler(seed=seed)


# (problem, method) -> sampler factory(library, seed, population)
SAMPLERS: dict[tuple[str, str], Callable[[Any, int, int], Any]] = {
    ("zdt1", "default"): _default,
    ("dtlz2", "default"): _default,
    ("zdt1-small", "default"): _default,
    ("dtlz2-small", "default"): _default,
    ("zdt1", "nsga2"): lambda lib, s, p: lib.samplers.NSGAIISampler(population_size=p, seed=s),
    ("zdt1", "tpe"): lambda lib, s, p: lib.samplers.TPESampler(seed=s),
    ("zdt1", "random"): lambda lib, s, p: lib.samplers.RandomSampler(seed=s),
    ("dtlz2", "nsga3"): lambda lib, s, p: lib.samplers.NSGAIIISampler(population_size=p, seed=s),
    ("dtlz2", "nsga2"): lambda lib, s, p: lib.samplers.NSGAIISampler(population_size=p, seed=s),
    ("dtlz2", "tpe"): lambda lib, s, p: lib.samplers.TPESampler(seed=s),
    ("dtlz2", "random"): lambda lib, s, p: lib.samplers.RandomSampler(seed=s),
    ("zdt1-small", "gp"): lambda lib, s, p: lib.samplers.GPSampler(seed=s),
    ("zdt1-small", "tpe"): lambda lib, s, p: lib.samplers.TPESampler(seed=s),
    ("dtlz2-small", "gp"): lambda lib, s, p: lib.samplers.GPSampler(seed=s),
    ("dtlz2-small", "tpe"): lambda lib, s, p: lib.samplers.TPESampler(seed=s),
    ("constrained-quadratic", "gp"): lambda lib, s, p: lib.samplers.GPSampler(
        seed=s, n_startup_trials=5, constraints_func=_constraint
    ),
    ("constrained-quadratic", "tpe"): lambda lib, s, p: lib.samplers.TPESampler(
        seed=s, constraints_func=_constraint
    ),
}


def _score(problem: str, study: Any) -> float:
    """Hypervolume of the final front (several objectives), or best feasible value."""
    from fastune._pareto import hypervolume

    reference = PROBLEMS[problem][2]
    if reference is not None:
        front = np.array([t.values for t in study.best_trials], dtype=float)
        return hypervolume(front, np.array(reference)) if len(front) else 0.0
    feasible = [t.value for t in study.trials if t.value is not None and t.user_attrs["c"] <= 0]
    return min(feasible, default=math.inf)


def measure(budgets: dict[str, int], population: int, seeds: Sequence[int]) -> list[dict[str, Any]]:
    """One study per (problem, method, library, seed)."""
    import optuna

    import fastune

    records = []
    for (problem, method), make in SAMPLERS.items():
        directions, objective, _ = PROBLEMS[problem]
        for library in (fastune, optuna):
            for seed in seeds:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # Optuna's experimental/deprecation notes
                    study = library.create_study(
                        directions=directions, sampler=make(library, seed, population)
                    )
                    start = time.perf_counter()
                    study.optimize(objective, n_trials=budgets[problem])
                seconds = time.perf_counter() - start
                records.append(
                    {
                        "problem": problem,
                        "method": f"{library.__name__} {method}",
                        "seed": seed,
                        "n_trials": budgets[problem],
                        "score": _score(problem, study),
                        "seconds": round(seconds, 3),
                    }
                )
                print(f"{problem} {library.__name__} {method} {seed}", file=sys.stderr)
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    lines = [
        *side_report_header("Several objectives and constraints", results),
        f"* {results['n_seeds']} seeds; populations of {results['population']} for NSGA-II "
        "and NSGA-III. Several objectives: hypervolume of the final Pareto front (higher is "
        "better; reference ZDT1 (1.1, 11), DTLZ2 (1.1, 1.1, 1.1)); `-small`: the same at the "
        "small budget of GP sampling; `default`: each library's default sampler (fastune's "
        "`AutoSampler`, Optuna's `TPESampler`). Constrained quadratic "
        "(best 0.5): the best feasible value (lower is better); GP and TPE get the "
        "constraint through `constraints_func`.",
        "",
    ]
    rows = []
    for key in dict.fromkeys((r["problem"], r["method"]) for r in records):
        mine = [r for r in records if (r["problem"], r["method"]) == key]
        scores = [r["score"] for r in mine]
        rows.append(
            [
                key[0],
                key[1],
                str(mine[0]["n_trials"]),
                f"{statistics.median(scores):.4g} ({min(scores):.4g} to {max(scores):.4g})",
                f"{statistics.median(r['seconds'] for r in mine):.2f}",
            ]
        )
    lines += table(
        ["problem", "method", "trials", "score: median (min to max)", "seconds (median)"], rows
    )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--moo-trials", type=int, default=300, help="ZDT1 and DTLZ2")
    parser.add_argument("--small-trials", type=int, default=50, help="ZDT1 and DTLZ2 for GPSampler")
    parser.add_argument("--constrained-trials", type=int, default=30)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    budgets = {
        "zdt1": options.moo_trials,
        "dtlz2": options.moo_trials,
        "zdt1-small": options.small_trials,
        "dtlz2-small": options.small_trials,
        "constrained-quadratic": options.constrained_trials,
    }
    records = measure(budgets, options.population, range(options.seeds))
    fields = {"n_seeds": options.seeds, "population": options.population, "records": records}
    return "multi_objective", fields, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("multi_objective", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
