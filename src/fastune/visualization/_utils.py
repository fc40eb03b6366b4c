"""Pieces shared by the study plots: which trials and values to plot, how a parameter
maps onto an axis, and where to draw (a given Axes, or a new figure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._validation import invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    covering_distribution,
)
from fastune.importance._base import check_target
from fastune.study import Study
from fastune.trial import FrozenTrial, TrialState
from fastune.visualization._matplotlib import laid_out_figure, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "Target",
    "check_target",
    "check_target_name",
    "complete_trials",
    "distribution_of",
    "is_log",
    "new_axes",
    "note",
    "objective",
    "objective_values",
    "panels",
    "param_names",
    "param_position",
    "set_param_axis",
]

Target = Callable[[FrozenTrial], float]


def complete_trials(study: Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def objective(index: int) -> Target:
    """A ``target`` that picks the objective of that index."""

    def value(trial: FrozenTrial) -> float:
        return float(trial.values[index]) if trial.values else math.nan

    return value


def objective_values(trials: Sequence[FrozenTrial], target: Target | None) -> list[float]:
    """The plotted value of each trial: ``target(trial)``, or its single objective."""
    if target is None:
        return [float(t.values[0]) if t.values else math.nan for t in trials]
    return [float(target(t)) for t in trials]


def param_names(
    trials: Sequence[FrozenTrial],
    params: Sequence[str] | None,
    owner: str,
    *,
    keep_order: bool = False,
) -> list[str]:
    """The parameters to plot, sorted by name as Optuna orders its panels and axes:
    ``params`` checked against the trials, or all of them. With ``keep_order``, the
    names of ``params`` stay in the given order (as Optuna's rank plot)."""
    known = list(dict.fromkeys(name for t in trials for name in t.params))
    if params is None or not trials:  # no trial to plot: an empty figure, as Optuna's
        return sorted(known)
    if isinstance(params, str):
        raise invalid_type("params", owner, "a list of parameter names or None", params)
    for name in params:
        if name not in known:
            allowed = f"a list of parameter names of the study's trials ({known})"
            raise invalid("params", owner, allowed, list(params))
    given = list(dict.fromkeys(params))
    return given if keep_order else sorted(given)


def check_target_name(target_name: Any, owner: str) -> None:
    """Refuse a ``target_name`` that is not a str: it labels an axis."""
    if not isinstance(target_name, str):
        raise invalid_type("target_name", owner, "a str (the label of the value)", target_name)


def distribution_of(trials: Sequence[FrozenTrial], name: str) -> BaseDistribution | None:
    """The distribution of ``name`` over the trials that have it (one that holds every
    trial's value where the space changed during the study). A parameter that was
    categorical in some trials and numeric in others is drawn as a categorical one whose
    choices are its values, in order of first appearance."""
    having = [t for t in trials if name in t.distributions]
    seen = [t.distributions[name] for t in having]
    if not seen:
        return None
    categorical = [isinstance(d, CategoricalDistribution) for d in seen]
    if any(categorical) and not all(categorical):
        choices: list[Any] = []
        for trial in having:
            value = trial.params[name]
            # By type too: True and 1 are two choices.
            if not any(type(c) is type(value) and c == value for c in choices):
                choices.append(value)
        return CategoricalDistribution(choices)
    return covering_distribution(seen)


def is_log(distribution: BaseDistribution | None) -> bool:
    return isinstance(distribution, (FloatDistribution, IntDistribution)) and distribution.log


def param_position(value: Any, distribution: BaseDistribution | None) -> float:
    """Where a parameter value sits on its axis: the number itself, or the index of a
    categorical choice (choices are drawn at 0, 1, 2, ... and labelled)."""
    if isinstance(distribution, CategoricalDistribution):
        return float(distribution.to_internal_repr(value))
    return float(value)


def set_param_axis(ax: Axes, axis: str, name: str, distribution: BaseDistribution | None) -> None:
    """Label an axis with the parameter's name; log scale for a log parameter, the
    choices as tick labels for a categorical one."""
    label = getattr(ax, f"set_{axis}label")
    label(name)
    if isinstance(distribution, (FloatDistribution, IntDistribution)) and distribution.log:
        getattr(ax, f"set_{axis}scale")("log")
        _log_ticks(getattr(ax, f"{axis}axis"), math.log10(distribution.high / distribution.low))
    elif isinstance(distribution, CategoricalDistribution):
        ticks = list(range(len(distribution.choices)))
        getattr(ax, f"set_{axis}ticks")(ticks, [str(c) for c in distribution.choices])
        getattr(ax, f"set_{axis}lim")(-0.5, len(ticks) - 0.5)


def _log_ticks(axis: Any, decades: float) -> None:
    """Plain numbers at the ticks of a log axis; over a short range also at 2 and 5 times
    each power of ten, where matplotlib would otherwise label crowded minor ticks."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if decades <= 2:
        axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(NullFormatter())


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.5)) -> Axes:
    """``ax`` itself, or the Axes of a new figure."""
    if ax is not None:
        return ax
    return pyplot().subplots(figsize=figsize, **laid_out_figure())[1]


def panels(
    ax: Axes | None, count: int, columns: int, panel_size: tuple[float, float] = (4.0, 3.4)
) -> list[Axes]:
    """``count`` Axes in a grid: in a new figure, or in the place of ``ax`` (which the
    grid replaces, so that a multi-panel plot can fill one cell of a larger figure)."""
    rows = max(1, math.ceil(count / columns))
    if ax is None:
        figsize = (panel_size[0] * columns, panel_size[1] * rows)
        _, grid = pyplot().subplots(
            rows, columns, figsize=figsize, squeeze=False, **laid_out_figure()
        )
        axes = list(np.ravel(grid))
    else:
        figure = ax.figure
        place = ax.get_subplotspec()
        # An Axes placed by hand (not in a grid) gives the whole figure to the grid.
        spec = place.subgridspec(rows, columns) if place else figure.add_gridspec(rows, columns)
        ax.remove()
        axes = [figure.add_subplot(spec[i // columns, i % columns]) for i in range(rows * columns)]
    for extra in axes[count:]:
        extra.set_visible(False)
    return axes[:count]


def note(ax: Axes, text: str) -> None:
    """Write ``text`` in the middle of an Axes that has nothing else to show."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="0.35")
