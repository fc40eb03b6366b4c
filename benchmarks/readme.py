"""The README's performance section, regenerated from a suite's results JSON.

It replaces what lies between the marker lines ``<!-- bench:start -->`` and
``<!-- bench:end -->``. The few figures the README quotes outside them (status rows, the GP
cost note) are written by hand and name their results file and command.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.report import (
    GROUP_TITLES,
    HYPERBAND_READING,
    PRUNING_REFERENCE,
    bbob_note,
    convergence,
    fastune_reference,
    fmt,
    group_ranks,
    marginal_overhead_rows,
    overhead_rows,
    pruning_verdicts,
    ranked_problems,
    records_of,
    remeasured_note,
    subset_note,
    table,
    throughput_rows,
)

START_MARKER = "<!-- bench:start -->"
END_MARKER = "<!-- bench:end -->"
# Ranks and overhead quoted in the README are read at these points.
README_RANK_TRIALS = 100
README_OVERHEAD_TRIALS = 1000


class MissingMarkersError(ValueError):
    """The README lacks the marker lines that delimit the benchmark section."""


def replace_section(text: str, section: str) -> str:
    """``text`` with the lines between the two marker lines replaced by ``section``.

    Raises:
        MissingMarkersError: a marker line is missing, repeated, or the end comes first.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == START_MARKER]
    ends = [i for i, line in enumerate(lines) if line.strip() == END_MARKER]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise MissingMarkersError(
            f"The README must contain one line {START_MARKER!r} followed later by one line "
            f"{END_MARKER!r}; found {len(starts)} start and {len(ends)} end marker(s)"
            + (" in the wrong order." if starts and ends and ends[0] < starts[0] else ".")
        )
    body = section if section.endswith("\n") else section + "\n"
    return "".join(lines[: starts[0] + 1]) + body + "".join(lines[ends[0] :])


def _rank_lines(results: dict[str, Any]) -> list[str]:
    """The rank table, each cell with the number of problems it averages over, and a line
    naming the problems of the methods that ran on fewer than all."""
    groups = [group for group in GROUP_TITLES if records_of(results, group)]
    ranks = {group: group_ranks(results, group, README_RANK_TRIALS) for group in groups}
    groups = [group for group in groups if ranks[group]]  # shorter budgets have no rank
    ranked = {group: ranked_problems(results, group, README_RANK_TRIALS) for group in groups}
    methods = list(dict.fromkeys(method for group in groups for method in ranks[group]))

    def cell(group: str, method: str) -> str:
        if method not in ranks[group]:
            return "—"
        return f"{fmt(ranks[group][method])} ({len(ranked[group][method])})"

    lines = table(
        ["method", *(GROUP_TITLES[group] for group in groups)],
        ([method, *(cell(group, method) for group in groups)] for method in methods),
    )
    notes = [subset_note(ranked[group], group) for group in groups]
    return lines + [line for note in notes if note for line in ("", note)]


def _convergence_lines(results: dict[str, Any]) -> list[str]:
    rows = [row for group in GROUP_TITLES for row in convergence(results, group)]
    summary = []
    for peer in dict.fromkeys(row["peer"] for row in rows):
        of_peer = [row for row in rows if row["peer"] == peer]
        ratios = [row["ratio"] for row in of_peer if row["ratio"] is not None]
        median_ratio = fmt(statistics.median(ratios)) if ratios else "—"
        summary.append([peer, f"{len(ratios)} of {len(of_peer)}", median_ratio])
    return table(
        ["peer", f"problems where {fastune_reference(results)} gets there", "median ratio"],
        summary,
    )


def _overhead_lines(results: dict[str, Any]) -> list[str]:
    rows = overhead_rows(results)
    return table(
        ["method", f"ms per trial at {README_OVERHEAD_TRIALS:,} trials (median)"],
        (
            [method, fmt(statistics.median(by_size[README_OVERHEAD_TRIALS]))]
            for method, by_size in rows.items()
            if README_OVERHEAD_TRIALS in by_size
        ),
    )


def _marginal_overhead_lines(results: dict[str, Any]) -> list[str]:
    rows = marginal_overhead_rows(results)
    sizes = sorted({n for by_size in rows.values() for n in by_size})
    return table(
        ["method", *(f"ms per trial at trial {n:,}" for n in sizes)],
        (
            [method, *(fmt(by_size[n]) if n in by_size else "—" for n in sizes)]
            for method, by_size in rows.items()
        ),
    )


