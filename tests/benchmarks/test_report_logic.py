"""The reports' logic on known answers: seeds counted once, convergence in epochs, the
problems each rank averages over, both readings of the Hyperband target, the code version,
and the verdict lines of the deep-learning and variants reports."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from benchmarks.quality import Task, plan_tasks, summarize
from benchmarks.readme import held_out_section
from benchmarks.report import (
    bbob_note,
    convergence,
    count_seeds_once,
    pruning_verdicts,
    ranked_problems,
    subset_note,
)
from benchmarks.runners import RunResult
from benchmarks.side import code_version, code_version_text
from benchmarks.suites import QUICK, QualityPlan
from benchmarks.variants import hyperband_readings


def _record(problem: str, method: str, **fields: Any) -> dict[str, Any]:
    record = {
        "problem": problem,
        "group": "bbob",
        "method": method,
        "library": method.split()[0],
        "budget": 4,
        "seeds": [0],
        "best_at": {"4": [1.0]},
        "median_curve": [3.0, 2.0, 1.0, 1.0],
        "lower_quartile_curve": [3.0, 2.0, 1.0, 1.0],
        "upper_quartile_curve": [3.0, 2.0, 1.0, 1.0],
        "cost": [4],
        "seconds": [0.1],
    }
    return record | fields


# -- each (problem, method, seed) once ----------------------------------------------------


def test_plan_tasks_runs_a_seed_two_plans_list_once() -> None:
    suite = dataclasses.replace(
        QUICK,
        quality=(
            QualityPlan(("bbob-f01-2d",), ("fastune random",), n_seeds=3, budget=5),
            QualityPlan(("bbob-f01-2d",), ("fastune random", "fastune tpe"), n_seeds=2, budget=5),
        ),
    )
    tasks = plan_tasks(suite, set())
    keys = [(task.problem, task.method, task.seed) for task in tasks]
    assert len(keys) == len(set(keys)) == 5


def test_summarize_keeps_the_first_outcome_of_a_seed() -> None:
    studies: list[tuple[int, list[float | None]]] = [
        (0, [5.0, 4.0]),
        (0, [1.0, 1.0]),
        (1, [3.0, 2.0]),
    ]
    outcomes = [
        (Task("bbob-f01-2d", "fastune random", seed, 2), RunResult(values=values, cost=2))
        for seed, values in studies
    ]
    (record,) = summarize(outcomes, QUICK)
    assert record["seeds"] == [0, 1]
    assert record["best_at"]["2"] == [4.0, 2.0]


def test_count_seeds_once_drops_repeated_seeds_and_the_curves_it_cannot_recompute() -> None:
    doubled = _record(
        "p",
        "optuna gp",
        seeds=[0, 0, 1, 1, 2],
        best_at={"4": [1.0, 1.0, 2.0, 2.0, 9.0]},
        cost=[4, 4, 4, 4, 4],
        seconds=[1.0, 1.1, 2.0, 2.1, 3.0],
    )
    clean = _record("p", "fastune tpe")
    results = count_seeds_once({"quality": [doubled, clean]})
    once, untouched = results["quality"]
    assert once["seeds"] == [0, 1, 2]
    assert once["best_at"] == {"4": [1.0, 2.0, 9.0]}
    assert once["seconds"] == [1.0, 2.0, 3.0]
    assert once["median_curve"] is None
    assert untouched is clean
    assert results["repeated_studies"] == [{"problem": "p", "method": "optuna gp", "seeds": [0, 1]}]
    assert doubled["seeds"] == [0, 0, 1, 1, 2]  # the results read are left as they were


# -- convergence ------------------------------------------------------------------------


def test_convergence_counts_epochs_on_both_sides_where_the_unit_is_epochs() -> None:
    reference = _record(
        "curve", "fastune tpe", group="curve", budget=4, cost=[120, 120], seeds=[0, 1]
    )
    pruned_peer = _record(
        "curve",
        "optuna tpe+median",
        group="curve",
        budget=4,
        seeds=[0, 1, 2],
        best_at={"4": [2.0, 2.0, 2.0]},
        cost=[40, 50, 60],
    )
    results: dict[str, Any] = {
        "quality": [reference, pruned_peer],
        "problems": {"curve": {"cost_unit": "epochs"}},
    }
    (row,) = convergence(results, "curve")
    # The reference gets to 2.0 at trial 2; each of its trials costs 120 / 4 = 30 epochs.
    assert (row["trials"], row["spent"], row["peer_spent"]) == (2, 60, 50)
    assert row["ratio"] == pytest.approx(50 / 60)  # in trials it would read 4 / 2 = 2

    results["problems"]["curve"]["cost_unit"] = "function evaluations"
    (row,) = convergence(results, "curve")
    assert (row["unit"], row["ratio"]) == ("trials", 2.0)


def test_convergence_leaves_out_epochs_of_a_reference_whose_trials_differ_in_cost() -> None:
    reference = _record("curve", "fastune tpe", group="curve", cost=[120, 100], seeds=[0, 1])
    peer = _record("curve", "optuna tpe", group="curve")
    results = {"quality": [reference, peer], "problems": {"curve": {"cost_unit": "epochs"}}}
    assert convergence(results, "curve") == []


# -- ranks ---------------------------------------------------------------------------------


def test_ranked_problems_and_the_note_on_methods_that_ran_on_fewer() -> None:
    records = [
        _record(problem, method)
        for problem in ("p1", "p2", "p3")
        for method in ("fastune tpe", "optuna tpe")
    ]
    records.append(_record("p1", "fastune gp"))
    ranked = ranked_problems({"quality": records}, "bbob", 4)
    assert ranked == {
        "fastune tpe": ["p1", "p2", "p3"],
        "optuna tpe": ["p1", "p2", "p3"],
        "fastune gp": ["p1"],
    }
    note = subset_note(ranked, "bbob")
    assert "2 methods ran all 3" in note
    assert "fastune gp on 1 (p1)" in note
    assert subset_note({"a": ["p1"], "b": ["p1"]}, "bbob") == ""


def test_bbob_note_counts_the_functions_run() -> None:
    problems: dict[str, Any] = {
        "bbob-f01-2d": {},
        "bbob-f01-5d": {},
        "bbob-f15-2d": {},
        "svc-digits": {},
    }
    assert bbob_note({"problems": problems}).startswith("BBOB: 2 of its 24 functions")
    assert bbob_note({"problems": {"svc-digits": {}}}) == ""


# -- the Hyperband target, read two ways -------------------------------------------------


def test_hyperband_readings() -> None:
    assert hyperband_readings(10, 0.5, 20, 0.6) == (True, True)  # better on both
    assert hyperband_readings(10, 0.7, 20, 0.6) == (True, False)  # fewer epochs, worse best
    assert hyperband_readings(30, 0.5, 20, 0.6) == (True, False)  # more epochs, better best
    assert hyperband_readings(30, 0.7, 20, 0.6) == (False, False)  # worse on both


def test_pruning_verdicts_give_both_readings_against_hyperband() -> None:
    def curve(method: str, cost: int, best: float) -> dict[str, Any]:
        return _record("t", method, group="curve", budget=30, best_at={"30": [best]}, cost=[cost])

    results = {
        "quality": [
            curve("fastune tpe+adaptive", 60, 0.54),
            curve("optuna tpe+median", 100, 0.53),
            curve("optuna tpe+hyperband", 80, 0.536),
        ]
    }
    median, hyperband = pruning_verdicts(results)
    assert (median["holds"], median["strict"]) == (False, None)  # 40 % saved, worse best
    assert (hyperband["holds"], hyperband["strict"]) == (True, False)


# -- the code version --------------------------------------------------------------------


def test_code_version_is_a_commit_and_a_dirty_flag() -> None:
    code = code_version()
    assert set(code) == {"commit", "dirty"}
    if code["commit"] is not None:
        assert len(code["commit"]) == 40
        assert isinstance(code["dirty"], bool)


def test_code_version_text_says_what_was_recorded() -> None:
    assert "not recorded" in code_version_text({})
    assert "git was not available" in code_version_text({"code": {"commit": None, "dirty": None}})
    assert code_version_text({"code": {"commit": "a" * 40, "dirty": False}}) == "commit " + "a" * 12
    assert code_version_text({"code": {"commit": "a" * 40, "dirty": True}}).endswith(
        "with uncommitted changes"
    )


# -- the README section of a held-out run -------------------------------------------------


def test_held_out_section_names_its_seeds_and_keeps_the_tables() -> None:
    report = "# t\n\n* text\n\n| a | b |\n|---|---|\n| x | y |\n"
    section = held_out_section(
        "variants_pruners", report, "benchmarks/results/variants_pruners_seeds10-19.md"
    )
    assert "held-out seeds 10-19" in section
    assert "| x | y |" in section
