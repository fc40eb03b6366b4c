"""fastune.visualization.plot_* return a PlotFigure: the matplotlib drawing with the
plotly Figure methods that code written for optuna.visualization calls."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.visualization.studies import categorical, multi_objective, pruned

import fastune
from fastune.importance import FanovaImportanceEvaluator
from fastune.terminator import BestValueStagnationEvaluator
from fastune.visualization import PlotFigure

matplotlib = pytest.importorskip("matplotlib")

PNG_START = b"\x89PNG"

CALLS: dict[str, Callable[[Any], Any]] = {
    "plot_optimization_history": lambda plot: plot(pruned()),
    "plot_intermediate_values": lambda plot: plot(pruned()),
    "plot_parallel_coordinate": lambda plot: plot(pruned()),
    "plot_slice": lambda plot: plot(pruned()),
    "plot_contour": lambda plot: plot(pruned()),
    "plot_param_importances": lambda plot: plot(pruned(), FanovaImportanceEvaluator(seed=0)),
    "plot_edf": lambda plot: plot(pruned()),
    "plot_timeline": lambda plot: plot(pruned()),
    "plot_pareto_front": lambda plot: plot(multi_objective()),
    "plot_hypervolume_history": lambda plot: plot(multi_objective(), [4.0, 0.0]),
    "plot_rank": lambda plot: plot(pruned()),
    "plot_terminator_improvement": lambda plot: plot(
        pruned(), improvement_evaluator=BestValueStagnationEvaluator()
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_each_plot_returns_a_figure_around_what_the_matplotlib_path_returns(name: str) -> None:
    figure = CALLS[name](getattr(fastune.visualization, name))
    assert isinstance(figure, PlotFigure)
    drawing = CALLS[name](getattr(fastune.visualization.matplotlib, name))
    assert type(figure.axes) is type(drawing)  # the matplotlib path is unchanged
    assert figure.figure is np.ravel(figure.axes)[0].figure
    assert all(callable(getattr(figure, m)) for m in ("show", "write_image", "update_layout"))


def test_the_figure_works_as_its_axes() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    figure = fastune.visualization.plot_optimization_history(pruned())
    assert isinstance(figure.axes, Axes)
    assert figure.get_title() == "Optimization History Plot"  # Axes methods, forwarded
    figure.set_xlim(0, 5)
    assert figure.axes.get_xlim() == (0.0, 5.0)
    panels = fastune.visualization.plot_slice(categorical())
    assert isinstance(panels.axes, np.ndarray) and panels.shape == (2,)  # the array's
    # The command line draws with np.ravel(result)[0].figure.
    assert np.ravel(panels)[0].figure is panels.axes[0].figure
    with pytest.raises(AttributeError, match="PlotFigure has no attribute 'add_trace'.*fig.axes"):
        panels.add_trace  # noqa: B018  (plotly's data model is not there)
    plt.close("all")


def test_write_image_takes_the_format_from_the_suffix(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    figure = fastune.visualization.plot_optimization_history(pruned())
    figure.write_image(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes().startswith(PNG_START)
    figure.write_image(str(tmp_path / "history.svg"))
    assert b"<svg" in (tmp_path / "history.svg").read_bytes()[:500]
    figure.write_image(str(tmp_path / "history.pdf"))
    assert (tmp_path / "history.pdf").read_bytes().startswith(b"%PDF")
    buffer = io.BytesIO()
    figure.write_image(buffer)  # a file object without a format: PNG, as plotly's
    assert buffer.getvalue().startswith(PNG_START)
    figure.write_image(tmp_path / "big.png", width=800, height=400, scale=2)
    assert plt.imread(tmp_path / "big.png").shape[:2] == (800, 1600)
    assert tuple(figure.figure.get_size_inches()) == (7.0, 4.5)  # the size comes back


def test_to_image_gives_the_bytes_write_image_writes() -> None:
    import matplotlib.pyplot as plt

    figure = fastune.visualization.plot_optimization_history(pruned())
    assert figure.to_image().startswith(PNG_START)
    assert b"<svg" in figure.to_image(format="svg")[:500]
    picture = plt.imread(io.BytesIO(figure.to_image(width=800, height=400, scale=2)))
    assert picture.shape[:2] == (800, 1600)
    with pytest.raises(ValueError, match=r"'format' parameter of write_image .* Got 'docx'"):
        figure.to_image(format="docx")


def test_write_image_refuses_a_format_matplotlib_cannot_write(tmp_path) -> None:  # type: ignore[no-untyped-def]
    figure = fastune.visualization.plot_optimization_history(pruned())
    with pytest.raises(
        ValueError, match=r"'format' parameter of write_image must be one of .*'png'.* Got 'docx'"
    ):
        figure.write_image(tmp_path / "history.docx")
    with pytest.raises(ValueError, match=r"'width' parameter of write_image .* Got 0"):
        figure.write_image(tmp_path / "history.png", width=0)


def test_html_embeds_the_picture(tmp_path) -> None:  # type: ignore[no-untyped-def]
    figure = fastune.visualization.plot_optimization_history(pruned())
    page = figure.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Optimization History Plot</title>" in page
    data = page.split("data:image/png;base64,")[1].split('"')[0]
    assert base64.b64decode(data).startswith(PNG_START)
    assert figure.to_html(full_html=False, include_plotlyjs="cdn").startswith("<div>")
    figure.write_html(tmp_path / "history.html", include_plotlyjs="cdn")
    assert "data:image/png;base64," in (tmp_path / "history.html").read_text(encoding="utf-8")
    text = io.StringIO()
    figure.write_html(text)
    assert text.getvalue() == page


def test_update_layout_sets_the_common_keys() -> None:
    figure = fastune.visualization.plot_optimization_history(pruned())
    same = figure.update_layout(title="Loss", width=900, height=300, xaxis_title="n")
    assert same is figure  # calls chain, as plotly's
    figure.update_layout({"yaxis_title": {"text": "loss"}})
    assert figure.get_title() == "Loss"
    assert (figure.get_xlabel(), figure.get_ylabel()) == ("n", "loss")
    assert tuple(figure.figure.get_size_inches() * figure.figure.dpi) == (900.0, 300.0)
    panels = fastune.visualization.plot_slice(categorical())
    panels.update_layout(title_text="Slices")  # several panels: the figure's title
    assert panels.figure.get_suptitle() == "Slices"


def test_update_layout_names_the_keys_it_leaves_out() -> None:
    figure = fastune.visualization.plot_optimization_history(pruned())
    with pytest.warns(UserWarning, match=r"left out \['template', 'title.font'\]"):
        figure.update_layout(title={"text": "Loss", "font": {"size": 20}}, template="plotly_dark")
    assert figure.get_title() == "Loss"
    with pytest.raises(TypeError, match=r"'title' parameter of update_layout must be a str"):
        figure.update_layout(title=3)


def test_show_in_a_script_opens_the_window(window_backend, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    shown: list[bool] = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: shown.append(True))
    fastune.visualization.plot_optimization_history(pruned()).show()
    assert shown == [True]


def test_show_without_a_window_says_how_to_save() -> None:
    figure = fastune.visualization.plot_optimization_history(pruned())
    with pytest.warns(UserWarning, match=r"backend '[Aa]gg' .* write_image"):
        figure.show()


def test_show_and_display_in_a_notebook(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import IPython.display
    import matplotlib.pyplot as plt

    from fastune.visualization import _figure

    displayed: list[Any] = []
    monkeypatch.setattr(_figure, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", displayed.append)
    figure = fastune.visualization.plot_optimization_history(pruned())
    figure.show()
    assert displayed == [figure]
    # As the last expression of a cell: the picture, and the figure leaves pyplot so
    # that the inline backend does not show it a second time.
    assert plt.fignum_exists(figure.figure.number)
    assert figure._repr_png_().startswith(PNG_START)
    assert not plt.fignum_exists(figure.figure.number)


def test_is_available_says_the_plots_can_be_drawn() -> None:
    assert fastune.visualization.is_available() is True  # matplotlib, not plotly
    assert fastune.visualization.matplotlib.is_available() is True
