"""Contour plot: the objective over pairs of parameters, interpolated between the
trials, with the trials drawn on top."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from fastune.distributions import BaseDistribution
from fastune.logging import get_logger
from fastune.study import Study
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
    panels,
    param_names,
    param_position,
    set_param_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ContourPair", "contour_data", "draw_pairs", "plot_contour"]

_RESOLUTION = 100
_logger = get_logger(__name__)


class ContourPair(NamedTuple):
    """The complete trials that have both parameters: where they sit on each axis (a
    choice's index for a categorical) and their objective values."""

    x_name: str
    y_name: str
    x_distribution: BaseDistribution | None
    y_distribution: BaseDistribution | None
    x: list[float]
    y: list[float]
    values: list[float]


def contour_data(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    keep_order: bool = False,
) -> list[ContourPair]:
    """Gather one :class:`ContourPair` per pair of parameters (x before y in the sorted
    order of the names, or with ``keep_order`` in the order of ``params``). An empty list
    when no trial is complete yet.

    Fewer than 2 parameters give no pair either (as Optuna's, an empty plot).
    """
    check_target(study, target, "plot_contour")
    complete = complete_trials(study)
    names = param_names(complete, params, "plot_contour", keep_order=keep_order)
    if not complete or len(names) < 2:
        return []
    pairs = []
    for x_name, y_name in itertools.combinations(names, 2):
        trials = [t for t in complete if x_name in t.params and y_name in t.params]
        x_dist, y_dist = distribution_of(trials, x_name), distribution_of(trials, y_name)
        pairs.append(
            ContourPair(
                x_name,
                y_name,
                x_dist,
                y_dist,
                [param_position(t.params[x_name], x_dist) for t in trials],
                [param_position(t.params[y_name], y_dist) for t in trials],
                objective_values(trials, target),
            )
        )
    return pairs


def _surface(pair: ContourPair) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The objective interpolated (linearly, in log space for a log parameter) on a
    grid over the trials; None when the trials do not span an area."""
    from scipy.interpolate import griddata
    from scipy.spatial import QhullError

    x = np.log10(pair.x) if is_log(pair.x_distribution) else np.asarray(pair.x, dtype=float)
    y = np.log10(pair.y) if is_log(pair.y_distribution) else np.asarray(pair.y, dtype=float)
    values = np.asarray(pair.values, dtype=float)
    keep = np.isfinite(values)
    x, y, values = x[keep], y[keep], values[keep]
    if len(values) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    grid_x, grid_y = np.meshgrid(
        np.linspace(x.min(), x.max(), _RESOLUTION), np.linspace(y.min(), y.max(), _RESOLUTION)
    )
    try:
        grid = griddata((x, y), values, (grid_x, grid_y), method="linear", rescale=True)
    except QhullError:  # the trials lie on a line
        return None
    if is_log(pair.x_distribution):
        grid_x = 10**grid_x
    if is_log(pair.y_distribution):
        grid_y = 10**grid_y
    return grid_x, grid_y, np.ma.masked_invalid(grid)


def _draw_pair(ax: Axes, pair: ContourPair, levels: np.ndarray) -> None:
    surface = _surface(pair)
    if surface is not None:
        ax.contourf(*surface, levels=levels, cmap="viridis", extend="both")
    ax.scatter(pair.x, pair.y, s=10, color="black", edgecolors="white", linewidths=0.4)
    set_param_axis(ax, "x", pair.x_name, pair.x_distribution)
    set_param_axis(ax, "y", pair.y_name, pair.y_distribution)


def draw_pairs(ax: Axes | None, pairs: list[ContourPair], draw: Any, title: str) -> np.ndarray:
    """Draw each pair with ``draw(axes, pair)``: one panel for two parameters, else a
    matrix (x parameter by column, y by row; the names on the diagonal, each pair below
    it drawn with its axes swapped). Returns the 2-D array of Axes."""
    names = list(dict.fromkeys(n for pair in pairs for n in (pair.x_name, pair.y_name)))
    if len(names) == 2:
        axes = np.array([[new_axes(ax, figsize=(6.5, 5.0))]])
        draw(axes[0, 0], pairs[0])
        axes[0, 0].set_title(title)
        return axes
    count = len(names)
    axes = np.array(panels(ax, count * count, count, panel_size=(3.0, 2.7))).reshape(count, count)
    by_names = {(p.x_name, p.y_name): p for p in pairs}
    for (row, y_name), (column, x_name) in itertools.product(enumerate(names), repeat=2):
        cell = axes[row, column]
        if row == column:
            cell.axis("off")
            cell.text(0.5, 0.5, x_name, ha="center", va="center", transform=cell.transAxes)
            continue
        pair = by_names.get((x_name, y_name))
        if pair is None:  # below the diagonal: the pair above, axes swapped
            above = by_names[(y_name, x_name)]
            pair = ContourPair(
                x_name,
                y_name,
                above.y_distribution,
                above.x_distribution,
                above.y,
                above.x,
                above.values,
            )
        draw(cell, pair)
    return axes


def plot_contour(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Any:
    """Plot the objective over pairs of parameters as filled contours.

    Between the trials the objective is interpolated linearly (in log space along a
    log parameter, which also gets a log axis); the trials are the black points. With
    two parameters there is one panel; with more, one panel per pair in a matrix (x
    parameter by column, y parameter by row).

    Args:
        study: The study.
        params: The parameters to pair (all by default), in the order of their names
            as Optuna's; at least 2.
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives.
        target_name: The label of the colour bar.
        ax: Draw into this matplotlib Axes; several panels share its place (a new
            figure by default).

    Returns:
        The matplotlib ``Axes`` for two parameters, else a 2-D array of ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: several objectives and no ``target``, or a name in ``params`` that
            no trial has. Fewer than 2 parameters give an empty plot with a warning, as
            in Optuna.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_contour
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_float("y", -1, 1)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=15)
        >>> ax = plot_contour(study)
    """
    check_target_name(target_name, "plot_contour")
    pairs = contour_data(study, params, target=target)
    if not pairs:
        ax = new_axes(ax)
        ax.set_title("Contour Plot")
        if complete_trials(study):
            _logger.warning("plot_contour needs at least 2 parameters to pair; the plot is empty.")
            note(ax, "fewer than 2 parameters to pair")
        else:
            note(ax, "no complete trial yet")
        return ax
    finite = [v for pair in pairs for v in pair.values if np.isfinite(v)]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    high = high if high > low else low + 1.0
    levels = np.linspace(low, high, 16)
    norm = pyplot().Normalize(low, high)
    axes = draw_pairs(ax, pairs, lambda cell, pair: _draw_pair(cell, pair, levels), "Contour Plot")
    mappable = pyplot().cm.ScalarMappable(norm=norm, cmap="viridis")
    axes[0, 0].figure.colorbar(mappable, ax=list(axes.ravel()), label=target_name, shrink=0.9)
    return axes[0, 0] if axes.size == 1 else axes
