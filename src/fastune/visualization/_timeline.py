"""Timeline: when each trial ran, one lane per worker, coloured by state."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, NamedTuple

from fastune._imports import import_optional
from fastune._validation import check_int
from fastune.study import Study
from fastune.trial import TrialState
from fastune.visualization._utils import new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TimelineBar", "plot_timeline", "timeline_data"]

_COLORS = {
    TrialState.COMPLETE: "tab:blue",
    TrialState.PRUNED: "tab:orange",
    TrialState.FAIL: "tab:red",
    TrialState.RUNNING: "tab:green",
}


class TimelineBar(NamedTuple):
    """When a trial ran (``end`` is ``now`` for a running trial) and its lane."""

    number: int
    lane: int
    start: datetime.datetime
    end: datetime.datetime
    state: TrialState


def timeline_data(
    study: Study, n_recent_trials: int | None = None, now: datetime.datetime | None = None
) -> list[TimelineBar]:
    """Gather one bar per started trial (the last ``n_recent_trials`` when given).

    The storage does not record which worker ran a trial, so lanes are rebuilt from
    the times: in order of start, a trial takes the lowest lane free at its start. This
    uses as many lanes as trials ever ran at once: with ``n_jobs`` workers, at most
    ``n_jobs``.
    """
    check_int(n_recent_trials, "n_recent_trials", "plot_timeline", low=1, allow_none=True)
    now = now if now is not None else datetime.datetime.now()
    started = [(t.datetime_start, t) for t in study.get_trials(deepcopy=False) if t.datetime_start]
    if n_recent_trials is not None:
        started = started[-n_recent_trials:]
    started.sort(key=lambda pair: (pair[0], pair[1].number))
    lane_free_at: list[datetime.datetime] = []
    bars = []
    for start, trial in started:
        end = trial.datetime_complete or now
        lane = next((i for i, free in enumerate(lane_free_at) if free <= start), len(lane_free_at))
        if lane == len(lane_free_at):
            lane_free_at.append(end)
        lane_free_at[lane] = end
        bars.append(TimelineBar(trial.number, lane, start, end, trial.state))
    return sorted(bars, key=lambda bar: bar.number)


def plot_timeline(
    study: Study, n_recent_trials: int | None = None, *, ax: Axes | None = None
) -> Axes:
    """Plot when each trial ran: a bar from its start to its end, in its worker's lane,
    coloured by state and labelled with the trial number (when there is room).

    Lanes are rebuilt from the start and end times (see :func:`timeline_data`): one
    lane for a sequential study, up to ``n_jobs`` for a parallel one.

    Args:
        study: The study.
        n_recent_trials: Draw only the most recent trials.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        ValueError: ``n_recent_trials`` is not a positive int.

    Example:
        >>> import fastune
        >>> from fastune.visualization import plot_timeline
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10, n_jobs=2)
        >>> ax = plot_timeline(study)
    """
    mdates = import_optional("matplotlib.dates", "viz")

    bars = timeline_data(study, n_recent_trials)
    lanes = max((bar.lane for bar in bars), default=0) + 1
    ax = new_axes(ax, figsize=(9.0, max(2.5, 0.6 * lanes + 1.8)))
    ax.set_title("Timeline Plot")
    ax.set_xlabel("Datetime")
    ax.set_ylabel("Worker lane")
    if not bars:
        note(ax, "no trial started yet")
        return ax
    span = mdates.date2num(max(b.end for b in bars)) - mdates.date2num(min(b.start for b in bars))
    seen = set()
    for bar in bars:
        left = mdates.date2num(bar.start)
        width = max(mdates.date2num(bar.end) - left, 1e-9)
        color = _COLORS.get(bar.state, "0.5")
        label = None if bar.state in seen else bar.state.name.capitalize()
        seen.add(bar.state)
        ax.barh(bar.lane, width, left=left, height=0.7, color=color, edgecolor="white", label=label)
        if width > span / 40:  # room for the number
            ax.text(
                left + width / 2,
                bar.lane,
                str(bar.number),
                ha="center",
                va="center",
                fontsize="x-small",
                color="white",
            )
    ax.set_yticks(range(lanes))
    ax.set_ylim(lanes - 0.5, -0.5)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return ax
