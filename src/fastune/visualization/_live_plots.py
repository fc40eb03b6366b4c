"""A callback for ``Study.optimize`` that redraws chosen plots as trials finish: one
updating output in a notebook, an updating PNG file in a script (see ``live.py``)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from fastune._validation import check_number, invalid, invalid_type
from fastune.study import Study
from fastune.trial import FrozenTrial
from fastune.visualization._matplotlib import laid_out_figure, pyplot
from fastune.visualization._optimization_history import plot_optimization_history
from fastune.visualization._utils import note
from fastune.visualization.live import LiveFigure

__all__ = ["LivePlotCallback"]

_OWNER = "LivePlotCallback"


class LivePlotCallback:
    """Redraws plots of the study while :meth:`Study.optimize` runs.

    Pass it in ``callbacks``. After a trial finishes, the plots are drawn again side by
    side in one figure: in a notebook as one output that updates in place, in a script
    into ``save`` (a PNG rewritten atomically, so an image viewer can watch it, also
    when several processes share it; an error writing it is logged, the search goes on)
    and into the window if matplotlib has a GUI backend (opened on the first redraw,
    and driven from the main thread only). Redraws are throttled: at most one per
    ``min_interval`` seconds, and never more than a fifth of the time (a slow redraw
    waits longer), so fast trials are not held up by drawing. Call :meth:`finish` after
    ``optimize`` to draw the trials a throttled redraw left out.

    Args:
        plots: The plot functions to draw, each called as ``plot(study, ax=ax)``; use
            :func:`functools.partial` for other arguments.
        save: A PNG path rewritten on each redraw (None: no file).
        min_interval: Seconds between two redraws at least (0: as often as the
            drawing time allows).

    Raises:
        ValueError: no plot, a plot that is not callable, or a negative interval.

    Example:
        >>> import fastune
        >>> from fastune.visualization import (
        ...     LivePlotCallback, plot_optimization_history, plot_slice)
        >>> live = LivePlotCallback([plot_optimization_history, plot_slice], min_interval=5)
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10,
        ...                callbacks=[live])
        >>> live.finish()
    """

    def __init__(
        self,
        plots: Sequence[Callable[..., Any]] = (plot_optimization_history,),
        *,
        save: str | None = None,
        min_interval: float = 2.0,
    ) -> None:
        if callable(plots) or not isinstance(plots, Sequence) or not plots:
            raise invalid("plots", _OWNER, "a non-empty list of plot functions", plots)
        for plot in plots:
            if not callable(plot):
                raise invalid_type("plots", _OWNER, "a list of plot functions", plots)
        if save is not None and not isinstance(save, str):
            raise invalid_type("save", _OWNER, "a PNG file path (str) or None", save)
        self.plots = list(plots)
        self.save = save
        self.min_interval = check_number(min_interval, "min_interval", _OWNER, low=0)
        self._live: LiveFigure | None = None
        self._study: Study | None = None
        self._pending = False
        self._next_draw = -math.inf
        self._lock = threading.Lock()  # optimize(n_jobs=k) calls back from k threads

    @property
    def updates(self) -> int:
        """How many times the plots were drawn."""
        return 0 if self._live is None else self._live.updates

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        with self._lock:
            self._study = study
            self._pending = True
            if time.monotonic() >= self._next_draw:
                self._redraw()

    def finish(self) -> None:
        """Draw the trials a throttled redraw left out, and end the live view: the
        figure is closed unless a window shows it (see :meth:`LiveFigure.finish`)."""
        with self._lock:
            if self._pending:
                self._redraw()
            if self._live is not None:
                self._live.finish()

    def _redraw(self) -> None:
        if self._live is None:
            columns = min(len(self.plots), 2)
            rows = math.ceil(len(self.plots) / columns)
            figure = pyplot().figure(figsize=(6.5 * columns, 4.4 * rows), **laid_out_figure())
            self._live = LiveFigure(figure, self._draw, self.save)
        started = time.monotonic()
        self._live.update()
        finished = time.monotonic()
        self._next_draw = finished + max(self.min_interval or 0.0, 4 * (finished - started))
        self._pending = False

    def _draw(self, figure: Any) -> None:
        figure.clear()
        columns = min(len(self.plots), 2)
        rows = math.ceil(len(self.plots) / columns)
        axes = figure.subplots(rows, columns, squeeze=False).ravel()
        for ax, plot in zip(axes, self.plots, strict=False):
            try:
                plot(self._study, ax=ax)
            except Exception as error:  # a plot that cannot draw yet must not stop the run
                ax.clear()
                note(ax, f"{getattr(plot, '__name__', 'plot')}: {error}")
        for ax in axes[len(self.plots) :]:
            ax.set_visible(False)
