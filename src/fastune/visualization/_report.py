"""One self-contained HTML report of a study (plots as embedded PNG images, the best
trials, the importances), and the trials table as CSV or Excel."""

from __future__ import annotations

import base64
import datetime
import functools
import html
import io
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from fastune._imports import import_optional
from fastune._validation import check_int, invalid, invalid_type
from fastune.importance import BaseImportanceEvaluator, get_param_importances
from fastune.study import Study, StudyDirection
from fastune.trial import TrialState
from fastune.version import __version__
from fastune.visualization._contour import plot_contour
from fastune.visualization._edf import plot_edf
from fastune.visualization._intermediate_values import plot_intermediate_values
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._optimization_history import plot_optimization_history
from fastune.visualization._parallel_coordinate import plot_parallel_coordinate
from fastune.visualization._param_importances import plot_param_importances
from fastune.visualization._pareto_front import plot_pareto_front
from fastune.visualization._slice import plot_slice
from fastune.visualization._timeline import plot_timeline
from fastune.visualization._utils import objective

__all__ = ["write_report", "write_trials"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ccc; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; } td.text { text-align: left; }
figure { margin: 1.5em 0; } figcaption { color: #555; font-size: 0.9em; }
img { max-width: 100%; height: auto; } .note { color: #777; }
"""


def _objective_names(study: Study) -> list[str]:
    if study.metric_names:
        return study.metric_names
    if len(study.directions) == 1:
        return ["Objective Value"]
    return [f"Objective {i}" for i in range(len(study.directions))]


def _plots(
    study: Study, evaluator: BaseImportanceEvaluator | None
) -> list[tuple[str, Callable[[], Any]]]:
    """The report's plots as (title, draw into an Axes), for one or several objectives;
    a study with several objectives shows the first one where a plot needs one value
    (parallel coordinates draw them all)."""
    target: dict[str, Any] = {}
    if len(study.directions) > 1:
        target = {"target": objective(0), "target_name": _objective_names(study)[0]}
    else:
        target = {"target_name": _objective_names(study)[0]}
    every = {} if len(study.directions) > 1 else target
    plots: list[tuple[str, Callable[..., Any]]] = [
        ("Optimization history", functools.partial(plot_optimization_history, study, **target)),
        ("Intermediate values", functools.partial(plot_intermediate_values, study)),
        ("Parameter importances", functools.partial(plot_param_importances, study, evaluator)),
        ("Parallel coordinates", functools.partial(plot_parallel_coordinate, study, **every)),
        ("Slice", functools.partial(plot_slice, study, **target)),
        ("Contour", functools.partial(plot_contour, study, **target)),
        ("Empirical distribution", functools.partial(plot_edf, study, **target)),
        ("Timeline", functools.partial(plot_timeline, study)),
    ]
    if len(study.directions) > 1:
        plots.insert(0, ("Pareto front", functools.partial(plot_pareto_front, study)))
    return plots


def _not_drawn(study: Study, title: str) -> str | None:
    """Why a plot that would be empty is left out of the report, or None."""
    if title == "Contour":
        names = {n for t in study.get_trials(deepcopy=False) for n in t.params}
        if len(names) < 2:
            return "It pairs parameters, and the study has fewer than 2."
    return None


def _png(draw: Callable[[], Any]) -> str:
    """Draw a plot in its own figure; the PNG as base64 text."""
    figure = np.ravel(draw())[0].figure  # a plot returns an Axes or an array of them
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
    finally:
        pyplot().close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"<td>{value:.6g}</td>"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"<td>{value}</td>"
    return f'<td class="text">{html.escape(str(value))}</td>'


def _table(header: list[str] | None, rows: list[list[Any]]) -> str:
    head = ""
    if header is not None:
        cells = "".join(f"<th>{html.escape(name)}</th>" for name in header)
        head = f"<thead><tr>{cells}</tr></thead>"
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>\n" for row in rows)
    return f"<table>{head}<tbody>\n{body}</tbody></table>"


def _best_trials(study: Study, n_best: int) -> tuple[str, str]:
    """A heading and the table of the best complete trials: the top ``n_best`` by value,
    or the Pareto front for several objectives."""
    if len(study.directions) > 1:
        trials, title = study.best_trials[:n_best], "Best trials (Pareto front)"
    else:
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        maximize = study.direction == StudyDirection.MAXIMIZE
        trials = sorted(complete, key=lambda t: t.values[0], reverse=maximize)[:n_best]  # type: ignore[index]
        title = f"Best trials (top {len(trials)})"
    if not trials:
        return "Best trials", '<p class="note">No complete trial yet.</p>'
    params = list(dict.fromkeys(name for t in trials for name in t.params))
    header = ["trial", *_objective_names(study), *params, "duration (s)"]
    rows = [
        [
            t.number,
            *(t.values or []),
            *(t.params.get(name, "") for name in params),
            t.duration.total_seconds() if t.duration else "",
        ]
        for t in trials
    ]
    return title, _table(header, rows)


def _importances(study: Study, evaluator: BaseImportanceEvaluator | None) -> str:
    names = _objective_names(study)
    columns = []
    for index, name in enumerate(names):
        try:
            scores = get_param_importances(study, evaluator=evaluator, target=objective(index))
        except ValueError as error:
            return f'<p class="note">{html.escape(str(error))}</p>'
        columns.append((name, scores))
    params = list(columns[0][1]) if columns else []
    if not params:
        return '<p class="note">No parameter common to all complete trials.</p>'
    rows = [[p, *(scores.get(p, 0.0) for _, scores in columns)] for p in params]
    return _table(["parameter", *(f"importance for {n}" for n, _ in columns)], rows)


def _summary(study: Study) -> str:
    trials = study.get_trials(deepcopy=False)
    counts = {state.name.lower(): 0 for state in TrialState}
    for trial in trials:
        counts[trial.state.name.lower()] += 1
    directions = ", ".join(d.name.lower() for d in study.directions)
    rows: list[list[Any]] = [
        ["directions", directions],
        ["trials", len(trials)],
        *([state, count] for state, count in counts.items() if count),
    ]
    if len(study.directions) == 1 and counts["complete"]:
        try:
            best = study.best_trial
        except ValueError:  # no feasible trial (constraints)
            rows.append(["best trial", "none feasible"])
        else:
            rows.append(["best value", best.value])
            rows.append(["best trial", best.number])
    return _table(None, rows)


def write_report(
    study: Study,
    path: str | os.PathLike[str],
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    n_best: int = 10,
) -> None:
    """Write one self-contained HTML file about ``study``: a summary, the best trials,
    the parameter importances and every plot that applies, as embedded PNG images.

    The file needs nothing else (no script, no style sheet, no image file, no network),
    so it can be mailed or archived as it is. A plot that does not apply to the study
    (a Pareto front for one objective, a contour for one parameter) is left out with
    the reason. For several objectives, the plots that need one value show the first.

    Args:
        study: The study.
        path: The HTML file to write.
        evaluator: Scores the importances; by default
            :class:`~fastune.importance.PedAnovaImportanceEvaluator`, as
            :func:`~fastune.importance.get_param_importances` (it has no randomness: the
            same study gives the same report).
        n_best: How many best trials the table lists.

    Raises:
        MissingDependencyError: matplotlib is not installed (``fastune[viz]``).

    Example:
        >>> import fastune
        >>> from fastune.visualization import write_report
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> write_report(study, "report.html")  # doctest: +SKIP
    """
    if evaluator is not None and not isinstance(evaluator, BaseImportanceEvaluator):
        # Checked here: the plots' ValueErrors become notes, and a wrong type is one too.
        allowed = "a BaseImportanceEvaluator (such as PedAnovaImportanceEvaluator()) or None"
        raise invalid_type("evaluator", "write_report", allowed, evaluator)

    n_best = check_int(n_best, "n_best", "write_report", low=1)  # type: ignore[assignment]
    name = html.escape(study.study_name)
    best_title, best_table = _best_trials(study, n_best)
    figures = []
    for title, draw in _plots(study, evaluator):
        try:
            left_out = _not_drawn(study, title)
            if left_out is not None:
                raise ValueError(left_out)
            image = _png(draw)
        except ValueError as error:
            reason = html.escape(str(error))
            figures.append(f'<p class="note">{html.escape(title)}: not drawn. {reason}</p>')
            continue
        figures.append(
            f'<figure><img src="data:image/png;base64,{image}" alt="{html.escape(title)}">'
            f"<figcaption>{html.escape(title)}</figcaption></figure>"
        )
    moment = datetime.datetime.now().isoformat(sep=" ", timespec="seconds")
    document = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>fastune report: {name}</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>Study {name}</h1>
<p class="note">Written by fastune {__version__} on {moment}.</p>
{_summary(study)}
<h2>{best_title}</h2>
{best_table}
<h2>Parameter importances</h2>
{_importances(study, evaluator)}
<h2>Plots</h2>
{"".join(figures)}
</body>
</html>
"""
    with open(path, "w", encoding="utf-8") as file:
        file.write(document)


def write_trials(study: Study, path: str | os.PathLike[str]) -> None:
    """Write :meth:`Study.trials_dataframe` to a CSV file or an Excel workbook, by the
    extension of ``path`` (``.csv`` or ``.xlsx``).

    Raises:
        MissingDependencyError: pandas is not installed, or openpyxl for ``.xlsx``
            (both come with ``pip install fastune[pandas]``).
        InvalidParameterError: another extension.

    Example:
        >>> import fastune
        >>> from fastune.visualization import write_trials
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> write_trials(study, "trials.csv")  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise invalid_type("path", "write_trials", "a file path ending in .csv or .xlsx", path)
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension not in (".csv", ".xlsx"):
        raise invalid("path", "write_trials", "a file path ending in .csv or .xlsx", path)
    if extension == ".xlsx":
        import_optional("openpyxl", "pandas")
    frame = study.trials_dataframe()
    if extension == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False, sheet_name="trials")
