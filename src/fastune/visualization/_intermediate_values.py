"""Intermediate values: the learning curve each trial reported, pruned trials marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from fastune.study import Study
from fastune.trial import TrialState
from fastune.visualization._utils import new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["LearningCurve", "intermediate_values_data", "plot_intermediate_values"]

_STYLE = {
    TrialState.COMPLETE: ("tab:blue", "complete"),
    TrialState.PRUNED: ("tab:red", "pruned (x: where it stopped)"),
    TrialState.RUNNING: ("tab:green", "running"),
    TrialState.FAIL: ("0.5", "failed"),
}


class LearningCurve(NamedTuple):
    """The values one trial reported, by step, and the trial's state."""

    number: int
    steps: list[int]
    values: list[float]
    state: TrialState


def intermediate_values_data(study: Study) -> list[LearningCurve]:
    """Gather the curve of every trial that reported at least one value."""
    return [
        LearningCurve(
            trial.number,
            sorted(trial.intermediate_values),
            [trial.intermediate_values[s] for s in sorted(trial.intermediate_values)],
            trial.state,
        )
        for trial in study.get_trials(deepcopy=False)
        if trial.intermediate_values
    ]


def plot_intermediate_values(study: Study, *, ax: Axes | None = None) -> Axes:
    """Plot the intermediate values each trial reported (its learning curve).

    Complete trials are blue, running ones green, failed ones grey, and pruned trials
    red with an ``x`` at the last step they reached.

    Args:
        study: The study (any number of objectives: intermediate values are single).
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_intermediate_values
        >>> def objective(trial):
        ...     rate = trial.suggest_float("rate", 0.1, 1.0)
        ...     for step in range(5):
        ...         trial.report(rate / (step + 1), step)
        ...     return rate / 5
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=5)
        >>> ax = plot_intermediate_values(study)
    """
    curves = intermediate_values_data(study)
    ax = new_axes(ax)
    labelled: set[TrialState] = set()
    for curve in curves:
        color, label = _STYLE.get(curve.state, ("0.5", curve.state.name.lower()))
        ax.plot(
            curve.steps,
            curve.values,
            color=color,
            alpha=0.7,
            linewidth=1.1,
            marker="." if len(curve.steps) < 30 else None,
            label=None if curve.state in labelled else label,
        )
        labelled.add(curve.state)
        if curve.state == TrialState.PRUNED:
            ax.scatter(curve.steps[-1:], curve.values[-1:], marker="x", color=color, zorder=3)
    ax.set_title("Intermediate Values Plot")
    ax.set_xlabel("Step")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    ax.set_ylabel("Intermediate Value")
    if curves:
        ax.legend(loc="best", fontsize="small")
    else:
        note(ax, "no trial reported an intermediate value")
    return ax