def _pruning_lines(results: dict[str, Any]) -> list[str]:
    verdicts = pruning_verdicts(results)
    lines = table(
        [
            "learning-curve task",
            "peer",
            f"epochs saved by {PRUNING_REFERENCE}",
            "median best: fastune / peer",
            "target holds",
        ],
        (
            [
                v["problem"],
                v["peer"],
                f"{100 * v['saved']:.1f} %",
                f"{fmt(v['ours'])} / {fmt(v['theirs'])}",
                ("yes" if v["holds"] else "no")
                + ("" if v["strict"] is None else f" (strict: {'yes' if v['strict'] else 'no'})"),
            ]
            for v in verdicts
        ),
    )
    against_median = [v for v in verdicts if v["strict"] is None]
    against_hyperband = [v for v in verdicts if v["strict"] is not None]
    if not against_hyperband:
        return lines
    return [
        *lines,
        "",
        f"Target: against optuna tpe+median at least 30 % fewer epochs and a median best "
        f"not worse (met on {sum(v['holds'] for v in against_median)} of "
        f"{len(against_median)} tasks); against optuna tpe+hyperband 'not worse on both "
        f"figures at once', read as {HYPERBAND_READING}: met on "
        f"{sum(v['holds'] for v in against_hyperband)} of {len(against_hyperband)} tasks; "
        f"read strictly, worse on neither figure: met on "
        f"{sum(v['strict'] for v in against_hyperband)} of {len(against_hyperband)}.",
    ]


def _throughput_lines(results: dict[str, Any]) -> list[str]:
    rows = throughput_rows(results)
    return table(
        ["objective", "method", "speed-up with n_jobs = 2"],
        (
            [objective, method, fmt(rates[2] / rates[1])]
            for (objective, method), rates in rows.items()
            if 1 in rates and 2 in rates
        ),
    )


def build_section(results: dict[str, Any], report_link: str) -> str:
    """The README section: headline ranks, convergence, overhead and scaling."""
    lines = [
        f"Measured by `{results['command']}` on {results['started_at'][:10]}, "
        f"{results['machine']['nproc']} cores. All tables, seeds, versions and plots: "
        f"[{report_link}]({report_link}).",
        "",
        f"Mean rank of each method after {README_RANK_TRIALS} trials (1 = best; in "
        "parentheses the number of problems it is ranked on):",
        "",
        *_rank_lines(results),
        *(["", bbob_note(results)] if bbob_note(results) else []),
        "",
        f"Convergence: on how many problems {fastune_reference(results)} reaches each peer's "
        "median final value, and the median ratio peer compute / fastune compute where it "
        "does. Compute is trials, except on the learning-curve tasks: there the pruning "
        "peers' trials are cheaper, so both sides count epochs (pruned trials' epochs "
        "included; the peer's median epochs per study against fastune's epochs until it gets "
        "there):",
        "",
        *_convergence_lines(results),
        "",
        "Pruning on the learning-curve tasks (30 trials; validation log loss, lower is better):",
        "",
        *_pruning_lines(results),
        "",
        "Sampler + storage overhead: a whole study on a trivial objective (two floats and an "
        "int, in-memory storage), divided by its trials." + remeasured_note(results),
        "",
        *_overhead_lines(results),
        "",
        "Cost of one more trial in a long study (10 floats), the figure TPESampler's overhead "
        "target is read on (at most 1 ms at trial 1,000 and 5 ms at trial 10,000):",
        "",
        *_marginal_overhead_lines(results),
        "",
        "Scaling with n_jobs (fastune: worker processes unless marked threads).",
        "",
        *_throughput_lines(results),
    ]
    return "\n".join(lines) + "\n"


#: Said beside the figures that rest on the defaults of AutoSampler and AdaptivePruner.
TUNING_NOTE = (
    "The defaults behind the two targets below were chosen on the same problems and seeds "
    "0-9 that these figures use: AutoSampler's GP length-scale prior on the sampler "
    "problems, AdaptivePruner's defaults and rules on the three learning-curve tasks. "
    "These figures are therefore not held-out results. The held-out runs use other seeds: "
    "`python -m benchmarks.variants samplers --first-seed 10 --default-only` (10-19), "
    "`python -m benchmarks.variants pruners --first-seed 10 --default-only` (10-19) and "
    "`... pruners --first-seed 20 --seeds 30 --default-only` (20-49, more seeds: the "
    "pruning figures are noisy); their tables follow the committed ones where their "
    "results are in `benchmarks/results/`."
)


def _table_with_intro(report: str, intro: str) -> str:
    """``intro`` and the tables of ``report``, a blank line between two tables."""
    rows: list[str] = []
    for line in report.splitlines():
        if line.startswith("|"):
            rows.append(line)
        elif rows and rows[-1]:
            rows.append("")
    return "\n".join([intro, "", *rows]).rstrip("\n") + "\n"


