"""Side runs for the quality targets the suite misses: candidate default samplers and
settings of ``AdaptivePruner``, beside Optuna's, with as many seeds as asked.

``python -m benchmarks.variants samplers`` runs each sampler of ``SAMPLER_VARIANTS`` and
Optuna's TPE on the problems the sampler target names (BBOB 5-D and 10-D, and the model
tuning problems); ``python -m benchmarks.variants peers`` runs the other samplers of both
libraries (``PEER_SAMPLERS``) on the same problems, to show whether the target is within
reach of any known sampler; ``python -m benchmarks.variants pruners`` runs each setting of
``PRUNER_VARIANTS`` (a sampler and ``AdaptivePruner`` options) and Optuna TPE + median /
Hyperband on the learning-curve tasks. Each
writes ``variants_<kind>.json`` and ``.md`` to ``benchmarks/results/`` (or
``--output-dir``). Figures: medians over seeds, as in the suite's verdicts.
"""

from __future__ import annotations

import benchmarks.single_thread  # noqa: F401  (first: before numpy loads)

# isort: split

import argparse
import json
import os
import statistics
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from benchmarks.problems import PROBLEMS
from benchmarks.quality import quiet_libraries
from benchmarks.report import table
from benchmarks.runners import METHODS
from benchmarks.runners.optuna_api import StudySetup, run_study
from benchmarks.side import (
    RESULTS_DIR,
    SideReport,
    SideRun,
    run_side_benchmark,
    side_report_header,
)
from benchmarks.stats import best_so_far
from benchmarks.suites import MODEL_PROBLEMS

BBOB_TARGET_PROBLEMS = tuple(f"bbob-f{f:02d}-{d}d" for d in (5, 10) for f in (1, 3, 8, 10, 15, 21))
SAMPLER_PROBLEMS = {"BBOB 5-D and 10-D": BBOB_TARGET_PROBLEMS, "model tuning": MODEL_PROBLEMS}
CURVE_PROBLEMS = ("torch-mlp-digits", "mlp-partial_fit-digits", "sgd-partial_fit-digits")
# name -> (fastune sampler class, its keyword arguments besides the seed)
SAMPLER_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "fastune auto (the default)": ("AutoSampler", {}),
    "fastune auto, 20 start-up trials": ("AutoSampler", {"n_startup_trials": 20}),
    "fastune tpe": ("TPESampler", {}),
}
SAMPLER_REFERENCE = "optuna tpe"
# The samplers of both libraries the peers run measures beside the default and the
# reference (random and QMC samplers, never ahead on these problems, are left out).
PEER_SAMPLERS = ("fastune tpe", "fastune gp", "fastune cma-es", "optuna gp", "optuna cma-es")
# name -> (fastune sampler class, keyword arguments of AdaptivePruner)
PRUNER_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "auto (the default) + adaptive (defaults)": ("AutoSampler", {}),
    "tpe + adaptive (defaults)": ("TPESampler", {}),
    "auto + adaptive, top_until=1 (the bar for the whole run)": (
        "AutoSampler",
        {"top_until": 1.0},
    ),
    "auto + adaptive, n_startup_trials=2, n_min_trials=2": (
        "AutoSampler",
        {"n_startup_trials": 2, "n_min_trials": 2},
    ),
    "tpe + adaptive, n_startup_trials=2, n_min_trials=2": (
        "TPESampler",
        {"n_startup_trials": 2, "n_min_trials": 2},
    ),
}
PRUNER_REFERENCES = ("optuna tpe+median", "optuna tpe+hyperband")
# AutoSampler's GP prior and AdaptivePruner's defaults were chosen on seeds 0 .. this - 1.
TUNING_SEEDS = 10


def _run(kind: str, name: str, problem: str, budget: int, seed: int) -> dict[str, Any]:
    """One study (in a worker process): its best value after each trial, and its cost."""
    import fastune

    if name in METHODS:
        result = METHODS[name].run(PROBLEMS[problem], budget, seed)
    elif kind == "samplers":
        sampler_class, options = SAMPLER_VARIANTS[name]
        setup = StudySetup(
            lambda space, n, s: getattr(fastune.samplers, sampler_class)(seed=s, **options)
        )
        result = run_study(fastune, setup, PROBLEMS[problem], budget, seed)
    else:
        sampler_class, options = PRUNER_VARIANTS[name]
        setup = StudySetup(
            lambda space, n, s: getattr(fastune.samplers, sampler_class)(seed=s),
            make_pruner=lambda: fastune.pruners.AdaptivePruner(**options),
        )
        result = run_study(fastune, setup, PROBLEMS[problem], budget, seed)
    return {
        "method": name,
        "problem": problem,
        "seed": seed,
        "best": best_so_far(result.values, budget),
        "cost": result.cost,
    }


