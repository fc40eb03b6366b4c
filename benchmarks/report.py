"""The markdown report of a suite, built only from its results JSON.

Every number in the report (and in the README section) is read or computed from that file,
so the tables can be rebuilt without rerunning anything.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks.side import code_version_text
from benchmarks.stats import mean_ranks, spread, trials_to_reach

# The fastune method the convergence figures follow: fastune's TPESampler without a pruner
# (not create_study's default, which is AutoSampler), or random search in results measured
# before fastune had TPE.
FASTUNE_REFERENCES = ("fastune tpe", "fastune random")
# BBOB has 24 functions; BENCHMARKS.md asks for all of them.
BBOB_FUNCTIONS = 24
# Per-seed lists of a quality record, in the order of its seeds.
PER_SEED_FIELDS = ("cost", "seconds")
CURVE_FIELDS = ("median_curve", "lower_quartile_curve", "upper_quartile_curve")


def count_seeds_once(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with each seed of a quality record counted once (its first study kept).

    Two plans that list the same (problem, method) ran its common seeds twice, and older
    results kept both studies in one record. The median curves of such a record cannot be
    recomputed without the per-seed curves, so they are left out (None): its plot shows
    the checkpoint medians alone. ``repeated_studies`` lists what was dropped.
    """
    records, repeated = [], []
    for record in results["quality"]:
        first = {seed: index for index, seed in reversed(list(enumerate(record["seeds"])))}
        kept = sorted(first.values())
        if len(kept) == len(record["seeds"]):
            records.append(record)
            continue
        dropped = [seed for index, seed in enumerate(record["seeds"]) if index not in kept]
        repeated.append(
            {"problem": record["problem"], "method": record["method"], "seeds": dropped}
        )
        record = {
            **record,
            "seeds": [record["seeds"][i] for i in kept],
            "best_at": {k: [values[i] for i in kept] for k, values in record["best_at"].items()},
            **{field: [record[field][i] for i in kept] for field in PER_SEED_FIELDS},
            **dict.fromkeys(CURVE_FIELDS),
        }
        records.append(record)
    return {**results, "quality": records, "repeated_studies": repeated}


def fastune_reference(results: dict[str, Any]) -> str:
    """The first of ``FASTUNE_REFERENCES`` that the results measured."""
    measured = {record["method"] for record in results["quality"]}
    return next((m for m in FASTUNE_REFERENCES if m in measured), FASTUNE_REFERENCES[-1])


GROUP_TITLES = {
    "bbob": "BBOB functions (log10 regret)",
    "model": "Model tuning (CV error, 1 - score)",
    "curve": "Learning-curve tasks (validation log loss)",
}


def fmt(value: float | None) -> str:
    """A number with three significant digits; a dash where it is missing."""
    return "—" if value is None else f"{value:.3g}"


