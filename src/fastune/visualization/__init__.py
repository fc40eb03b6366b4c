"""Plots of studies with matplotlib (``pip install fastune[viz]``).

Each ``plot_*`` function draws one view of a study into a matplotlib ``Axes`` and
returns it, with Optuna's names and arguments (``optuna.visualization.matplotlib``).
:class:`LivePlotCallback` redraws plots while ``Study.optimize`` runs.
"""

# Optuna's path to its matplotlib plots: fastune.visualization.matplotlib.plot_slice.
from fastune.visualization import matplotlib as matplotlib
from fastune.visualization._contour import plot_contour
from fastune.visualization._edf import plot_edf
from fastune.visualization._hypervolume_history import plot_hypervolume_history
from fastune.visualization._intermediate_values import plot_intermediate_values
from fastune.visualization._live_plots import LivePlotCallback
from fastune.visualization._optimization_history import plot_optimization_history
from fastune.visualization._parallel_coordinate import plot_parallel_coordinate
from fastune.visualization._param_importances import plot_param_importances
from fastune.visualization._pareto_front import plot_pareto_front
from fastune.visualization._pbt_plots import (
    plot_pbt,
    plot_pbt_lineage,
    plot_pbt_scores,
    plot_pbt_trajectories,
)
from fastune.visualization._rank import plot_rank
from fastune.visualization._report import write_report, write_trials
from fastune.visualization._slice import plot_slice
from fastune.visualization._timeline import plot_timeline
from fastune.visualization.live import LiveFigure
from fastune.visualization.matplotlib import is_available

__all__ = [
    "LiveFigure",
    "LivePlotCallback",
    "is_available",
    "plot_contour",
    "plot_edf",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_pbt",
    "plot_pbt_lineage",
    "plot_pbt_scores",
    "plot_pbt_trajectories",
    "plot_rank",
    "plot_slice",
    "plot_timeline",
    "write_report",
    "write_trials",
]
