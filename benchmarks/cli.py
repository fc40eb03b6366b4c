"""Command line: ``python -m benchmarks [run] --suite quick|full`` runs a suite,
``report`` rebuilds its markdown and plots from its JSON, and ``readme`` rewrites the
README's performance section from that JSON.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.problems import PROBLEMS
from benchmarks.problems.bbob import FUNCTION_NAMES, BBOBProblem
from benchmarks.problems.learning_curves import LABEL_NOISE, N_TRAIN, N_VALIDATION
from benchmarks.problems.model_tuning import DIGITS_SUBSAMPLE, N_FOLDS
from benchmarks.quality import plan_tasks, quiet_libraries, run_tasks, summarize
from benchmarks.readme import (
    SIDE_REPORT_INTROS,
    MissingMarkersError,
    build_section,
    held_out_section,
    pbt_section,
    replace_section,
    side_section,
)
from benchmarks.report import build_report, count_seeds_once
from benchmarks.runners import unavailable_methods
from benchmarks.side import RESULTS_DIR, code_version
from benchmarks.suites import SUITES, Suite
from benchmarks.timing import (
    TRIVIAL_GRID_BUDGET,
    measure_marginal_overhead,
    measure_overhead,
    measure_throughput,
)

README = Path(__file__).resolve().parents[1] / "README.md"
VERSIONED_PACKAGES = (
    "fastune",
    "optuna",
    "scikit-learn",
    "numpy",
    "scipy",
    "torch",
    "coco-experiment",
    "cmaes",
    "hyperopt",
    "ray",
)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _command_line(argv: Sequence[str]) -> str:
    executable = Path(sys.executable)
    try:
        executable = executable.relative_to(Path.cwd())
    except ValueError:
        executable = Path(executable.name)
    return shlex.join([str(executable), "-m", "benchmarks", *argv])


def suite_notes(suite: Suite) -> list[str]:
    """How the problems and measurements are set up, for the report."""
    capped = [
        f"{method} only up to {n:,} trials" for method, n in suite.overhead.max_n_trials.items()
    ]
    bbob = [
        problem for problem in map(PROBLEMS.get, suite.problems) if isinstance(problem, BBOBProblem)
    ]
    numbers = sorted({problem.function for problem in bbob})
    functions = ", ".join(f"f{number} {FUNCTION_NAMES[number]}" for number in numbers)
    return [
        f"BBOB functions: {functions}; on [-5, 5]^dim; seed s runs on COCO instance s + 1 "
        "for every method; log10 regret floored at -8.",
        "Optuna's GPSampler gets fewer seeds and trials (and no 10-D BBOB) where the studies "
        "table says so, because one GP trial costs 0.1-0.7 s here; it is ranked where it ran.",
        "fastune grid runs where a grid of at most the trial budget has >= 3 values per "
        "numeric parameter (2-D BBOB and the model-tuning problems); its points are visited "
        "in a seeded random order and a study stops when the grid is exhausted.",
        f"Model tuning: {N_FOLDS}-fold CV on fixed folds (seed 0), estimators seeded, digits "
        f"subsampled to {DIGITS_SUBSAMPLE} samples, small max_iter budgets.",
        "sklearn halving search: HalvingRandomSearchCV(factor=3) over as many candidates as "
        "the other methods' trials, most scored on subsamples; its value is the full CV "
        "error of its pick, shown at k = budget only; its CV fits include the subsample fits.",
        f"Learning curves made hard: {N_TRAIN} training samples of digits with "
        f"{LABEL_NOISE:.0%} of labels replaced by a wrong class, scored by log loss on "
        f"{N_VALIDATION} clean validation samples after every epoch (overfitting the noise "
        "raises it); the trial's value is the last epoch's loss. Pruned trials have no value "
        "but their epochs count.",
        "Overhead and scaling are timed in the main process after the quality studies, "
        "with no other study of the suite running; "
        f"fastune grid's overhead is measured on a grid of {TRIVIAL_GRID_BUDGET:,} points."
        + "".join(f" Measured {text}: larger studies take too long." for text in capped),
    ]


def run_suite(suite: Suite, output_dir: Path, n_workers: int, argv: Sequence[str]) -> Path:
    """Run ``suite``; write ``<suite>.json``, ``<suite>.md`` and the plots to ``output_dir``."""
    started = time.time()
    quiet_libraries()
    unavailable = unavailable_methods()
    for name, reason in unavailable.items():
        print(f"skipping {name}: {reason}", file=sys.stderr)
    tasks = plan_tasks(suite, set(unavailable))
    outcomes = run_tasks(tasks, n_workers)
    # Other work on the machine skews timings; the load average says how much there was.
    load_before_timings = os.getloadavg()[0]
    overhead = measure_overhead(suite.overhead)
    marginal_overhead = measure_marginal_overhead(suite.marginal_overhead)
    throughput = measure_throughput(suite.throughput)
    problems = [name for name in suite.problems if any(task.problem == name for task in tasks)]
    results: dict[str, Any] = {
        "suite": suite.name,
        "command": _command_line(argv),
        "started_at": datetime.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
        "duration_seconds": 0.0,
        "machine": {
            "nproc": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "workers": n_workers,
            "load_average_before_timings": round(load_before_timings, 2),
        },
        "versions": _versions(),
        "code": code_version(),
        "skipped": unavailable,
        "plans": [asdict(plan) for plan in suite.quality],
        "checkpoints": list(suite.checkpoints),
        "notes": suite_notes(suite),
        "problems": {
            name: {
                "group": PROBLEMS[name].group,
                "metric": PROBLEMS[name].metric,
                "description": PROBLEMS[name].description,
                "cost_unit": PROBLEMS[name].cost_unit,
            }
            for name in problems
        },
        "quality": summarize(outcomes, suite),
        "overhead": overhead,
        "marginal_overhead": marginal_overhead,
        "throughput": throughput,
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    from benchmarks.plots import draw_all  # matplotlib only once there is something to draw

    results["plots"] = draw_all(results, output_dir)
    results["duration_seconds"] = round(time.time() - started, 1)
    json_path = output_dir / f"{suite.name}.json"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    json_path.with_suffix(".md").write_text(build_report(results))
    return json_path


def remeasure_timings(suite: Suite, json_path: Path) -> None:
    """Time the overhead, marginal overhead and scaling rows of ``suite`` again, alone
    on the machine, into the results at ``json_path`` (the quality studies kept); then
    rebuild its report."""
    results = json.loads(json_path.read_text())
    quiet_libraries()
    results["machine"]["load_average_before_timings"] = round(os.getloadavg()[0], 2)
    results["overhead"] = measure_overhead(suite.overhead)
    results["marginal_overhead"] = measure_marginal_overhead(suite.marginal_overhead)
    results["throughput"] = measure_throughput(suite.throughput)
    results["timings_measured_at"] = datetime.datetime.now().isoformat(timespec="seconds")
    results["timings_code"] = code_version()
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    rebuild_report(json_path)


def rerun_methods(suite: Suite, json_path: Path, methods: list[str], n_workers: int) -> None:
    """Run the quality studies of ``methods`` in ``suite`` again (after a change to
    them) and put their records in place of the old ones in the results at
    ``json_path``; the other records and the timings are kept. Then rebuild its report."""
    methods = sorted(set(methods))
    unknown = [method for method in methods if method not in suite.methods]
    if unknown:
        raise ValueError(f"--method: {unknown} not in the {suite.name} suite's methods")
    unavailable = {m: why for m, why in unavailable_methods().items() if m in methods}
    if unavailable:
        raise ValueError(f"--method: cannot run here: {unavailable}")
    results = json.loads(json_path.read_text())
    quiet_libraries()
    tasks = [task for task in plan_tasks(suite, set()) if task.method in methods]
    fresh = summarize(run_tasks(tasks, n_workers), suite)
    replaced = {(record["problem"], record["method"]) for record in fresh}
    records = [r for r in results["quality"] if (r["problem"], r["method"]) not in replaced]
    records += fresh
    order = {name: index for index, name in enumerate((*suite.problems, *suite.methods))}
    records.sort(key=lambda r: (order.get(r["problem"], -1), order.get(r["method"], -1)))
    results["quality"] = records
    when = datetime.datetime.now().isoformat(timespec="seconds")
    results.setdefault("reruns", []).append(
        {
            "methods": methods,
            "at": when,
            "workers": n_workers,
            "versions": _versions(),
            "code": code_version(),
        }
    )
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    rebuild_report(json_path)


def rebuild_report(json_path: Path) -> None:
    """Redraw the plots and rewrite ``<suite>.md`` beside ``json_path`` from it alone
    (each seed of a record counted once)."""
    from benchmarks.plots import draw_all

    results = count_seeds_once(json.loads(json_path.read_text()))
    draw_all(results, json_path.parent)
    json_path.with_suffix(".md").write_text(build_report(results))


def update_readme(results_path: Path, readme_path: Path) -> None:
    """Rewrite the README's benchmark section from ``results_path`` (each seed of a record
    counted once) and the side reports beside it; a held-out run of a side benchmark
    (``<stem>_seeds<a>-<b>.md``) follows its committed report."""
    results = count_seeds_once(json.loads(results_path.read_text()))
    report = results_path.with_suffix(".md").resolve()
    try:
        link = report.relative_to(readme_path.resolve().parent).as_posix()
    except ValueError:
        link = report.as_posix()
    section = build_section(results, link)
    pbt_report = results_path.parent / "pbt.md"
    if pbt_report.exists():
        section += "\n" + pbt_section(pbt_report.read_text(), "benchmarks/results/pbt.md")
    for stem in SIDE_REPORT_INTROS:
        side_report = results_path.parent / f"{stem}.md"
        if side_report.exists():
            section += "\n" + side_section(
                stem, side_report.read_text(), f"benchmarks/results/{stem}.md"
            )
        for held_out in sorted(results_path.parent.glob(f"{stem}_seeds*.md")):
            section += "\n" + held_out_section(
                stem, held_out.read_text(), f"benchmarks/results/{held_out.name}"
            )
    readme_path.write_text(replace_section(readme_path.read_text(), section))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="fastune's benchmark suite. 'run' (the default) runs a suite; 'report' "
        "rebuilds its markdown and plots from its JSON; 'readme' rewrites the README's "
        "performance section from its JSON; 'timings' times the overhead and n_jobs scaling "
        "rows again and replaces them in its JSON (the quality studies kept as they were); "
        "'rerun' runs the quality studies of the methods named by --method again and "
        "replaces their records alone.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=("run", "report", "readme", "timings", "rerun"),
        default="run",
    )
    parser.add_argument(
        "--suite",
        choices=sorted(SUITES),
        help="default: quick for 'run', full for 'report' and 'readme'",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=RESULTS_DIR,
        help="where results are written (run) or read (readme); default: %(default)s",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes running quality studies at once; default: the number of cores",
    )
    parser.add_argument("--readme", type=Path, default=README, help="default: %(default)s")
    parser.add_argument(
        "--method",
        action="append",
        default=[],
        help="with 'rerun': a method whose studies run again (repeatable)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = _parser().parse_args(arguments)
    suite_name = options.suite or ("quick" if options.command == "run" else "full")
    results_path = options.output_dir / f"{suite_name}.json"
    if options.command != "run" and not results_path.exists():
        print(f"error: no results at {results_path}; run the suite first.", file=sys.stderr)
        return 1
    if options.command == "report":
        rebuild_report(results_path)
        print(f"rebuilt {results_path.with_suffix('.md')} and its plots from {results_path}")
        return 0
    if options.command == "timings":
        remeasure_timings(SUITES[suite_name], results_path)
        print(f"timed the overhead and scaling rows again into {results_path} and its report")
        return 0
    if options.command == "rerun":
        if not options.method:
            print("error: rerun needs at least one --method", file=sys.stderr)
            return 2
        try:
            rerun_methods(SUITES[suite_name], results_path, options.method, options.workers)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"ran {', '.join(options.method)} again into {results_path} and its report")
        return 0
    if options.command == "readme":
        try:
            update_readme(results_path, options.readme)
        except MissingMarkersError as error:
            print(f"error: {options.readme}: {error}", file=sys.stderr)
            return 1
        print(f"updated {options.readme} from {results_path}")
        return 0
    start = time.perf_counter()
    json_path = run_suite(SUITES[suite_name], options.output_dir, options.workers, arguments)
    minutes = (time.perf_counter() - start) / 60
    print(f"wrote {json_path} and {json_path.with_suffix('.md')} in {minutes:.1f} min")
    return 0
