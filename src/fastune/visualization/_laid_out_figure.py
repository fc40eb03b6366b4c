"""The matplotlib figure of fastune's plots (imported on first use: it imports
matplotlib, which ``import fastune`` must not)."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

__all__ = ["LaidOutFigure"]


class LaidOutFigure(Figure):
    """A figure laid out by matplotlib's constrained layout, whose :meth:`tight_layout`
    lays it out again instead of failing: programs written for Optuna's plots call
    ``plt.tight_layout()`` before saving, and matplotlib refuses to move a figure that
    has a colorbar (the slice, contour, rank and parallel-coordinate plots) from the
    constrained layout to the tight one."""

    def tight_layout(self, **kwargs: Any) -> None:
        engine = self.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.execute(self)  # the padding arguments are the tight layout's own
            return
        super().tight_layout(**kwargs)
