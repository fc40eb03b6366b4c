"""Import matplotlib on first use, with the extra to install when it is missing."""

from __future__ import annotations

from typing import Any

from fastune._imports import import_optional

__all__ = ["laid_out_figure", "pyplot"]


def pyplot() -> Any:
    """Return ``matplotlib.pyplot`` (``pip install fastune[viz]`` when missing)."""
    import_optional("matplotlib", "viz")
    return import_optional("matplotlib.pyplot", "viz")


def laid_out_figure() -> dict[str, Any]:
    """The keyword arguments of ``pyplot.figure`` / ``pyplot.subplots`` that make a
    figure of fastune's plots: constrained layout, and ``plt.tight_layout()`` kept
    working on it (see :class:`~fastune.visualization._laid_out_figure.LaidOutFigure`)."""
    from fastune.visualization._laid_out_figure import LaidOutFigure

    return {"layout": "constrained", "FigureClass": LaidOutFigure}
