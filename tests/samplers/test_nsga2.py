from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from benchmarks.multi_objective import zdt1
from tests.samplers.fronts import record as _record

import fastune
from fastune._pareto import hypervolume
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import BaseGASampler, NSGAIIISampler, NSGAIISampler, RandomSampler
from fastune.samplers._nsga2 import _ranks
from fastune.storages.journal import JournalFileBackend
from fastune.study import StudyDirection

TWO = [StudyDirection.MINIMIZE, StudyDirection.MINIMIZE]
GENERATION_KEY = "NSGAIISampler:generation"


def test_generations_follow_the_population_size() -> None:
    study = fastune.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=6, seed=0)
    )
    study.optimize(zdt1, n_trials=24)
    assert [t.system_attrs[GENERATION_KEY] for t in study.trials] == sorted([0, 1, 2, 3] * 6)


def test_children_inherit_their_values_from_earlier_generations() -> None:
    sampler = NSGAIISampler(population_size=8, mutation_prob=0.0, crossover_prob=1.0, seed=1)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=32)
    for child in study.trials[8:]:
        earlier = [
            t
            for t in study.trials
            if t.system_attrs[GENERATION_KEY] < child.system_attrs[GENERATION_KEY]
        ]
        for name, value in child.params.items():
            assert value in {t.params[name] for t in earlier}


def test_it_approaches_the_front_better_than_random_search() -> None:
    volumes = {}
    for name, sampler in [
        ("nsga2", NSGAIISampler(population_size=20, seed=0)),
        ("random", RandomSampler(seed=0)),
    ]:
        study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
        study.optimize(zdt1, n_trials=200)
        front = np.array([t.values for t in study.best_trials])
        volumes[name] = hypervolume(front, np.array([1.1, 11.0]))
    # Seeds 0-4 at 300 trials (python -m benchmarks.multi_objective): NSGA-II 10.8-11.3,
    # Optuna's NSGA-II 10.8-11.2, random 10.0-10.4.
    assert volumes["nsga2"] > volumes["random"] + 0.3


def test_fronts_crowding_and_constraints() -> None:
    trials = [
        _record([0.0, 1.0]),  # front 0, an end
        _record([0.5, 0.5]),  # front 0, middle
        _record([1.0, 0.0]),  # front 0, an end
        _record([0.6, 0.6]),  # front 1 (dominated by [0.5, 0.5])
        _record([0.0, 0.0], bound=2.0),  # would dominate all, but breaks its constraint
        _record([0.1, 0.1], bound=0.5),  # breaks it less
    ]
    ranked = _ranks(trials, TWO)
    assert [r.rank for r in ranked] == [0, 0, 0, 1, 3, 2]
    assert [math.isinf(r.crowding) for r in ranked[:3]] == [True, False, True]
    elite = NSGAIISampler(population_size=4)._elite(trials, TWO)  # whole fronts first,
    assert {tuple(t.values) for t in elite} == {  # feasible before infeasible
        (0.0, 1.0),
        (0.5, 0.5),
        (1.0, 0.0),
        (0.6, 0.6),
    }
    # The last front is cut by crowding distance: its ends first.
    assert [tuple(t.values) for t in NSGAIISampler(population_size=2)._elite(trials, TWO)] in (
        [(0.0, 1.0), (1.0, 0.0)],
        [(1.0, 0.0), (0.0, 1.0)],
    )


def test_constrained_search_keeps_to_the_feasible_side() -> None:
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        first, second = zdt1(trial)
        trial.set_constraint("x0_at_least_half", 0.5 - trial.params["x0"])
        return first, second

    study = fastune.create_study(
        directions=["minimize", "minimize"], sampler=NSGAIISampler(population_size=10, seed=0)
    )
    study.optimize(objective, n_trials=80)
    first = [t.params["x0"] >= 0.5 for t in study.trials[:10]]
    last = [t.params["x0"] >= 0.5 for t in study.trials[-20:]]
    assert np.mean(last) > max(0.7, np.mean(first))
    assert all(t.params["x0"] >= 0.5 for t in study.best_trials)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"population_size": 1}, InvalidParameterError, "'population_size'"),
        ({"mutation_prob": 1.5}, InvalidParameterError, "'mutation_prob'"),
        ({"crossover_prob": -0.1}, InvalidParameterError, "'crossover_prob'"),
        ({"swapping_prob": 2.0}, InvalidParameterError, "'swapping_prob'"),
        ({"crossover": "sbx"}, InvalidParameterTypeError, "'crossover' parameter.*BaseCrossover"),
        ({"mutation": "polynomial"}, InvalidParameterTypeError, "'mutation' parameter"),
        ({"constraints_func": 3}, InvalidParameterTypeError, "'constraints_func'"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        NSGAIISampler(**kwargs)


def _zdt1_params(sampler: NSGAIISampler) -> list[dict]:
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=24)
    return [t.params for t in study.trials]


