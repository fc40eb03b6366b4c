"""LivePlotCallback: redraws while optimize runs, throttled, into a PNG or a notebook."""

from __future__ import annotations

import functools

import pytest
from tests.visualization.test_live import _run_cell

import fastune
from fastune.visualization import (
    LivePlotCallback,
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_slice,
)


def _objective(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -1, 1)
    trial.report(x**2, 0)
    return x**2


def test_redraws_into_a_png_and_finish_shows_every_trial(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    path = tmp_path / "live.png"
    live = LivePlotCallback(
        [plot_optimization_history, plot_intermediate_values, functools.partial(plot_slice)],
        save=str(path),
        min_interval=0,
    )
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=4, callbacks=[live])
    assert 1 <= live.updates <= 4  # the first trial, then as the drawing time allows
    assert plt.imread(path).shape[1] > 500  # three panels, two per row
    live.finish()
    history = live._live.figure.axes[0]  # type: ignore[union-attr]
    assert len(history.collections[0].get_offsets()) == 4


def test_throttled_redraws_and_finish_draws_the_rest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    live = LivePlotCallback(save=str(tmp_path / "live.png"), min_interval=3600)
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=5, callbacks=[live])
    assert live.updates == 1  # the first trial; the others came within the interval
    live.finish()
    assert live.updates == 2
    history = live._live.figure.axes[0]  # type: ignore[union-attr]
    assert len(history.collections[0].get_offsets()) == 5
    live.finish()  # nothing new to draw
    assert live.updates == 2


def test_clear_errors_for_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"'plots' parameter of LivePlotCallback must be a non"):
        LivePlotCallback([])
    with pytest.raises(ValueError, match=r"'plots' parameter .* Got <function"):
        LivePlotCallback(plot_slice)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'min_interval' parameter of LivePlotCallback"):
        LivePlotCallback(min_interval=-1)


CELL = """
%matplotlib inline
import fastune
from fastune.visualization import LivePlotCallback
fastune.logging.set_verbosity(fastune.logging.WARNING)
live = LivePlotCallback(min_interval=0)
study = fastune.create_study()
study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3, callbacks=[live])
live.finish()
print("updates", live.updates)
"""


def test_in_a_notebook_one_output_updates() -> None:
    pytest.importorskip("ipykernel")
    messages = _run_cell(CELL)
    assert not [m for m in messages if m["msg_type"] == "error"]
    pictures = [m for m in messages if "image/png" in m["content"].get("data", {})]
    first, *rest = pictures
    assert first["msg_type"] == "display_data"
    assert all(m["msg_type"] == "update_display_data" for m in rest)  # no second output
    assert len({m["content"]["transient"]["display_id"] for m in pictures}) == 1
    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert f"updates {len(pictures)}" in printed


def test_a_plot_that_cannot_draw_yet_does_not_stop_the_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def failing(study: fastune.Study, ax: object = None) -> object:
        raise ValueError("not yet")

    live = LivePlotCallback(
        [plot_contour, failing], save=str(tmp_path / "live.png"), min_interval=0
    )
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(_objective, n_trials=3, callbacks=[live])  # one parameter: no pairs yet
    assert len(study.trials) == 3  # it stopped after trial 0
    live.finish()
    texts = [t.get_text() for t in live._live.figure.axes[1].texts]  # type: ignore[union-attr]
    assert texts == ["failing: not yet"]
