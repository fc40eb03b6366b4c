"""The plot commands of the ``fastune`` command line: ``plot KIND`` writes one plot of
a stored study to an image file, ``report`` the study's self-contained HTML report."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastune.study import Study

__all__ = ["PLOT_KINDS", "write_plot", "write_report"]

# The plot functions by the name ``fastune plot`` takes (Optuna's names, hyphenated).
PLOT_KINDS = (
    "optimization-history",
    "intermediate-values",
    "parallel-coordinate",
    "slice",
    "contour",
    "param-importances",
    "edf",
    "timeline",
    "pareto-front",
)
TAKES_TARGET = ("optimization-history", "parallel-coordinate", "slice", "contour", "edf")


def _agg_backend() -> None:
    """Draw without a display: the commands only write files."""
    from fastune._imports import import_optional

    import_optional("matplotlib", "viz").use("Agg")


def _plot_function(kind: str, study: Study, objective: int | None) -> Callable[..., Any]:
    import fastune.visualization as visualization
    from fastune.importance import FanovaImportanceEvaluator
    from fastune.visualization._utils import objective as objective_target

    plot = getattr(visualization, "plot_" + kind.replace("-", "_"))
    options: dict[str, Any] = {}
    if kind == "param-importances":
        options["evaluator"] = FanovaImportanceEvaluator(seed=0)
    if objective is not None and kind in (*TAKES_TARGET, "param-importances"):
        options["target"] = objective_target(objective)
        names = study.metric_names
        options["target_name"] = names[objective] if names else f"Objective {objective}"
    return functools.partial(plot, study, **options)


def write_plot(study: Study, kind: str, output: str, objective: int | None) -> None:
    """Draw the plot ``kind`` of ``study`` into ``output`` (PNG, SVG or PDF by its
    extension).

    Raises:
        ValueError: the plot does not apply to the study, or ``objective`` is not one
            of its objectives.
    """
    _agg_backend()
    import matplotlib.pyplot as plt
    import numpy as np

    if objective is not None and not 0 <= objective < len(study.directions):
        raise ValueError(
            f"--objective must be an objective index of the study, from 0 to "
            f"{len(study.directions) - 1}. Got {objective} instead."
        )
    axes = _plot_function(kind, study, objective)()
    figure = np.ravel(axes)[0].figure
    try:
        figure.savefig(output, dpi=100)
    finally:
        plt.close(figure)


def write_report(study: Study, output: str, trials_output: str | None) -> None:
    """Write the HTML report of ``study`` and, if asked, its trials table."""
    _agg_backend()
    from fastune.visualization import write_report as write_html
    from fastune.visualization import write_trials

    write_html(study, output)
    if trials_output is not None:
        write_trials(study, trials_output)
