"""GP sampler time: whole studies of ``--trials`` trials on a ``--dim``-D BBOB function
(microseconds per evaluation, so the time is the sampler's and the study's), fastune's
GPSampler beside Optuna's, one seed after the other.

``python -m benchmarks.gp_time`` writes ``gp_time.json`` and ``gp_time.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from typing import Any

from benchmarks.problems import PROBLEMS
from benchmarks.report import table
from benchmarks.runners import METHODS
from benchmarks.side import SideRun, run_side_benchmark, side_report_header

METHOD_NAMES = ("fastune gp", "optuna gp")
# The target: 300 trials of a 10-dimensional function in under 60 s.
TARGET_SECONDS = 60.0


def measure(function: int, dim: int, n_trials: int, seeds: Sequence[int]) -> list[dict[str, Any]]:
    """Seconds of one study per (seed, method), the methods taking turns."""
    problem = f"bbob-f{function:02d}-{dim}d"
    records = []
    for seed in seeds:
        for method in METHOD_NAMES:
            result = METHODS[method].run(PROBLEMS[problem], n_trials, seed)
            best = min(v for v in result.values if v is not None)
            records.append(
                {
                    "method": method,
                    "problem": problem,
                    "seed": seed,
                    "n_trials": n_trials,
                    "seconds": round(result.seconds, 4),
                    "best": best,
                }
            )
            print(f"{method} seed {seed}: {result.seconds:.1f} s", file=sys.stderr)
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    lines = [
        *side_report_header("GP sampler time", results),
        f"* Problem: {records[0]['problem']} (BBOB, log10 regret), {records[0]['n_trials']} "
        "trials per study; the seconds are the whole study's, an evaluation costs "
        "microseconds, so they are the sampler's time plus a negligible rest.",
        f"* Target (fastune's GPSampler): under {TARGET_SECONDS:.0f} s.",
        "",
    ]
    rows = []
    for method in dict.fromkeys(r["method"] for r in records):
        mine = [r for r in records if r["method"] == method]
        seconds = [r["seconds"] for r in mine]
        rows.append(
            [
                method,
                f"{statistics.median(seconds):.1f} ({min(seconds):.1f} to {max(seconds):.1f})",
                f"{statistics.median(r['best'] for r in mine):.3g}",
                str(len(mine)),
            ]
        )
    lines += table(["method", "seconds (median, min to max)", "best (median)", "seeds"], rows)
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--function", type=int, default=15, help="BBOB function; default 15")
    parser.add_argument("--dim", type=int, default=10, choices=(2, 5, 10))
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=2)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    records = measure(options.function, options.dim, options.trials, range(options.seeds))
    return "gp_time", {"records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("gp_time", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
