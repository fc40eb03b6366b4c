"""Pareto front of a study with two or three objectives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from fastune._pareto import pareto_front_mask
from fastune._validation import invalid, invalid_type
from fastune.study import Study, StudyDirection
from fastune.trial import FrozenTrial
from fastune.trial._constraints import violation
from fastune.visualization._utils import complete_trials, new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ParetoFrontData", "pareto_front_data", "plot_pareto_front"]

_OWNER = "plot_pareto_front"


class ParetoFrontData(NamedTuple):
    """The objectives' names, and the complete trials on the front (best), off it
    (dominated) and breaking their constraints (infeasible), as numbers and one row of
    plotted values each."""

    target_names: list[str]
    best_numbers: list[int]
    best_values: list[list[float]]
    dominated_numbers: list[int]
    dominated_values: list[list[float]]
    infeasible_numbers: list[int]
    infeasible_values: list[list[float]]


def pareto_front_data(
    study: Study,
    *,
    target_names: Sequence[str] | None = None,
    include_dominated_trials: bool = True,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
) -> ParetoFrontData:
    """Gather the trials on the Pareto front and, if asked, the dominated ones.

    The front is that of the study's objectives among the feasible trials (those that
    keep their constraints: ``Trial.set_constraint``, or Optuna's older
    ``constraints_func``, all values <= 0), as ``Study.best_trials``; with ``targets``,
    the trials are drawn at ``targets(trial)`` (2 or 3 values).

    Raises:
        ValueError: a study with one objective and no ``targets``, more than 3 values
            to plot, or not one name per value in ``target_names``.
    """
    if targets is None and len(study.directions) == 1:
        allowed = "a study with 2 or 3 objectives, or a 'targets' function giving 2 or 3 values"
        raise invalid("study", _OWNER, allowed, f"a study with 1 objective ({study.study_name!r})")
    if targets is not None and not callable(targets):
        raise invalid_type("targets", _OWNER, "a function of a trial or None", targets)
    if constraints_func is not None and not callable(constraints_func):
        raise invalid_type(
            "constraints_func", _OWNER, "a function of a trial or None", constraints_func
        )
    trials = complete_trials(study)
    rows = [_plotted(targets, t) if targets else list(t.values or []) for t in trials]
    n_values = len(rows[0]) if rows else (len(study.directions) if targets is None else 2)
    if n_values not in (2, 3):
        allowed = "2 or 3 values per trial (pass 'targets' to pick them)"
        raise invalid("targets", _OWNER, allowed, f"{n_values} values")
    names = list(target_names) if target_names is not None else None
    if names is None:
        metric_names = study.metric_names if targets is None else None
        names = metric_names or [f"Objective {i}" for i in range(n_values)]
    if len(names) != n_values:
        raise invalid("target_names", _OWNER, f"a list of {n_values} names", names)
    feasible = [
        violation(t.system_attrs) == 0.0
        and (constraints_func is None or all(c <= 0.0 for c in constraints_func(t)))
        for t in trials
    ]
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
    kept = [i for i in range(len(trials)) if feasible[i]]
    objectives = np.array([trials[i].values for i in kept], dtype=float).reshape(
        len(kept), len(signs)
    )
    on_front = pareto_front_mask(objectives * signs) if kept else np.zeros(0, dtype=bool)
    best = [i for i, front in zip(kept, on_front, strict=True) if front]
    dominated = [i for i, front in zip(kept, on_front, strict=True) if not front]
    dominated = dominated if include_dominated_trials else []
    infeasible = [i for i in range(len(trials)) if not feasible[i]]
    infeasible = infeasible if include_dominated_trials else []
    return ParetoFrontData(
        names,
        [trials[i].number for i in best],
        [rows[i] for i in best],
        [trials[i].number for i in dominated],
        [rows[i] for i in dominated],
        [trials[i].number for i in infeasible],
        [rows[i] for i in infeasible],
    )


def _plotted(targets: Callable[[FrozenTrial], Sequence[float]], trial: FrozenTrial) -> list[float]:
    values = targets(trial)
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence | np.ndarray):
        allowed = "a function returning a sequence of 2 or 3 values"
        raise invalid("targets", _OWNER, allowed, f"a function that returned {values!r}")
    return [float(v) for v in values]


def plot_pareto_front(
    study: Study,
    *,
    target_names: Sequence[str] | None = None,
    include_dominated_trials: bool = True,
    targets: Callable[[FrozenTrial], Sequence[float]] | None = None,
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot the complete trials of a study with two or three objectives, the trials on
    the Pareto front in red (joined in order for two objectives), the others in blue.

    Args:
        study: A study with 2 or 3 objectives (or any study, with ``targets``).
        target_names: The axis labels (default: the study's metric names, else
            "Objective 0", "Objective 1", ...).
        include_dominated_trials: Also draw the trials off the front.
        targets: Plots ``targets(trial)`` (2 or 3 values) instead of the objectives.
        constraints_func: Optuna's older way to say which trials are infeasible
            (``constraints_func(trial)`` all <= 0: feasible); ``Trial.set_constraint``
            constraints count without it. Infeasible trials are drawn in grey.
        ax: Draw into this matplotlib Axes (a 3-D one for three values; a new figure by
            default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        ValueError: a study with one objective and no ``targets``, or not 2 or 3 values.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_pareto_front
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     return x, (1 - x) ** 2
        >>> study = fastune.create_study(directions=["minimize", "minimize"])
        >>> study.optimize(objective, n_trials=10)
        >>> ax = plot_pareto_front(study)
    """
    data = pareto_front_data(
        study,
        target_names=target_names,
        include_dominated_trials=include_dominated_trials,
        targets=targets,
        constraints_func=constraints_func,
    )
    three_d = len(data.target_names) == 3
    if ax is None and three_d:
        from fastune.visualization._matplotlib import laid_out_figure, pyplot

        figure = pyplot().figure(figsize=(7.0, 6.0), **laid_out_figure())
        ax = figure.add_subplot(projection="3d")
    ax = new_axes(ax, figsize=(7.0, 5.0))
    for rows, color, label in (
        (data.infeasible_values, "#cccccc", "Infeasible Trial"),
        (
            data.dominated_values,
            "tab:blue",
            "Feasible Trial" if data.infeasible_values else "Trial",
        ),
        (data.best_values, "tab:red", "Best Trial"),
    ):
        if rows:
            columns = list(np.array(rows).T)  # x, y and, in 3-D, z
            scatter: Any = ax.scatter
            scatter(*columns, color=color, s=20, alpha=0.8, label=label)
    if not three_d and len(data.best_values) > 1:
        front = np.array(sorted(data.best_values)).T
        ax.plot(*front, color="tab:red", linewidth=0.8, alpha=0.6)
    ax.set_title("Pareto-front Plot")
    ax.set_xlabel(data.target_names[0])
    ax.set_ylabel(data.target_names[1])
    if three_d:
        ax.set_zlabel(data.target_names[2])  # type: ignore[attr-defined]
    if data.best_numbers:
        ax.legend(loc="best", fontsize="small")
    else:
        note(ax, "no complete trial yet")
    return ax
