"""Deep-learning benchmark: fastune PBT on a torch model (``TorchTrainable``) against
Optuna TPE + ``MedianPruner``, compute counted in epochs.

The task is hard enough to tell methods apart: a small torch MLP trained on 300 digits of
which 20 % carry a wrong label, scored by accuracy on 400 clean validation digits; the
method's pick (best validation accuracy) is then scored on the 1,097 digits left (test).
Run: ``python -m benchmarks.dl_bench [--quick]``; results go to
``benchmarks/results/dl_bench.{json,md}`` (``dl_bench_quick`` for the quick mode).
"""

from __future__ import annotations

import benchmarks.single_thread  # noqa: F401  (first: before numpy and torch load)

# isort: split

import argparse
import dataclasses
import datetime
import functools
import json
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import load_digits

from benchmarks.pbt_bench.analysis import best_at, compute_to_reach, spread
from benchmarks.side import RESULTS_DIR, code_version, code_version_text

N_TRAIN, N_VALIDATION, LABEL_NOISE, DATA_SEED, N_CLASSES = 300, 400, 0.2, 0, 10
HIDDEN_UNITS = 64
SPACE_TEXT = (
    "lr log-uniform [1e-3, 1]; weight_decay log-uniform [1e-6, 1e-1]; dropout uniform "
    "[0, 0.7]; batch_size in {16, 32, 64, 128}; SGD with momentum 0.9, 64 hidden units"
)
FASTUNE, OPTUNA = "fastune PBT (TorchTrainable)", "Optuna TPE + MedianPruner"
# What one Optuna event is: results that say so hold every reported epoch, older ones the
# last epoch of each complete trial only.
OPTUNA_EVENTS = "every reported epoch"


@dataclasses.dataclass(frozen=True)
class Plan:
    """A mode: seeds, PBT's population and schedule, Optuna's trials and epochs per trial."""

    name: str
    n_seeds: int
    population_size: int
    generations: int
    epochs_per_generation: int
    optuna_trials: int
    epochs_per_trial: int

    @property
    def pbt_epochs(self) -> int:
        return self.population_size * self.generations * self.epochs_per_generation


FULL = Plan("full", 10, population_size=10, generations=15, epochs_per_generation=2,
            optuna_trials=50, epochs_per_trial=30)  # fmt: skip
QUICK = Plan("quick", 2, population_size=4, generations=2, epochs_per_generation=2,
             optuna_trials=4, epochs_per_trial=4)  # fmt: skip

# -- the task ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def load_data() -> dict[str, Any]:
    """Training (noisy labels), validation and test tensors; the same in every run."""
    import torch

    features, labels = load_digits(return_X_y=True)
    features = (features / 16.0).astype(np.float32)
    rng = np.random.default_rng(DATA_SEED)
    order = rng.permutation(len(labels))
    train = order[:N_TRAIN]
    validation = order[N_TRAIN : N_TRAIN + N_VALIDATION]
    test = order[N_TRAIN + N_VALIDATION :]
    noisy = labels[train].copy()
    flipped = rng.random(N_TRAIN) < LABEL_NOISE
    # A flipped label moves to one of the nine other classes, uniformly.
    noisy[flipped] = (noisy[flipped] + rng.integers(1, N_CLASSES, int(flipped.sum()))) % N_CLASSES
    return {
        name: (torch.from_numpy(features[rows]), torch.from_numpy(targets).long())
        for name, rows, targets in (
            ("train", train, noisy),
            ("validation", validation, labels[validation]),
            ("test", test, labels[test]),
        )
    }


def build_model(params: dict[str, Any]) -> Any:
    import torch

    return torch.nn.Sequential(
        torch.nn.Linear(64, HIDDEN_UNITS),
        torch.nn.ReLU(),
        torch.nn.Dropout(params["dropout"]),
        torch.nn.Linear(HIDDEN_UNITS, N_CLASSES),
    )


def make_optimizer(model: Any, params: dict[str, Any]) -> Any:
    import torch

    return torch.optim.SGD(
        model.parameters(), lr=params["lr"], momentum=0.9, weight_decay=params["weight_decay"]
    )


def train_one_epoch(model: Any, optimizer: Any, batch_size: int) -> None:
    import torch

    x, y = load_data()["train"]
    model.train()
    for batch in torch.randperm(len(y)).split(batch_size):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()


def accuracy(model: Any, part: str) -> float:
    import torch

    x, y = load_data()[part]
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


# -- the two methods ----------------------------------------------------------------------


