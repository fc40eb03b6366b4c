"""Plots of a PBT study: population scores, hyperparameter trajectories, lineage."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fastune._validation import invalid
from fastune.distributions import FloatDistribution, IntDistribution
from fastune.study import Study
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._pbt_data import lineage, population_scores, trajectories

__all__ = [
    "plot_pbt",
    "plot_pbt_lineage",
    "plot_pbt_scores",
    "plot_pbt_trajectories",
]


def _axes(ax: Any) -> Any:
    return ax if ax is not None else pyplot().subplots()[1]


def plot_pbt_scores(study: Study, *, ax: Any = None) -> Any:
    """Every member's score per generation, with the median and the best so far.

    Returns:
        The matplotlib ``Axes``.
    """
    ax = _axes(ax)
    data = population_scores(study)
    for generation, scores in zip(data.generations, data.member_scores, strict=True):
        ax.scatter([generation] * len(scores), scores, s=14, color="tab:blue", alpha=0.45)
    medians = [
        float(np.nanmedian(s)) if not all(map(math.isnan, s)) else math.nan
        for s in data.member_scores
    ]
    ax.plot(data.generations, medians, color="tab:blue", label="median of the population")
    ax.plot(data.generations, data.best_so_far, color="tab:red", label="best so far")
    ax.set_title("Population score by generation")
    ax.set_xlabel("generation")
    ax.set_ylabel("score")
    if data.generations:
        ax.legend(loc="best", fontsize="small")
    else:
        ax.text(0.5, 0.5, "no PBT segment yet", ha="center", transform=ax.transAxes)
    return ax


def plot_pbt_trajectories(study: Study, param: str, *, ax: Any = None) -> Any:
    """Each member's value of ``param`` by generation; x marks a copy (exploit).

    Returns:
        The matplotlib ``Axes``.
    """
    data = trajectories(study)
    if data.members and param not in data.values:  # a study with segments: known names
        allowed = f"a hyperparameter of the PBT segments ({sorted(data.values)})"
        raise invalid("param", "plot_pbt_trajectories", allowed, param)
    ax = _axes(ax)
    colors = pyplot().get_cmap("tab10")
    for member in data.members:
        generations = data.generations[member]
        values = data.values[param][member]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        shown = values if numeric else [str(v) for v in values]
        ax.plot(
            generations,
            shown,
            marker=".",
            color=colors(member % 10),
            alpha=0.8,
            label=f"member {member}",
        )
        copies = [g for g in data.exploits.get(member, [])]
        copy_values = [shown[generations.index(g)] for g in copies]
        ax.scatter(copies, copy_values, marker="x", color="black", zorder=3)
    distribution = next(
        (
            t.distributions[param]
            for t in study.get_trials(deepcopy=False)
            if param in t.distributions
        ),
        None,
    )
    if isinstance(distribution, (FloatDistribution, IntDistribution)) and distribution.log:
        ax.set_yscale("log")
    ax.set_title(f"{param} by generation (x: copied a stronger member)")
    ax.set_xlabel("generation")
    ax.set_ylabel(param)
    return ax


def plot_pbt_lineage(study: Study, *, ax: Any = None) -> Any:
    """Who continued from whose checkpoint: a node per segment, coloured by score; red
    edges are copies from another member (exploit), grey ones a member continuing.

    Returns:
        The matplotlib ``Axes``.
    """
    ax = _axes(ax)
    data = lineage(study)
    for (g0, m0), (g1, m1), copied in data.edges:
        ax.plot(
            [g0, g1],
            [m0, m1],
            color="tab:red" if copied else "0.8",
            linewidth=1.4 if copied else 0.8,
            zorder=1,
        )
    if data.nodes:
        generations, members, scores = zip(*data.nodes, strict=True)
        points = ax.scatter(generations, members, c=scores, cmap="viridis", s=30, zorder=2)
        ax.figure.colorbar(points, ax=ax, label="score")
    ax.set_title("Lineage (red: exploit)")
    ax.set_xlabel("generation")
    ax.set_ylabel("member")
    return ax


def plot_pbt(study: Study, *, params: list[str] | None = None, figure: Any = None) -> Any:
    """Scores, lineage and one trajectory panel per hyperparameter, in one figure.

    Returns:
        The matplotlib ``Figure``.
    """
    names = params if params is not None else trajectories(study).params
    panels = 2 + len(names)
    columns = 2
    rows = math.ceil(panels / columns)
    if figure is None:
        figure = pyplot().figure(figsize=(6 * columns, 3.6 * rows))
    figure.clear()
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    plot_pbt_scores(study, ax=axes[0])
    plot_pbt_lineage(study, ax=axes[1])
    for ax, name in zip(axes[2:], names, strict=False):
        plot_pbt_trajectories(study, name, ax=ax)
    for ax in axes[panels:]:
        ax.set_visible(False)
    figure.tight_layout()
    return figure
