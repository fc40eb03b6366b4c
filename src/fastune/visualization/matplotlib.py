"""Optuna's ``optuna.visualization.matplotlib`` path to the same plots, so that code
written for Optuna's matplotlib backend runs unchanged."""

import importlib.util

from fastune.visualization._contour import plot_contour
from fastune.visualization._edf import plot_edf
from fastune.visualization._hypervolume_history import plot_hypervolume_history
from fastune.visualization._intermediate_values import plot_intermediate_values
from fastune.visualization._optimization_history import plot_optimization_history
from fastune.visualization._parallel_coordinate import plot_parallel_coordinate
from fastune.visualization._param_importances import plot_param_importances
from fastune.visualization._pareto_front import plot_pareto_front
from fastune.visualization._rank import plot_rank
from fastune.visualization._slice import plot_slice
from fastune.visualization._terminator_improvement import plot_terminator_improvement
from fastune.visualization._timeline import plot_timeline

__all__ = [
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_rank",
    "plot_slice",
    "plot_terminator_improvement",
    "plot_timeline",
]


def is_available() -> bool:
    """Whether the plots can be drawn: matplotlib is installed (``fastune[viz]``).

    The same answer for ``fastune.visualization.is_available``: the plots of both paths
    draw with matplotlib (``fastune.visualization.plot_*`` wrap them in a
    :class:`~fastune.visualization.PlotFigure` that has plotly's common methods), where
    Optuna's ``optuna.visualization.is_available`` asks for plotly, which fastune does
    not use. So when it says True, ``plot_*(study).show()`` and ``write_image`` work.
    """
    return importlib.util.find_spec("matplotlib") is not None
