"""A trial shared by the ranks of a torch.distributed group: the time of its calls, and
whether the values every rank gets are the study's, fastune's ``TorchDistributedTrial``
beside optuna-integration's.

For each library, two processes join a gloo group on this machine; rank 0 runs a study
in memory of ``--trials`` trials, rank 1 the objective as many times. Each trial makes
the trial, suggests a float on a log scale, an int and a choice, then reports and checks
pruning ``--steps`` times (no training: the calls alone). Rank 0 times each trial's calls;
both ranks compare the values their suggestions returned with the study's record.

``python -m benchmarks.distributed_trial`` writes ``distributed_trial.json`` and ``.md``
to ``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import multiprocessing
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header

LIBRARIES = ("fastune", "optuna")


def _integration(library: str) -> tuple[Any, Any]:
    module = importlib.import_module(library)
    if library == "optuna":
        return module, importlib.import_module("optuna_integration")
    return module, importlib.import_module("fastune.integration")


def _rank(rank: int, library: str, directory: str, trials: int, steps: int) -> None:
    import warnings

    import torch.distributed as dist

    warnings.simplefilter("ignore")  # Optuna's experimental-class warnings
    dist.init_process_group(
        "gloo", init_method=f"file://{directory}/rendezvous", rank=rank, world_size=2
    )
    module, integration = _integration(library)
    module.logging.set_verbosity(module.logging.WARNING)
    seconds: list[float] = []
    returned: list[dict[str, Any]] = []

    def objective(single: Any) -> float:
        start = time.perf_counter()
        trial = integration.TorchDistributedTrial(single)
        values = {
            "lr": trial.suggest_float("lr", 1e-5, 1e-1, log=True),
            "units": trial.suggest_int("units", 8, 512),
            "kind": trial.suggest_categorical("kind", ["a", "b", "c"]),
        }
        for step in range(steps):
            trial.report(values["lr"] * (steps - step), step)
            trial.should_prune()
        seconds.append(time.perf_counter() - start)
        returned.append(values)
        return values["lr"]

    try:
        if rank == 0:
            study = module.create_study(pruner=module.pruners.NopPruner())
            study.optimize(objective, n_trials=trials)
            recorded = [t.params for t in study.trials]
        else:
            for _ in range(trials):
                with contextlib.suppress(module.TrialPruned):
                    objective(None)
            recorded = []
        dist.barrier()  # both ranks done before either leaves the group
        # Written before the group is torn down: gloo's teardown now and then aborts a
        # rank under load ("terminate called without an active exception") after the
        # work is done, which is not a failure of the measurement.
        result = {"seconds": seconds, "returned": returned, "recorded": recorded}
        Path(directory, f"rank{rank}.pkl").write_bytes(pickle.dumps(result))
    finally:
        dist.destroy_process_group()


def measure(library: str, trials: int, steps: int) -> dict[str, Any]:
    """One library's figures: ms per trial and per call, and how many trials' suggested
    values differed from the study's record on rank 0 and on rank 1."""
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as directory:
        processes = [
            context.Process(target=_rank, args=(rank, library, directory, trials, steps))
            for rank in (0, 1)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=600)
        codes = [process.exitcode for process in processes]
        written = [Path(directory, f"rank{rank}.pkl").exists() for rank in (0, 1)]
        if not all(written):  # a rank that failed before its results
            raise RuntimeError(f"{library}: the ranks exited with {codes}")
        if codes != [0, 0]:
            print(f"{library}: a rank aborted after its results: {codes}", file=sys.stderr)
        rank0, rank1 = (
            pickle.loads(Path(directory, f"rank{rank}.pkl").read_bytes()) for rank in (0, 1)
        )
    recorded = rank0["recorded"]
    calls = 1 + 3 + 2 * steps  # the trial, three suggestions, a report and a check a step
    per_trial = 1e3 * statistics.median(rank0["seconds"][1:])  # the first one warms up
    record = {
        "library": library,
        "trials": trials,
        "steps": steps,
        "calls_per_trial": calls,
        "ms_per_trial": per_trial,
        "ms_per_call": per_trial / calls,
        "off_record_rank0": sum(r != p for r, p in zip(rank0["returned"], recorded, strict=True)),
        "off_record_rank1": sum(r != p for r, p in zip(rank1["returned"], recorded, strict=True)),
    }
    print(f"{library}: {record['ms_per_call']:.3f} ms per call", file=sys.stderr)
    return record


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    first = records[0]
    lines = [
        *side_report_header("A trial shared by torch.distributed ranks", results),
        f"* Two gloo processes on this machine; {first['trials']} trials, each making the "
        f"trial, three suggestions and {first['steps']} report-and-check steps "
        f"({first['calls_per_trial']} collective calls), no training. Median over trials "
        "(the first left out).",
        "* Off the record: trials where a value the suggestions returned differs from the "
        "one the study recorded, on rank 0 and on rank 1.",
        "",
    ]
    rows = [
        [
            r["library"],
            f"{r['ms_per_call']:.3f}",
            f"{r['ms_per_trial']:.2f}",
            f"{r['off_record_rank0']} / {r['trials']}",
            f"{r['off_record_rank1']} / {r['trials']}",
        ]
        for r in records
    ]
    lines += table(
        ["library", "ms per call", "ms per trial", "off the record, rank 0", "rank 1"], rows
    )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--steps", type=int, default=20)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    records = [measure(library, options.trials, options.steps) for library in LIBRARIES]
    return "distributed_trial", {"records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("distributed_trial", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
