"""Hypervolume of a multi-objective study's Pareto front, trial after trial."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from fastune._pareto import hypervolume, pareto_front_mask
from fastune._validation import invalid
from fastune.study import Study, StudyDirection
from fastune.trial._constraints import violation
from fastune.visualization._utils import complete_trials, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["hypervolume_history", "plot_hypervolume_history"]

_OWNER = "plot_hypervolume_history"


def hypervolume_history(
    study: Study, reference_point: Sequence[float]
) -> tuple[list[int], list[float]]:
    """The number of each complete trial and the hypervolume of the feasible Pareto front
    of the trials up to it (a maximized objective counts as its negative, as its
    reference value does).

    Raises:
        InvalidParameterError: a study with one objective, or a reference point without
            one finite value per objective.
    """
    n_objectives = len(study.directions)
    if n_objectives < 2:
        raise invalid(
            "study", _OWNER, "a study with several objectives", f"{study.study_name!r} (one)"
        )
    try:
        reference = np.array(reference_point, dtype=float)
    except (TypeError, ValueError):
        reference = np.array([np.nan])
    if reference.shape != (n_objectives,) or not np.all(np.isfinite(reference)):
        allowed = f"{n_objectives} finite numbers, one per objective"
        raise invalid("reference_point", _OWNER, allowed, reference_point)
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
    reference = reference * signs
    numbers, volumes = [], []
    front = np.empty((0, n_objectives))
    volume = 0.0
    for trial in sorted(complete_trials(study), key=lambda t: t.number):
        if trial.values is not None and violation(trial.system_attrs) == 0.0:
            point = np.array(trial.values, dtype=float) * signs
            if not np.any(np.all(front <= point, axis=1)):  # it widens the front
                front = np.vstack([front, point])
                front = front[pareto_front_mask(front)]
                volume = hypervolume(front, reference)
        numbers.append(trial.number)
        volumes.append(volume)
    return numbers, volumes


def plot_hypervolume_history(
    study: Study, reference_point: Sequence[float], *, ax: Axes | None = None
) -> Axes:
    """Plot the hypervolume that the study's Pareto front dominates, up to
    ``reference_point``, after each complete trial (feasible trials only, as Optuna).

    Args:
        study: A study with several objectives.
        reference_point: One value per objective, worse than the points that should
            count (for a maximized objective: lower).
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        InvalidParameterError: a study with one objective, or a reference point without
            one finite value per objective.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_hypervolume_history
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     return x, (1 - x) ** 2
        >>> study = fastune.create_study(directions=["minimize", "minimize"])
        >>> study.optimize(objective, n_trials=10)
        >>> ax = plot_hypervolume_history(study, reference_point=[1.5, 1.5])
    """
    numbers, volumes = hypervolume_history(study, reference_point)
    ax = new_axes(ax)
    ax.set_title("Hypervolume History Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Hypervolume")
    if numbers:
        ax.plot(numbers, volumes, marker="o", markersize=3, color="tab:blue", alpha=0.8)
    else:
        note(ax, "no complete trial yet")
    return ax
