"""Pruner overhead: milliseconds per ``should_prune`` check in a study that already holds
``n`` finished trials of ``--steps`` reports each, fastune's pruners beside Optuna's.

For each ``n`` of ``--trials`` and each pruner: a study in memory gets ``n`` complete
trials (saturating curves, each a little worse than the one before), then
``--new-trials`` trials report a curve and check after every step, stopping when pruned.
The time of the checks alone (report and check, no objective), divided by their number.

``python -m benchmarks.pruner_overhead`` writes ``pruner_overhead.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header

# name -> (library, pruner class name): both libraries' pruners of the same names.
PRUNERS = {
    "fastune median": ("fastune", "MedianPruner"),
    "fastune successive halving": ("fastune", "SuccessiveHalvingPruner"),
    "fastune adaptive": ("fastune", "AdaptivePruner"),
    "optuna median": ("optuna", "MedianPruner"),
    "optuna successive halving": ("optuna", "SuccessiveHalvingPruner"),
}


def _curve(final: float) -> Callable[[int], float]:
    return lambda step: final + 1.0 / (1.0 + 0.3 * step)


def ms_per_check(library: ModuleType, pruner: Any, n: int, steps: int, new_trials: int) -> float:
    """The mean time of one report-and-check of ``new_trials`` trials in a study of ``n``."""
    study = library.create_study(pruner=library.pruners.NopPruner())
    for index in range(n):
        trial, curve = study.ask(), _curve(0.01 * index)
        for step in range(steps):
            trial.report(curve(step), step)
        study.tell(trial, curve(steps - 1))
    study.pruner = pruner
    checks, seconds = 0, 0.0
    for index in range(new_trials):
        trial, curve = study.ask(), _curve(0.02 * index - 0.1)
        state = None
        for step in range(steps):
            start = time.perf_counter()
            trial.report(curve(step), step)
            pruned = trial.should_prune()
            seconds += time.perf_counter() - start
            checks += 1
            if pruned:
                state = library.trial.TrialState.PRUNED
                break
        if state is None:
            study.tell(trial, curve(steps - 1))
        else:
            study.tell(trial, state=state)
    return 1e3 * seconds / checks


def measure(sizes: Sequence[int], steps: int, new_trials: int) -> list[dict[str, Any]]:
    import importlib

    records = []
    for n in sizes:
        for name, (library_name, class_name) in PRUNERS.items():
            library = importlib.import_module(library_name)
            pruner = getattr(library.pruners, class_name)()
            ms = ms_per_check(library, pruner, n, steps, new_trials)
            records.append({"pruner": name, "n_trials": n, "steps": steps, "ms_per_check": ms})
            print(f"{name} at {n} trials: {ms:.3f} ms per check", file=sys.stderr)
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    sizes = sorted({r["n_trials"] for r in records})
    lines = [
        *side_report_header("Pruner overhead", results),
        f"* ms per report-and-check of a new trial in a study of n finished trials of "
        f"{records[0]['steps']} reports each (in memory; no objective).",
        "",
    ]
    by = {(r["pruner"], r["n_trials"]): r["ms_per_check"] for r in records}
    rows = [[name, *(f"{by[(name, n)]:.3g}" for n in sizes)] for name in PRUNERS]
    lines += table(["pruner", *(f"ms at n = {n}" for n in sizes)], rows)
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--new-trials", type=int, default=10)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    records = measure(options.trials, options.steps, options.new_trials)
    return "pruner_overhead", {"records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("pruner_overhead", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
