"""Empirical distribution function of the objective values, one curve per study."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from fastune.study import Study
from fastune.visualization._utils import (
    Target,
    check_target,
    check_target_name,
    complete_trials,
    new_axes,
    note,
    objective_values,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EdfCurve", "edf_data", "plot_edf"]


class EdfCurve(NamedTuple):
    """One study's finite objective values, sorted, and the fraction of its values at
    or below each of them."""

    study_name: str
    values: list[float]
    fractions: list[float]


def edf_data(study: Study | Sequence[Study], target: Target | None = None) -> list[EdfCurve]:
    """Gather one :class:`EdfCurve` per study."""
    curves = []
    for one in [study] if isinstance(study, Study) else list(study):
        check_target(one, target, "plot_edf")
        values = np.sort(np.asarray(objective_values(complete_trials(one), target), dtype=float))
        values = values[np.isfinite(values)]
        fractions = np.arange(1, len(values) + 1) / max(len(values), 1)
        curves.append(EdfCurve(one.study_name, values.tolist(), fractions.tolist()))
    return curves


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Target | None = None,
    target_name: str = "Objective Value",
    ax: Axes | None = None,
) -> Axes:
    """Plot the empirical distribution function of the objective values of each study.

    The curve of a study at ``x`` is the fraction of its complete trials whose value is
    at most ``x``; drawing several studies (for example two samplers on one problem)
    shows which one finds good values more often.

    Args:
        study: A study or a list of studies.
        target: Plots ``target(trial)`` instead of the objective value; needed for a
            study with several objectives.
        target_name: The label of the value axis.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        TypeError: ``target_name`` is not a str.
        ValueError: a study has several objectives and ``target`` is None.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_edf
        >>> studies = []
        >>> for name in ("random", "tpe"):
        ...     study = fastune.create_study(study_name=name)
        ...     study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        ...     studies.append(study)
        >>> ax = plot_edf(studies)
    """
    check_target_name(target_name, "plot_edf")
    curves = edf_data(study, target)
    ax = new_axes(ax)
    for index, curve in enumerate(curves):
        if curve.values:
            ax.step(
                curve.values,
                curve.fractions,
                where="post",
                color=f"C{index}",
                label=curve.study_name,
            )
    ax.set_title("Empirical Distribution Function Plot")
    ax.set_xlabel(target_name)
    ax.set_ylabel("Cumulative Probability")
    ax.set_ylim(0, 1.05)
    if any(curve.values for curve in curves):
        ax.legend(loc="best", fontsize="small")
    else:
        note(ax, "no complete trial yet")
    return ax