def measure(
    kind: str,
    n_seeds: int,
    budget: int,
    n_workers: int,
    first_seed: int = 0,
    default_only: bool = False,
) -> list[dict[str, Any]]:
    """Every study of ``kind`` on seeds ``first_seed`` to ``first_seed + n_seeds - 1``,
    ``n_workers`` at a time; with ``default_only``, the first variant (the default) and
    the references only."""
    if kind == "samplers":
        variants, references = list(SAMPLER_VARIANTS), [SAMPLER_REFERENCE]
        problems = tuple(p for group in SAMPLER_PROBLEMS.values() for p in group)
    elif kind == "peers":
        variants, references = list(PEER_SAMPLERS), []
        problems = tuple(p for group in SAMPLER_PROBLEMS.values() for p in group)
    else:
        variants, references = list(PRUNER_VARIANTS), list(PRUNER_REFERENCES)
        problems = CURVE_PROBLEMS
    methods = [*(variants[:1] if default_only else variants), *references]
    seeds = range(first_seed, first_seed + n_seeds)
    jobs = [(m, p, s) for m in methods for p in problems for s in seeds]
    with ProcessPoolExecutor(n_workers, initializer=quiet_libraries) as pool:
        futures = [pool.submit(_run, kind, m, p, budget, s) for m, p, s in jobs]
        return [future.result() for future in futures]


def _median(records: list[dict[str, Any]], key: Any) -> float:
    return statistics.median(key(r) for r in records)


def build_samplers_report(results: dict[str, Any]) -> str:
    records, budget = results["records"], results["budget"]
    half = budget // 2
    by = _grouped(records)
    groups = SAMPLER_PROBLEMS
    lines = [
        *side_report_header("Candidate default samplers", results),
        f"* {_target_terms(results)}: the issue's two figures.",
        "* " + _tuning_note(results, "samplers", "AutoSampler's GP length-scale prior"),
        "",
    ]
    rows = []
    variants = [m for m in SAMPLER_VARIANTS if any(m == key[0] for key in by)]
    for method in variants:
        cells = []
        for problems in [*groups.values(), [p for g in groups.values() for p in g]]:
            verdicts = [_sampler_verdicts(by, method, problem, half) for problem in problems]
            reach, better = (sum(v[i] for v in verdicts) for i in (0, 1))
            cells.append(f"{reach}/{len(problems)}; {better}/{len(problems)}")
        rows.append([method, *cells])
    lines += table(
        ["sampler", *(f"{title}: reach in {half}; better at {budget}" for title in groups), "all"],
        rows,
    )
    lines += ["", f"Median best after {half} / {budget} trials:", ""]
    methods = [*variants, SAMPLER_REFERENCE]
    lines += table(
        ["problem", *methods],
        (
            [
                problem,
                *(_half_and_end(by[(m, problem)], half) for m in methods),
            ]
            for problems in groups.values()
            for problem in problems
        ),
    )
    return "\n".join(lines) + "\n"


def _target_terms(results: dict[str, Any]) -> str:
    """The seeds and budget of a samplers or peers run, and what 'reach' and 'better'
    mean there."""
    budget = results["budget"]
    return (
        f"{_seeds(results)}, {budget} trials; lower is better (BBOB: log10 regret; model "
        f"tuning: CV error). 'reach': the median best after {budget // 2} trials is at or "
        f"below {SAMPLER_REFERENCE}'s median after {budget}; 'better': the median after "
        f"{budget} is below it (a tie is not better)"
    )


def _half_and_end(records: list[dict[str, Any]], half: int) -> str:
    """A table cell: the median best after ``half`` trials / after all of them."""
    at_half = _median(records, lambda r: r["best"][half - 1])
    return f"{at_half:.3g} / {_median(records, lambda r: r['best'][-1]):.3g}"


def _sampler_verdicts(
    by: dict[tuple[str, str], list[dict[str, Any]]], method: str, problem: str, half: int
) -> tuple[bool, bool]:
    """Whether ``method`` reaches the reference's median best at the full budget within
    ``half`` trials on ``problem``, and whether it beats it at the full budget (medians)."""
    theirs = _median(by[(SAMPLER_REFERENCE, problem)], lambda r: r["best"][-1])
    reach = _median(by[(method, problem)], lambda r: r["best"][half - 1]) <= theirs
    better = _median(by[(method, problem)], lambda r: r["best"][-1]) < theirs
    return reach, better


