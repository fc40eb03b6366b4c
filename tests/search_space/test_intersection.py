from __future__ import annotations

import pytest

import fastune
from fastune.exceptions import InvalidParameterError, TrialPruned
from fastune.search_space.intersection import IntersectionSearchSpace, intersection_search_space


def _objective(trial: fastune.Trial) -> float:
    z = trial.suggest_float("z", 0.0, 1.0)
    trial.suggest_int("a", 0, 3)
    if trial.number % 2:
        trial.suggest_float("b", 0.0, 1.0)  # only in odd trials
    trial.suggest_float("c", 0.0, 1.0 + trial.number)  # its range changes: left out
    if trial.number == 4:
        raise TrialPruned()
    return z


def test_the_parameters_every_trial_has_with_one_distribution() -> None:
    study = fastune.create_study()
    study.optimize(_objective, n_trials=4)
    assert list(intersection_search_space(study.trials)) == ["a", "z"]  # sorted by name
    assert intersection_search_space([]) == {}
    only_odd = [t for t in study.trials if t.number % 2]
    assert list(intersection_search_space(only_odd[:1])) == ["a", "b", "c", "z"]


def test_pruned_trials_count_when_asked() -> None:
    study = fastune.create_study()
    study.optimize(_objective, n_trials=5)
    pruned = [t for t in study.trials if t.number == 4]
    assert intersection_search_space(pruned) == {}
    assert list(intersection_search_space(pruned, include_pruned=True)) == ["a", "c", "z"]


def test_the_incremental_form_follows_its_study_only() -> None:
    study = fastune.create_study()
    space = IntersectionSearchSpace()
    assert space.calculate(study) == {}
    study.optimize(_objective, n_trials=1)
    assert list(space.calculate(study)) == ["a", "c", "z"]
    study.optimize(_objective, n_trials=2)
    assert list(space.calculate(study)) == ["a", "z"]
    with pytest.raises(InvalidParameterError, match="'study' parameter of Intersection"):
        space.calculate(fastune.create_study())


def test_use_cache_still_reads_the_new_trials() -> None:
    # Optuna's meaning: the storage's cache, not the last answer (its TPE passes True)
    study = fastune.create_study()
    space = IntersectionSearchSpace()
    assert space.calculate(study, use_cache=True) == {}
    study.optimize(_objective, n_trials=1)
    assert list(space.calculate(study, use_cache=True)) == ["a", "c", "z"]
    study.optimize(_objective, n_trials=2)
    assert list(space.calculate(study, use_cache=True)) == ["a", "z"]


def test_the_incremental_form_knows_its_study_reopened(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'space.db'}"
    study = fastune.create_study(study_name="s", storage=url)
    study.optimize(_objective, n_trials=1)
    space = IntersectionSearchSpace()
    assert list(space.calculate(study)) == ["a", "c", "z"]
    reopened = fastune.load_study(study_name="s", storage=url)  # another storage object
    assert list(space.calculate(reopened)) == ["a", "c", "z"]  # it was refused