@pytest.mark.parametrize("sampler_class", [NSGAIISampler, NSGAIIISampler])
def test_optunas_uniform_crossover_sets_the_swapping_probability(
    sampler_class: type[NSGAIISampler],
) -> None:
    crossover = fastune.samplers.nsgaii.UniformCrossover(0.0)
    given = sampler_class(population_size=6, seed=0, crossover=crossover, swapping_prob=0.9)
    assert _zdt1_params(given) == _zdt1_params(
        sampler_class(population_size=6, seed=0, swapping_prob=0.0)
    )


def test_a_uniform_crossover_checks_its_probability() -> None:
    with pytest.raises(InvalidParameterError, match="'swapping_prob' parameter of Uniform"):
        fastune.samplers.nsgaii.UniformCrossover(1.5)


def test_population_size_can_be_changed_but_not_below_two() -> None:
    sampler = NSGAIISampler(population_size=4, seed=0)
    with pytest.raises(InvalidParameterError, match="'population_size'.*>= 2.*Got 1"):
        sampler.population_size = 1
    sampler.population_size = 3
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=9)
    assert [sampler.get_trial_generation(study, t) for t in study.trials] == sorted([0, 1, 2] * 3)
    assert len(sampler.get_parent_population(study, 2)) == 3


# -- generations and parents in the storage, as Optuna's BaseGASampler --------------------

BOTH = pytest.mark.parametrize("sampler_class", [NSGAIISampler, NSGAIIISampler])


def _breeder(sampler_class: type[NSGAIISampler], seed: int) -> NSGAIISampler:
    """A sampler whose children take every value from a parent (no mutation)."""
    return sampler_class(population_size=6, mutation_prob=0.0, crossover_prob=1.0, seed=seed)


def _storage(kind: str, tmp_path: Path) -> str | fastune.storages.BaseStorage:
    if kind == "in-memory":
        return fastune.storages.InMemoryStorage()
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'nsga.db'}"
    return fastune.storages.JournalStorage(JournalFileBackend(str(tmp_path / "nsga.log")))


def _spy_on_selections(
    sampler: NSGAIISampler, monkeypatch: pytest.MonkeyPatch, selections: list[int]
) -> None:
    """Append the generation of each call of ``sampler.select_parent`` to ``selections``."""
    select = sampler.select_parent

    def spied(study: fastune.Study, generation: int) -> list[fastune.trial.FrozenTrial]:
        selections.append(generation)
        return select(study, generation)

    monkeypatch.setattr(sampler, "select_parent", spied)


def _assert_children_come_from_their_parents(study: fastune.Study, generations: range) -> None:
    sampler = study.sampler
    assert isinstance(sampler, NSGAIISampler)
    for generation in generations:
        parents = sampler.get_parent_population(study, generation)
        for child in sampler.get_population(study, generation):
            for name, value in child.params.items():
                assert value in {parent.params[name] for parent in parents}


@BOTH
def test_generations_and_parents_are_kept_under_optunas_keys(
    sampler_class: type[NSGAIISampler],
) -> None:
    sampler = sampler_class(population_size=4, seed=0)
    assert isinstance(sampler, BaseGASampler)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=16)
    name = sampler_class.__name__
    generations = sorted([0, 1, 2, 3] * 4)
    assert [t.system_attrs[f"{name}:generation"] for t in study.trials] == generations
    assert [sampler.get_trial_generation(study, t) for t in study.trials] == generations
    assert [t.number for t in sampler.get_population(study, 2)] == [8, 9, 10, 11]
    recorded = study._storage.get_study_system_attrs(study._study_id)
    assert sorted(recorded) == [f"{name}:parent:{generation}" for generation in (1, 2, 3)]
    for generation in (1, 2, 3):
        parents = sampler.get_parent_population(study, generation)
        assert [t._trial_id for t in parents] == recorded[f"{name}:parent:{generation}"]
        assert len(parents) == 4
    # Generation 1's parents: the elite of generation 0, which is all of it.
    assert {t.number for t in sampler.get_parent_population(study, 1)} == {0, 1, 2, 3}
    assert sampler.get_parent_population(study, 0) == []


