"""Optimization history: each trial's objective value and the best value so far."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from fastune.study import Study, StudyDirection
from fastune.trial._constraints import violation
from fastune.visualization._utils import (
    Target,
    check_target,
    check_target_name,
    complete_trials,
    new_axes,
    note,
    objective_values,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "HistoryLine",
    "best_so_far_band",
    "optimization_history_data",
    "plot_optimization_history",
]


class HistoryLine(NamedTuple):
    """One study's complete trials: numbers, values and the best value so far (empty
    when a custom ``target`` is plotted, which has no direction), and how many trials of
    any state the study has."""

    study_name: str
    numbers: list[int]
    values: list[float]
    best_so_far: list[float]
    n_trials: int


def _studies(study: Study | Sequence[Study]) -> list[Study]:
    return [study] if isinstance(study, Study) else list(study)


def optimization_history_data(
    study: Study | Sequence[Study], target: Target | None = None
) -> list[HistoryLine]:
    """Gather one :class:`HistoryLine` per study."""
    lines = []
    for one in _studies(study):
        check_target(one, target, "plot_optimization_history")
        trials = complete_trials(one)
        values = objective_values(trials, target)
        best: list[float] = []
        if target is None:
            # The best so far counts the feasible trials only (see Trial.set_constraint):
            # NaN, no line, until the first one.
            pick = max if one.direction == StudyDirection.MAXIMIZE else min
            for trial, value in zip(trials, values, strict=True):
                last = best[-1] if best else math.nan
                if violation(trial.system_attrs) > 0.0:
                    best.append(last)
                else:
                    best.append(value if math.isnan(last) else pick(value, last))
        numbers = [t.number for t in trials]
        n_trials = len(one.get_trials(deepcopy=False))
        lines.append(HistoryLine(one.study_name, numbers, values, best, n_trials))
    return lines


def best_so_far_band(lines: Sequence[HistoryLine]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The trial numbers complete in at least one study, and at each of them the mean and
    the standard deviation of the best value so far across the studies, as Optuna's: a
    study's best value holds over its pruned, failed and running trials; a study is left
    out at the numbers past its last trial, and before its first feasible one."""
    numbers = sorted({n for line in lines for n in line.numbers})
    wanted = np.array(numbers, dtype=int)
    table = np.full((len(lines), len(numbers)), np.nan)
    for row, line in zip(table, lines, strict=True):
        # At each wanted number, the last complete trial up to it.
        last = np.searchsorted(line.numbers, wanted, side="right") - 1
        known = (last >= 0) & (wanted < line.n_trials)
        row[known] = np.asarray(line.best_so_far, dtype=float)[last[known]]
    drawn = ~np.isnan(table).all(axis=0)
    table = table[:, drawn]
    return (
        [n for n, keep in zip(numbers, drawn, strict=True) if keep],
        np.nanmean(table, axis=0),
        np.nanstd(table, axis=0),
    )


def plot_optimization_history(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    error_bar: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Plot each complete trial's objective value and the best value so far.

    Args:
        study: A study, or several studies drawn together (for example the same
            problem with several seeds).
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives. No best-so-far line is drawn for a target.
        target_name: The label of the value axis.
        error_bar: With several studies, draw the mean best-so-far and a band of one
            standard deviation across them at each trial number (a study's best value
            holds over its pruned and failed trials, as in Optuna).
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: a study has several objectives and ``target`` is None.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_optimization_history
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> ax = plot_optimization_history(study)
    """
    check_target_name(target_name, "plot_optimization_history")
    lines = optimization_history_data(study, target)
    ax = new_axes(ax)
    several = len(lines) > 1
    band = several and error_bar and target is None
    for index, line in enumerate(lines):
        # One study: blue points and a red line; several: one colour per study.
        color = f"C{index % 10}"
        suffix = f" ({line.study_name})" if several else ""
        ax.scatter(
            line.numbers, line.values, s=14, color=color, alpha=0.55, label=target_name + suffix
        )
        if line.best_so_far and not band:
            best_color = color if several else "tab:red"
            ax.step(
                line.numbers,
                line.best_so_far,
                where="post",
                color=best_color,
                label="Best Value" + suffix,
            )
    if band:
        numbers, mean, std = best_so_far_band(lines)
        ax.step(numbers, mean, where="post", color="tab:red", label="Best Value (mean)")
        ax.fill_between(
            numbers,
            mean - std,
            mean + std,
            step="post",
            color="tab:red",
            alpha=0.2,
            label="Best Value ± 1 std",
        )
    ax.set_title("Optimization History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel(target_name)
    if any(line.numbers for line in lines):
        ax.legend(loc="best", fontsize="small")
    else:
        note(ax, "no complete trial yet")
    return ax
