"""The benchmark suite: its pure statistics on known answers, and one quick run end to end.

The quick run goes to a temporary folder (never to benchmarks/results/); no timing is
asserted, only that the results are complete and well-formed.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks.problems import PROBLEMS
from benchmarks.readme import END_MARKER, START_MARKER, MissingMarkersError, replace_section
from benchmarks.runners import METHODS, unavailable_methods
from benchmarks.space import (
    CategoricalParam,
    FloatParam,
    IntParam,
    grid_levels,
    grid_search_space,
    is_gridable,
)
from benchmarks.stats import best_so_far, mean_ranks, spread, trials_to_reach
from benchmarks.suites import QUICK

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

# -- statistics --------------------------------------------------------------------------


def test_best_so_far_keeps_the_running_minimum_and_pads_a_short_study() -> None:
    assert best_so_far([None, 3.0, 5.0, 1.0], 6) == [None, 3.0, 3.0, 1.0, 1.0, 1.0]


def test_trials_to_reach_is_the_first_trial_at_or_below_the_target() -> None:
    curve = [None, 5.0, 4.0, 2.0, 2.0, 1.0]
    assert trials_to_reach(curve, 4.0) == 3
    assert trials_to_reach(curve, 2.0) == 4
    assert trials_to_reach(curve, 0.5) is None
    assert trials_to_reach(curve, 100.0) == 2


def test_spread_counts_a_missing_value_as_worst() -> None:
    assert spread([1.0, 2.0, 3.0, 4.0, 5.0]) == (3.0, 2.0, 4.0)
    median, lower, _ = spread([1.0, 2.0, None])
    assert (median, lower) == (2.0, 1.5)
    assert spread([None, None]) == (None, None, None)


def test_mean_ranks_average_ties_and_skip_methods_that_did_not_run() -> None:
    medians = {
        "p1": {"a": 1.0, "b": 2.0, "c": 2.0},
        "p2": {"a": 3.0, "b": 1.0, "c": None},
    }
    assert mean_ranks(medians) == {"a": 1.5, "b": 1.75, "c": 2.5}


# -- search spaces -----------------------------------------------------------------------


def test_grid_fits_the_budget_with_evenly_spaced_values() -> None:
    space = (
        FloatParam("x", 1e-3, 1e1, log=True),
        IntParam("n", 1, 5),
        CategoricalParam("kind", ("a", "b")),
    )
    assert grid_levels(space, 50) == 5
    grid = grid_search_space(space, 50)
    assert grid["kind"] == ["a", "b"]
    assert grid["n"] == [1, 2, 3, 4, 5]
    assert grid["x"][0] == pytest.approx(1e-3)
    assert grid["x"][-1] == pytest.approx(1e1)
    assert grid["x"][2] == pytest.approx(0.1)
    assert is_gridable(space, 50)
    assert not is_gridable(tuple(FloatParam(f"x{i}", 0, 1) for i in range(5)), 200)


# -- README section ----------------------------------------------------------------------


def test_replace_section_rewrites_only_between_the_markers() -> None:
    text = f"# fastune\n\nintro\n{START_MARKER}\nold numbers\n{END_MARKER}\nafter\n"
    assert replace_section(text, "new numbers\n") == (
        f"# fastune\n\nintro\n{START_MARKER}\nnew numbers\n{END_MARKER}\nafter\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "no markers\n",
        f"{START_MARKER}\nonly a start\n",
        f"{END_MARKER}\n{START_MARKER}\n",
        f"{START_MARKER}\n{START_MARKER}\n{END_MARKER}\n",
    ],
)
def test_replace_section_refuses_a_readme_without_one_pair_of_markers(text: str) -> None:
    with pytest.raises(MissingMarkersError, match="bench:start"):
        replace_section(text, "numbers\n")


# -- the quick suite, end to end ---------------------------------------------------------


def _run_benchmarks(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *arguments],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    output_dir = tmp_path_factory.mktemp("bench")
    completed = _run_benchmarks("--suite", "quick", "--output-dir", str(output_dir))
    assert completed.returncode == 0, completed.stderr[-3000:]
    return output_dir, json.loads((output_dir / "quick.json").read_text())


def _expected_studies() -> set[tuple[str, str]]:
    unavailable = unavailable_methods()
    return {
        (problem, method)
        for plan in QUICK.quality
        for problem in plan.problems
        for method in plan.methods
        if method not in unavailable and METHODS[method].applies_to(PROBLEMS[problem], plan.budget)
    }


def test_quick_results_hold_every_problem_and_method(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_results
    studies = {(record["problem"], record["method"]) for record in results["quality"]}
    assert studies == _expected_studies()
    assert set(results["problems"]) == set(QUICK.problems)
    assert {"fastune random", "fastune grid", "fastune tpe"} <= {m for _, m in studies}


def test_quick_results_are_well_formed(quick_results: tuple[Path, dict[str, Any]]) -> None:
    _, results = quick_results
    for record in results["quality"]:
        assert record["seeds"] == list(range(len(record["seeds"])))
        assert len(record["median_curve"]) == record["budget"]
        final = record["best_at"][str(record["budget"])]
        assert len(final) == len(record["seeds"])
        assert all(value is not None and math.isfinite(value) for value in final)
        assert all(cost > 0 for cost in record["cost"])
    assert {record["method"] for record in results["overhead"]} == set(QUICK.overhead.methods)
    assert all(record["ms_per_trial"] > 0 for record in results["overhead"])
    marginal = results["marginal_overhead"]
    plan = QUICK.marginal_overhead
    assert {(r["method"], r["n_trials"]) for r in marginal} == {
        (method, n) for method in plan.methods for n in plan.checkpoints
    }
    assert all(record["ms_per_trial"] > 0 for record in marginal)
    assert {record["n_jobs"] for record in results["throughput"]} == {1, 2}
    assert results["machine"]["nproc"] >= 1
    assert "--suite quick" in results["command"]


def test_quick_report_and_plots_exist(quick_results: tuple[Path, dict[str, Any]]) -> None:
    output_dir, _ = quick_results
    report = (output_dir / "quick.md").read_text()
    assert report.startswith("# fastune benchmarks: quick suite")
    assert "| method | k = 10 | k = 20 |" in report
    assert "### Pruning: epochs saved at equal or better quality" in report
    assert "fastune tpe+adaptive" in report
    for heading in ("## Quality at budget", "## Convergence speed", "## Overhead", "## Scaling"):
        assert heading in report
    for problem in QUICK.problems:
        plot = output_dir / f"quick_{problem}.png"
        assert plot.stat().st_size > 0
        assert f"`{plot.name}`" in report


def test_timings_command_replaces_only_the_timed_rows(
    quick_results: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    output_dir, results = quick_results
    (tmp_path / "quick.json").write_text((output_dir / "quick.json").read_text())
    completed = _run_benchmarks("timings", "--suite", "quick", "--output-dir", str(tmp_path))
    assert completed.returncode == 0, completed.stderr[-3000:]
    again = json.loads((tmp_path / "quick.json").read_text())
    assert again["quality"] == results["quality"]
    for rows, key in (("throughput", "n_jobs"), ("overhead", "n_trials")):
        methods = {(r["method"], r[key]) for r in again[rows]}
        assert methods == {(r["method"], r[key]) for r in results[rows]}
        assert again[rows] != results[rows]  # timed again: other figures
    assert again["timings_code"] is not None  # the commit the timings ran at is recorded
    assert "python -m benchmarks timings" in (tmp_path / "quick.md").read_text()


def test_readme_command_fills_the_marked_section(
    quick_results: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    output_dir, _ = quick_results
    readme = tmp_path / "README.md"
    readme.write_text(f"# fastune\n{START_MARKER}\nstale\n{END_MARKER}\nrest\n")
    arguments = ["readme", "--suite", "quick", "--output-dir", str(output_dir)]
    completed = _run_benchmarks(*arguments, "--readme", str(readme))
    assert completed.returncode == 0, completed.stderr
    text = readme.read_text()
    assert "stale" not in text
    assert "Mean rank" in text
    assert text.endswith(f"{END_MARKER}\nrest\n")

    readme.write_text("# fastune without markers\n")
    completed = _run_benchmarks(*arguments, "--readme", str(readme))
    assert completed.returncode == 1
    assert START_MARKER in completed.stderr
    assert readme.read_text() == "# fastune without markers\n"


def test_pbt_section_copies_the_headline_of_the_pbt_report() -> None:
    from benchmarks.readme import pbt_section

    report = "# PBT\n\nintro\n\n## Headline\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Methods\nx\n"
    section = pbt_section(report, "results/pbt.md")
    assert "| 1 | 2 |" in section
    assert "## Methods" not in section and "intro" not in section
    assert "[results/pbt.md](results/pbt.md)" in section


def test_rerun_command_replaces_only_the_named_methods_records(
    quick_results: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    output_dir, results = quick_results
    (tmp_path / "quick.json").write_text((output_dir / "quick.json").read_text())
    method = "fastune tpe+adaptive"
    completed = _run_benchmarks(
        "rerun", "--suite", "quick", "--output-dir", str(tmp_path), "--method", method
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    again = json.loads((tmp_path / "quick.json").read_text())
    keys = [(r["problem"], r["method"]) for r in again["quality"]]
    assert keys == [(r["problem"], r["method"]) for r in results["quality"]]  # same order
    for old, new in zip(results["quality"], again["quality"], strict=True):
        if old["method"] != method:
            assert new == old
        else:
            assert new["seeds"] == old["seeds"] and new["seconds"] != old["seconds"]
    assert again["overhead"] == results["overhead"]
    assert [rerun["methods"] for rerun in again["reruns"]] == [[method]]
    assert f"The studies of {method} ran again" in (tmp_path / "quick.md").read_text()


def test_rerun_command_refuses_a_method_the_suite_does_not_have(tmp_path: Path) -> None:
    (tmp_path / "quick.json").write_text("{}")
    completed = _run_benchmarks(
        "rerun", "--suite", "quick", "--output-dir", str(tmp_path), "--method", "nope"
    )
    assert completed.returncode == 2
    assert "--method: ['nope'] not in the quick suite's methods" in completed.stderr
