"""The markdown report and the PNG figures, built only from the results JSON."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from benchmarks.pbt_bench.analysis import median_curve
from benchmarks.pbt_bench.methods import COMPUTE_ACCOUNTING
from benchmarks.side import code_version_text

TARGET = (
    "On scikit-learn tuning problems with incremental estimators (MLPClassifier and "
    "SGDClassifier on digits and breast cancer, HistGradientBoosting), 10 seeds: "
    "PBTSearchCV reaches the median best CV score of Optuna TPE (via an objective doing the "
    "same CV) and of `RandomizedSearchCV` with at most half their training compute "
    "(epochs x folds), and at equal compute its median is higher."
)
GRID_POINTS = 150
CAVEATS = (
    "PBT's best score is the best of all its (member, generation) rows, including rows of "
    "members that have trained only part of the budget; with noisy labels a shorter "
    "training can score higher, which the peers (every candidate trained to the full "
    'budget, as the target prescribes) cannot use. The "... of pick" columns show how '
    "long each method's pick trained.",
    "The best CV score is a maximum over noisy evaluations, and PBT takes it over "
    "population x generations rows where a peer takes it over its trials, so selection on "
    "noise favours PBT. The held-out accuracy of each method's pick (refitted on all "
    "tuning rows, scored on clean held-out labels) is the check on that.",
    "MLPClassifier in `partial_fit` mode builds its layers and its optimizer at the first "
    "step: PBTSearchCV writes an explored `learning_rate_init` into that optimizer, and "
    "treats `hidden_layer_sizes` and `solver` as structural (an exploiting member takes "
    "the donor's, they are never perturbed), so the reported parameters are the ones each "
    "model trained with.",
    "The peers call `fit`, whose default `tol` stops SGD/MLP once the training loss "
    "stalls; their compute is the epochs actually run (`n_iter_`), so stopping early "
    "lowers their compute, never raises it.",
)


def fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_spread(cell: dict[str, float | None] | None) -> str:
    if not cell or cell["median"] is None:
        return "—"
    return f"{fmt(cell['median'])} [{fmt(cell['lower_quartile'])}, {fmt(cell['upper_quartile'])}]"


def fmt_compute(value: float | None) -> str:
    return "not reached" if value is None else f"{value:,.0f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _candidates(compute: float, info: dict[str, Any]) -> str:
    return f"{compute / info['candidate_compute']:g}"


# -- figures ---------------------------------------------------------------------------------


class MethodCurve(NamedTuple):
    """Median best CV score of a method (with quartiles) at each compute of ``compute``."""

    method: str
    compute: list[float]
    median: list[float | None]
    lower_quartile: list[float | None]
    upper_quartile: list[float | None]


def curve_data(results: dict[str, Any], problem: str) -> list[MethodCurve]:
    """The curves of every method on ``problem``, each up to its own nominal compute."""
    summary = results["summary"][problem]["methods"]
    top = max(method["nominal_compute"] for method in summary.values())
    curves = []
    for name, method in summary.items():
        runs = [
            r["events"] for r in results["runs"] if r["problem"] == problem and r["method"] == name
        ]
        end = max(method["nominal_compute"], max(r[-1][0] for r in runs))
        grid = [x for x in (top * k / GRID_POINTS for k in range(1, GRID_POINTS + 1)) if x <= end]
        spreads = median_curve(runs, grid)
        curves.append(
            MethodCurve(
                name,
                grid,
                [s.median for s in spreads],
                [s.lower_quartile for s in spreads],
                [s.upper_quartile for s in spreads],
            )
        )
    return curves


def draw_curves(curves: list[MethodCurve], title: str, unit: str, path: Path) -> None:
    """Median line and interquartile band per method, compute on the x axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def floats(values: list[float | None]) -> list[float]:
        return [float("nan") if v is None else v for v in values]

    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    for curve in curves:
        (line,) = axes.plot(curve.compute, floats(curve.median), label=curve.method, linewidth=1.6)
        axes.fill_between(
            curve.compute,
            floats(curve.lower_quartile),
            floats(curve.upper_quartile),
            color=line.get_color(),
            alpha=0.12,
        )
    # Focus on the region where the methods differ, not on the first poor candidates.
    finals = [c.lower_quartile[-1] for c in curves if c.lower_quartile and c.lower_quartile[-1]]
    if finals:
        axes.set_ylim(bottom=min(finals) - 0.05)
    axes.set_xlabel(f"compute ({unit} x folds)")
    axes.set_ylabel("best mean CV accuracy so far")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def draw_all(results: dict[str, Any], output_dir: Path, prefix: str) -> dict[str, str]:
    """One PNG per problem; returns the file name by problem."""
    names = {}
    for problem, info in results["problems"].items():
        name = f"{prefix}_{problem}.png"
        title = f"{problem}: median and IQR over {len(results['seeds'])} seeds"
        draw_curves(curve_data(results, problem), title, info["unit"], output_dir / name)
        names[problem] = name
    return names


