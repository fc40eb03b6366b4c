"""Command line of the PBT benchmark: run every (problem, method, seed), then write the
results JSON, the markdown report and one PNG per problem.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.pbt_bench.analysis import summarize_problem
from benchmarks.pbt_bench.methods import Method, run
from benchmarks.pbt_bench.problems import N_FOLDS, PROBLEMS, load
from benchmarks.pbt_bench.report import build_report, draw_all
from benchmarks.side import RESULTS_DIR, code_version


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one mode runs. The first method is the reference PBT (PBTSearchCV defaults)."""

    name: str
    n_seeds: int
    methods: tuple[Method, ...]


FULL = Plan(
    "full",
    n_seeds=10,
    methods=(
        Method("fastune PBT", "fastune", population_size=10, generations=10),
        Method("fastune PBT pb2", "fastune", population_size=10, generations=10, explore="pb2"),
        Method("fastune PBT population 20", "fastune", population_size=20, generations=10),
        Method("Optuna TPE", "optuna", trials=40),
        Method("sklearn RandomizedSearchCV", "scikit-learn", trials=40),
    ),
)
QUICK = Plan(
    "quick",
    n_seeds=2,
    methods=(
        Method("fastune PBT", "fastune", population_size=4, generations=3),
        Method("fastune PBT pb2", "fastune", population_size=4, generations=3, explore="pb2"),
        Method("Optuna TPE", "optuna", trials=6),
        Method("sklearn RandomizedSearchCV", "scikit-learn", trials=6),
    ),
)
VERSIONED = ("fastune", "optuna", "scikit-learn", "numpy", "scipy", "matplotlib")


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _machine(workers: int) -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "workers": workers,
        "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _run_all(tasks: list[tuple[str, Method, int]], workers: int) -> list[dict[str, Any]]:
    """Run the tasks, ``workers`` at a time, printing one line per finished run; the
    records come back in the order of ``tasks``."""
    records: list[dict[str, Any]] = [{} for _ in tasks]
    finished = 0

    def keep(index: int, record: dict[str, Any]) -> None:
        nonlocal finished
        records[index] = record
        finished += 1
        print(
            f"[{finished}/{len(tasks)}] {record['problem']} / {record['method']} / seed "
            f"{record['seed']}: {record['seconds']:.1f} s",
            file=sys.stderr,
            flush=True,
        )

    if workers == 1:
        for index, task in enumerate(tasks):
            keep(index, run(*task))
        return records
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run, *task): index for index, task in enumerate(tasks)}
        for future in as_completed(futures):
            keep(futures[future], future.result())
    return records


def _problems_info() -> dict[str, Any]:
    return {
        name: {
            "description": problem.describe(),
            "estimator": type(problem.estimator).__name__,
            "dataset": problem.dataset,
            "budget": problem.budget,
            "unit": problem.unit,
            "candidate_compute": problem.budget * N_FOLDS,
            "space": [param.describe() for param in problem.space],
            "n_tuning_rows": len(load(problem.dataset).y),
        }
        for name, problem in PROBLEMS.items()
    }


def run_plan(plan: Plan, workers: int, command: str) -> dict[str, Any]:
    """Run a plan and return its results (the content of the JSON file)."""
    started = datetime.datetime.now().astimezone()
    start = time.perf_counter()
    seeds = list(range(plan.n_seeds))
    # Seed-major order, the methods of one seed side by side: machine load hits all alike.
    tasks = [
        (problem, method, seed) for seed in seeds for problem in PROBLEMS for method in plan.methods
    ]
    runs = _run_all(tasks, workers)
    results: dict[str, Any] = {
        "mode": plan.name,
        "command": command,
        "code": code_version(),
        "started_at": started.isoformat(timespec="seconds"),
        "duration_seconds": time.perf_counter() - start,
        "machine": _machine(workers),
        "versions": _versions(),
        "seeds": seeds,
        "methods": [dataclasses.asdict(method) for method in plan.methods],
        "problems": _problems_info(),
        "runs": runs,
    }
    return add_summary(results)


def add_summary(results: dict[str, Any]) -> dict[str, Any]:
    """Compute (or recompute) the per-problem summary of ``results`` from its runs."""
    methods = [Method(**method) for method in results["methods"]]
    results["summary"] = {
        name: summarize_problem(
            [r for r in results["runs"] if r["problem"] == name],
            results["methods"],
            {method.name: method.nominal_compute(PROBLEMS[name]) for method in methods},
        )
        for name in results["problems"]
    }
    return results


def write_outputs(
    results: dict[str, Any], output_dir: Path, prefix: str, *, write_json: bool = True
) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path = output_dir / f"{prefix}.json"
    if write_json:
        json_path.write_text(json.dumps(results, indent=1) + "\n")
    figures = draw_all(results, output_dir, prefix)
    report_path = output_dir / f"{prefix}.md"
    report_path.write_text(build_report(results, figures))
    return [report_path, json_path, *(output_dir / name for name in figures.values())]


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pbt_bench",
        description="PBTSearchCV against Optuna TPE and RandomizedSearchCV, compute in epochs.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 seeds, tiny budgets: a smoke test (~1 min)"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=RESULTS_DIR,
        help=f"where the results go (default {RESULTS_DIR})",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the report and figures from the results JSON already in --output-dir",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="runs at a time, one process each (default: up to 2)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    plan = QUICK if arguments.quick else FULL
    # The quick mode never overwrites the full results, even in the same folder.
    prefix = "pbt_quick" if arguments.quick else "pbt"
    if arguments.report_only:
        results = json.loads((arguments.output_dir / f"{prefix}.json").read_text())
        paths = write_outputs(add_summary(results), arguments.output_dir, prefix, write_json=False)
    else:
        given = sys.argv[1:] if argv is None else argv
        command = " ".join(["python -m benchmarks.pbt_bench", *given])
        results = run_plan(plan, max(1, arguments.workers), command)
        paths = write_outputs(results, arguments.output_dir, prefix)
    for path in paths:
        print(path)
    return 0
