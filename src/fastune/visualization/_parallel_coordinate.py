"""Parallel coordinates: each complete trial is a line through the objective and its
parameters, one vertical axis each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from fastune._imports import import_optional
from fastune._pareto import pareto_ranks
from fastune.distributions import CategoricalDistribution
from fastune.study import Study, StudyDirection
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._utils import (
    Target,
    check_target,
    check_target_name,
    complete_trials,
    distribution_of,
    is_log,
    new_axes,
    note,
    objective_values,
    param_names,
    param_position,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ParallelAxis",
    "ParallelCoordinateData",
    "parallel_coordinate_data",
    "plot_parallel_coordinate",
]


class ParallelAxis(NamedTuple):
    """One vertical axis: a value per trial (a choice's index for a categorical; NaN for
    a trial without this parameter, drawn at "None" below the axis), whether the axis is
    logarithmic, and the choices of a categorical parameter."""

    name: str
    values: list[float]
    log: bool
    choices: list[str] | None


class ParallelCoordinateData(NamedTuple):
    """The trials drawn (complete, with a finite value on every objective axis), the
    objective axes (one, or one per objective of a study with several and no
    ``target``) followed by one axis per parameter, and the lines' colours: the
    objective, or each trial's Pareto rank (0 on the front)."""

    numbers: list[int]
    axes: list[ParallelAxis]
    n_objective_axes: int
    colors: list[float]
    color_label: str


