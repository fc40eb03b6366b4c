"""BaseGASampler: generations, populations and parent sets kept in the storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fastune
from fastune.distributions import BaseDistribution, FloatDistribution
from fastune.exceptions import InvalidParameterError
from fastune.samplers import BaseGASampler, RandomSampler
from fastune.study import Study
from fastune.trial import FrozenTrial, create_trial

X = FloatDistribution(-1, 1)


class Elitist(BaseGASampler):
    """Parents: the best ``population_size`` of the last generation and its parents;
    a child copies a parent's value of each parameter (its number picks the parent)."""

    def __init__(self, population_size: int | None = 4) -> None:
        super().__init__(population_size)
        self.selections: list[int] = []
        self._random = RandomSampler(seed=0)

    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        self.selections.append(generation)
        pool = self.get_population(study, generation - 1)
        pool += self.get_parent_population(study, generation - 1)
        unique = {t.number: t for t in pool}.values()
        return sorted(unique, key=lambda t: t.value)[: self.population_size]

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self.get_trial_generation(study, trial)

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict:
        return {}

    def sample_relative(self, study: Study, trial: FrozenTrial, search_space: dict) -> dict:
        return {}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, name: str, distribution: BaseDistribution
    ) -> Any:
        parents = self.get_parent_population(study, self.get_trial_generation(study, trial))
        if parents:
            return parents[trial.number % len(parents)].params[name]
        return self._random.sample_independent(study, trial, name, distribution)


def _objective(trial: fastune.Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


def test_generations_fill_up_one_after_another() -> None:
    sampler = Elitist(population_size=4)
    study = fastune.create_study(sampler=sampler)
    study.optimize(_objective, n_trials=12)
    assert [t.system_attrs["Elitist:generation"] for t in study.trials] == [0] * 4 + [1] * 4 + [
        2
    ] * 4
    assert [t.number for t in sampler.get_population(study, 1)] == [4, 5, 6, 7]
    assert sampler.selections == [1, 2]  # once per generation
    parents = sampler.get_parent_population(study, 2)
    best_so_far = sorted(study.trials[:8], key=lambda t: t.value)[:4]
    assert {t.number for t in parents} == {t.number for t in best_so_far}
    # Children copy their parents' values: generation 2 has only values of generation 1's
    # parents or of its own members.
    assert {t.params["x"] for t in sampler.get_population(study, 2)} <= {
        t.params["x"] for t in study.trials[:8]
    }
    assert sampler.get_parent_population(study, 0) == []


def test_workers_on_one_storage_share_generations_and_parents(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'ga.db'}"
    first, second = Elitist(), Elitist()
    fastune.create_study(study_name="ga", storage=storage, sampler=first).optimize(
        _objective, n_trials=6
    )
    study = fastune.load_study(study_name="ga", storage=storage, sampler=second)
    study.optimize(_objective, n_trials=6)
    assert [t.system_attrs["Elitist:generation"] for t in study.trials] == [0] * 4 + [1] * 4 + [
        2
    ] * 4
    # Generation 1's parents were chosen by the first sampler and read by the second.
    assert first.selections == [1] and second.selections == [2]


def test_each_subclass_has_its_own_keys() -> None:
    class Other(Elitist):
        pass

    assert Other._get_generation_key() == "Other:generation"
    assert Other._get_parent_cache_key_prefix() == "Other:parent:"
    assert Elitist._get_generation_key() == "Elitist:generation"


def test_population_size_errors() -> None:
    with pytest.raises(InvalidParameterError, match="'population_size'.*>= 1.*Got 0"):
        Elitist(population_size=0)
    sampler = Elitist(population_size=None)
    study = fastune.create_study(sampler=sampler)
    with pytest.raises(InvalidParameterError, match="'population_size'.*before the first trial"):
        study.optimize(_objective, n_trials=1)
    sampler.population_size = 2
    study.optimize(_objective, n_trials=3)
    assert sampler.population_size == 2 and len(sampler.get_population(study, 0)) == 2


def test_only_complete_trials_with_a_generation_fill_one() -> None:
    sampler = Elitist(population_size=2)
    study = fastune.create_study(sampler=sampler)
    # A trial added by hand has no generation and is not counted.
    study.add_trial(create_trial(params={"x": 0.5}, distributions={"x": X}, value=0.25))

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -1, 1)
        if trial.number in (1, 3):
            raise fastune.TrialPruned()
        if trial.number == 4:
            raise ValueError("a failed trial")
        return x * x

    study.optimize(objective, n_trials=7, catch=(ValueError,))
    generations = [t.system_attrs.get("Elitist:generation") for t in study.trials]
    assert generations == [None, 0, 0, 0, 0, 0, 1, 1]
    assert [t.number for t in sampler.get_population(study, 0)] == [2, 5]
    # A trial's generation is read back, not worked out again (that would say 1 now).
    assert sampler.get_trial_generation(study, study.trials[2]) == 0


def test_a_choice_recorded_by_another_worker_meanwhile_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = Elitist(population_size=3), Elitist(population_size=3)
    study = fastune.create_study(sampler=first)
    for value in (3.0, 1.0, 2.0):
        trial = create_trial(
            params={"x": value / 10},
            distributions={"x": X},
            value=value,
            system_attrs={"Elitist:generation": 0},
        )
        study.add_trial(trial)

    def slow_select(study: Study, generation: int) -> list[FrozenTrial]:
        second.get_parent_population(study, generation)  # the other worker is quicker
        return study.trials[:1]

    monkeypatch.setattr(first, "select_parent", slow_select)
    # The parents come in the order chosen (by value), to the worker that chose them and
    # to the others; the slower worker's own choice is dropped.
    assert [t.number for t in first.get_parent_population(study, 1)] == [1, 2, 0]
    assert [t.number for t in second.get_parent_population(study, 1)] == [1, 2, 0]
    assert [t.number for t in Elitist().get_parent_population(study, 1)] == [1, 2, 0]
    recorded = study._storage.get_study_system_attrs(study._study_id)["Elitist:parent:1"]
    assert recorded == [study.trials[n]._trial_id for n in (1, 2, 0)]