def run_fastune(plan: Plan, seed: int) -> list[tuple[int, float | None, float | None]]:
    """PBT with fastune's defaults; one event per segment: (epochs so far, val, test)."""
    from scipy.stats import loguniform, uniform

    from fastune.integration.torch import TorchMember, TorchTrainable
    from fastune.pbt import PopulationBasedTraining

    def train_epoch(member: TorchMember) -> None:
        train_one_epoch(member.model, member.optimizer, member.params["batch_size"])

    def evaluate(member: TorchMember) -> tuple[float, dict[str, float]]:
        return accuracy(member.model, "validation"), {"test": accuracy(member.model, "test")}

    space = {
        "lr": loguniform(1e-3, 1.0),
        "weight_decay": loguniform(1e-6, 1e-1),
        "dropout": uniform(0.0, 0.7),
        "batch_size": [16, 32, 64, 128],
    }
    trainable = TorchTrainable(build_model, make_optimizer, train_epoch, evaluate, device="cpu")
    pbt = PopulationBasedTraining(
        trainable,
        space,
        population_size=plan.population_size,
        generations=plan.generations,
        steps_per_generation=plan.epochs_per_generation,
        random_state=seed,
    ).run()
    trials = {trial.number: trial for trial in pbt.study_.trials}
    events = []
    for index, segment in enumerate(pbt.segments_):
        trial = trials[segment.trial_number]
        events.append(
            ((index + 1) * plan.epochs_per_generation, trial.value, trial.user_attrs.get("test"))
        )
    return events


def run_optuna(plan: Plan, seed: int) -> list[tuple[int, float | None, float | None]]:
    """Optuna TPE + MedianPruner; one event per reported epoch, of pruned trials too:
    (epochs so far, val, test). Any reported epoch can be the pick, as any PBT segment
    can on the other side."""
    import optuna
    import torch

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    events: list[tuple[int, float | None, float | None]] = []
    spent = 0

    def objective(trial: optuna.Trial) -> float:
        nonlocal spent
        params = {
            "lr": trial.suggest_float("lr", 1e-3, 1.0, log=True),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-1, log=True),
            "dropout": trial.suggest_float("dropout", 0.0, 0.7),
            "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64, 128]),
        }
        torch.manual_seed(seed * 100_003 + trial.number)
        model = build_model(params)
        optimizer = make_optimizer(model, params)
        for epoch in range(plan.epochs_per_trial):
            train_one_epoch(model, optimizer, params["batch_size"])
            spent += 1
            value = accuracy(model, "validation")
            events.append((spent, value, accuracy(model, "test")))
            trial.report(value, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(),
    )
    study.optimize(objective, n_trials=plan.optuna_trials)
    return events


