"""Parallel coordinates: each complete trial is a line through the objective and its
parameters, one vertical axis each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from fastune.distributions import CategoricalDistribution
from fastune.study import Study, StudyDirection
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._utils import (
    Target,
    check_target,
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
    """One vertical axis: a value per trial (a choice's index for a categorical), whether
    the axis is logarithmic, and the choices of a categorical parameter."""

    name: str
    values: list[float]
    log: bool
    choices: list[str] | None


class ParallelCoordinateData(NamedTuple):
    """The trials drawn (complete, with every plotted parameter) and one axis for the
    objective followed by one per parameter."""

    numbers: list[int]
    axes: list[ParallelAxis]


def parallel_coordinate_data(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> ParallelCoordinateData:
    """Gather the axes of :func:`plot_parallel_coordinate`."""
    check_target(study, target, "plot_parallel_coordinate")
    complete = complete_trials(study)
    names = param_names(complete, params, "plot_parallel_coordinate")
    if params is None:  # conditional parameters: only those every trial has
        names = [n for n in names if all(n in t.params for t in complete)]
    trials = [t for t in complete if all(n in t.params for n in names)]
    objective = objective_values(trials, target)
    # A trial whose value is infinite has no place on the axis: left out, as Optuna.
    finite = [k for k, value in enumerate(objective) if math.isfinite(value)]
    trials, objective = [trials[k] for k in finite], [objective[k] for k in finite]
    axes = [ParallelAxis(target_name, objective, False, None)]
    for name in names:
        distribution = distribution_of(trials, name)
        choices = None
        if isinstance(distribution, CategoricalDistribution):
            choices = [str(c) for c in distribution.choices]
        values = [param_position(t.params[name], distribution) for t in trials]
        axes.append(ParallelAxis(name, values, is_log(distribution), choices))
    return ParallelCoordinateData([t.number for t in trials], axes)


def _scaled(axis: ParallelAxis) -> tuple[np.ndarray, list[float], list[str]]:
    """The axis's values mapped onto [0, 1], and tick positions with their labels."""
    values = np.asarray(axis.values, dtype=float)
    shown = np.log10(values) if axis.log else values
    if axis.choices is not None:
        low, high = 0.0, float(max(len(axis.choices) - 1, 1))
        ticks = [float(i) for i in range(len(axis.choices))]
        labels = axis.choices
    else:
        low, high = float(shown.min()), float(shown.max())
        ticks = list(np.linspace(low, high, 5)) if high > low else [low]
        labels = [f"{10**t if axis.log else t:.3g}" for t in ticks]
    span = high - low if high > low else 1.0
    return (shown - low) / span, [(t - low) / span for t in ticks], labels


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
    gets a log axis and a categorical one its choices. Lines are coloured by the
    objective value.

    Args:
        study: The study.
        params: The parameters to draw; trials lacking one of them are left out. By
            default, the parameters that every complete trial has (a conditional
            parameter appears when it is named here).
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives.
        target_name: The label of the objective's axis.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        ValueError: several objectives and no ``target``, or a name in ``params`` that
            no trial has.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_parallel_coordinate
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_int("n", 1, 4)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=10)
        >>> ax = plot_parallel_coordinate(study, params=["x", "n"])
    """
    from matplotlib.collections import LineCollection

    data = parallel_coordinate_data(study, params, target=target, target_name=target_name)
    ax = new_axes(ax, figsize=(max(6.0, 1.7 * len(data.axes) + 2), 4.5))
    ax.set_title("Parallel Coordinate Plot")
    ax.set_xticks(range(len(data.axes)), [axis.name for axis in data.axes])
    ax.set_yticks([])
    ax.set_xlim(-0.1, len(data.axes) - 0.6)
    ax.set_ylim(-0.05, 1.05)
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
    objective = np.asarray(data.axes[0].values, dtype=float)
    positions = np.broadcast_to(np.arange(len(columns)), (len(objective), len(columns)))
    lines = np.stack([positions, np.array(columns).T], axis=-1)  # trial x axis x (x, y)
    finite = objective[np.isfinite(objective)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    norm = pyplot().Normalize(low, high if high > low else low + 1.0)
    # The best trials are drawn last, on top of the others.
    minimize = study.directions[0] == StudyDirection.MINIMIZE
    order = np.argsort(-objective if minimize else objective)
    collection = LineCollection(
        list(lines[order]), cmap="viridis_r", norm=norm, linewidths=1.0, alpha=0.75
    )
    collection.set_array(objective[order])
    ax.add_collection(collection)
    ax.figure.colorbar(collection, ax=ax, label=data.axes[0].name, pad=0.02)
    return ax
