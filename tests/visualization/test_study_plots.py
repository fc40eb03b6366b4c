"""The study plots: the data each one gathers on constructed studies, then one render of
every plot on every kind of study (or the error that says why the plot does not apply)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.visualization.studies import STUDIES, add, categorical, conditional, multi_objective
from tests.visualization.studies import pruned as pruned_study

import fastune
from fastune.importance import FanovaImportanceEvaluator
from fastune.terminator import BestValueStagnationEvaluator, StaticErrorEvaluator
from fastune.trial import TrialState
from fastune.visualization._contour import contour_data
from fastune.visualization._edf import edf_data
from fastune.visualization._hypervolume_history import hypervolume_history
from fastune.visualization._intermediate_values import intermediate_values_data
from fastune.visualization._optimization_history import (
    best_so_far_band,
    optimization_history_data,
)
from fastune.visualization._parallel_coordinate import parallel_coordinate_data
from fastune.visualization._param_importances import param_importances_data
from fastune.visualization._pareto_front import pareto_front_data
from fastune.visualization._rank import rank_of
from fastune.visualization._slice import slice_data
from fastune.visualization._terminator_improvement import terminator_improvement_data
from fastune.visualization._timeline import timeline_data
from fastune.visualization.matplotlib import (
    plot_contour,
    plot_edf,
    plot_hypervolume_history,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_param_importances,
    plot_pareto_front,
    plot_rank,
    plot_slice,
    plot_terminator_improvement,
    plot_timeline,
)


def _values_study(values: list[float], direction: str = "minimize") -> fastune.Study:
    study = fastune.create_study(direction=direction)
    for value in values:
        add(study, {"x": 0.5}, value)
    return study


# -- data -----------------------------------------------------------------------------


def test_history_best_so_far_follows_the_direction() -> None:
    (line,) = optimization_history_data(_values_study([3.0, 1.0, 2.0, 0.5]))
    assert line.numbers == [0, 1, 2, 3]
    assert line.best_so_far == [3.0, 1.0, 1.0, 0.5]
    (line,) = optimization_history_data(_values_study([3.0, 1.0, 4.0], "maximize"))
    assert line.best_so_far == [3.0, 3.0, 4.0]


def test_history_best_so_far_counts_feasible_trials_only() -> None:
    study = fastune.create_study()
    for value, bound in [(3.0, 1.0), (2.0, 0.0), (0.5, 0.2), (1.0, -1.0)]:
        study.add_trial(fastune.trial.create_trial(value=value, constraints={"c": bound}))
    (line,) = optimization_history_data(study)
    assert line.values == [3.0, 2.0, 0.5, 1.0]
    assert math.isnan(line.best_so_far[0])
    assert line.best_so_far[1:] == [2.0, 2.0, 1.0]


def test_history_skips_pruned_trials_and_has_no_best_line_for_a_target() -> None:
    (line,) = optimization_history_data(pruned_study())
    assert line.numbers == [0, 2] and line.values == [0.3, 0.2]
    (line,) = optimization_history_data(pruned_study(), target=lambda t: t.params["units"])
    assert line.values == [2.0, 4.0] and line.best_so_far == []


def test_history_band_is_the_mean_and_std_over_studies() -> None:
    lines = optimization_history_data([_values_study([4.0, 2.0, 1.0]), _values_study([2.0, 2.0])])
    numbers, mean, std = best_so_far_band(lines)
    assert numbers == [0, 1, 2]  # trial 2 only exists in the first study: its value alone
    np.testing.assert_allclose(mean, [3.0, 2.0, 1.0])
    np.testing.assert_allclose(std, [1.0, 0.0, 0.0])


def test_history_band_carries_the_best_value_over_pruned_and_failed_trials() -> None:
    first, second = fastune.create_study(), fastune.create_study()
    for value in (4.0, None, None, 1.0):  # trials 1 and 2 pruned
        add(
            first,
            {"x": 0.5},
            value,
            state=TrialState.PRUNED if value is None else TrialState.COMPLETE,
        )
    for value in (2.0, 3.0, None, 0.5):  # trial 2 failed
        add(
            second,
            {"x": 0.5},
            value,
            state=TrialState.FAIL if value is None else TrialState.COMPLETE,
        )
    numbers, mean, std = best_so_far_band(optimization_history_data([first, second]))
    # The band is drawn at every number complete in one study at least: before the fix
    # only at 0 and 3, the numbers complete in both.
    assert numbers == [0, 1, 3]
    np.testing.assert_allclose(mean, [3.0, 3.0, 0.75])
    np.testing.assert_allclose(std, [1.0, 1.0, 0.25])
    ax = plot_optimization_history([first, second], error_bar=True)
    mean_line = next(line for line in ax.get_lines() if line.get_label() == "Best Value (mean)")
    assert list(mean_line.get_xdata()) == [0, 1, 3]


def test_intermediate_values_keep_steps_and_states() -> None:
    curves = intermediate_values_data(pruned_study())
    assert [(c.number, c.state) for c in curves] == [
        (0, TrialState.COMPLETE),
        (1, TrialState.PRUNED),
        (2, TrialState.COMPLETE),
    ]
    assert curves[1].steps == [0, 1] and curves[1].values == [1.2, 1.1]


def test_parallel_coordinate_draws_a_missing_parameter_at_none() -> None:
    data = parallel_coordinate_data(conditional())
    assert [axis.name for axis in data.axes] == ["Objective Value", "gamma", "kind"]
    assert data.axes[2].values == [0.0, 1.0, 1.0, 2.0]
    assert data.axes[2].choices == ["linear", "rbf", "poly"]
    # As Optuna 5: every trial is drawn, one without gamma crosses its axis at "None".
    assert data.numbers == [0, 1, 2, 3]
    assert [math.isnan(v) for v in data.axes[1].values] == [True, False, False, True]
    data = parallel_coordinate_data(conditional(), params=["gamma"], target_name="loss")
    assert data.axes[0] == ("loss", [3.0, 1.0, 2.0, 2.5], False, None)
    assert [axis.name for axis in data.axes] == ["loss", "gamma"]
    log_axis = parallel_coordinate_data(pruned_study()).axes[1]
    assert log_axis.name == "lr" and log_axis.log
    ax = plot_parallel_coordinate(conditional())
    assert "None" in [text.get_text() for text in ax.texts]
    assert ax.get_ylim()[0] < -0.1  # room for the "None" row below the axes


def test_parallel_coordinate_of_several_objectives_colours_by_pareto_rank() -> None:
    study = multi_objective()  # minimize, maximize: trial 2 is dominated by trial 1
    data = parallel_coordinate_data(study)
    assert [axis.name for axis in data.axes] == ["Objective 0", "Objective 1", "lr", "x"]
    assert data.n_objective_axes == 2
    assert data.axes[1].values == [1.0, 3.0, 2.0, 0.5]
    assert data.colors == [0.0, 0.0, 1.0, 0.0] and data.color_label == "Pareto Rank"
    study.set_metric_names(["error", "speed"])
    ax = plot_parallel_coordinate(study)
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["error", "speed"]
    assert ax.figure.axes[-1].get_ylabel() == "Pareto Rank"
    # With a target, one objective axis coloured by it.
    data = parallel_coordinate_data(study, target=lambda t: t.values[0], target_name="error")
    assert data.n_objective_axes == 1 and data.colors == [1.0, 2.0, 3.0, 0.5]


def test_slice_panels_per_param_with_the_trials_that_have_it() -> None:
    gamma, kind = slice_data(conditional())
    assert kind.name == "kind" and kind.positions == [0.0, 1.0, 1.0, 2.0]
    assert gamma.numbers == [1, 2] and gamma.positions == [0.2, 0.8]
    assert gamma.values == [1.0, 2.0]
    (units,) = slice_data(categorical(), params=["units"])
    assert units.positions == [1.0, 4.0, 2.0, 8.0, 6.0]


def test_contour_pairs_every_two_params() -> None:
    (pair,) = contour_data(pruned_study())
    assert (pair.x_name, pair.y_name) == ("lr", "units")
    assert pair.x == [0.1, 0.01] and pair.y == [2.0, 4.0] and pair.values == [0.3, 0.2]
    assert contour_data(fastune.create_study()) == []
    assert contour_data(conditional(), params=["kind"]) == []  # an empty plot, as Optuna's


def test_param_importances_data_has_one_group_per_objective() -> None:
    study = multi_objective()
    study.set_metric_names(["error", "speed"])
    data = param_importances_data(study, FanovaImportanceEvaluator(seed=0))
    assert data.target_names == ["error", "speed"]
    assert all(set(scores) == {"x", "lr"} for scores in data.importances)
    assert param_importances_data(fastune.create_study()).importances == []


def test_edf_sorts_the_values_of_each_study() -> None:
    first, second = edf_data([_values_study([3.0, 1.0, 2.0]), _values_study([5.0])])
    assert first.values == [1.0, 2.0, 3.0]
    assert first.fractions == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert second.values == [5.0] and second.fractions == [1.0]


def test_terminator_improvement_evaluates_the_complete_trials_after_each_trial() -> None:
    study = fastune.create_study()
    add(study, {"x": 0.5}, None, state=TrialState.FAIL)  # before any complete trial
    for value in [3.0, 1.0]:
        add(study, {"x": 0.5}, value)
    add(study, {"x": 0.5}, None, state=TrialState.FAIL)
    add(study, {"x": 0.5}, 2.0)
    curve = terminator_improvement_data(
        study, plot_error=True, improvement_evaluator=BestValueStagnationEvaluator(5)
    )
    assert curve.trial_numbers == [1, 2, 3, 4]
    assert curve.n_complete == [1, 2, 2, 3]
    assert curve.improvements == [5, 5, 5, 4]  # patience left since the best (trial 2)
    assert curve.errors == [0.0] * 4  # the stagnation evaluator's default error
    bar = StaticErrorEvaluator(0.5)
    assert (
        terminator_improvement_data(study, True, BestValueStagnationEvaluator(), bar).errors
        == [0.5] * 4
    )
    assert terminator_improvement_data(study).errors is None


def test_terminator_improvement_draws_the_warm_up_lighter() -> None:
    study = _values_study([3.0, 1.0, 2.0, 2.5, 0.5])
    ax = plot_terminator_improvement(
        study, improvement_evaluator=BestValueStagnationEvaluator(5), min_n_trials=3
    )
    warm_up, main = ax.get_lines()
    assert list(warm_up.get_xdata()) == [0, 1, 2] and warm_up.get_alpha() == 0.3
    assert list(main.get_xdata()) == [2, 3, 4] and main.get_alpha() is None
    with pytest.raises(ValueError, match="'min_n_trials' parameter of plot_terminator"):
        plot_terminator_improvement(study, min_n_trials=0)


def test_timeline_rebuilds_one_lane_per_concurrent_worker() -> None:
    study = fastune.create_study()
    add(study, {"x": 0.1}, 1.0, start=0, end=10)
    add(study, {"x": 0.2}, 1.0, start=1, end=4)  # overlaps trial 0: second lane
    add(study, {"x": 0.3}, 1.0, start=5, end=8)  # lane 1 is free again at 4
    add(study, {"x": 0.4}, 1.0, start=11, end=12)
    add(study, {"x": 0.5}, None, state=TrialState.RUNNING, start=11.5)
    now = datetime.datetime(2024, 1, 1, 12, 0, 20)
    bars = timeline_data(study, now=now)
    assert [(b.number, b.lane) for b in bars] == [(0, 0), (1, 1), (2, 1), (3, 0), (4, 1)]
    assert bars[4].end == now and bars[4].state == TrialState.RUNNING
    assert [b.number for b in timeline_data(study, n_recent_trials=2, now=now)] == [3, 4]
    with pytest.raises(ValueError, match=r"'n_recent_trials' parameter of plot_timeline"):
        timeline_data(study, n_recent_trials=0)


def test_pareto_front_splits_best_and_dominated_trials() -> None:
    data = pareto_front_data(multi_objective())  # minimize the first, maximize the second
    assert data.target_names == ["Objective 0", "Objective 1"]
    assert data.best_numbers == [0, 1, 3] and data.dominated_numbers == [2]
    assert data.best_values[1] == [2.0, 3.0]
    assert (
        pareto_front_data(multi_objective(), include_dominated_trials=False).dominated_numbers == []
    )
    custom = pareto_front_data(
        categorical(), targets=lambda t: (t.params["units"], -t.value), target_names=["u", "v"]
    )
    # the front is the study's (one objective: its best trial), drawn at the targets
    assert custom.target_names == ["u", "v"]
    assert custom.best_numbers == [categorical().best_trial.number]


def test_hypervolume_history_grows_with_the_front() -> None:
    # Minimize the first objective, maximize the second; reference (4, 0). Trial 2 is
    # dominated by trial 1 and adds nothing.
    numbers, volumes = hypervolume_history(multi_objective(), [4.0, 0.0])
    assert numbers == [0, 1, 2, 3] and volumes == [3.0, 7.0, 7.0, 7.25]
    ax = plot_hypervolume_history(multi_objective(), reference_point=[4.0, 0.0])
    assert list(ax.lines[0].get_ydata()) == volumes
    with pytest.raises(ValueError, match=r"'reference_point' .* 2 finite numbers"):
        hypervolume_history(multi_objective(), [4.0])


def test_ranks_put_the_best_at_0_and_the_worst_at_1() -> None:
    assert list(rank_of([3.0, 1.0, 2.0], [3.0, 1.0, 2.0], maximize=False)) == [1.0, 0.0, 0.5]
    assert list(rank_of([3.0, 1.0, 2.0], [3.0, 1.0, 2.0], maximize=True)) == [0.0, 1.0, 0.5]
    tied = rank_of([1.0, 1.0, math.nan], [1.0, 1.0, 5.0, math.nan], maximize=False)
    assert list(tied[:2]) == [0.0, 0.0] and math.isnan(tied[2])


def test_rank_plot_colours_each_trial_by_its_rank() -> None:
    study = fastune.create_study(direction="maximize")
    for x, lr in [(0.1, 0.2), (0.5, 0.9), (0.9, 0.4)]:
        add(study, {"x": x, "lr": lr}, x + lr)  # the best is (0.5, 0.9): 1.4
    ax = plot_rank(study, params=["x", "lr"])
    colours = list(ax.collections[0].get_array())
    assert colours == [1.0, 0.0, 0.5]  # trial 1 the best (0), trial 0 the worst (1)
    one = plot_rank(study, params=["x"])
    assert list(one.collections[0].get_offsets()[:, 1]) == pytest.approx([0.3, 1.4, 1.3])


def test_pareto_front_refuses_one_objective_and_bad_names() -> None:
    with pytest.raises(
        ValueError, match=r"'study' parameter of plot_pareto_front must be a study with 2 or 3"
    ):
        pareto_front_data(categorical())
    with pytest.raises(ValueError, match=r"'target_names' parameter .* must be a list of 2 names"):
        pareto_front_data(multi_objective(), target_names=["only one"])
    with pytest.raises(ValueError, match=r"2 or 3 values per trial"):
        pareto_front_data(multi_objective(), targets=lambda t: (1.0, 2.0, 3.0, 4.0))


@pytest.mark.parametrize(
    "plot",
    [plot_optimization_history, plot_slice, plot_contour, plot_edf],
)
def test_several_objectives_need_a_target(plot: Callable[..., Any]) -> None:
    with pytest.raises(
        ValueError, match=rf"'target' parameter of {plot.__name__} must be a function"
    ):
        plot(multi_objective())
    plot(multi_objective(), target=lambda t: t.values[0], target_name="error")


def test_unknown_params_are_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"'params' parameter of plot_slice .*\['kind', 'gamma'\]"):
        plot_slice(conditional(), params=["nope"])


# -- one render of each plot on each kind of study -------------------------------------

PLOTS: dict[str, Callable[..., Any]] = {
    "optimization_history": plot_optimization_history,
    "intermediate_values": plot_intermediate_values,
    "parallel_coordinate": plot_parallel_coordinate,
    "slice": plot_slice,
    "contour": plot_contour,
    "param_importances": lambda s, **k: plot_param_importances(
        s, FanovaImportanceEvaluator(seed=0), **k
    ),
    "edf": plot_edf,
    "timeline": plot_timeline,
    "pareto_front": plot_pareto_front,
    "hypervolume_history": lambda s, **k: plot_hypervolume_history(s, [4.0, 0.0], **k),
    "rank": plot_rank,
    "terminator_improvement": lambda s, **k: plot_terminator_improvement(
        s, improvement_evaluator=BestValueStagnationEvaluator(3), **k
    ),
}
TAKES_TARGET = {"optimization_history", "parallel_coordinate", "slice", "contour", "edf", "rank"}
# Where a plot does not apply, the error says so.
NOT_APPLICABLE = {
    (plot, name): message
    for plot, message in (
        ("pareto_front", r"must be a study with 2 or 3 objectives"),
        ("hypervolume_history", r"must be a study with several objectives"),
    )
    for name in STUDIES
    if name != "multi-objective"
} | {("terminator_improvement", "multi-objective"): r"must be a study with one objective"}


@pytest.mark.parametrize("study_kind", list(STUDIES))
@pytest.mark.parametrize("plot_name", list(PLOTS))
def test_every_plot_renders_or_says_why_not(plot_name: str, study_kind: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import matplotlib.pyplot as plt

    study = STUDIES[study_kind]()
    kwargs: dict[str, Any] = {}
    if study_kind == "multi-objective" and plot_name in TAKES_TARGET:
        kwargs["target"] = lambda t: t.values[0]
    if (plot_name, study_kind) in NOT_APPLICABLE:
        with pytest.raises(ValueError, match=NOT_APPLICABLE[(plot_name, study_kind)]):
            PLOTS[plot_name](study, **kwargs)
        return
    result = PLOTS[plot_name](study, **kwargs)
    ax = np.ravel(result)[0]
    path = tmp_path / "plot.png"
    ax.figure.savefig(path)
    image = plt.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100
    assert ax.get_title() or ax.figure.get_suptitle()


@pytest.mark.parametrize("plot_name", list(PLOTS))
def test_tight_layout_before_saving_keeps_working(plot_name: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Programs written for Optuna's plots call plt.tight_layout() before saving; on the
    # plots with a colorbar matplotlib refused to leave the constrained layout.
    import matplotlib.pyplot as plt

    several = plot_name in ("pareto_front", "hypervolume_history")
    study = STUDIES["multi-objective" if several else "conditional"]()
    ax = np.ravel(PLOTS[plot_name](study))[0]
    assert plt.gcf() is ax.figure
    plt.tight_layout()
    ax.figure.tight_layout(pad=0.5)
    ax.figure.savefig(tmp_path / "plot.png")
    assert ax.figure.get_layout_engine() is not None  # still laid out on every draw


def test_log_params_get_log_axes_and_choices_get_labels() -> None:
    ax = plot_slice(pruned_study(), params=["lr"])
    assert ax.get_xscale() == "log"
    ax = plot_slice(categorical(), params=["kind"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["linear", "rbf", "poly"]
    study = fastune.create_study()
    for lr, units, value in [(1e-3, 1, 1.0), (1e-2, 4, 0.5), (1e-1, 2, 0.8), (0.5, 8, 2.0)]:
        add(study, {"lr": lr, "units": units}, value)
    ax = plot_contour(study)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert ax.get_xlabel() == "lr" and ax.get_ylabel() == "units"


def test_plots_draw_into_a_given_axes() -> None:
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2)
    assert plot_optimization_history(pruned_study(), ax=left) is left
    axes = plot_slice(pruned_study(), ax=right)
    assert len(axes) == 2 and all(a.figure is figure for a in axes)
    assert right not in figure.axes  # the panels took its place


def test_pruned_trials_are_marked_where_they_stopped() -> None:
    ax = plot_intermediate_values(pruned_study())
    labels = [line.get_label() for line in ax.get_lines()]
    assert "pruned (x: where it stopped)" in labels and "complete" in labels
    (marks,) = ax.collections
    assert marks.get_offsets().tolist() == [[1.0, 1.1]]


def test_history_of_a_maximized_study_draws_the_best_line() -> None:
    ax = plot_optimization_history(_values_study([1.0, 3.0, 2.0], "maximize"))
    best = next(line for line in ax.get_lines() if line.get_label() == "Best Value")
    assert list(best.get_ydata()) == [1.0, 3.0, 3.0]
    assert not math.isnan(ax.get_ylim()[0])


def test_optuna_paths_reach_the_plots() -> None:
    import fastune as optuna

    assert optuna.visualization.matplotlib.plot_slice is plot_slice
    assert optuna.importance.get_param_importances is not None


def _shrinking_choices() -> fastune.Study:
    """Trials 0-9 choose among a, b, c; trials 10-19 among a, b (a space that changed)."""
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))

    def objective(trial: fastune.Trial) -> float:
        choices = ["a", "b", "c"] if trial.number < 10 else ["a", "b"]
        kind = trial.suggest_categorical("kind", choices)
        return trial.suggest_float("x", 0, 1) + (kind == "c")

    study.optimize(objective, n_trials=20)
    return study


def test_plots_and_importances_of_a_space_that_changed() -> None:
    study = _shrinking_choices()
    for plot in (plot_slice, plot_parallel_coordinate, plot_contour, plot_rank):
        plot(study)  # each raised: "must be one of 'a', 'b'. Got 'c'"
    data = parallel_coordinate_data(study)
    kind = next(axis for axis in data.axes if axis.name == "kind")
    assert kind.choices == ["a", "b", "c"]
    importances = fastune.importance.get_param_importances(
        study, evaluator=FanovaImportanceEvaluator(seed=0), params=["kind"]
    )
    assert list(importances) == ["kind"]


def test_plots_shaped_as_optunas() -> None:
    axes = plot_slice(categorical())
    assert isinstance(axes, np.ndarray) and axes.shape == (2,)
    one_param = _values_study([1.0, 2.0])
    ax = plot_contour(one_param)  # fewer than 2 parameters: an empty plot, no error
    assert ax.get_title() == "Contour Plot"
    study = fastune.create_study()
    for k, value in enumerate((1.0, math.inf, 2.0)):
        add(study, {"x": 0.1 * k}, value)
    numbers = parallel_coordinate_data(study).numbers
    assert len(numbers) == 2  # the infinite value is left out: it flattened every line


def test_pareto_front_leaves_infeasible_trials_off_the_front() -> None:
    study = fastune.create_study(directions=["minimize", "minimize"])
    for k in range(6):
        study.add_trial(
            fastune.trial.create_trial(
                values=[float(k), float(5 - k)], constraints={"c": 1.0 if k % 2 else -1.0}
            )
        )
    data = pareto_front_data(study)
    assert data.best_numbers == [0, 2, 4] and data.infeasible_numbers == [1, 3, 5]
    assert [t.number for t in study.best_trials] == data.best_numbers
    older = pareto_front_data(study, constraints_func=lambda t: [t.values[0] - 2.5])
    assert older.best_numbers == [0, 2] and older.infeasible_numbers == [1, 3, 4, 5]


def test_panels_and_axes_come_in_optunas_order() -> None:
    study = fastune.create_study()
    for k in range(4):
        add(study, {"x": 0.2 * k, "lr": 10.0 ** -(k + 1), "units": k + 1}, float(k))
    # Sorted by name, with or without params, as Optuna's panels.
    for params in (None, ["x", "lr", "units"]):
        assert [panel.name for panel in slice_data(study, params)] == ["lr", "units", "x"]
        axes = plot_slice(study, params)
        assert [ax.get_xlabel() for ax in axes] == ["lr", "units", "x"]
        names = [axis.name for axis in parallel_coordinate_data(study, params).axes]
        assert names == ["Objective Value", "lr", "units", "x"]
        pairs = [(pair.x_name, pair.y_name) for pair in contour_data(study, params)]
        assert pairs == [("lr", "units"), ("lr", "x"), ("units", "x")]
    # The rank plot keeps the order of params, as Optuna's.
    ax = plot_rank(study, params=["x", "lr"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "lr")
    ax = plot_rank(study, params=["lr", "x"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("lr", "x")


def test_a_parameter_both_categorical_and_numeric_is_drawn_over_its_values() -> None:
    from fastune.distributions import CategoricalDistribution, FloatDistribution

    study = fastune.create_study()
    for k in range(6):
        # "p" is a choice of "a", "b" in trials 0-2, a float in trials 3-5.
        p = CategoricalDistribution(["a", "b"]) if k < 3 else FloatDistribution(0, 1)
        study.add_trial(
            fastune.trial.create_trial(
                value=float(k),
                params={"p": "ab"[k % 2] if k < 3 else k / 10, "q": k / 10},
                distributions={"p": p, "q": FloatDistribution(0, 1)},
            )
        )
    (panel,) = slice_data(study, ["p"])
    assert panel.distribution == CategoricalDistribution(["a", "b", 0.3, 0.4, 0.5])
    assert panel.positions == [0.0, 1.0, 0.0, 2.0, 3.0, 4.0]
    for plot in (plot_slice, plot_contour, plot_parallel_coordinate, plot_rank):
        plot(study)  # each raised: could not convert string to float: 'a'
    ax = plot_slice(study, ["p"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "0.3", "0.4", "0.5"]


@pytest.mark.parametrize(
    "plot",
    [
        plot_optimization_history,
        plot_slice,
        plot_contour,
        plot_edf,
        plot_parallel_coordinate,
        plot_param_importances,
        plot_rank,
    ],
)
def test_target_name_must_be_a_str(plot: Callable[..., Any]) -> None:
    message = rf"'target_name' parameter of {plot.__name__} must be a str .* Got None"
    with pytest.raises(TypeError, match=message):  # was: None + str, unexplained
        plot(pruned_study(), target_name=None)


def test_param_importances_names_the_plot_for_unknown_params() -> None:
    # Was: "The 'params' parameter of FanovaImportanceEvaluator.evaluate must be ...".
    with pytest.raises(ValueError, match=r"'params' parameter of plot_param_importances .*nope"):
        plot_param_importances(pruned_study(), FanovaImportanceEvaluator(seed=0), ["nope"])


@pytest.mark.parametrize("plot", [plot_contour, plot_slice, plot_rank, plot_parallel_coordinate])
def test_named_params_on_a_study_without_trials_give_an_empty_plot(plot: Any) -> None:
    # As Optuna's: nothing to plot, so the names cannot be checked (it was an error).
    study = fastune.create_study()
    study.ask()  # running: not plotted
    plot(study, params=["lr", "wd"])
    with pytest.raises(ValueError, match="'params'"):  # with trials, a name is checked
        plot(categorical(), params=["nope"])