# -- markdown --------------------------------------------------------------------------------


def _header(results: dict[str, Any]) -> list[str]:
    machine = results["machine"]
    return [
        "# PBT benchmark: fastune PBTSearchCV vs Optuna TPE and RandomizedSearchCV",
        "",
        f"* Command: `{results['command']}`",
        f"* Started {results['started_at']}, took {results['duration_seconds'] / 60:.1f} min.",
        f"* Machine: {machine['nproc']} cores (nproc), {machine['platform']}, Python "
        f"{machine['python']}; {machine['workers']} runs at a time, every search with "
        f"`n_jobs=1` and one BLAS/OpenMP thread; load average at the start "
        f"{machine['load_average']}.",
        "* Versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()),
        f"* Code: {code_version_text(results)}.",
        f"* Seeds: {', '.join(map(str, results['seeds']))}. A seed sets the search's "
        "random state and the estimator's `random_state`; data, label noise and folds are "
        "the same in every run.",
        "",
        "Target under test:",
        "",
        f"> {TARGET}",
    ]


def _method_lines(results: dict[str, Any]) -> list[str]:
    lines = ["", "## Methods and budgets", ""]
    for method in results["methods"]:
        if method["library"] == "fastune":
            text = (
                f"`PBTSearchCV(population_size={method['population_size']}, "
                f"generations={method['generations']}, explore={method['explore']!r})`, "
                "everything else default; `steps_per_generation` makes each member train "
                "as long as one peer candidate (see below)"
            )
        elif method["library"] == "optuna":
            text = (
                f"Optuna `TPESampler(seed=seed)` (the default sampler), {method['trials']} "
                "trials, each the same 3-fold CV of the estimator trained to its full budget"
            )
        else:
            text = (
                f"`RandomizedSearchCV(n_iter={method['trials']})` with the same folds, each "
                "candidate trained to its full budget"
            )
        lines.append(f"* **{method['name']}**: {text}.")
    accounting = " ".join(COMPUTE_ACCOUNTING.split())
    lines += ["", f"**Compute accounting.** {accounting}"]
    lines += [
        "",
        "Equal compute is measured in *candidate budgets*: one candidate budget is one "
        "candidate trained to the full budget on every fold (`max_iter` x 3). A peer's best "
        "score at compute c is the best among the candidates finished within c.",
    ]
    return lines