def build_peers_report(results: dict[str, Any]) -> str:
    records, budget = results["records"], results["budget"]
    half = budget // 2
    by = _grouped(records)
    problems = [p for group in SAMPLER_PROBLEMS.values() for p in group]
    # fastune tpe is both a candidate default and a peer: one column.
    methods = [
        m for m in dict.fromkeys([*SAMPLER_VARIANTS, *PEER_SAMPLERS]) if (m, problems[0]) in by
    ]
    lines = [
        *side_report_header("Is the sampler target within reach of any sampler?", results),
        f"* {_target_terms(results)}. The default's and the reference's records are the "
        f"samplers run's (`{results['reused_from']}`, the same seeds and budget), the others' "
        "this run's.",
        "* 'any sampler' counts a problem when at least one of the samplers reaches (beats) "
        "the reference there, chosen per problem after the fact: no single sampler can do "
        "better than that count, so where it is under the target (3/4 of the problems) the "
        "target is out of reach of every sampler measured.",
        "",
    ]
    verdicts = {m: [_sampler_verdicts(by, m, p, half) for p in problems] for m in methods}
    rows = [
        [m, *(f"{sum(v[i] for v in verdicts[m])}/{len(problems)}" for i in (0, 1))] for m in methods
    ]
    rows.append(
        [
            "any sampler (chosen per problem after the fact)",
            *(
                f"{sum(any(verdicts[m][j][i] for m in methods) for j in range(len(problems)))}"
                f"/{len(problems)}"
                for i in (0, 1)
            ),
        ]
    )
    lines += table(["sampler", f"reach in {half}", f"better at {budget}"], rows)
    lines += [
        "",
        f"Median best after {half} / {budget} trials; R: reaches, B: better:",
        "",
    ]
    cells = []
    for j, problem in enumerate(problems):
        row = [problem]
        for m in [*methods, SAMPLER_REFERENCE]:
            marks = (
                ""
                if m == SAMPLER_REFERENCE
                else "".join(mark for mark, flag in zip("RB", verdicts[m][j], strict=True) if flag)
            )
            row.append(_half_and_end(by[(m, problem)], half) + (f" {marks}" if marks else ""))
        cells.append(row)
    lines += table(["problem", *methods, SAMPLER_REFERENCE], cells)
    return "\n".join(lines) + "\n"


def build_pruners_report(results: dict[str, Any]) -> str:
    records = results["records"]
    by = _grouped(records)
    reference, hyperband = PRUNER_REFERENCES
    lines = [
        *side_report_header("Settings of AdaptivePruner", results),
        f"* {_seeds(results)}, {results['budget']} trials, the sampler each row "
        "names (auto: AutoSampler, the default); "
        "validation log loss, lower is better. Per task: epochs saved against "
        f"{reference} (median epochs), median best ours / theirs, and whether the target "
        f"holds (>= 30 % saved, best not worse), then against {hyperband}.",
        f"* Against {hyperband} the issue asks for 'not worse on both figures at once'. "
        "'ok' reads it as: not more epochs and a worse median best at once (one worse "
        "figure is allowed); 'strict' reads it as: worse on neither figure.",
        "* " + _tuning_note(results, "pruners", "AdaptivePruner's defaults and rules"),
        "",
    ]
    rows = []
    counts = []
    variants = [m for m in PRUNER_VARIANTS if any(m == key[0] for key in by)]
    for method in [*variants, "optuna tpe+hyperband"]:
        cells = []
        verdicts = []
        for problem in CURVE_PROBLEMS:
            mine, theirs, hb = (by[(m, problem)] for m in (method, reference, hyperband))
            cost, best = _median(mine, lambda r: r["cost"]), _median(mine, lambda r: r["best"][-1])
            saved = 1.0 - cost / _median(theirs, lambda r: r["cost"])
            their_best = _median(theirs, lambda r: r["best"][-1])
            holds = saved >= 0.30 and best <= their_best
            hb_cost, hb_best = (
                _median(hb, lambda r: r["cost"]),
                _median(hb, lambda r: r["best"][-1]),
            )
            lenient, strict = hyperband_readings(cost, best, hb_cost, hb_best)
            verdicts.append((holds, lenient, strict))
            cells.append(
                f"{saved:.0%}; {best:.3f} / {their_best:.3f}; {'holds' if holds else 'no'}; "
                f"vs Hyperband {'ok' if lenient else 'worse'}, "
                f"strict {'ok' if strict else 'worse'}"
            )
        rows.append([method, *cells])
        if method in variants:
            counts.append(
                [
                    method,
                    *(f"{sum(v[i] for v in verdicts)} of {len(verdicts)}" for i in range(3)),
                ]
            )
    lines += table(["pruner", *CURVE_PROBLEMS], rows)
    lines += ["", "Tasks where the target holds:", ""]
    lines += table(
        [
            "pruner",
            f"vs {reference}",
            f"vs {hyperband}: not (more epochs and a worse best)",
            f"vs {hyperband}, strict: worse on neither",
        ],
        counts,
    )
    return "\n".join(lines) + "\n"


