"""A matplotlib backend that stands in for a GUI one (TkAgg, QtAgg) without a display:
it draws with Agg and records when its window is shown and its events handled."""

from __future__ import annotations

from typing import Any

from matplotlib.backend_bases import FigureManagerBase, _Backend
from matplotlib.backends.backend_agg import FigureCanvasAgg

SHOWN: list[int | str] = []  # the figure number, each time its window was shown
EVENT_LOOPS: list[float] = []  # the timeout of each start_event_loop


class WindowManager(FigureManagerBase):
    def show(self) -> None:
        SHOWN.append(self.num)


class WindowCanvas(FigureCanvasAgg):
    required_interactive_framework = "headless"  # what a GUI canvas declares
    manager_class = WindowManager

    def start_event_loop(self, timeout: float = 0) -> None:
        EVENT_LOOPS.append(timeout)


@_Backend.export
class _BackendWindow(_Backend):
    FigureCanvas = WindowCanvas
    FigureManager = WindowManager

    @staticmethod
    def mainloop() -> Any:
        return None
