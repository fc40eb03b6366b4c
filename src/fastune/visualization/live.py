"""Redraw a figure while a search runs: in a notebook (one updating output) or a script
(an updating PNG file, and the window when matplotlib has an interactive backend)."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

from fastune.logging import get_logger

__all__ = ["LiveFigure"]

_logger = get_logger(__name__)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


def _has_window(figure: Any) -> bool:
    """Whether the figure belongs to a window: pyplot made it with an interactive
    (GUI) backend, such as TkAgg or QtAgg; not with Agg or the notebook's inline one."""
    canvas = figure.canvas
    return bool(canvas.required_interactive_framework) and canvas.manager is not None


class LiveFigure:
    """Calls ``draw(figure)`` again on each :meth:`update`, and shows the result.

    Args:
        figure: The matplotlib figure to redraw.
        draw: Fills the figure from the current state of the run.
        save: A PNG path rewritten on each update (in a script, the live view).
    """

    def __init__(self, figure: Any, draw: Callable[[Any], Any], save: str | None = None):
        self.figure = figure
        self.draw = draw
        self.save = save
        self.updates = 0
        self._handle: Any = None
        self._window_shown = False

    def update(self) -> None:
        """Redraw now and show the new picture. An error writing ``save`` is logged: the
        live view never stops the search."""
        self.draw(self.figure)
        self.updates += 1
        if self.save is not None:
            self._write_png(self.save)
        if _in_notebook():
            from IPython.display import display

            if self._handle is None:
                self._handle = display(self.figure, display_id=True)
            else:
                self._handle.update(self.figure)
        elif _has_window(self.figure):
            self._refresh_window()

    def _write_png(self, path: str) -> None:
        # A temporary file of its own in the same folder, then an atomic rename: a viewer
        # never reads half a file, and several processes may share one path.
        temporary = f"{path}.{uuid.uuid4().hex}.tmp.png"
        try:
            self.figure.savefig(temporary, dpi=90)
            os.replace(temporary, path)
        except OSError as error:
            _logger.warning(f"The live figure could not be written to {path!r}: {error}")
            with contextlib.suppress(OSError):
                os.remove(temporary)

    def _refresh_window(self) -> None:
        """Open the window on the first update, then let the GUI draw the new picture.
        A window is only driven from the main thread, as GUI toolkits require:
        ``optimize(n_jobs=k)`` calls back from other threads, which only write ``save``."""
        if threading.current_thread() is not threading.main_thread():
            return
        canvas = self.figure.canvas
        if not self._window_shown:
            canvas.manager.show()
            self._window_shown = True
        canvas.draw_idle()
        canvas.start_event_loop(0.001)  # the GUI handles its events: the window repaints

    def finish(self) -> None:
        """End the live view. A window that was shown stays open (``pyplot.show()``
        keeps it on screen after the search); otherwise the figure leaves pyplot's list
        of open figures, so that each search does not leave one behind, and in a notebook
        the inline backend does not show it a second time below the cell."""
        if not self._window_shown:
            import matplotlib.pyplot as plt

            plt.close(self.figure)
