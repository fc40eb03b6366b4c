"""Redraw a figure while a search runs: in a notebook (one updating output) or a script
(an updating PNG file, and the window when matplotlib has an interactive backend)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["LiveFigure"]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and "IPKernelApp" in getattr(ipython, "config", {})


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

    def update(self) -> None:
        """Redraw now and show the new picture."""
        self.draw(self.figure)
        self.updates += 1
        if self.save is not None:
            temporary = self.save + ".tmp.png"
            self.figure.savefig(temporary, dpi=90)
            os.replace(temporary, self.save)  # a viewer never reads half a file
        if _in_notebook():
            from IPython.display import display

            if self._handle is None:
                self._handle = display(self.figure, display_id=True)
            else:
                self._handle.update(self.figure)
        else:
            self.figure.canvas.draw_idle()
            self.figure.canvas.flush_events()

    def finish(self) -> None:
        """End the live view. In a notebook the updating output already holds the final
        picture, so the figure leaves pyplot's list of open figures: the inline backend
        would otherwise show it a second time below the cell."""
        if _in_notebook():
            import matplotlib.pyplot as plt

            plt.close(self.figure)