def parallel_coordinate_data(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> ParallelCoordinateData:
    """Gather the axes of :func:`plot_parallel_coordinate`."""
    if target is not None:
        check_target(study, target, "plot_parallel_coordinate")
    complete = complete_trials(study)
    names = param_names(complete, params, "plot_parallel_coordinate")
    if target is None and len(study.directions) > 1:
        labels = study.metric_names or [f"Objective {k}" for k in range(len(study.directions))]
        rows = [
            [float(v) for v in t.values]
            for t in complete
            if t.values is not None and len(t.values) == len(labels)
        ]
        kept = [k for k, row in enumerate(rows) if all(math.isfinite(v) for v in row)]
        trials, columns = [complete[k] for k in kept], np.array([rows[k] for k in kept])
        columns = columns.reshape(len(trials), len(labels))
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        colors = [float(rank) for rank in pareto_ranks(columns * signs)]
        axes = [
            ParallelAxis(label, list(columns[:, k]), False, None) for k, label in enumerate(labels)
        ]
        color_label = "Pareto Rank"
    else:
        objective = objective_values(complete, target)
        # A trial whose value is infinite has no place on the axis: left out, as Optuna.
        finite = [k for k, value in enumerate(objective) if math.isfinite(value)]
        trials, colors = [complete[k] for k in finite], [objective[k] for k in finite]
        axes, color_label = [ParallelAxis(target_name, colors, False, None)], target_name
    n_objective_axes = len(axes)
    for name in names:
        distribution = distribution_of(trials, name)
        choices = None
        if isinstance(distribution, CategoricalDistribution):
            choices = [str(c) for c in distribution.choices]
        values = [
            param_position(t.params[name], distribution) if name in t.params else math.nan
            for t in trials
        ]
        axes.append(ParallelAxis(name, values, is_log(distribution), choices))
    return ParallelCoordinateData(
        [t.number for t in trials], axes, n_objective_axes, colors, color_label
    )


# Where a trial without the parameter is drawn, below the axis's range (of [0, 1]).
_MISSING_AT = -0.12


def _scaled(axis: ParallelAxis) -> tuple[np.ndarray, list[float], list[str]]:
    """The axis's values mapped onto [0, 1] (a missing value below it), and tick positions
    with their labels."""
    values = np.asarray(axis.values, dtype=float)
    present = ~np.isnan(values)
    shown = np.full(len(values), np.nan)
    shown[present] = np.log10(values[present]) if axis.log else values[present]
    if axis.choices is not None:
        low, high = 0.0, float(max(len(axis.choices) - 1, 1))
        ticks = [float(i) for i in range(len(axis.choices))]
        labels = list(axis.choices)
    elif present.any():
        low, high = float(shown[present].min()), float(shown[present].max())
        ticks = list(np.linspace(low, high, 5)) if high > low else [low]
        labels = [f"{10**t if axis.log else t:.3g}" for t in ticks]
    else:
        low, high, ticks, labels = 0.0, 1.0, [], []
    span = high - low if high > low else 1.0
    scaled = np.where(present, (shown - low) / span, _MISSING_AT)
    positions = [(t - low) / span for t in ticks]
    if not present.all():
        positions, labels = [_MISSING_AT, *positions], ["None", *labels]
    return scaled, positions, labels


def plot_parallel_coordinate(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Axes:
    """Plot each complete trial as a line across the objective and the parameters.

    Each axis is scaled to its own range and labelled with its values; a log parameter
    gets a log axis and a categorical one its choices. A trial without a parameter (a
    conditional one) crosses that axis at "None", below its range. Lines are coloured by
    the objective value; for a study with several objectives and no ``target``, each
    objective gets an axis (named by ``study.metric_names`` if set) and lines are
    coloured by Pareto rank (0: the front, drawn on top), as Optuna draws them.

    Args:
        study: The study.
        params: The parameters to draw (all of them by default), in the order of their
            names as Optuna's.
        target: Plots ``target(trial)`` instead of the objective value.
        target_name: The label of the objective's axis.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: a name in ``params`` that no trial has, or a ``target`` that is not
            callable.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_parallel_coordinate
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_int("n", 1, 4)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=10)
        >>> ax = plot_parallel_coordinate(study, params=["x", "n"])
    """
    check_target_name(target_name, "plot_parallel_coordinate")
    LineCollection = import_optional("matplotlib.collections", "viz").LineCollection

    data = parallel_coordinate_data(study, params, target=target, target_name=target_name)
    ax = new_axes(ax, figsize=(max(6.0, 1.7 * len(data.axes) + 2), 4.5))
    ax.set_title("Parallel Coordinate Plot")
    ax.set_xticks(range(len(data.axes)), [axis.name for axis in data.axes])
    ax.set_yticks([])
    ax.set_xlim(-0.1, len(data.axes) - 0.6)
    missing = any(np.isnan(axis.values).any() for axis in data.axes)
    ax.set_ylim(_MISSING_AT - 0.05 if missing else -0.05, 1.05)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if not data.numbers:
        note(ax, "no complete trial with these parameters")
        return ax
    columns = []
    for position, axis in enumerate(data.axes):
        scaled, ticks, labels = _scaled(axis)
        columns.append(scaled)
        ax.axvline(position, color="0.3", linewidth=0.8)
        for tick, label in zip(ticks, labels, strict=True):
            ax.text(position + 0.03, tick, label, fontsize="x-small", va="center")
        if axis.log:
            ax.text(position, 1.04, "log", fontsize="x-small", ha="center", color="0.35")
    colors = np.asarray(data.colors, dtype=float)
    positions = np.broadcast_to(np.arange(len(columns)), (len(colors), len(columns)))
    lines = np.stack([positions, np.array(columns).T], axis=-1)  # trial x axis x (x, y)
    low, high = (float(colors.min()), float(colors.max())) if colors.size else (0.0, 1.0)
    norm = pyplot().Normalize(low, high if high > low else low + 1.0)
    # The best trials (lowest Pareto rank, or best objective) are drawn last, on top.
    lowest_best = data.n_objective_axes > 1 or study.directions[0] == StudyDirection.MINIMIZE
    order = np.argsort(-colors if lowest_best else colors, kind="stable")
    collection = LineCollection(
        list(lines[order]), cmap="viridis_r", norm=norm, linewidths=1.0, alpha=0.75
    )
    collection.set_array(colors[order])
    ax.add_collection(collection)
    ax.figure.colorbar(collection, ax=ax, label=data.color_label, pad=0.02)
    return ax