def fmt_spread(values: Sequence[float | None]) -> str:
    """Median and interquartile range over seeds, e.g. ``1.2 [0.9, 1.5]``."""
    median, lower, upper = spread(values)
    if median is None:
        return "—"
    return f"{fmt(median)} [{fmt(lower)}, {fmt(upper)}]"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def records_of(results: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """Quality records of a problem group."""
    return [record for record in results["quality"] if record["group"] == group]


def methods_in(records: Iterable[dict[str, Any]]) -> list[str]:
    """Method names in order of first appearance."""
    return list(dict.fromkeys(record["method"] for record in records))


def median_at(record: dict[str, Any], k: int) -> float | None:
    """Median over seeds of the best value after ``k`` trials (None beyond the budget)."""
    values = record["best_at"].get(str(k))
    return None if values is None else spread(values).median


def group_ranks(results: dict[str, Any], group: str, k: int) -> dict[str, float]:
    """Mean rank of each method at ``k`` trials over the group's problems."""
    return mean_ranks(_group_medians(results, group, k))


def ranked_problems(results: dict[str, Any], group: str, k: int) -> dict[str, list[str]]:
    """The problems of the group each method is ranked on at ``k`` trials (where it ran)."""
    problems: dict[str, list[str]] = {}
    for problem, by_method in _group_medians(results, group, k).items():
        for method, value in by_method.items():
            if value is not None:
                problems.setdefault(method, []).append(problem)
    return problems


def _group_medians(results: dict[str, Any], group: str, k: int) -> dict[str, dict[str, Any]]:
    medians: dict[str, dict[str, float | None]] = {}
    for record in records_of(results, group):
        medians.setdefault(record["problem"], {})[record["method"]] = median_at(record, k)
    return medians


def subset_note(problems: dict[str, list[str]], group: str) -> str:
    """Which methods were ranked on fewer than all of the group's problems, and on which."""
    every = len({problem for ranked in problems.values() for problem in ranked})
    parts = [
        f"{method} on {len(ranked)} ({', '.join(ranked)})"
        for method, ranked in problems.items()
        if len(ranked) < every
    ]
    if not parts:
        return ""
    return (
        f"{GROUP_TITLES[group]}: every method is ranked among the methods that ran on each "
        f"problem, over the problems it ran; {len(problems) - len(parts)} methods ran all "
        f"{every}, the others fewer: " + "; ".join(parts) + "."
    )


def counts_cost(results: dict[str, Any], problem: str) -> bool:
    """Whether convergence on ``problem`` is counted in compute (epochs), not trials:
    there a peer's pruner makes its trials cheaper than fastune's reference's."""
    return bool(results["problems"][problem]["cost_unit"] == "epochs")


def convergence(results: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """What fastune's reference method spends to reach each peer's median final value.

    In trials; on problems measured in epochs, in epochs on both sides (pruned trials'
    epochs count): the peer's median epochs per study against the reference's epochs up to
    the trial it gets there. The reference runs without a pruner, so each of its trials
    costs the same (its epochs per study / its trials); where its studies did not all cost
    the same, the epochs figure is left out.
    """
    records = records_of(results, group)
    name = fastune_reference(results)
    reference = {r["problem"]: r for r in records if r["method"] == name}
    rows = []
    for record in records:
        if record["library"] == "fastune" or record["problem"] not in reference:
            continue
        target = median_at(record, record["budget"])
        fastune_record = reference[record["problem"]]
        if target is None or fastune_record["median_curve"] is None:
            continue
        k = trials_to_reach(fastune_record["median_curve"], target)
        row = {
            "problem": record["problem"],
            "peer": record["method"],
            "unit": "trials",
            "peer_budget": record["budget"],
            "fastune_budget": fastune_record["budget"],
            "trials": k,
            "spent": k,
            "peer_spent": record["budget"],
        }
        if counts_cost(results, record["problem"]):
            per_trial = {cost / fastune_record["budget"] for cost in fastune_record["cost"]}
            if len(per_trial) != 1:
                continue
            row |= {
                "unit": results["problems"][record["problem"]]["cost_unit"],
                "spent": None if k is None else k * per_trial.pop(),
                "peer_spent": statistics.median(record["cost"]),
            }
        row["ratio"] = None if row["spent"] is None else row["peer_spent"] / row["spent"]
        rows.append(row)
    return rows


def _convergence_cell(row: dict[str, Any]) -> str:
    if row["trials"] is None:
        return f"not in {row['fastune_budget']} trials"
    if row["unit"] == "trials":
        return f"{row['trials']} ({row['ratio']:.2g}x)"
    return (
        f"{row['spent']:,.0f} {row['unit']} vs {row['peer_spent']:,.0f} "
        f"({row['ratio']:.2g}x; trial {row['trials']})"
    )


def _load_note(machine: dict[str, Any]) -> str:
    load = machine.get("load_average_before_timings")
    if load is None:
        return ""
    return f" (1-minute load average when they started: {load}, on {machine['nproc']} cores)"


def remeasured_note(results: dict[str, Any]) -> str:
    """' Timed again at ...' when the timing rows were measured again after the suite."""
    if "timings_measured_at" not in results:
        return ""
    code = code_version_text({"code": results.get("timings_code")})
    return (
        f" Timed again at {results['timings_measured_at']} ({code}) with `python -m "
        "benchmarks timings`, the quality studies kept."
    )


def bbob_note(results: dict[str, Any]) -> str:
    """How many of BBOB's functions the results cover, named as a deviation from
    BENCHMARKS.md; empty without BBOB problems."""
    numbers = sorted(
        {int(m.group(1)) for name in results["problems"] if (m := re.match(r"bbob-f(\d+)-", name))}
    )
    if not numbers:
        return ""
    return (
        f"BBOB: {len(numbers)} of its {BBOB_FUNCTIONS} functions are run "
        f"({', '.join(f'f{n}' for n in numbers)}); a deviation from BENCHMARKS.md, which asks "
        f"for all {BBOB_FUNCTIONS}. The subset was chosen at the suite's first commit, "
        "before any result."
    )


def _header_section(results: dict[str, Any]) -> list[str]:
    machine = results["machine"]
    lines = [
        f"# fastune benchmarks: {results['suite']} suite",
        "",
        f"* Command: `{results['command']}`",
        f"* Started {results['started_at']}, took {results['duration_seconds'] / 60:.1f} min.",
        f"* Machine: {machine['nproc']} cores (nproc), {machine['platform']}, "
        f"Python {machine['python']}; quality studies ran {machine['workers']} at a time, "
        "each BLAS/OpenMP pool limited to one thread; timings ran after them, in one process"
        + _load_note(machine)
        + "."
        + remeasured_note(results),
        "* Versions: "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items()),
        f"* Code: {code_version_text(results)}.",
    ]
    if bbob_note(results):
        lines.append(f"* {bbob_note(results)}")
    for name, reason in results["skipped"].items():
        lines.append(f"* Skipped {name}: {reason}.")
    for rerun in results.get("reruns", []):
        lines.append(
            f"* The studies of {', '.join(rerun['methods'])} ran again at {rerun['at']} "
            "(`python -m benchmarks rerun`), after a change to them; the other records are "
            f"from the run above. Code: {code_version_text(rerun)}."
        )
    for repeated in results.get("repeated_studies", []):
        seeds = ", ".join(map(str, sorted(set(repeated["seeds"]))))
        lines.append(
            f"* {repeated['method']} on {repeated['problem']}: seeds {seeds} ran twice (two "
            "plans list it); each seed counts once here (its first study), and its plot "
            "shows checkpoint medians only."
        )
    lines += ["", "Studies (seeds are 0 .. n-1; every method gets the same seeds and budget):", ""]
    lines += table(
        ["problems", "methods", "seeds", "trials per study"],
        (
            [
                ", ".join(plan["problems"]),
                ", ".join(plan["methods"]),
                str(plan["n_seeds"]),
                str(plan["budget"]),
            ]
            for plan in results["plans"]
        ),
    )
    return lines


def _quality_section(results: dict[str, Any], group: str) -> list[str]:
    records = records_of(results, group)
    if not records:
        return []
    methods = methods_in(records)
    checkpoints = [
        k for k in results["checkpoints"] if any(str(k) in r["best_at"] for r in records)
    ]
    problem_info = results["problems"]
    lines = ["", f"### {GROUP_TITLES[group]}", ""]
    lines += ["Mean rank over problems (1 = best; a method is ranked where it ran):", ""]
    ranks = {k: group_ranks(results, group, k) for k in checkpoints}
    ranked = {k: ranked_problems(results, group, k) for k in checkpoints}
    lines += table(
        ["method", *(f"k = {k}" for k in checkpoints), "problems ranked on"],
        (
            [
                method,
                *(fmt(ranks[k].get(method)) for k in checkpoints),
                str(max(len(ranked[k].get(method, [])) for k in checkpoints)),
            ]
            for method in methods
        ),
    )
    for problem in dict.fromkeys(record["problem"] for record in records):
        info = problem_info[problem]
        lines += ["", f"**{problem}**: {info['description']}. Metric: {info['metric']}.", ""]
        lines += table(
            ["method", *(f"k = {k}" for k in checkpoints)],
            (
                [
                    record["method"],
                    *(fmt_spread(record["best_at"].get(str(k), [])) for k in checkpoints),
                ]
                for record in records
                if record["problem"] == problem
            ),
        )
    return lines


def _convergence_section(results: dict[str, Any], group: str) -> list[str]:
    rows = convergence(results, group)
    if not rows:
        return []
    peers = list(dict.fromkeys(row["peer"] for row in rows))
    cells = {(row["problem"], row["peer"]): _convergence_cell(row) for row in rows}
    problems = list(dict.fromkeys(row["problem"] for row in rows))
    lines = ["", f"### {GROUP_TITLES[group]}", ""]
    lines += table(
        ["problem", *peers],
        ([problem, *(cells.get((problem, peer), "—") for peer in peers)] for problem in problems),
    )
    return lines


def _compute_section(results: dict[str, Any], group: str) -> list[str]:
    records = records_of(results, group)
    if not records:
        return []
    unit = results["problems"][records[0]["problem"]]["cost_unit"]
    lines = ["", f"### {GROUP_TITLES[group]}", ""]
    lines += table(
        ["problem", "method", "trials", "final value", f"{unit} per study (median)"],
        (
            [
                record["problem"],
                record["method"],
                str(record["budget"]),
                fmt_spread(record["best_at"][str(record["budget"])]),
                f"{statistics.median(record['cost']):,.0f}",
            ]
            for record in records
        ),
    )
    return lines


# The pruning target: fastune's pruner against each of Optuna's, on the curve tasks.
PRUNING_REFERENCE = "fastune tpe+adaptive"
PRUNING_PEERS = {"optuna tpe+median": "fewer epochs", "optuna tpe+hyperband": "not worse"}
# How the verdicts read "not worse than HyperbandPruner on both figures at once".
HYPERBAND_READING = "not (more epochs and a worse best at once)"


def pruning_verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per curve problem and Optuna pruner: the epochs fastune's adaptive pruner saves
    (1 - its median epochs / the peer's), both median best final values, and whether the
    target holds: against the median pruner, >= 30 % saved and a best not worse; against
    Hyperband, not more epochs and a worse best at once (``holds``) and, read strictly,
    worse on neither figure (``strict``, None against the median pruner)."""
    by_key = {(r["problem"], r["method"]): r for r in records_of(results, "curve")}
    verdicts = []
    for problem in dict.fromkeys(problem for problem, _ in by_key):
        ours = by_key.get((problem, PRUNING_REFERENCE))
        for peer in PRUNING_PEERS:
            theirs = by_key.get((problem, peer))
            if ours is None or theirs is None:
                continue
            budget = str(ours["budget"])
            saved = 1.0 - statistics.median(ours["cost"]) / statistics.median(theirs["cost"])
            ours_best = spread(ours["best_at"][budget]).median
            theirs_best = spread(theirs["best_at"][budget]).median
            not_worse = (
                ours_best is not None and theirs_best is not None and ours_best <= theirs_best
            )
            if peer == "optuna tpe+median":
                holds, strict = saved >= 0.3 and not_worse, None
            else:
                holds, strict = saved >= 0.0 or not_worse, saved >= 0.0 and not_worse
            verdicts.append(
                {
                    "problem": problem,
                    "peer": peer,
                    "saved": saved,
                    "ours": ours_best,
                    "theirs": theirs_best,
                    "holds": holds,
                    "strict": strict,
                }
            )
    return verdicts


def _pruning_section(results: dict[str, Any]) -> list[str]:
    verdicts = pruning_verdicts(results)
    if not verdicts:
        return []
    lines = [
        "",
        "### Pruning: epochs saved at equal or better quality",
        "",
        f"{PRUNING_REFERENCE} against Optuna's pruners (lower log loss is better). Target: "
        "at least 30 % fewer epochs than optuna tpe+median with an equal or better median "
        "best value, and against optuna tpe+hyperband 'not worse on both figures at once'. "
        f"'target holds' reads the latter as {HYPERBAND_READING}; 'strict' as worse on "
        "neither figure.",
        "",
    ]
    rows = [
        [
            v["problem"],
            v["peer"],
            f"{100 * v['saved']:.1f} %",
            f"{fmt(v['ours'])} / {fmt(v['theirs'])}",
            "yes" if v["holds"] else "no",
            "—" if v["strict"] is None else ("yes" if v["strict"] else "no"),
        ]
        for v in verdicts
    ]
    lines += table(
        [
            "problem",
            "peer",
            "epochs saved",
            "median best: ours / peer",
            "target holds",
            "strict (Hyperband)",
        ],
        rows,
    )
    return lines


def overhead_rows(results: dict[str, Any]) -> dict[str, dict[int, list[float]]]:
    """Milliseconds per trial by method and study size, one entry per repeat."""
    rows: dict[str, dict[int, list[float]]] = {}
    for record in results["overhead"]:
        by_size = rows.setdefault(record["method"], {})
        by_size.setdefault(record["n_trials"], []).append(record["ms_per_trial"])
    return rows


def _overhead_section(results: dict[str, Any]) -> list[str]:
    rows = overhead_rows(results)
    sizes = sorted({record["n_trials"] for record in results["overhead"]})

    def cell(times: list[float] | None) -> str:
        if not times:
            return "not measured"
        if len(times) == 1:
            return f"{fmt(times[0])} (1 run)"
        low, high = fmt(min(times)), fmt(max(times))
        return f"{fmt(statistics.median(times))} ({low} to {high}, {len(times)} runs)"

    lines = [
        "",
        "## Overhead: sampler + storage time per trial (ms)",
        "",
        "A whole study on a trivial objective (two floats and an int, in-memory storage), "
        "divided by its trials; median (min to max) of the repeats, libraries interleaved.",
        "",
    ]
    lines += table(
        ["method", *(f"n = {size:,}" for size in sizes)],
        (
            [method, *(cell(by_size.get(size)) for size in sizes)]
            for method, by_size in rows.items()
        ),
    )
    return lines


def marginal_overhead_rows(results: dict[str, Any]) -> dict[str, dict[int, float]]:
    """Milliseconds per trial at trial n, by method and n."""
    rows: dict[str, dict[int, float]] = {}
    for record in results.get("marginal_overhead", []):
        rows.setdefault(record["method"], {})[record["n_trials"]] = record["ms_per_trial"]
    return rows


def _marginal_overhead_section(results: dict[str, Any]) -> list[str]:
    records = results.get("marginal_overhead", [])
    if not records:
        return []
    rows = marginal_overhead_rows(results)
    sizes = sorted({record["n_trials"] for record in records})
    lines = [
        "",
        "## Overhead at trial n: sampler + storage time per trial (ms)",
        "",
        f"One study per method on {records[0]['n_params']} floats (sum of squares, "
        "in-memory storage), timed over the "
        f"{records[0]['window']} trials that end at trial n; the methods take turns at "
        "each n. This is the cost of one more trial in a study that long.",
        "",
    ]
    lines += table(
        ["method", *(f"trial {size:,}" for size in sizes)],
        (
            [method, *(fmt(by_size[size]) if size in by_size else "—" for size in sizes)]
            for method, by_size in rows.items()
        ),
    )
    return lines


def throughput_rows(results: dict[str, Any]) -> dict[tuple[str, str], dict[int, float]]:
    """Median trials per second by (objective, method) and ``n_jobs``."""
    collected: dict[tuple[str, str], dict[int, list[float]]] = {}
    for record in results["throughput"]:
        by_jobs = collected.setdefault((record["objective"], record["method"]), {})
        by_jobs.setdefault(record["n_jobs"], []).append(record["trials_per_second"])
    return {
        key: {n_jobs: statistics.median(rates) for n_jobs, rates in by_jobs.items()}
        for key, by_jobs in collected.items()
    }


def _throughput_section(results: dict[str, Any]) -> list[str]:
    rows = throughput_rows(results)
    n_jobs_values = sorted({record["n_jobs"] for record in results["throughput"]})
    lines = [
        "",
        "## Scaling: trials per second with n_jobs workers",
        "",
        "fastune's n_jobs runs worker processes (its default; their start-up included), "
        "'fastune random threads' runs threads (backend='threads'), Optuna's n_jobs runs "
        "threads. Median of the repeats; speed-up is "
        f"n_jobs = {n_jobs_values[-1]} over n_jobs = 1.",
        "",
    ]
    lines += table(
        ["objective", "method", *(f"n_jobs = {n}" for n in n_jobs_values), "speed-up"],
        (
            [
                objective,
                method,
                *(fmt(rates[n]) for n in n_jobs_values),
                fmt(rates[n_jobs_values[-1]] / rates[1]),
            ]
            for (objective, method), rates in rows.items()
        ),
    )
    return lines


def build_report(results: dict[str, Any]) -> str:
    """The whole markdown report of ``results``."""
    groups = [group for group in GROUP_TITLES if records_of(results, group)]
    lines = _header_section(results)
    lines += ["", "## How the suite is set up", ""]
    lines += [f"* {note}" for note in results["notes"]]
    lines += [
        "",
        "## Quality at budget",
        "",
        "Best value after k trials: median [25th, 75th percentile] over seeds; "
        "— where the method ran fewer than k trials. Plots: "
        + ", ".join(f"`{name}`" for name in results["plots"])
        + ".",
    ]
    for group in groups:
        lines += _quality_section(results, group)
    lines += [
        "",
        "## Convergence speed",
        "",
        f"Trials {fastune_reference(results)} needs until its median best-so-far value reaches the "
        "peer's median final value (after the peer's whole budget), and the ratio "
        "peer trials / fastune trials (above 1: fastune is faster). "
        "'not in N trials': fastune did not get there within its N trials. On the "
        "learning-curve tasks, where the peers' pruners make their trials cheaper, both "
        "sides are counted in epochs (pruned trials' epochs count): fastune's epochs up to "
        "the trial it gets there vs the peer's median epochs per study, and their ratio.",
    ]
    for group in groups:
        lines += _convergence_section(results, group)
    lines += [
        "",
        "## Compute",
        "",
        "Compute each study consumed (median over seeds) next to the final value it reached.",
    ]
    for group in groups:
        if group != "bbob":
            lines += _compute_section(results, group)
        if group == "curve":
            lines += _pruning_section(results)
    lines += _overhead_section(results)
    lines += _marginal_overhead_section(results)
    lines += _throughput_section(results)
    return "\n".join(lines) + "\n"
