"""What ``fastune.visualization.plot_*`` return: the matplotlib drawing, with the methods
of plotly's ``Figure`` that code written for ``optuna.visualization`` calls on it."""

from __future__ import annotations

import base64
import functools
import html
import io
import os
import warnings
from collections.abc import Callable
from typing import Any, ParamSpec

import numpy as np

from fastune._validation import check_number, invalid, invalid_type
from fastune.visualization._matplotlib import pyplot
from fastune.visualization.live import _has_window, _in_notebook

__all__ = ["PlotFigure", "returning_figure"]

P = ParamSpec("P")

_LAYOUT_KEYS = ("title", "width", "height", "xaxis_title", "yaxis_title")


class PlotFigure:
    """A plot of ``fastune.visualization``: matplotlib underneath, with the common methods
    of the plotly ``Figure`` that ``optuna.visualization.plot_*`` return.

    fastune draws with matplotlib, not plotly: :meth:`show`, :meth:`write_image`,
    :meth:`to_image`, :meth:`write_html`, :meth:`to_html` and :meth:`update_layout` do
    what plotly's do with a matplotlib figure, and a figure left as the last expression
    of a notebook cell shows as a picture. Everything else is the matplotlib drawing's:
    ``fig.set_xlim(0, 10)`` calls it on :attr:`axes`. Plotly's data model
    (``fig.data``, ``fig.add_trace``, ``fig.layout``) is not there; to draw more, use
    :attr:`axes` and :attr:`figure` as in any matplotlib code.

    Attributes:
        axes: What ``fastune.visualization.matplotlib.plot_*`` returns for the same call:
            the matplotlib ``Axes``, or a numpy array of them for several panels.
        figure: The matplotlib ``Figure`` that holds them.
    """

    def __init__(self, axes: Any) -> None:
        self.axes = axes

    @property
    def figure(self) -> Any:
        return self._all_axes()[0].figure

    def __getattr__(self, name: str) -> Any:
        # Special names are the wrapper's own (copy, pickle and numpy look for them).
        if name.startswith("__") or name == "axes":
            raise AttributeError(name)
        try:
            return getattr(self.axes, name)
        except AttributeError:
            raise AttributeError(
                f"PlotFigure has no attribute {name!r}: fastune draws with matplotlib, and "
                "of plotly's Figure it has show, write_image, to_image, write_html, "
                "to_html and update_layout; draw more on fig.axes and fig.figure, as in "
                "any matplotlib code."
            ) from None

    def __repr__(self) -> str:
        return f"<PlotFigure (matplotlib) of {type(self.axes).__name__}>"

    def _all_axes(self) -> list[Any]:
        return list(np.ravel(self.axes))

    def show(self, *args: Any, **kwargs: Any) -> None:
        """Show the figure: in a notebook as an output of the cell; in a script in
        matplotlib's window, with ``pyplot.show()`` (every open figure, until the windows
        are closed). With a backend that has no window (Agg), warn and show nothing:
        :meth:`write_image` saves it instead. Plotly's arguments (``renderer``, ...) are
        accepted and have no effect."""
        if _in_notebook():
            from IPython.display import display

            display(self)
        elif _has_window(self.figure):
            pyplot().show()
        else:
            backend = pyplot().get_backend()
            warnings.warn(
                f"PlotFigure.show has no window to show the figure in: matplotlib's backend "
                f"{backend!r} draws into files only. Use write_image or write_html, or a "
                "GUI backend such as TkAgg or QtAgg.",
                UserWarning,
                stacklevel=2,
            )

    def write_image(
        self,
        file: Any,
        format: str | None = None,
        width: float | None = None,
        height: float | None = None,
        scale: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Save the figure as an image with matplotlib's ``savefig``.

        Args:
            file: A path, or a binary file object.
            format: ``"png"``, ``"jpg"``, ``"svg"``, ``"pdf"``, ... (matplotlib's formats);
                by default the path's suffix, else PNG.
            width: The width in pixels (the figure's own by default).
            height: The height in pixels (the figure's own by default).
            scale: Multiplies the resolution (2: twice the pixels each way).
            **kwargs: Plotly's other arguments (``engine``, ``validate``); no effect.

        Raises:
            ValueError: a format matplotlib cannot write, or a size or scale <= 0.
        """
        figure = self.figure
        if format is None:
            suffix = os.path.splitext(file)[1] if isinstance(file, (str, os.PathLike)) else ""
            format = str(suffix).lstrip(".").lower() or "png"
        supported = sorted(figure.canvas.get_supported_filetypes())
        if not isinstance(format, str) or format.lower() not in supported:
            allowed = f"one of {supported} (or a file suffix naming one)"
            raise invalid("format", "write_image", allowed, format)
        width, height = (
            _pixels(width, "width", "write_image"),
            _pixels(height, "height", "write_image"),
        )
        factor = _pixels(scale, "scale", "write_image") or 1.0
        size = figure.get_size_inches().copy()
        try:
            _resize(figure, width, height)
            figure.savefig(file, format=format.lower(), dpi=figure.dpi * factor)
        finally:
            figure.set_size_inches(size)

    def to_image(
        self,
        format: str | None = None,
        width: float | None = None,
        height: float | None = None,
        scale: float | None = None,
        **kwargs: Any,
    ) -> bytes:
        """The bytes of the image :meth:`write_image` would write (PNG by default), as
        plotly's ``to_image``; same arguments and errors, less the file."""
        buffer = io.BytesIO()
        self.write_image(buffer, format, width, height, scale)  # no format: PNG
        return buffer.getvalue()

    def to_html(self, full_html: bool = True, **kwargs: Any) -> str:
        """An HTML page that holds the figure as a PNG image (no JavaScript).

        Args:
            full_html: A whole page; False: a ``<div>`` to put into another page.
            **kwargs: Plotly's other arguments (``include_plotlyjs``, ``config``, ...);
                no effect.
        """
        title = html.escape(self._title() or "fastune plot")
        data = base64.b64encode(self._png()).decode("ascii")
        div = f'<div><img src="data:image/png;base64,{data}" alt="{title}"></div>'
        if not full_html:
            return div
        return (
            '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n{div}\n</body>\n</html>\n"
        )

    def write_html(self, file: Any, full_html: bool = True, **kwargs: Any) -> None:
        """Write :meth:`to_html` into ``file`` (a path, or a text file object).
        Plotly's other arguments (``include_plotlyjs``, ``auto_open``, ...) have no
        effect."""
        page = self.to_html(full_html=full_html)
        if hasattr(file, "write"):
            file.write(page)
        else:
            with open(file, "w", encoding="utf-8") as out:
                out.write(page)

    def update_layout(
        self, dict1: dict[str, Any] | None = None, overwrite: bool = False, **kwargs: Any
    ) -> PlotFigure:
        """Change the title, the size or the first panel's axis titles, as plotly's.

        Args:
            dict1: Layout keys, as a dict (merged with the keyword arguments).
            overwrite: Plotly's merge option; no effect.
            **kwargs: ``title`` (a str, or a dict with ``"text"``; also ``title_text``),
                ``width`` and ``height`` (pixels), ``xaxis_title`` and ``yaxis_title``
                (also ``xaxis_title_text``, ``yaxis_title_text``). Other keys are left
                out with a warning that names them.

        Returns:
            The figure itself, so that calls chain.

        Raises:
            TypeError: a title that is not a str.
            ValueError: a width or height <= 0.
        """
        layout = {**(dict1 or {}), **kwargs}
        for name in ("title", "xaxis_title", "yaxis_title"):
            if f"{name}_text" in layout:
                layout[name] = layout.pop(f"{name}_text")
        ignored = sorted(key for key in layout if key not in _LAYOUT_KEYS)
        width = _pixels(layout.get("width"), "width", "update_layout")
        height = _pixels(layout.get("height"), "height", "update_layout")
        first = self._all_axes()[0]
        if "title" in layout:
            title = _text(layout["title"], "title", ignored)
            # The figure's title for several panels, or where the plot wrote one.
            if isinstance(self.axes, np.ndarray) or self.figure.get_suptitle():
                self.figure.suptitle(title)
            else:
                first.set_title(title)
        if "xaxis_title" in layout:
            first.set_xlabel(_text(layout["xaxis_title"], "xaxis_title", ignored))
        if "yaxis_title" in layout:
            first.set_ylabel(_text(layout["yaxis_title"], "yaxis_title", ignored))
        _resize(self.figure, width, height)
        if ignored:
            warnings.warn(
                f"update_layout left out {ignored}: fastune draws with matplotlib and takes "
                f"only {list(_LAYOUT_KEYS)}. Use .axes or .figure for the rest.",
                UserWarning,
                stacklevel=2,
            )
        return self

    def _title(self) -> str:
        figure = self.figure
        return str(figure.get_suptitle() or self._all_axes()[0].get_title())

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        """The picture a notebook shows for the figure."""
        # Shown here, the figure leaves pyplot's open figures: the inline backend would
        # otherwise show it a second time below the cell.
        pyplot().close(self.figure)
        return self._png()


def _text(value: Any, name: str, ignored: list[str]) -> str:
    """A layout title given as a str, or as plotly's dict whose ``"text"`` is the str
    (its other keys join ``ignored``)."""
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        ignored.extend(f"{name}.{key}" for key in value if key != "text")
        return str(value["text"])
    if not isinstance(value, str):
        raise invalid_type(name, "update_layout", "a str, or a dict with a str 'text'", value)
    return value


def _pixels(value: Any, name: str, owner: str) -> float | None:
    """A size in pixels (or a scale): a number > 0, or None."""
    return check_number(value, name, owner, low=0.0, low_inclusive=False, allow_none=True)


def _resize(figure: Any, width: float | None, height: float | None) -> None:
    """Give the figure a width and a height in pixels (None: keep that side)."""
    if width is None and height is None:
        return
    inches = figure.get_size_inches()
    figure.set_size_inches(
        inches[0] if width is None else width / figure.dpi,
        inches[1] if height is None else height / figure.dpi,
    )


def returning_figure(plot: Callable[P, Any]) -> Callable[P, PlotFigure]:
    """The plot function of ``fastune.visualization.matplotlib``, returning its drawing
    in a :class:`PlotFigure`, as ``optuna.visualization`` returns a plotly figure."""

    @functools.wraps(plot)
    def draw(*args: P.args, **kwargs: P.kwargs) -> PlotFigure:
        return PlotFigure(plot(*args, **kwargs))

    draw.__doc__ = (
        f"{plot.__doc__}\n"
        "    In ``fastune.visualization`` (Optuna's plotly path), the result is a\n"
        "    :class:`~fastune.visualization.PlotFigure` around that drawing: it has\n"
        "    plotly's ``show``, ``write_image``, ``write_html`` and ``update_layout``.\n"
        f"    ``fastune.visualization.matplotlib.{plot.__name__}`` returns the drawing.\n"
    )
    return draw
