"""Plots of studies with matplotlib (``pip install fastune[viz]``)."""

from fastune.visualization._pbt_plots import (
    plot_pbt,
    plot_pbt_lineage,
    plot_pbt_scores,
    plot_pbt_trajectories,
)
from fastune.visualization.live import LiveFigure

__all__ = [
    "LiveFigure",
    "plot_pbt",
    "plot_pbt_lineage",
    "plot_pbt_scores",
    "plot_pbt_trajectories",
]
