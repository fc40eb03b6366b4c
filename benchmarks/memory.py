"""Memory of a long study: the bytes Python holds (``tracemalloc``) after n trials of a
study on 10 floats, for fastune's TPE and random samplers and Optuna's TPE (in memory).

``python -m benchmarks.memory`` writes ``memory.json`` and ``memory.md`` to
``benchmarks/results/`` (or ``--output-dir``). tracemalloc slows Python down, so this is
measured apart from the timings.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from collections.abc import Sequence
from typing import Any

from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header
from benchmarks.space import FloatParam, SearchSpace
from benchmarks.timing import _floats_objective, _library_and_setup

METHOD_NAMES = ("fastune tpe", "fastune random", "optuna tpe")


def measure(
    checkpoints: Sequence[int], n_params: int, caps: dict[str, int]
) -> list[dict[str, Any]]:
    """Bytes held after each checkpoint, one study per method, one method at a time."""
    space: SearchSpace = tuple(FloatParam(f"x{i}", -5.0, 5.0) for i in range(n_params))
    objective = _floats_objective(n_params)
    records = []
    for method in METHOD_NAMES:
        library, setup = _library_and_setup(method)
        gc.collect()
        tracemalloc.start()
        study = library.create_study(
            sampler=setup.make_sampler(space, max(checkpoints), 0),
            pruner=library.pruners.NopPruner(),
        )
        done = 0
        for checkpoint in checkpoints:
            if checkpoint > caps.get(method, checkpoint):
                break
            study.optimize(objective, n_trials=checkpoint - done)
            done = checkpoint
            gc.collect()
            current, _ = tracemalloc.get_traced_memory()
            records.append({"method": method, "n_trials": checkpoint, "bytes": current})
            print(f"{method} at {checkpoint}: {current / 1e6:.1f} MB", file=sys.stderr)
        tracemalloc.stop()
        del study
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    sizes = sorted({r["n_trials"] for r in records})
    lines = [
        *side_report_header("Memory of a long study", results),
        f"* A study on {results['n_params']} floats (sum of squares), in-memory storage; the "
        "bytes Python holds after n trials (tracemalloc, after a garbage collection), and "
        "the bytes per trial between the first and the last checkpoint: flat means linear "
        "growth.",
        "",
    ]
    rows = []
    for method in dict.fromkeys(r["method"] for r in records):
        mine = {r["n_trials"]: r["bytes"] for r in records if r["method"] == method}
        cells = [f"{mine[n] / 1e6:.1f} MB" if n in mine else "—" for n in sizes]
        first, last = min(mine), max(mine)
        slopes = [
            (mine[b] - mine[a]) / (b - a)
            for a, b in zip(sorted(mine), sorted(mine)[1:], strict=False)
        ]
        per_trial = " / ".join(f"{s / 1e3:.1f}" for s in slopes) if last > first else "—"
        rows.append([method, *cells, per_trial])
    lines += table(
        ["method", *(f"n = {n:,}" for n in sizes), "kB per trial between checkpoints"], rows
    )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoints", default="1000,2500,5000,10000")
    parser.add_argument("--params", type=int, default=10)
    parser.add_argument("--optuna-max", type=int, default=2500, help="Optuna TPE is slow")


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    checkpoints = [int(n) for n in options.checkpoints.split(",")]
    records = measure(checkpoints, options.params, {"optuna tpe": options.optuna_max})
    return "memory", {"n_params": options.params, "records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("memory", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