@BOTH
@pytest.mark.parametrize("kind", ["in-memory", "sqlite", "journal"])
def test_workers_on_one_storage_breed_a_generation_from_the_same_parents(
    sampler_class: type[NSGAIISampler],
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage = _storage(kind, tmp_path)
    fastune.create_study(study_name="mo", storage=storage, directions=["minimize", "minimize"])
    workers = [
        fastune.load_study(study_name="mo", storage=storage, sampler=_breeder(sampler_class, seed))
        for seed in (1, 2)
    ]
    selections: list[int] = []
    for worker in workers:
        assert isinstance(worker.sampler, NSGAIISampler)
        _spy_on_selections(worker.sampler, monkeypatch, selections)
    for number in range(36):  # 6 generations of 6, the workers taking turns
        study = workers[number % 2]
        trial = study.ask()
        study.tell(trial, zdt1(trial))
    assert sorted(selections) == [1, 2, 3, 4, 5]  # each generation's parents chosen once
    first, second = workers
    for generation in range(1, 6):
        chosen_by_first = first.sampler.get_parent_population(first, generation)
        chosen_by_second = second.sampler.get_parent_population(second, generation)
        assert [t.number for t in chosen_by_first] == [t.number for t in chosen_by_second]
    _assert_children_come_from_their_parents(first, range(1, 6))


@BOTH
def test_a_study_loaded_again_breeds_from_the_recorded_parents(
    sampler_class: type[NSGAIISampler], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = f"sqlite:///{tmp_path / 'nsga.db'}"
    directions = ["minimize", "minimize"]
    study = fastune.create_study(
        study_name="mo", storage=storage, directions=directions, sampler=_breeder(sampler_class, 0)
    )
    study.optimize(zdt1, n_trials=18)  # generations 0, 1 and 2
    name = sampler_class.__name__
    # Generation 3's parents recorded by hand: the two worst trials, which no elite keeps.
    worst = sorted(study.trials, key=lambda t: t.values[1])[-2:]
    key = f"{name}:parent:3"
    study._storage.set_study_system_attr(study._study_id, key, [t._trial_id for t in worst])
    before = study._storage.get_study_system_attrs(study._study_id)

    loaded = fastune.load_study(
        study_name="mo", storage=storage, sampler=_breeder(sampler_class, 1)
    )
    assert isinstance(loaded.sampler, NSGAIISampler)
    selections: list[int] = []
    _spy_on_selections(loaded.sampler, monkeypatch, selections)
    loaded.optimize(zdt1, n_trials=12)  # generations 3 and 4

    assert selections == [4]
    after = loaded._storage.get_study_system_attrs(loaded._study_id)
    assert {k: after[k] for k in before} == before
    assert [t.number for t in loaded.sampler.get_parent_population(loaded, 3)] == [
        t.number for t in worst
    ]
    _assert_children_come_from_their_parents(loaded, range(3, 5))


def test_generations_whose_parents_are_not_recorded_are_chosen_oldest_first() -> None:
    # Trials added from another study bring their generations but no parent records:
    # the parents of all 500 generations are chosen once, oldest first (asked for in
    # turn, they would nest deeper than Python allows).
    distribution = fastune.distributions.FloatDistribution(0, 1)
    rng = np.random.default_rng(0)
    trials = [
        fastune.trial.create_trial(
            params={"x0": float(x)},
            distributions={"x0": distribution},
            values=[float(x), float(1 - x)],
            system_attrs={GENERATION_KEY: number // 2},
        )
        for number, x in enumerate(rng.random(1000))
    ]
    sampler = NSGAIISampler(population_size=2, seed=0)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.add_trials(trials)
    study.optimize(lambda t: (t.suggest_float("x0", 0, 1), 1 - t.params["x0"]), n_trials=1)
    assert study.trials[-1].system_attrs[GENERATION_KEY] == 500
    recorded = study._storage.get_study_system_attrs(study._study_id)
    assert len(recorded) == 500 and all(len(ids) == 2 for ids in recorded.values())


def test_parent_records_are_read_once_per_generation() -> None:
    storage = fastune.storages.InMemoryStorage()
    reads = 0
    read = storage.get_study_system_attrs

    def counted(study_id: int) -> dict:
        nonlocal reads
        reads += 1
        return read(study_id)

    storage.get_study_system_attrs = counted  # type: ignore[method-assign]
    sampler = NSGAIISampler(population_size=10, seed=0)
    study = fastune.create_study(
        storage=storage, directions=["minimize", "minimize"], sampler=sampler
    )
    study.optimize(zdt1, n_trials=100)  # 9 generations bred, of 10 children each
    assert reads <= 4 * 9


def test_an_elite_strategy_picks_each_generations_parents() -> None:
    pools: list[list[int]] = []

    def oldest(study: fastune.Study, population: list) -> list:
        pools.append([t.number for t in population])
        return population[:4]

    sampler = NSGAIISampler(population_size=4, seed=0, elite_population_selection_strategy=oldest)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=16)
    assert [t.number for t in sampler.get_parent_population(study, 1)] == [0, 1, 2, 3]
    assert [t.number for t in sampler.get_parent_population(study, 3)] == [0, 1, 2, 3]
    assert all(pool == sorted(pool) for pool in pools)  # in trial order
    assert pools[1] == [0, 1, 2, 3, 4, 5, 6, 7]  # generation 1 and its parents


def test_a_child_strategy_breeds_and_leaves_the_rest_to_random() -> None:
    seen: list[tuple[list[str], int]] = []

    def fixed_x0(study: fastune.Study, search_space: dict, parents: list) -> dict:
        seen.append((sorted(search_space), len(parents)))
        return {"x0": 0.25}

    sampler = NSGAIISampler(population_size=4, seed=0, child_generation_strategy=fixed_x0)
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=12)
    children = study.trials[4:]
    assert all(t.params["x0"] == 0.25 for t in children)
    assert len({t.params["x1"] for t in children}) == len(children)  # drawn at random
    assert len(seen) == 8 and all(count == 4 for _, count in seen)


def test_an_after_trial_strategy_replaces_keeping_the_constraints() -> None:
    calls: list[tuple[int, fastune.trial.TrialState, tuple]] = []

    def record(study: fastune.Study, trial: object, state: object, values: object) -> None:
        calls.append((trial.number, state, tuple(values)))  # type: ignore[attr-defined]

    sampler = NSGAIISampler(
        population_size=4,
        seed=0,
        constraints_func=lambda t: [1.0],
        after_trial_strategy=record,
    )
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(zdt1, n_trials=5)
    assert [number for number, _, _ in calls] == [0, 1, 2, 3, 4]
    assert all(state == fastune.trial.TrialState.COMPLETE for _, state, _ in calls)
    assert calls[0][2] == tuple(study.trials[0].values)
    assert all(not t.constraints for t in study.trials)  # constraints_func not applied


@pytest.mark.parametrize(
    "name",
    ["elite_population_selection_strategy", "child_generation_strategy", "after_trial_strategy"],
)
def test_a_strategy_must_be_callable(name: str) -> None:
    with pytest.raises(InvalidParameterTypeError, match=f"'{name}' parameter.*callable"):
        NSGAIISampler(**{name: "nsga"})


@pytest.mark.parametrize("sampler_class", [NSGAIISampler, NSGAIIISampler])
def test_a_generation_smaller_than_the_crossovers_parents_is_refused(
    sampler_class: type[NSGAIISampler],
) -> None:
    # As Optuna's: three parents do not fit in a generation of two.
    from fastune.samplers.nsgaii import SPXCrossover, UNDXCrossover

    for crossover in (SPXCrossover(), UNDXCrossover()):
        with pytest.raises(InvalidParameterError, match="'population_size'.*>= 3.*Got 2"):
            sampler_class(population_size=2, crossover=crossover)
    sampler = sampler_class(population_size=3, crossover=UNDXCrossover())
    with pytest.raises(InvalidParameterError, match="'population_size'.*>= 3.*Got 2"):
        sampler.population_size = 2
