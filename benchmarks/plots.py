"""Best-value-vs-trials plots, one PNG per problem, drawn from the results JSON.

``curve_data`` gathers the plain numbers of one problem; ``draw_problem`` renders them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.stats import spread


class MethodCurve(NamedTuple):
    """Median best-so-far value of a method after each of ``trials``, with its quartiles."""

    method: str
    trials: list[int]
    median: list[float]
    lower_quartile: list[float]
    upper_quartile: list[float]


def _as_floats(values: list[float | None]) -> list[float]:
    return [math.nan if value is None else value for value in values]


def curve_data(records: list[dict[str, Any]], problem: str) -> list[MethodCurve]:
    """The curves of every method that ran on ``problem``: after every trial, or at the
    checkpoints alone for a record without curves (seeds counted once afterwards)."""
    curves = []
    for record in records:
        if record["problem"] != problem:
            continue
        if record["median_curve"] is not None:
            trials = list(range(1, len(record["median_curve"]) + 1))
            median = record["median_curve"]
            lower, upper = record["lower_quartile_curve"], record["upper_quartile_curve"]
        else:
            trials = sorted(map(int, record["best_at"]))
            median, lower, upper = map(
                list, zip(*(spread(record["best_at"][str(k)]) for k in trials), strict=True)
            )
        curves.append(
            MethodCurve(
                record["method"], trials, _as_floats(median), _as_floats(lower), _as_floats(upper)
            )
        )
    return curves


def draw_problem(
    curves: list[MethodCurve], title: str, metric: str, path: Path, *, log_scale: bool
) -> None:
    """Plot ``curves`` (median line, interquartile band, a dot at the last trial) to ``path``.

    ``log_scale`` puts the values on a log axis, so that small late gains stay visible.
    """
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for curve in curves:
        trials = curve.trials
        (line,) = axes.plot(trials, curve.median, label=curve.method, linewidth=1.5)
        axes.fill_between(
            trials, curve.lower_quartile, curve.upper_quartile, color=line.get_color(), alpha=0.15
        )
        # Methods scored only at the end (halving search) show up as this dot alone.
        axes.plot(trials[-1:], curve.median[-1:], "o", color=line.get_color())
    if log_scale:
        axes.set_yscale("log")
    axes.set_xlabel("trials")
    axes.set_ylabel(f"best {metric}")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def draw_all(results: dict[str, Any], output_dir: Path) -> list[str]:
    """One PNG per problem of ``results`` in ``output_dir``; returns the file names."""
    names = []
    for problem, info in results["problems"].items():
        name = f"{results['suite']}_{problem}.png"
        title = f"{problem}: median and IQR over seeds"
        draw_problem(
            curve_data(results["quality"], problem),
            title,
            info["metric"],
            output_dir / name,
            # BBOB values are log10 regrets already.
            log_scale=info["group"] != "bbob",
        )
        names.append(name)
    return names
