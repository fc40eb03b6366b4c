"""The markdown report of a suite, built only from its results JSON.

Every number in the report (and in the README section) is read or computed from that file,
so the tables can be rebuilt without rerunning anything.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks.stats import mean_ranks, spread, trials_to_reach

# The fastune method the convergence figures follow: create_study's default sampler, or
# random search in results measured before fastune had it.
FASTUNE_REFERENCES = ("fastune tpe", "fastune random")


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
    medians: dict[str, dict[str, float | None]] = {}
    for record in records_of(results, group):
        medians.setdefault(record["problem"], {})[record["method"]] = median_at(record, k)
    return mean_ranks(medians)


def convergence(results: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """Trials fastune's reference method needs to reach each peer's median final value."""
    records = records_of(results, group)
    name = fastune_reference(results)
    reference = {r["problem"]: r for r in records if r["method"] == name}
    rows = []
    for record in records:
        if record["library"] == "fastune" or record["problem"] not in reference:
            continue
        target = median_at(record, record["budget"])
        if target is None:
            continue
        fastune_record = reference[record["problem"]]
        k = trials_to_reach(fastune_record["median_curve"], target)
        rows.append(
            {
                "problem": record["problem"],
                "peer": record["method"],
                "peer_budget": record["budget"],
                "fastune_budget": fastune_record["budget"],
                "trials": k,
                "ratio": None if k is None else record["budget"] / k,
            }
        )
    return rows


def _convergence_cell(row: dict[str, Any]) -> str:
    if row["trials"] is None:
        return f"not in {row['fastune_budget']}"
    return f"{row['trials']} ({row['ratio']:.2g}x)"


def _load_note(machine: dict[str, Any]) -> str:
    load = machine.get("load_average_before_timings")
    if load is None:
        return ""
    return f" (1-minute load average when they started: {load}, on {machine['nproc']} cores)"


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
        + ".",
        "* Versions: "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items()),
    ]
    for name, reason in results["skipped"].items():
        lines.append(f"* Skipped {name}: {reason}.")
    for rerun in results.get("reruns", []):
        lines.append(
            f"* The studies of {', '.join(rerun['methods'])} ran again at {rerun['at']} "
            "(`python -m benchmarks rerun`), after a change to them; the other records are "
            "from the run above."
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
    lines += table(
        ["method", *(f"k = {k}" for k in checkpoints)],
        ([method, *(fmt(ranks[k].get(method)) for k in checkpoints)] for method in methods),
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


def pruning_verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per curve problem and Optuna pruner: the epochs fastune's adaptive pruner saves
    (1 - its median epochs / the peer's) and both median best final values."""
    by_key = {(r["problem"], r["method"]): r for r in records_of(results, "curve")}
    verdicts = []
    for problem in dict.fromkeys(problem for problem, _ in by_key):
        ours = by_key.get((problem, PRUNING_REFERENCE))
        for peer in PRUNING_PEERS:
            theirs = by_key.get((problem, peer))
            if ours is None or theirs is None:
                continue
            budget = str(ours["budget"])
            verdicts.append(
                {
                    "problem": problem,
                    "peer": peer,
                    "saved": 1.0
                    - statistics.median(ours["cost"]) / statistics.median(theirs["cost"]),
                    "ours": spread(ours["best_at"][budget]).median,
                    "theirs": spread(theirs["best_at"][budget]).median,
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
        "best value, and against optuna tpe+hyperband not more epochs *and* a worse value "
        "at once.",
        "",
    ]
    rows = []
    for v in verdicts:
        better = v["ours"] <= v["theirs"]
        if v["peer"] == "optuna tpe+median":
            holds = v["saved"] >= 0.3 and better
        else:
            holds = v["saved"] >= 0.0 or better
        rows.append(
            [
                v["problem"],
                v["peer"],
                f"{100 * v['saved']:.1f} %",
                f"{fmt(v['ours'])} / {fmt(v['theirs'])}",
                "yes" if holds else "no",
            ]
        )
    lines += table(
        ["problem", "peer", "epochs saved", "median best: ours / peer", "target holds"], rows
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


def remeasured_note(results: dict[str, Any]) -> str:
    """' Measured again at ...' when the scaling rows were timed again after the suite."""
    if "throughput_measured_at" not in results:
        return ""
    return (
        f" Measured again at {results['throughput_measured_at']} with `python -m benchmarks "
        f"throughput` (load average before: "
        f"{results['machine']['load_average_before_throughput']})."
    )


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
        f"n_jobs = {n_jobs_values[-1]} over n_jobs = 1." + remeasured_note(results),
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
        "'not in N': fastune did not get there within its N trials.",
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
