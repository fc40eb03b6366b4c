"""Rank plot: the trials over pairs of parameters, coloured by how their objective
ranks among all complete trials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune.study import Study, StudyDirection
from fastune.visualization._contour import ContourPair, contour_data, draw_pairs
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
    param_names,
    param_position,
    set_param_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_rank", "rank_of"]

_COLORMAP = "RdYlBu_r"  # blue: best, red: worst


def rank_of(values: Sequence[float], all_values: Sequence[float], maximize: bool) -> np.ndarray:
    """The rank of each of ``values`` among the finite ``all_values``, scaled to [0, 1]:
    0 for the best (lowest, or highest when ``maximize``), 1 for the worst; equal values
    share a rank, a non-finite value gets NaN."""
    pool = np.sort(np.asarray([v for v in all_values if np.isfinite(v)], dtype=float))
    if maximize:
        pool = -pool[::-1]
    signed = -np.asarray(values, dtype=float) if maximize else np.asarray(values, dtype=float)
    if len(pool) <= 1:
        return np.where(np.isfinite(signed), 0.0, np.nan)
    ranks = np.searchsorted(pool, signed, side="left") / (len(pool) - 1)
    return np.where(np.isfinite(signed), np.minimum(ranks, 1.0), np.nan)


def plot_rank(
    study: Study,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Any:
    """Plot the complete trials over pairs of parameters, each coloured by the rank of
    its objective among all complete trials (blue the best, red the worst), which shows
    where the good trials gather whatever the scale of the objective.

    With one parameter, the objective over it; with two, one panel; with more, one panel
    per pair in a matrix, as :func:`plot_contour`. The best is the lowest value, or the
    highest for a maximized study (a ``target`` of a study with several objectives:
    the lowest).

    Args:
        study: The study.
        params: The parameters, in this order (all by default, sorted by name), as
            Optuna's.
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives.
        target_name: The label of the objective (its axis with one parameter, and the
            colour bar).
        ax: Draw into this matplotlib Axes; several panels share its place (a new
            figure by default).

    Returns:
        The matplotlib ``Axes`` for one or two parameters, else a 2-D array of ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: several objectives and no ``target``, or a name in ``params`` that
            no trial has.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_rank
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_float("y", -1, 1)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=15)
        >>> ax = plot_rank(study)
    """
    check_target_name(target_name, "plot_rank")
    check_target(study, target, "plot_rank")
    complete = complete_trials(study)
    # As Optuna's: all parameters sorted by name, or those of params in their order.
    names = param_names(complete, params, "plot_rank", keep_order=True)
    maximize = len(study.directions) == 1 and study.direction == StudyDirection.MAXIMIZE
    everyone = objective_values(complete, target)
    if not complete or not names:
        ax = new_axes(ax)
        ax.set_title("Rank Plot")
        note(ax, "no complete trial yet" if not complete else "no parameter")
        return ax

    def draw(cell: Axes, pair: ContourPair) -> None:
        ranks = rank_of(pair.values, everyone, maximize)
        cell.scatter(pair.x, pair.y, c=ranks, cmap=_COLORMAP, vmin=0.0, vmax=1.0, s=16)
        set_param_axis(cell, "x", pair.x_name, pair.x_distribution)
        set_param_axis(cell, "y", pair.y_name, pair.y_distribution)

    if len(names) == 1:
        trials = [t for t in complete if names[0] in t.params]
        dist = distribution_of(trials, names[0])
        values = objective_values(trials, target)
        cell = new_axes(ax)
        cell.scatter(
            [param_position(t.params[names[0]], dist) for t in trials],
            values,
            c=rank_of(values, everyone, maximize),
            cmap=_COLORMAP,
            vmin=0.0,
            vmax=1.0,
            s=16,
        )
        set_param_axis(cell, "x", names[0], dist)
        cell.set_ylabel(target_name)
        cell.set_title("Rank Plot")
        axes = np.array([[cell]])
    else:
        axes = draw_pairs(
            ax, contour_data(study, names, target=target, keep_order=True), draw, "Rank Plot"
        )
    mappable = pyplot().cm.ScalarMappable(norm=pyplot().Normalize(0.0, 1.0), cmap=_COLORMAP)
    label = f"rank of {target_name} (0: best)"
    axes[0, 0].figure.colorbar(mappable, ax=list(axes.ravel()), label=label, shrink=0.9)
    return axes[0, 0] if axes.size == 1 else axes
