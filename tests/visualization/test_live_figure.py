"""LiveFigure in a script: the PNG it rewrites, the window of a GUI backend, and the
figure it leaves (or not) in pyplot's list."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

import fastune
from fastune.visualization import LiveFigure, LivePlotCallback

matplotlib = pytest.importorskip("matplotlib")


def _draw(figure: Any) -> None:
    figure.clear()
    figure.add_subplot().plot([0, 1, 0])


def _optimize(live: LivePlotCallback, n_trials: int = 3) -> fastune.Study:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=n_trials, callbacks=[live])
    live.finish()
    return study


def test_two_writers_of_one_png_do_not_collide(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure

    path = str(tmp_path / "live.png")
    other = LiveFigure(Figure(), _draw, save=path)
    figure = Figure()
    save = figure.savefig

    def save_while_the_other_writes(*args: Any, **kwargs: Any) -> None:
        save(*args, **kwargs)
        other.update()  # another process writes the same PNG between save and rename

    monkeypatch.setattr(figure, "savefig", save_while_the_other_writes)
    live = LiveFigure(figure, _draw, save=path)
    live.update()  # raised FileNotFoundError: both used one temporary file name
    assert live.updates == other.updates == 1
    assert [p.name for p in tmp_path.iterdir()] == ["live.png"]  # no temporary file left


def test_a_png_that_cannot_be_written_does_not_stop_the_search(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "missing folder" / "live.png"
    live = LivePlotCallback(save=str(path), min_interval=0)
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        study = _optimize(live, n_trials=4)  # stopped after the first trial
    finally:
        logger.removeHandler(caplog.handler)
    assert len(study.trials) == 4 and live.updates >= 1
    assert any("could not be written" in record.message for record in caplog.records)


def test_a_script_with_a_gui_backend_shows_the_window_and_refreshes_it(window_backend) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    live = LivePlotCallback(min_interval=0)
    _optimize(live)
    figure = live._live.figure  # type: ignore[union-attr]
    assert [figure.number] == window_backend.SHOWN  # opened once, on the first update
    assert len(window_backend.EVENT_LOOPS) == live.updates  # the GUI repaints each time
    assert plt.fignum_exists(figure.number)  # finish keeps the window for plt.show()


def test_a_window_is_driven_from_the_main_thread_only(window_backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    live = LiveFigure(plt.figure(), _draw, save=str(tmp_path / "live.png"))
    worker = threading.Thread(target=live.update)  # as optimize(n_jobs=2) calls back
    worker.start()
    worker.join()
    assert live.updates == 1 and (tmp_path / "live.png").exists()
    assert window_backend.SHOWN == [] and window_backend.EVENT_LOOPS == []


def test_finish_leaves_no_figure_open_without_a_window(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    for _ in range(3):
        live = LivePlotCallback(save=str(tmp_path / "live.png"), min_interval=0)
        _optimize(live)
        assert live.updates >= 1
    assert plt.get_fignums() == []  # one figure per search was left open (Agg)
