from __future__ import annotations

import math
from typing import Any

import pytest
from scipy.stats import loguniform

import fastune
from fastune.pbt import PopulationBasedTraining
from fastune.visualization import (
    LiveFigure,
    plot_pbt,
    plot_pbt_lineage,
    plot_pbt_scores,
    plot_pbt_trajectories,
)
from fastune.visualization._pbt_data import lineage, population_scores, trajectories


def _step(params: dict[str, Any], state: Any) -> tuple[Any, float]:
    state = (state or 0.0) + params["lr"]
    score = -abs(state - 3.0) if params["act"] != "bad" else math.nan
    return state, score


def _study() -> fastune.Study:
    pbt = PopulationBasedTraining(
        _step,
        {"lr": loguniform(0.01, 1.0), "act": ["relu", "tanh", "bad"]},
        population_size=5,
        generations=6,
        random_state=0,
    )
    return pbt.run().study_


def test_population_scores_data() -> None:
    study = _study()
    data = population_scores(study)
    assert data.generations == list(range(6))
    assert all(len(scores) == 5 for scores in data.member_scores)
    finite = [[v for v in s if not math.isnan(v)] for s in data.member_scores]
    assert data.best_so_far[0] == max(finite[0])
    assert data.best_so_far == sorted(data.best_so_far)  # never gets worse
    assert data.best_so_far[-1] == study.best_value


def test_trajectories_and_lineage_agree_on_copies() -> None:
    study = _study()
    paths = trajectories(study)
    assert paths.params == ["lr", "act"]
    assert paths.members == list(range(5))
    assert all(paths.generations[m] == list(range(6)) for m in paths.members)
    tree = lineage(study)
    assert len(tree.nodes) == 30
    assert len(tree.edges) == 25  # every segment after the first has a parent
    copies = {(child[1], child[0]) for _parent, child, copied in tree.edges if copied}
    from_paths = {(m, g) for m, gens in paths.exploits.items() for g in gens}
    assert copies == from_paths and copies


def test_every_plot_renders(tmp_path: Any) -> None:
    study = _study()
    assert plot_pbt_scores(study).get_xlabel() == "generation"
    ax = plot_pbt_trajectories(study, "lr")
    assert ax.get_yscale() == "log"  # lr is a log-scale parameter
    assert plot_pbt_trajectories(study, "act").get_ylabel() == "act"
    assert plot_pbt_lineage(study).get_title().startswith("Lineage")
    figure = plot_pbt(study)
    assert len([a for a in figure.axes if a.get_visible()]) >= 4
    figure.savefig(tmp_path / "pbt.png")
    assert (tmp_path / "pbt.png").stat().st_size > 10_000


def test_an_unknown_hyperparameter_is_named() -> None:
    with pytest.raises(ValueError, match=r"'param' parameter of plot_pbt_trajectories.*'zz'"):
        plot_pbt_trajectories(_study(), "zz")  # a bare KeyError before


def test_empty_study_says_so() -> None:
    ax = plot_pbt_scores(fastune.create_study())
    assert any("no PBT segment" in text.get_text() for text in ax.texts)


def test_live_figure_rewrites_its_png(tmp_path: Any) -> None:
    from fastune.visualization._matplotlib import pyplot

    calls = []
    path = str(tmp_path / "live.png")
    live = LiveFigure(pyplot().figure(), lambda fig: calls.append(fig), save=path)
    live.update()
    live.update()
    assert len(calls) == 2 and live.updates == 2
    assert (tmp_path / "live.png").exists()


def test_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"fastune\[viz\]"):
        plot_pbt_scores(fastune.create_study())