#: The intro of each side report's README section, by the report's stem; "{link}" is
#: replaced by the report's path.
SIDE_REPORT_INTROS = {
    "gp_time": "GP sampler time, whole studies of 300 trials on a 10-D BBOB function (target "
    "for fastune's GPSampler: under 60 s); details: [{link}]({link}).",
    "memory": "Memory of a long study on 10 floats (flat kB per trial: linear growth); "
    "details: [{link}]({link}).",
    "storage_overhead": "Storages under load: ms per trial at trial n (targets for fastune: "
    "SQLite <= 3, PostgreSQL <= 5, flat) and 8 worker processes on one study; "
    "details: [{link}]({link}).",
    "dl_bench": "Deep learning: PBT on a torch MLP (`TorchTrainable`) against Optuna TPE + "
    "`MedianPruner` on noisy digits, compute in epochs (targets: Optuna's median best "
    "validation accuracy in at most half its epochs; a higher median test accuracy at "
    "equal epochs); details: [{link}]({link}).",
    "pruner_overhead": "Pruner overhead: ms per report-and-check in a study of n finished "
    "trials (fastune's `AdaptivePruner` does more work per check than a median rule); "
    "details: [{link}]({link}).",
    "pruner_replay": "Pruners on identical trials: the same trials, proposed by Optuna's TPE "
    "without pruning, replayed to every pruner, so its own saving and its cost in best value "
    "show without the sampler's answer to pruning (cells: epochs saved against Optuna's "
    "median rule; median (mean) best; seeds better/tied/worse; complete trials); "
    "details: [{link}]({link}).",
    "multi_objective": "Several objectives and constraints: NSGA-II and NSGA-III by the "
    "hypervolume of the final front (higher is better), GP and TPE with `constraints_func` "
    "by the best feasible value (lower is better; the best is 0.5); details: [{link}]({link}).",
    "terminator": "Terminators (`fastune.terminator` beside `optuna.terminator`, Optuna's "
    "rules): on the model-tuning problems, the trials each rule lets a study run before "
    "stopping it and the best value lost by stopping there, on each library's own studies "
    "and on the same trials; details: [{link}]({link}).",
    "lightgbm_tuner": "LightGBM's stepwise tuner (`fastune.integration.lightgbm` beside "
    "Optuna's from optuna-integration): the same splits and seeds, the best validation "
    "score, the best booster's test score, and the tuner's own time per trial; details: "
    "[{link}]({link}).",
    "distributed_trial": "A trial shared by the ranks of a torch.distributed group "
    "(`TorchDistributedTrial`, fastune's beside optuna-integration's): ms per collective "
    "call between two gloo processes, and the trials whose suggested values differ from "
    "the study's record on each rank; details: [{link}]({link}).",
    "variants_samplers": "The default sampler's quality target: on how many problems it "
    "reaches Optuna TPE's median best at 100 trials within 50, and beats it at 100 "
    "(target: 3/4 of the problems for both); details: [{link}]({link}).",
    "variants_peers": "Whether the sampler target is within reach of any sampler: the "
    "other samplers of both libraries on the same problems and seeds, and the count of "
    "problems where at least one of them, chosen per problem after the fact, reaches or "
    "beats Optuna TPE (no single sampler can do better than that count); details: "
    "[{link}]({link}).",
    "variants_pruners": "The pruning target on 10 seeds, for `AdaptivePruner` settings "
    "(>= 30 % fewer epochs than Optuna TPE + median with an equal or better median best; "
    "not worse than Optuna's Hyperband on both figures at once, read as "
    f"{HYPERBAND_READING}, with the strict reading, worse on neither figure, beside it); "
    "details: [{link}]({link}).",
}


def side_section(stem: str, report: str, link: str) -> str:
    """The README section of a side report (``python -m benchmarks.<stem>``, or of
    ``benchmarks.variants`` for ``variants_*``): its intro, a link and its tables; the
    first variants report comes after the note on where the defaults were chosen."""
    intro = SIDE_REPORT_INTROS[stem].format(link=link)
    if stem == "variants_samplers":
        intro = f"{TUNING_NOTE}\n\n{intro}"
    return _table_with_intro(report, intro)


def held_out_section(stem: str, report: str, link: str) -> str:
    """The README section of a held-out run of a variants report (other seeds than the
    ones its defaults were chosen on): a line that says so, a link and its tables."""
    seeds = link.rsplit("_seeds", 1)[-1].removesuffix(".md")
    return _table_with_intro(
        report,
        f"The same target on held-out seeds {seeds}, which the defaults were not chosen "
        f"on (`{stem}` run with `--first-seed`); details: [{link}]({link}).",
    )


def pbt_section(report: str, link: str) -> str:
    """The headline of the PBT benchmark's report (``python -m benchmarks.pbt_bench``),
    copied as it is: its table and the held-out check under it."""
    lines = report.splitlines()
    start = lines.index("## Headline") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("## "))
    body = "\n".join(lines[start:end]).strip()
    return (
        f"Population Based Training (`PBTSearchCV`) against Optuna TPE and "
        f"`RandomizedSearchCV`, in training compute (epochs x folds); "
        f"details: [{link}]({link}).\n\n"
        f"{body}\n"
    )
