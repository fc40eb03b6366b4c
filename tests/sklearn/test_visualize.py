"""PBTSearchCV.visualize(live=True): the live figure ends on the finished search."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier

from fastune import PBTSearchCV
from fastune.distributions import FloatDistribution

matplotlib = pytest.importorskip("matplotlib")


def _search(**options: Any) -> PBTSearchCV:
    return PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": FloatDistribution(1e-5, 1e-1, log=True)},
        **{"population_size": 3, "generations": 6, "cv": 2, "random_state": 1, "n_jobs": 1}
        | options,
    )


def test_live_figure_draws_a_search_that_stopped_within_a_generation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    X, y = load_iris(return_X_y=True)
    search = _search(synchronous=False, target_score=0.6)
    search.visualize(live=True, save=str(tmp_path / "live.png"))
    live = search._live
    drawn: list[int] = []
    draw = live.draw

    def count_segments(figure: Any) -> Any:
        drawn.append(len(search._live_study.trials))
        return draw(figure)

    live.draw = count_segments
    search.fit(X, y)
    segments = len(search.study_.trials)
    assert segments % 3 != 0  # stopped within a generation: the case of the test
    assert drawn[-1] == segments  # the last drawing left out the segments after a generation
    assert plt.get_fignums() == []  # the live figure does not stay open in pyplot (Agg)


def test_a_live_fit_leaves_a_search_that_pickles_and_draws_no_more(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pickle

    matplotlib.use("Agg")
    X, y = load_iris(return_X_y=True)
    search = _search(generations=2)
    saved = tmp_path / "live.png"
    search.visualize(live=True, save=str(saved))
    search.fit(X, y)
    assert saved.exists()
    restored = pickle.loads(pickle.dumps(search))  # the live view held a local function
    assert (restored.predict(X) == search.predict(X)).all()
    saved.unlink()
    search.fit(X, y)  # live=True was for the next fit only
    assert not saved.exists()
