"""Plots of studies, drawn with matplotlib (``pip install fastune[viz]``).

The ``plot_*`` functions have Optuna's names and arguments. Here, on Optuna's path to
its plotly plots (``optuna.visualization.plot_*``), each returns a :class:`PlotFigure`:
the matplotlib drawing with plotly's common figure methods (``show``, ``write_image``,
``write_html``, ``update_layout``), so that code written for Optuna's plotly figures runs;
plotly is not used. ``fastune.visualization.matplotlib.plot_*`` (Optuna's matplotlib path)
return the matplotlib ``Axes`` itself. :class:`LivePlotCallback` redraws plots while
``Study.optimize`` runs.
"""

# Optuna's path to its matplotlib plots: fastune.visualization.matplotlib.plot_slice.
from fastune.visualization import matplotlib as matplotlib
from fastune.visualization._figure import PlotFigure, returning_figure
from fastune.visualization._live_plots import LivePlotCallback
from fastune.visualization._pbt_plots import (
    plot_pbt,
    plot_pbt_lineage,
    plot_pbt_scores,
    plot_pbt_trajectories,
)
from fastune.visualization._report import write_report, write_trials
from fastune.visualization.live import LiveFigure
from fastune.visualization.matplotlib import is_available

plot_contour = returning_figure(matplotlib.plot_contour)
plot_edf = returning_figure(matplotlib.plot_edf)
plot_hypervolume_history = returning_figure(matplotlib.plot_hypervolume_history)
plot_intermediate_values = returning_figure(matplotlib.plot_intermediate_values)
plot_optimization_history = returning_figure(matplotlib.plot_optimization_history)
plot_parallel_coordinate = returning_figure(matplotlib.plot_parallel_coordinate)
plot_param_importances = returning_figure(matplotlib.plot_param_importances)
plot_pareto_front = returning_figure(matplotlib.plot_pareto_front)
plot_rank = returning_figure(matplotlib.plot_rank)
plot_slice = returning_figure(matplotlib.plot_slice)
plot_terminator_improvement = returning_figure(matplotlib.plot_terminator_improvement)
plot_timeline = returning_figure(matplotlib.plot_timeline)

__all__ = [
    "LiveFigure",
    "LivePlotCallback",
    "PlotFigure",
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
    "plot_terminator_improvement",
    "plot_timeline",
    "write_report",
    "write_trials",
]