def run(plan: Plan, method: str, seed: int) -> dict[str, Any]:
    """One (method, seed) run in this process: its events, wall time and peak memory."""
    import torch

    torch.set_num_threads(1)
    start = time.perf_counter()
    events = (run_fastune if method == FASTUNE else run_optuna)(plan, seed)
    return {
        "method": method,
        "seed": seed,
        "events": events,
        "seconds": time.perf_counter() - start,
        # The whole process (Python, torch, data): each run has a fresh one.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# -- statistics ---------------------------------------------------------------------------


def pick_at(events: list[list[Any]], compute: float) -> float | None:
    """Test accuracy of the best validation score finished within ``compute`` epochs."""
    done = [event for event in events if event[0] <= compute and event[1] is not None]
    if not done:
        return None
    return max(done, key=lambda event: (event[1], -event[0]))[2]


def summarize(runs: list[dict[str, Any]], plan: Plan) -> dict[str, Any]:
    """Targets, epochs to reach them, test accuracy at equal epochs, time and memory."""
    by_method = {m: [r for r in runs if r["method"] == m] for m in (FASTUNE, OPTUNA)}
    curves = {m: [[e[:2] for e in r["events"]] for r in rs] for m, rs in by_method.items()}
    optuna_epochs = [r["events"][-1][0] for r in by_method[OPTUNA]]
    target = spread([best_at(curve, float("inf")) for curve in curves[OPTUNA]]).median
    reach = None if target is None else compute_to_reach(curves[FASTUNE], target)
    optuna_total = statistics.median(optuna_epochs)
    budget = plan.pbt_epochs
    methods = {}
    for method, method_runs in by_method.items():
        methods[method] = {
            "total_epochs": spread([r["events"][-1][0] for r in method_runs])._asdict(),
            "best_validation": spread([best_at(c, float("inf")) for c in curves[method]])._asdict(),
            "validation_at_pbt_budget": spread(
                [best_at(c, budget) for c in curves[method]]
            )._asdict(),
            "test_at_pbt_budget": spread(
                [pick_at(r["events"], budget) for r in method_runs]
            )._asdict(),
            "test_at_end": spread(
                [pick_at(r["events"], float("inf")) for r in method_runs]
            )._asdict(),
            "seconds": spread([r["seconds"] for r in method_runs])._asdict(),
            "peak_rss_mb": spread([r["peak_rss_mb"] for r in method_runs])._asdict(),
        }
    pbt_test = methods[FASTUNE]["test_at_pbt_budget"]["median"]
    optuna_test = methods[OPTUNA]["test_at_pbt_budget"]["median"]
    ratio = None if reach is None else optuna_total / reach
    return {
        "target_validation": target,
        "optuna_median_total_epochs": optuna_total,
        "pbt_epochs_to_reach": reach,
        "ratio": ratio,
        "equal_epochs": budget,
        "methods": methods,
        "reach_holds": ratio is not None and ratio >= 2.0,
        "test_holds": pbt_test is not None and optuna_test is not None and pbt_test > optuna_test,
    }


# -- running and reporting ----------------------------------------------------------------


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("fastune", "optuna", "torch", "numpy", "scikit-learn"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_plan(plan: Plan, workers: int, command: str) -> dict[str, Any]:
    """Every (seed, method), the two methods of one seed side by side, one process each."""
    started = datetime.datetime.now().astimezone()
    start = time.perf_counter()
    tasks = [(plan, method, seed) for seed in range(plan.n_seeds) for method in (FASTUNE, OPTUNA)]
    runs: list[dict[str, Any]] = [{} for _ in tasks]
    context = multiprocessing.get_context("spawn")
    # One task per process: a run's peak memory is its own.
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1) as pool:
        futures = {pool.submit(run, *task): index for index, task in enumerate(tasks)}
        for finished, future in enumerate(as_completed(futures), start=1):
            record = future.result()
            runs[futures[future]] = record
            print(
                f"[{finished}/{len(tasks)}] {record['method']} / seed {record['seed']}: "
                f"{record['seconds']:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    return {
        "mode": plan.name,
        "command": command,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_seconds": time.perf_counter() - start,
        "machine": {
            "nproc": len(os.sched_getaffinity(0)),
            "platform": platform.platform(),
            "workers": workers,
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        },
        "versions": _versions(),
        "code": code_version(),
        "optuna_events": OPTUNA_EVENTS,
        "plan": dataclasses.asdict(plan),
        "seeds": list(range(plan.n_seeds)),
        "task": {
            "train": N_TRAIN,
            "label_noise": LABEL_NOISE,
            "validation": N_VALIDATION,
            "test": 1797 - N_TRAIN - N_VALIDATION,
            "space": SPACE_TEXT,
        },
        "runs": runs,
        "summary": summarize(runs, plan),
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _cell(stats: dict[str, float | None], digits: int = 3) -> str:
    return (
        f"{_fmt(stats['median'], digits)} ({_fmt(stats['lower_quartile'], digits)} to "
        f"{_fmt(stats['upper_quartile'], digits)})"
    )


def reach_verdict(results: dict[str, Any]) -> str:
    """The 'holds' cell of the reach target: yes or no where both sides pick over every
    checkpoint; otherwise the bias that keeps it from being judged."""
    summary = results["summary"]
    if results.get("optuna_events") == OPTUNA_EVENTS:
        return "yes" if summary["reach_holds"] else "no"
    plan = results["plan"]
    checkpoints = plan["population_size"] * plan["generations"]
    return (
        f"not judged ({'yes' if summary['reach_holds'] else 'no'} as measured, biased "
        f"towards PBT): PBT's best is the maximum over its {checkpoints} segment "
        f"checkpoints, Optuna's over the last epoch of its complete trials only, as these "
        "results recorded it; see the test-accuracy row"
    )


def build_report(results: dict[str, Any]) -> str:
    plan, summary, task = results["plan"], results["summary"], results["task"]
    budget = summary["equal_epochs"]
    optuna_value = (
        "the best of its reported epochs can be the pick"
        if results.get("optuna_events") == OPTUNA_EVENTS
        else "a trial's value is its validation accuracy after its last epoch (pruned trials "
        "have none)"
    )
    lines = [
        "# Deep-learning benchmark: PBT on a torch model vs Optuna TPE + MedianPruner",
        "",
        f"Command: `{results['command']}`, {results['started_at']}, "
        f"{results['machine']['nproc']} cores, {results['machine']['workers']} runs at a time, "
        f"{results['duration_seconds'] / 60:.1f} min. Versions: "
        + ", ".join(f"{k} {v}" for k, v in results["versions"].items())
        + f". Seeds: {results['seeds']}. Code: {code_version_text(results)}.",
        "",
        f"Task: a torch MLP on digits, {task['train']} training samples of which "
        f"{task['label_noise']:.0%} carry a wrong label; score = accuracy on "
        f"{task['validation']} clean validation digits after an epoch; a method's pick (its "
        f"best validation score) is then scored on {task['test']} clean test digits. Space: "
        f"{task['space']}.",
        "",
        f"* **{FASTUNE}**: population {plan['population_size']}, {plan['generations']} "
        f"generations of {plan['epochs_per_generation']} epochs ({plan['population_size']} x "
        f"{plan['generations'] * plan['epochs_per_generation']} = {budget} epochs), fastune's "
        "defaults (truncation 25 %, perturbation x0.8 / x1.2, resampling 25 %).",
        f"* **{OPTUNA}**: {plan['optuna_trials']} trials of up to {plan['epochs_per_trial']} "
        f"epochs; {optuna_value}.",
        "",
        "## Headline",
        "",
        "| target | figure | holds |",
        "|---|---|---|",
        f"| PBT reaches Optuna's median best validation accuracy "
        f"({_fmt(summary['target_validation'])}) with at most half Optuna's epochs "
        f"(median {summary['optuna_median_total_epochs']:.0f}) | PBT needs "
        f"{summary['pbt_epochs_to_reach'] or 'more than ' + str(budget)} epochs, ratio "
        f"{_fmt(summary['ratio'], 2)} | {reach_verdict(results)} |",
        f"| at equal epochs ({budget}), PBT's median test accuracy is higher | PBT "
        f"{_fmt(summary['methods'][FASTUNE]['test_at_pbt_budget']['median'])} vs Optuna "
        f"{_fmt(summary['methods'][OPTUNA]['test_at_pbt_budget']['median'])} | "
        f"{'yes' if summary['test_holds'] else 'no'} |",
        "",
        "## Per method (median and quartiles over seeds)",
        "",
        f"| method | epochs | best validation | validation at {budget} epochs | test at "
        f"{budget} epochs | test at the end | wall time (s) | peak memory (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for method, stats in summary["methods"].items():
        lines.append(
            f"| {method} | {_cell(stats['total_epochs'], 0)} | {_cell(stats['best_validation'])} "
            f"| {_cell(stats['validation_at_pbt_budget'])} | {_cell(stats['test_at_pbt_budget'])} "
            f"| {_cell(stats['test_at_end'])} | {_cell(stats['seconds'], 1)} "
            f"| {_cell(stats['peak_rss_mb'], 0)} |"
        )
    lines += [
        "",
        "Notes: the peak memory is the resident set of the run's own process (Python, torch "
        "and the data included), one fresh process per run. A best validation score is a "
        "maximum over noisy checkpoints, and the more checkpoints a method picks from, the "
        "more selection bias it carries; the test accuracy of each method's pick is the "
        "unbiased comparison.",
        "",
    ]
    return "\n".join(lines)


def write_outputs(results: dict[str, Any], output_dir: Path, prefix: str) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path = output_dir / f"{prefix}.json"
    json_path.write_text(json.dumps(results, indent=1) + "\n")
    report_path = output_dir / f"{prefix}.md"
    report_path.write_text(build_report(results))
    return [report_path, json_path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dl_bench",
        description="fastune PBT on a torch model against Optuna TPE + MedianPruner.",
    )
    parser.add_argument("--quick", action="store_true", help="2 seeds, tiny budgets (smoke test)")
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the markdown from the results JSON already in --output-dir",
    )
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="runs at a time"
    )
    arguments = parser.parse_args(argv)
    plan = QUICK if arguments.quick else FULL
    prefix = "dl_bench_quick" if arguments.quick else "dl_bench"
    if arguments.report_only:
        json_path = arguments.output_dir / f"{prefix}.json"
        json_path.with_suffix(".md").write_text(build_report(json.loads(json_path.read_text())))
        print(json_path.with_suffix(".md"))
        return 0
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.dl_bench", *given])
    results = run_plan(plan, max(1, arguments.workers), command)
    for path in write_outputs(results, arguments.output_dir, prefix):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
