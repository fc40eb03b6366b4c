"""Pruners on identical trials: every pruner judges the same trials, reported in the same
order, so what it saves and what it costs in best value show without the sampler's part.

The tasks: issue 6's three learning-curve tasks, and a LightGBM task whose boosting
rounds count as epochs (its curves fall steadily for long, a shape the others lack). For
each task and seed, Optuna's ``TPESampler`` (that seed, no pruning)
proposes ``--trials`` configurations and each is trained for all of the task's epochs.
Then each pruner of ``PRUNERS`` gets a study of its own, and the same trials are replayed
into it: the curve is reported epoch by epoch until the pruner stops it (its epochs
counted up to there) or it ends (its last value is the trial's value). The figures per
pruner: epochs spent, the best value of the trials it let complete, and how many it let
complete. What a replay leaves out is the sampler's answer to pruning (what it proposes
after a pruned trial); the end-to-end runs (``python -m benchmarks.variants pruners``)
include it. Seeds start at 20: the end-to-end runs use seeds 0-19.

``python -m benchmarks.pruner_replay`` writes ``pruner_replay.json`` and ``.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import benchmarks.single_thread  # noqa: F401  (first: before numpy loads)

# isort: split

import argparse
import importlib
import math
import statistics
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from benchmarks.problems import PROBLEMS
from benchmarks.problems.base import LearningCurveProblem
from benchmarks.quality import quiet_libraries
from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header
from benchmarks.space import suggest_params

# Issue 6's learning-curve tasks, and a boosting task whose curves have another shape.
ISSUE_PROBLEMS = ("torch-mlp-digits", "mlp-partial_fit-digits", "sgd-partial_fit-digits")
CURVE_PROBLEMS = (*ISSUE_PROBLEMS, "lgb-breast_cancer")
REFERENCE = "optuna median"
# name -> (library, pruner class name, keyword arguments); NopPruner is the no-pruning row.
PRUNERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "no pruning": ("optuna", "NopPruner", {}),
    "optuna median": ("optuna", "MedianPruner", {}),
    "optuna successive halving": ("optuna", "SuccessiveHalvingPruner", {}),
    "optuna hyperband": ("optuna", "HyperbandPruner", {}),
    "fastune median": ("fastune", "MedianPruner", {}),
    "fastune successive halving": ("fastune", "SuccessiveHalvingPruner", {}),
    "fastune hyperband": ("fastune", "HyperbandPruner", {}),
    "fastune adaptive": ("fastune", "AdaptivePruner", {}),
}
TARGET_PRUNER = "fastune adaptive"
TARGET_SAVING = 0.3  # issue 6: at least 30 % fewer epochs than Optuna's median rule


def collect(problem_name: str, seed: int, n_trials: int) -> list[list[float]]:
    """The full curves of the ``n_trials`` configurations Optuna's TPE proposes for the
    task with ``seed``, in the order it proposed them (no pruning)."""
    import optuna

    problem = PROBLEMS[problem_name]
    assert isinstance(problem, LearningCurveProblem)
    curves: list[list[float]] = []

    def objective(trial: Any) -> float:
        curves.append(list(problem.train(suggest_params(trial, problem.space))))
        return curves[-1][-1]

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)
    return curves


def replay(pruner_name: str, curves: list[list[float]]) -> dict[str, Any]:
    """The trials of ``curves`` reported in order to a new study with the pruner named
    ``pruner_name``: the epochs it let run, the best final value among the trials it let
    complete (inf if none) and their number."""
    library_name, class_name, options = PRUNERS[pruner_name]
    library = importlib.import_module(library_name)
    pruner = getattr(library.pruners, class_name)(**options)
    # A fixed name: Hyperband assigns brackets by a hash of the study name.
    study = library.create_study(study_name="replay", pruner=pruner)
    epochs, finals = 0, []
    for curve in curves:
        trial = study.ask()
        for step, value in enumerate(curve, 1):
            epochs += 1
            trial.report(value, step)
            if trial.should_prune():
                study.tell(trial, state=library.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, curve[-1])
            finals.append(curve[-1])
    return {"epochs": epochs, "best": min(finals, default=math.inf), "complete": len(finals)}


def _replay_all(problem: str, seed: int, n_trials: int) -> list[dict[str, Any]]:
    """Collect one task's trials for ``seed`` and replay them to every pruner (in a worker
    process)."""
    curves = collect(problem, seed, n_trials)
    return [
        {"problem": problem, "seed": seed, "pruner": name, **replay(name, curves)}
        for name in PRUNERS
    ]


def measure(
    problems: Sequence[str], first_seed: int, n_seeds: int, n_trials: int, n_workers: int
) -> list[dict[str, Any]]:
    """A record per (task, seed, pruner), ``n_workers`` tasks-and-seeds at a time."""
    jobs = [(p, s) for p in problems for s in range(first_seed, first_seed + n_seeds)]
    with ProcessPoolExecutor(n_workers, initializer=quiet_libraries) as pool:
        futures = [pool.submit(_replay_all, p, s, n_trials) for p, s in jobs]
        return [record for future in futures for record in future.result()]


def summarize(records: list[dict[str, Any]], problem: str) -> dict[str, dict[str, Any]]:
    """Per pruner on ``problem``: median epochs, the saving against the reference's median
    epochs, median and mean best, median complete trials, and on how many seeds its best
    is below / equal to / above the reference's on the same trials."""
    by_pruner: dict[str, dict[int, dict[str, Any]]] = {}
    for record in records:
        if record["problem"] == problem:
            by_pruner.setdefault(record["pruner"], {})[record["seed"]] = record
    reference = by_pruner[REFERENCE]
    reference_epochs = statistics.median(r["epochs"] for r in reference.values())
    summary = {}
    for name, runs in by_pruner.items():
        epochs = statistics.median(r["epochs"] for r in runs.values())
        bests = [r["best"] for r in runs.values()]
        paired = [(r["best"], reference[seed]["best"]) for seed, r in runs.items()]
        summary[name] = {
            "epochs": epochs,
            "saved": 1.0 - epochs / reference_epochs,
            "median_best": statistics.median(bests),
            "mean_best": statistics.fmean(bests),
            "complete": statistics.median(r["complete"] for r in runs.values()),
            "better": sum(ours < theirs for ours, theirs in paired),
            "tie": sum(ours == theirs for ours, theirs in paired),
            "worse": sum(ours > theirs for ours, theirs in paired),
        }
    return summary


