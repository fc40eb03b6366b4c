"""Terminators: how many trials each library's terminator saves on the model-tuning
problems, and what stopping there costs in best value.

For each problem and seed, each library runs a study of ``--trials`` trials, defaults
against defaults (fastune's default sampler, Optuna's TPE), every trial reporting its
fold errors with ``report_cross_validation_scores``. Then each terminator rule of each
library is asked after every trial, on the trials so far, as ``TerminatorCallback``
would be; a rule stops the study at the first trial where it says so (or never, within
the budget). Every terminator is asked on both libraries' studies, so that on the same
trials two terminators differ only in their own decision.

``python -m benchmarks.terminator`` writes ``terminator.json`` and ``terminator.md`` to
``benchmarks/results/`` (or ``--output-dir``).
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from benchmarks.problems import PROBLEMS
from benchmarks.problems.model_tuning import ModelTuningProblem
from benchmarks.report import table
from benchmarks.side import SideRun, run_side_benchmark, side_report_header
from benchmarks.space import CategoricalParam, FloatParam, SearchSpace, suggest_params

LIBRARIES = ("fastune", "optuna")
SAMPLER_NAMES = {"fastune": "fastune default (AutoSampler)", "optuna": "optuna TPE"}
RULES = ("regret bound + CV error", "EMMR + median error")
MODEL_PROBLEMS = ("svc-digits", "hgb-breast_cancer", "mlp-wine", "rf-diabetes", "sgd-digits")
CV_SCORES_KEY = "terminator:cv_scores"  # where both libraries keep a trial's fold scores


def _library(name: str) -> ModuleType:
    return importlib.import_module(name)


def run_study(
    library_name: str, problem: ModelTuningProblem, n_trials: int, seed: int
) -> list[dict[str, Any]]:
    """The trials of one study: params, value (1 - mean CV score) and fold errors; a
    trial with a failed fold has no value."""
    library = _library(library_name)
    terminator = importlib.import_module(f"{library_name}.terminator")
    if library_name == "fastune":
        sampler = library.samplers.AutoSampler(seed=seed)
    else:
        sampler = library.samplers.TPESampler(seed=seed)
    study = library.create_study(direction="minimize", sampler=sampler)
    records: list[dict[str, Any]] = []

    def objective(trial: Any) -> float:
        params = suggest_params(trial, problem.space)
        errors = [problem.metric_from_score(score) for score in problem.fold_scores(params)]
        finite = all(math.isfinite(error) for error in errors)
        records.append({"params": params, "value": float(np.mean(errors)) if finite else None})
        if finite:
            records[-1]["folds"] = errors
            terminator.report_cross_validation_scores(trial, errors)
        return float(np.mean(errors))

    study.optimize(objective, n_trials=n_trials)
    return records


def _distributions(library: ModuleType, space: SearchSpace) -> dict[str, Any]:
    distributions = library.distributions
    result: dict[str, Any] = {}
    for param in space:
        if isinstance(param, FloatParam):
            result[param.name] = distributions.FloatDistribution(
                param.low, param.high, log=param.log
            )
        elif isinstance(param, CategoricalParam):
            result[param.name] = distributions.CategoricalDistribution(list(param.choices))
        else:
            result[param.name] = distributions.IntDistribution(param.low, param.high, log=param.log)
    return result


def make_terminator(library_name: str, rule: str, seed: int) -> Any:
    """One rule of ``library_name``'s terminator, its random draws seeded."""
    module = importlib.import_module(f"{library_name}.terminator")
    if rule == RULES[0]:
        return module.Terminator(module.RegretBoundEvaluator(seed=seed))
    emmr = module.EMMREvaluator(seed=seed)
    return module.Terminator(emmr, module.MedianErrorEvaluator(emmr))


def replay(
    library_name: str,
    rule: str,
    problem: ModelTuningProblem,
    records: list[dict[str, Any]],
    seed: int,
) -> dict[str, Any]:
    """Ask a terminator after each trial of ``records``: the trial count at which it
    stops the study (None: not within them) and the seconds its answers took."""
    library = _library(library_name)
    terminator = make_terminator(library_name, rule, seed)
    distributions = _distributions(library, problem.space)
    study = library.create_study(direction="minimize")
    seconds = 0.0
    for count, record in enumerate(records, 1):
        if record["value"] is None:
            trial = library.trial.create_trial(
                state=library.trial.TrialState.FAIL,
                params=record["params"],
                distributions=distributions,
            )
        else:
            trial = library.trial.create_trial(
                value=record["value"],
                params=record["params"],
                distributions=distributions,
                system_attrs={CV_SCORES_KEY: record["folds"]},
            )
        study.add_trial(trial)
        start = time.perf_counter()
        stop = terminator.should_terminate(study)
        seconds += time.perf_counter() - start
        if stop:
            return {"stop": count, "seconds": seconds, "calls": count}
    return {"stop": None, "seconds": seconds, "calls": len(records)}


