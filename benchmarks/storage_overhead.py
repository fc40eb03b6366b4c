"""Storage overhead at trial n: one study per library in an SQLite file, a random
sampler (so that the time is the storage's and the study loop's), timed over the
``--window`` trials that end at each checkpoint; the libraries take turns.

``python -m benchmarks.storage_overhead`` writes ``storage_overhead.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.quality import quiet_libraries
from benchmarks.report import table, write_side_results
from benchmarks.timing import _trivial_objective

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LIBRARIES = ("fastune", "optuna")
# Targets of the issue: SQLite <= 3 ms per trial, flat from trial 100 to 10,000.
TARGET_MS = 3.0


def measure(checkpoints: Sequence[int], window: int, caps: dict[str, int]) -> list[dict[str, Any]]:
    import optuna

    import fastune

    modules = {"fastune": fastune, "optuna": optuna}
    directory = tempfile.mkdtemp(prefix="storage-overhead-")
    studies = {
        name: modules[name].create_study(
            storage=f"sqlite:///{directory}/{name}.db",
            sampler=modules[name].samplers.RandomSampler(seed=0),
            pruner=modules[name].pruners.NopPruner(),
        )
        for name in LIBRARIES
    }
    records = []
    for checkpoint in checkpoints:
        for name, study in studies.items():
            if checkpoint > caps.get(name, checkpoint):
                continue
            done = len(study.get_trials(deepcopy=False))
            study.optimize(_trivial_objective, n_trials=max(checkpoint - window - done, 0))
            start = time.perf_counter()
            study.optimize(_trivial_objective, n_trials=window)
            ms = (time.perf_counter() - start) / window * 1e3
            records.append({"library": name, "n_trials": checkpoint, "ms_per_trial": round(ms, 4)})
            print(f"{name} sqlite at trial {checkpoint}: {ms:.2f} ms", file=sys.stderr)
    return records


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    sizes = sorted({r["n_trials"] for r in records})
    lines = [
        "# Storage overhead: SQLite",
        "",
        f"* Command: `{results['command']}`",
        f"* Started {results['started_at']}; machine: {results['machine']}.",
        "* One study per library in its own SQLite file, RandomSampler, the trivial "
        f"objective (two floats and an int); ms per trial over the {results['window']} trials "
        "that end at trial n. Target for fastune: at most "
        f"{TARGET_MS:.0f} ms, flat from trial 100 to 10,000.",
        "",
    ]
    rows = []
    for library in dict.fromkeys(r["library"] for r in records):
        mine = {r["n_trials"]: r["ms_per_trial"] for r in records if r["library"] == library}
        rows.append(
            [f"{library} (sqlite)", *(f"{mine[n]:.3g}" if n in mine else "—" for n in sizes)]
        )
    lines += table(["storage", *(f"trial {n:,}" for n in sizes)], rows)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.storage_overhead", description=__doc__
    )
    parser.add_argument("--checkpoints", default="100,1000,3000,10000")
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--optuna-max", type=int, default=1000, help="Optuna's SQLite is slow")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parser.parse_args(arguments)
    quiet_libraries()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    checkpoints = [int(n) for n in options.checkpoints.split(",")]
    records = measure(checkpoints, options.window, {"optuna": options.optuna_max})
    write_side_results(
        options.output_dir,
        "storage_overhead",
        " ".join(["python -m benchmarks.storage_overhead", *arguments]),
        {"started_at": started, "window": options.window, "records": records},
        build_report,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
