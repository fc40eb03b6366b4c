"""Slice plot: the objective against each parameter, one panel per parameter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from fastune._imports import import_optional
from fastune.distributions import BaseDistribution
from fastune.study import Study
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._utils import (
    Target,
    check_target,
    check_target_name,
    complete_trials,
    distribution_of,
    new_axes,
    note,
    objective_values,
    panels,
    param_names,
    param_position,
    set_param_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SlicePanel", "plot_slice", "slice_data"]


class SlicePanel(NamedTuple):
    """The complete trials that have one parameter: their numbers, the parameter's
    position on its axis (a choice's index for a categorical) and the objective."""

    name: str
    distribution: BaseDistribution | None
    numbers: list[int]
    positions: list[float]
    values: list[float]


def slice_data(
    study: Study, params: Sequence[str] | None = None, *, target: Target | None = None
) -> list[SlicePanel]:
    """Gather one :class:`SlicePanel` per parameter (every parameter by default)."""
    check_target(study, target, "plot_slice")
    complete = complete_trials(study)
    result = []
    for name in param_names(complete, params, "plot_slice"):
        trials = [t for t in complete if name in t.params]
        distribution = distribution_of(trials, name)
        positions = [param_position(t.params[name], distribution) for t in trials]
        values = objective_values(trials, target)
        result.append(SlicePanel(name, distribution, [t.number for t in trials], positions, values))
    return result


def plot_slice(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Any:
    """Plot the objective against each parameter, one panel per parameter.

    Points are coloured by trial number (later trials darker), so that where the
    sampler concentrated shows. A log parameter gets a log axis; a categorical one its
    choices. A conditional parameter's panel shows the trials that have it.

    Args:
        study: The study.
        params: The parameters to draw (all by default), one panel each in the order
            of their names, as Optuna's.
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives.
        target_name: The label of the value axis.
        ax: Draw into this matplotlib Axes; with several parameters, the panels share
            its place (a new figure by default).

    Returns:
        The matplotlib ``Axes`` for one parameter, else a numpy array of ``Axes``, one
        per parameter (as Optuna's).

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: several objectives and no ``target``, or a name in ``params`` that
            no trial has.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_slice
        >>> def objective(trial):
        ...     return trial.suggest_float("x", 1e-3, 1, log=True) + trial.suggest_int("n", 1, 4)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=10)
        >>> axes = plot_slice(study)
    """
    check_target_name(target_name, "plot_slice")
    ListedColormap = import_optional("matplotlib.colors", "viz").ListedColormap

    data = slice_data(study, params, target=target)
    if not data:
        ax = new_axes(ax)
        ax.set_title("Slice Plot")
        note(ax, "no complete trial with parameters yet")
        return ax
    in_new_figure = ax is None
    axes = panels(ax, len(data), columns=min(len(data), 3))
    last_trial = max(max(panel.numbers) for panel in data)
    norm = pyplot().Normalize(0, max(last_trial, 1))
    # Blues without its near-white start, so that the first trials stay visible.
    blues = pyplot().get_cmap("Blues")(np.linspace(0.2, 1.0, 256))
    cmap = ListedColormap(blues, name="trials")
    for panel_ax, panel in zip(axes, data, strict=True):
        panel_ax.scatter(
            panel.positions,
            panel.values,
            c=panel.numbers,
            cmap=cmap,
            norm=norm,
            s=18,
            edgecolors="0.3",
            linewidths=0.3,
        )
        set_param_axis(panel_ax, "x", panel.name, panel.distribution)
        panel_ax.set_ylabel(target_name)
    points = pyplot().cm.ScalarMappable(norm=norm, cmap=cmap)
    axes[0].figure.colorbar(points, ax=axes, label="Trial", shrink=0.9)
    if in_new_figure:
        axes[0].figure.suptitle("Slice Plot")
    return axes[0] if len(axes) == 1 else np.array(axes, dtype=object)  # as Optuna