def measure(problems: Sequence[str], n_trials: int, seeds: Sequence[int]) -> dict[str, Any]:
    """Every library's study per (problem, seed), and every terminator's stop on each."""
    studies, stops = [], []
    for name in problems:
        problem = PROBLEMS[name]
        assert isinstance(problem, ModelTuningProblem)
        for seed in seeds:
            for source in LIBRARIES:
                records = run_study(source, problem, n_trials, seed)
                studies.append({"problem": name, "seed": seed, "study": source, "trials": records})
                for rule in RULES:
                    for library_name in LIBRARIES:
                        result = replay(library_name, rule, problem, records, seed)
                        stops.append(
                            {
                                "problem": name,
                                "seed": seed,
                                "study": source,
                                "rule": rule,
                                "terminator": library_name,
                                **result,
                            }
                        )
                        print(
                            f"{name} seed {seed} {source} study, {library_name} {rule}: "
                            f"stop {result['stop']}",
                            file=sys.stderr,
                        )
    return {"n_trials": n_trials, "studies": studies, "stops": stops}


def _best(trials: list[dict[str, Any]], count: int) -> float:
    values = [t["value"] for t in trials[:count] if t["value"] is not None]
    return min(values) if values else math.nan


def _outcomes(results: dict[str, Any], **where: str) -> list[tuple[int, float, float, float]]:
    """Per study the stops of one (rule, terminator, study source) describe: trials run,
    best value at the stop, best value at the budget, seconds per answer."""
    budget = results["n_trials"]
    studies = {(s["problem"], s["seed"], s["study"]): s["trials"] for s in results["studies"]}
    outcomes = []
    for stop in results["stops"]:
        if any(stop[key] != value for key, value in where.items()):
            continue
        trials = studies[(stop["problem"], stop["seed"], stop["study"])]
        ran = stop["stop"] or budget
        outcomes.append(
            (ran, _best(trials, ran), _best(trials, budget), stop["seconds"] / stop["calls"])
        )
    return outcomes


def _cells(outcomes: list[tuple[int, float, float, float]]) -> list[str]:
    ran = [o[0] for o in outcomes]
    loss = [o[1] - o[2] for o in outcomes]
    at_stop = statistics.median(o[1] for o in outcomes)
    at_budget = statistics.median(o[2] for o in outcomes)
    return [
        f"{statistics.median(ran):g} ({min(ran)} to {max(ran)})",
        f"{at_stop:.4g} / {at_budget:.4g}",
        f"{statistics.median(loss):.4g} (max {max(loss):.4g})",
    ]


def build_report(results: dict[str, Any]) -> str:
    budget = results["n_trials"]
    seeds = sorted({s["seed"] for s in results["studies"]})
    lines = [
        *side_report_header("Terminators: trials saved and what stopping costs", results),
        f"* Problems: the model-tuning problems of the suite (3-fold CV error, lower is "
        f"better); budget {budget} trials; seeds {seeds[0]}-{seeds[-1]}. Each library's study "
        "uses its default sampler (fastune's AutoSampler, Optuna's TPE), seeded; every trial "
        "reports its fold errors.",
        "* Rules: 'regret bound + CV error' is `Terminator()`'s default "
        "(`RegretBoundEvaluator` against `CrossValidationErrorEvaluator`, from 20 trials); "
        "'EMMR + median error' is `Terminator(EMMREvaluator(), MedianErrorEvaluator(...))` "
        "(its bar is set at trial 30). The GP evaluators are seeded with the study's seed.",
        "* Columns: trials run (median, min to max; the budget when the rule never stops); "
        "median best value at the stop / at the full budget; the loss (best at the stop minus "
        "best at the budget, median and max); seconds per `should_terminate` call (median).",
        "",
        "## Defaults against defaults: each library's study and terminator",
        "",
    ]
    rows = []
    for rule in RULES:
        for problem in dict.fromkeys(s["problem"] for s in results["studies"]):
            for library in LIBRARIES:
                outcomes = _outcomes(
                    results, problem=problem, rule=rule, terminator=library, study=library
                )
                if not outcomes:
                    continue
                seconds = statistics.median(o[3] for o in outcomes)
                study = f"{SAMPLER_NAMES[library]} + {library} terminator"
                rows.append([rule, problem, study, *_cells(outcomes), f"{seconds:.3f}"])
    lines += table(
        [
            "rule",
            "problem",
            "study",
            "trials run",
            "best: at stop / at budget",
            "loss",
            "s per call",
        ],
        rows,
    )
    lines.append("")
    lines += [
        "## The same trials: both terminators on each library's studies",
        "",
        "All problems and seeds together.",
        "",
    ]
    rows = []
    for rule in RULES:
        for source in LIBRARIES:
            for library in LIBRARIES:
                outcomes = _outcomes(results, rule=rule, terminator=library, study=source)
                if not outcomes:
                    continue
                stopped = sum(o[0] < budget for o in outcomes)
                rows.append(
                    [
                        rule,
                        f"{source} studies",
                        f"{library} terminator",
                        *_cells(outcomes),
                        f"{stopped}/{len(outcomes)}",
                        f"{statistics.median(o[3] for o in outcomes):.3f}",
                    ]
                )
    lines += table(
        [
            "rule",
            "trials of",
            "terminator",
            "trials run",
            "best: at stop / at budget",
            "loss",
            "stopped before the budget",
            "s per call",
        ],
        rows,
    )
    return "\n".join(lines) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--problems", nargs="+", default=list(MODEL_PROBLEMS))


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    return (
        "terminator",
        measure(options.problems, options.trials, range(options.seeds)),
        build_report,
    )


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("terminator", __doc__, _arguments, _run_benchmark, argv)


if __name__ == "__main__":
    raise SystemExit(main())