def hyperband_readings(
    cost: float, best: float, hyperband_cost: float, hyperband_best: float
) -> tuple[bool, bool]:
    """The two readings of 'not worse than Hyperband on both figures at once' (lower is
    better for both): not more epochs and a worse best at once (the one the verdicts
    use), and worse on neither figure (the strict one)."""
    more_epochs, worse_best = cost > hyperband_cost, best > hyperband_best
    return not (more_epochs and worse_best), not (more_epochs or worse_best)


def _tuning_note(results: dict[str, Any], kind: str, tuned: str) -> str:
    """Whether the seeds of a run are the ones the defaults were chosen on, in words."""
    command = f"python -m benchmarks.variants {kind} --first-seed 10 --default-only"
    if results.get("first_seed", 0) >= TUNING_SEEDS:
        return (
            f"Held-out seeds: the defaults ({tuned}) were chosen on seeds "
            f"0-{TUNING_SEEDS - 1} of these problems, not on these."
        )
    return (
        f"The defaults ({tuned}) were chosen on these problems and seeds "
        f"0-{TUNING_SEEDS - 1}, so this run is not a held-out test of them; the held-out "
        f"run is `{command}`."
    )


def _seeds(results: dict[str, Any]) -> str:
    """The seeds of a run, in words."""
    first = results.get("first_seed", 0)
    last = first + results["n_seeds"] - 1
    return f"{results['n_seeds']} seeds ({first}-{last})"


def _grouped(records: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        grouped.setdefault((record["method"], record["problem"]), []).append(record)
    return grouped


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("samplers", "peers", "pruners"))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=None, help="100 samplers, 30 pruners")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds from this one on (held-out seeds: the defaults were chosen on 0-9)",
    )
    parser.add_argument(
        "--default-only", action="store_true", help="the default and the references only"
    )


def _report_of(options: argparse.Namespace) -> SideReport:
    """The file stem of a run with ``options`` and the function that builds its report."""
    report = {
        "samplers": build_samplers_report,
        "peers": build_peers_report,
        "pruners": build_pruners_report,
    }[options.kind]
    name = f"variants_{options.kind}"
    first = options.first_seed
    if first:  # a held-out run keeps the committed seeds-0-9 files
        name += f"_seeds{first}-{first + options.seeds - 1}"
    return name, report


def _run_benchmark(options: argparse.Namespace) -> SideRun:
    budget = options.budget or (30 if options.kind == "pruners" else 100)
    first = options.first_seed
    records = measure(
        options.kind, options.seeds, budget, options.workers, first, options.default_only
    )
    fields = {"n_seeds": options.seeds, "first_seed": first, "budget": budget, "records": records}
    if options.kind == "peers":  # the default and the reference: the samplers run's records
        fields["reused_from"], reused = _samplers_run(options, budget)
        records += [r for r in reused if r["method"] not in PEER_SAMPLERS]  # measured here
    name, report = _report_of(options)
    return name, fields, report


def _samplers_run(options: argparse.Namespace, budget: int) -> tuple[str, list[dict[str, Any]]]:
    """The file name and records of the samplers run with the seeds of ``options``
    (``python -m benchmarks.variants samplers`` with the same ``--first-seed`` and
    ``--seeds``): the one in ``--output-dir``, else the committed one."""
    stem, _ = _report_of(argparse.Namespace(**{**vars(options), "kind": "samplers"}))
    path = options.output_dir / f"{stem}.json"
    if not path.exists():
        path = RESULTS_DIR / f"{stem}.json"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run the samplers variant with these seeds first")
    results = json.loads(path.read_text())
    if (results["first_seed"], results["n_seeds"], results["budget"]) != (
        options.first_seed,
        options.seeds,
        budget,
    ):
        raise SystemExit(f"{path} has other seeds or another budget than this run")
    return path.name, results["records"]


def main(argv: Sequence[str] | None = None) -> int:
    return run_side_benchmark("variants", __doc__, _arguments, _run_benchmark, argv, _report_of)


if __name__ == "__main__":
    raise SystemExit(main())