def build_report(results: dict[str, Any]) -> str:
    records = results["records"]
    problems = [p for p in CURVE_PROBLEMS if any(r["problem"] == p for r in records)]
    seeds = sorted({r["seed"] for r in records})
    lines = [
        *side_report_header("Pruners on identical trials", results),
        f"* {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}), {results['n_trials']} trials "
        "proposed by Optuna's TPE (that seed, no pruning) and replayed to every pruner in "
        "the same order; validation log loss, lower is better.",
        f"* Per task: the epochs saved against {REFERENCE} on the same trials (median "
        "epochs); the median (mean) best value of the trials the pruner let complete; the "
        f"seeds where that best is below / equal to / above {REFERENCE}'s; the median "
        "number of complete trials.",
        "* The sampler's answer to pruning is left out here; the end-to-end figures are "
        "`python -m benchmarks.variants pruners`.",
        "",
    ]
    summaries = {problem: summarize(records, problem) for problem in problems}
    rows = []
    for name in PRUNERS:
        cells = []
        for problem in problems:
            s = summaries[problem][name]
            cells.append(
                f"{s['saved']:+.0%}; {s['median_best']:.4f} ({s['mean_best']:.4f}); "
                f"{s['better']}/{s['tie']}/{s['worse']}; {s['complete']:g}"
            )
        rows.append([name, *cells])
    lines += table(["pruner", *problems], rows)
    verdicts = []
    issue_problems = [p for p in problems if p in ISSUE_PROBLEMS]
    for problem in issue_problems:
        target, reference = summaries[problem][TARGET_PRUNER], summaries[problem][REFERENCE]
        saved, best = target["saved"], target["median_best"]
        holds = saved >= TARGET_SAVING and best <= reference["median_best"]
        verdicts.append(
            f"{saved:+.0%}; {best:.4f} / {reference['median_best']:.4f}; "
            f"{'holds' if holds else 'no'}"
        )
    if not issue_problems:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"Issue 6's target on the same trials ({TARGET_PRUNER} against {REFERENCE}: "
        f">= {TARGET_SAVING:.0%} of the epochs saved, median best equal or better):",
        "",
        *table(["pruner", *issue_problems], [[TARGET_PRUNER, *verdicts]]),
    ]
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--problems", nargs="+", choices=CURVE_PROBLEMS, default=CURVE_PROBLEMS)
    parser.add_argument("--first-seed", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=30, help="number of seeds")
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    records = measure(
        options.problems, options.first_seed, options.seeds, options.trials, options.workers
    )
    return "pruner_replay", {"n_trials": options.trials, "records": records}, build_report


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("pruner_replay", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