def _verdict_section(results: dict[str, Any]) -> list[str]:
    reference = results["methods"][0]["name"]
    lines = ["", "## Headline", ""]
    lines += [
        f"Per problem, for **{reference}** (defaults). The verdict ('target holds') rests on "
        "the held-out accuracy of each method's pick (refitted on all tuning rows, scored on "
        "clean held-out rows): PBT's median is at least every peer's, with at most half the "
        "peer's median compute. The CV figures come second: the compute PBT needs until its "
        "median best CV score reaches each peer's median final best score, as the ratio peer "
        "compute / PBT compute (target: >= 2), its median best CV score at its own budget "
        "next to the peer's median at the same compute, and whether the target holds on "
        "them ('on CV'). PBT's best CV score is a maximum over population x generations "
        "noisy evaluations, a peer's over its trials, so the CV verdict favours PBT.",
        "",
    ]
    peers = [m["name"] for m in results["methods"] if m["library"] != "fastune"]
    header = ["problem"]
    for peer in peers:
        header += [f"ratio vs {peer}", f"at equal compute: PBT / {peer}"]
    header += ["held-out acc. of pick: PBT / " + " / ".join(peers)]
    header += ["target holds (held-out)", "on CV", "variants that meet it (held-out)"]
    rows = []
    for problem, summary in results["summary"].items():
        verdict = summary["verdicts"][reference]
        row = [problem]
        for peer in peers:
            cell = verdict["peers"].get(peer)
            if cell is None:
                row += ["—", "—"]
                continue
            ratio = "not reached" if cell["ratio"] is None else f"{cell['ratio']:.2f}x"
            row += [
                ratio,
                f"{fmt(cell['pbt_at_pbt_budget'])} / {fmt(cell['peer_at_pbt_budget'])}",
            ]
        passing = [name for name, v in summary["verdicts"].items() if v["holds"]]
        held_out = [summary["methods"][name]["test"]["median"] for name in (reference, *peers)]
        row.append(" / ".join(fmt(value) for value in held_out))
        row += [
            "yes" if verdict["holds"] else "no",
            "yes" if verdict["holds_cv"] else "no",
            ", ".join(passing) or "none",
        ]
        rows.append(row)
    lines += table(header, rows)
    at_least = [
        problem
        for problem, summary in results["summary"].items()
        if (summary["methods"][reference]["test"]["median"] or 0.0)
        >= max((summary["methods"][peer]["test"]["median"] or 0.0) for peer in peers)
    ]
    lines += [
        "",
        f"Held-out check: the refitted pick of {reference} scores at least as well on the "
        f"clean held-out rows as every peer's pick on {len(at_least)} of "
        f"{len(results['summary'])} problems" + (f" ({', '.join(at_least)})." if at_least else "."),
    ]
    everywhere = [
        name
        for name in results["summary"][next(iter(results["summary"]))]["verdicts"]
        if all(summary["verdicts"][name]["holds"] for summary in results["summary"].values())
    ]
    lines += [
        "",
        "Configurations for which the target holds on every problem (held-out): "
        + (", ".join(everywhere) if everywhere else "none")
        + ".",
    ]
    return lines


def _problem_section(results: dict[str, Any], problem: str, figure: str | None) -> list[str]:
    info = results["problems"][problem]
    summary = results["summary"][problem]
    methods = summary["methods"]
    lines = ["", f"### {problem}", "", f"{info['description']}.", ""]
    lines += ["Search space: " + "; ".join(info["space"]) + ".", ""]
    lines += [
        f"One tuning row more or less classified right moves the mean CV accuracy by about "
        f"1/{info['n_tuning_rows']} = {1 / info['n_tuning_rows']:.4f}.",
        "",
    ]
    checkpoints = summary["checkpoints"]
    header = [
        "method",
        *(f"best at {_candidates(c, info)} cand. ({c:,})" for c in checkpoints),
        "compute used (median)",
        f"{info['unit']} of pick (median)",
        "held-out acc. of pick",
        "wall s (median)",
    ]
    lines += [
        f"Best mean CV accuracy at equal compute ({info['unit']} x folds; "
        "median [IQR] over seeds; — beyond a method's budget):",
        "",
    ]
    lines += table(
        header,
        (
            [
                name,
                *(fmt_spread(method["at_checkpoint"].get(str(c))) for c in checkpoints),
                f"{method['median_compute']:,.0f}",
                f"{method['median_pick_units']:.3g}",
                fmt(method["test"]["median"]),
                f"{method['median_seconds']:.1f}",
            ]
            for name, method in methods.items()
        ),
    )
    targets = summary["targets"]
    if summary["compute_to_reach"]:
        lines += [
            "",
            "Compute until the median best score reaches each peer's median final best "
            "score (in parentheses: peer's median compute / this, for the PBT rows):",
            "",
        ]
        peers = list(summary["compute_to_reach"])
        lines += table(
            ["method", *(f"to {peer}'s {fmt(targets[peer])}" for peer in peers)],
            ([name, *(_reach_cell(summary, peer, name) for peer in peers)] for name in methods),
        )
    if figure:
        lines += ["", f"![{problem}]({figure}) `{figure}`"]
    return lines


def _reach_cell(summary: dict[str, Any], peer: str, name: str) -> str:
    needed = summary["compute_to_reach"][peer].get(name)
    cell = fmt_compute(needed)
    verdict = summary["verdicts"].get(name)
    if verdict is not None and needed is not None:
        cell += f" ({verdict['peers'][peer]['ratio']:.2f}x)"
    return cell


def build_report(results: dict[str, Any], figures: dict[str, str]) -> str:
    lines = _header(results)
    lines += _verdict_section(results)
    lines += _method_lines(results)
    lines += ["", "## Problems"]
    for problem in results["problems"]:
        lines += _problem_section(results, problem, figures.get(problem))
    lines += ["", "## Caveats", ""] + [f"* {note}" for note in CAVEATS]
    return "\n".join(lines) + "\n"
