"""Parameter importances as horizontal bars, one group per objective."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from fastune.importance import BaseImportanceEvaluator, get_param_importances
from fastune.study import Study
from fastune.visualization._utils import (
    Target,
    check_target,
    check_target_name,
    complete_trials,
    new_axes,
    note,
    objective,
    param_names,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ImportanceBars", "param_importances_data", "plot_param_importances"]


class ImportanceBars(NamedTuple):
    """The normalized importances for each plotted objective, by parameter."""

    target_names: list[str]
    importances: list[dict[str, float]]


def param_importances_data(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
) -> ImportanceBars:
    """Gather the importances for ``target``, or for each objective of a study with
    several (named by ``study.metric_names`` when set); nothing before a complete
    trial."""
    if target is not None or len(study.directions) == 1:
        check_target(study, target, "plot_param_importances")
        targets = [(target_name, target)]
    else:
        names = study.metric_names or [f"Objective {i}" for i in range(len(study.directions))]
        targets = [(name, objective(i)) for i, name in enumerate(names)]
    complete = complete_trials(study)
    if not complete:
        return ImportanceBars([], [])
    if params is not None:
        param_names(complete, params, "plot_param_importances")  # names the plot in errors
    importances = [
        get_param_importances(study, evaluator=evaluator, params=params, target=one)
        for _, one in targets
    ]
    return ImportanceBars([name for name, _ in targets], importances)


def plot_param_importances(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: Sequence[str] | None = None,
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Axes:
    """Plot each parameter's importance (see :func:`fastune.importance.get_param_importances`).

    For a study with several objectives and no ``target``, each parameter gets one bar
    per objective.

    Args:
        study: The study.
        evaluator: How to score; :class:`~fastune.importance.PedAnovaImportanceEvaluator`
            by default, as Optuna 5's (see :func:`fastune.importance.get_param_importances`).
        params: The parameters to score (by default those the evaluator scores: every
            parameter of the complete trials for PED-ANOVA).
        target: Scores ``target(trial)`` instead of the objective value.
        target_name: The name of the scored value, in the axis label.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: an unknown name in ``params``.

    Example:
        >>> import fastune
        >>> from fastune.visualization.matplotlib import plot_param_importances
        >>> def objective(trial):
        ...     return 10 * trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)
        >>> study = fastune.create_study()
        >>> study.optimize(objective, n_trials=20)
        >>> ax = plot_param_importances(study)
    """
    check_target_name(target_name, "plot_param_importances")
    data = param_importances_data(study, evaluator, params, target=target, target_name=target_name)
    # Most important at the top: matplotlib draws the first bar at the bottom.
    names = list(reversed(data.importances[0])) if data.importances else []
    ax = new_axes(ax, figsize=(7.0, max(2.5, 0.45 * len(names) * len(data.target_names) + 1.5)))
    ax.set_title("Hyperparameter Importances")
    if not names:
        note(ax, "no complete trial yet" if not data.importances else "no parameter to score")
        return ax
    height = 0.8 / len(data.target_names)
    positions = np.arange(len(names))
    for index, (name, scores) in enumerate(zip(data.target_names, data.importances, strict=True)):
        offsets = positions + (index - (len(data.target_names) - 1) / 2) * height
        widths = [scores.get(param, 0.0) for param in names]
        bars = ax.barh(offsets, widths, height=height, color=f"C{index}", label=name)
        ax.bar_label(bars, labels=[f"{w:.2f}" for w in widths], padding=3, fontsize="small")
    ax.set_yticks(positions, names)
    ax.set_xlim(0, 1.12 * max(max(s.values(), default=0.0) for s in data.importances) or 1.0)
    label = "Importance" if len(data.target_names) > 1 else f"Importance for {target_name}"
    ax.set_xlabel(label)
    ax.set_ylabel("Hyperparameter")
    if len(data.target_names) > 1:
        ax.legend(loc="lower right", fontsize="small")
    return ax
