from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import fastune
from fastune.distributions import FloatDistribution as Float
from fastune.exceptions import InvalidParameterError
from fastune.samplers import CmaEsSampler, GPSampler, QMCSampler, RandomSampler, TPESampler
from fastune.samplers._cmaes import _ranked


def sphere(trial: fastune.Trial) -> float:
    return sum((trial.suggest_float(f"x{i}", -5, 5) - 1.0) ** 2 for i in range(4))


def test_cma_es_beats_random_search() -> None:
    cma = fastune.create_study(sampler=CmaEsSampler(seed=0))
    cma.optimize(sphere, n_trials=200)
    random = fastune.create_study(sampler=RandomSampler(seed=0))
    random.optimize(sphere, n_trials=200)
    assert cma.best_value < random.best_value / 10


def test_generations_are_told_whole() -> None:
    study = fastune.create_study(sampler=CmaEsSampler(seed=0, popsize=5))
    study.optimize(sphere, n_trials=31)
    generations = Counter(t.system_attrs.get("cma:generation") for t in study.trials[1:])
    assert all(count == 5 for generation, count in generations.items() if generation < 5)


def test_ipop_restarts_with_a_larger_population() -> None:
    def flat(trial: fastune.Trial) -> float:  # converges at once: every run stops early
        return float(round(trial.suggest_float("x", 0, 1)) + round(trial.suggest_float("y", 0, 1)))

    study = fastune.create_study(sampler=CmaEsSampler(seed=0, restart_strategy="ipop", popsize=4))
    study.optimize(flat, n_trials=250)
    sizes = Counter(t.system_attrs.get("cma:generation") for t in study.trials[1:])
    assert max(sizes.values()) > 4  # a restarted run asked more points per generation


def test_categoricals_use_the_independent_sampler() -> None:
    def objective(trial: fastune.Trial) -> float:
        trial.suggest_categorical("kind", ["a", "b"])
        return trial.suggest_float("x", -1, 1) ** 2 + trial.suggest_float("y", -1, 1) ** 2

    sampler = CmaEsSampler(seed=0, warn_independent_sampling=False)
    study = fastune.create_study(sampler=sampler)
    study.optimize(objective, n_trials=20)
    assert {t.params["kind"] for t in study.trials} == {"a", "b"}
    assert all("cma:generation" in t.system_attrs for t in study.trials[1:])


@pytest.mark.parametrize("separable", [False, True])
def test_one_dimension_runs_cma_es(separable: bool) -> None:
    study = fastune.create_study(sampler=CmaEsSampler(seed=0, use_separable_cma=separable))
    study.optimize(lambda t: (t.suggest_float("x", -10, 10) - 3.3) ** 2, n_trials=60)
    assert all("cma:generation" in t.system_attrs for t in study.trials[1:])
    assert study.best_value < 1e-3  # random search: about 1e-2


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"sigma0": 0.0}, "'sigma0' parameter of CmaEsSampler"),
        ({"sigma0": -1.0}, "'sigma0'"),
        ({"n_startup_trials": -1}, "'n_startup_trials'"),
        ({"restart_strategy": "lipop"}, "'restart_strategy'"),
        ({"popsize": 1}, "'popsize'"),
        ({"use_separable_cma": True, "lr_adapt": True}, "'lr_adapt'"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        CmaEsSampler(**kwargs)


def test_x0_sets_the_starting_mean() -> None:
    sampler = CmaEsSampler(
        x0={"x0": 4.0, "x1": 4.0, "x2": 4.0, "x3": 4.0}, sigma0=0.01, seed=0, n_startup_trials=0
    )
    study = fastune.create_study(sampler=sampler)
    study.optimize(sphere, n_trials=6)
    later = np.array([[t.params[f"x{i}"] for i in range(4)] for t in study.trials[1:]])
    assert np.allclose(later, 4.0, atol=0.5)


def _shifted_sphere(centre: list[float]):  # type: ignore[no-untyped-def]
    def objective(trial: fastune.Trial) -> float:
        return sum((trial.suggest_float(f"x{i}", -5, 5) - c) ** 2 for i, c in enumerate(centre))

    return objective


def test_source_trials_warm_start_the_first_run() -> None:
    source = fastune.create_study(sampler=RandomSampler(seed=0))
    source.optimize(_shifted_sphere([2.0, -3.0, 1.0, 3.5]), n_trials=100)
    target = _shifted_sphere([2.2, -2.8, 1.1, 3.3])  # a similar task
    warm = fastune.create_study(sampler=CmaEsSampler(seed=0, source_trials=source.trials))
    warm.optimize(target, n_trials=30)
    cold = fastune.create_study(sampler=CmaEsSampler(seed=0))
    cold.optimize(target, n_trials=30)
    assert warm.best_value < cold.best_value / 2
    # The first generation already gathers near the source's best region.
    first = [t for t in warm.trials if t.system_attrs.get("cma:generation") == 0]
    assert np.median([t.params["x1"] for t in first]) < -1.5


def _source_trial() -> fastune.trial.FrozenTrial:
    return fastune.trial.create_trial(
        params={"x": 0.5},
        distributions={"x": fastune.distributions.FloatDistribution(0, 1)},
        value=1.0,
    )


@pytest.mark.parametrize(
    ("name", "value"), [("x0", {"x": 0.2}), ("sigma0", 0.1), ("use_separable_cma", True)]
)
def test_a_clash_with_source_trials_names_the_argument_given(name: str, value: Any) -> None:
    message = rf"'{name}' parameter.*when source_trials is given.*Got {re.escape(repr(value))}"
    with pytest.raises(InvalidParameterError, match=message):
        CmaEsSampler(source_trials=[_source_trial()], **{name: value})


def test_source_trials_and_margin_arguments() -> None:
    with pytest.raises(InvalidParameterError, match="at least one complete trial"):
        CmaEsSampler(source_trials=[])
    for name in ("use_separable_cma", "lr_adapt"):
        with pytest.raises(InvalidParameterError, match=f"'with_margin'.*False when {name}"):
            CmaEsSampler(with_margin=True, **{name: True})
    CmaEsSampler(with_margin=True, restart_strategy="ipop")
    study = fastune.create_study(
        sampler=CmaEsSampler(source_trials=[_source_trial()], n_startup_trials=0)
    )
    with pytest.raises(InvalidParameterError, match=r"source_trials.*\['a', 'b'\]"):
        study.optimize(
            lambda t: t.suggest_float("a", 0, 1) + t.suggest_float("b", 0, 1), n_trials=3
        )


def test_with_margin_and_bipop_restart_as_ipop_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="with_margin=True.*restart_strategy='ipop'"):
        sampler = CmaEsSampler(seed=0, with_margin=True, restart_strategy="bipop", popsize=4)
    study = fastune.create_study(sampler=sampler)
    study.optimize(_flat_ints, n_trials=300)
    populations = [popsize for _, popsize, _ in _runs(study, 4)]
    assert populations[:3] == [4, 8, 16]  # IPOP's growing runs, no small BIPOP runs


def test_source_trials_warm_start_a_margin_run() -> None:
    def objective(trial: fastune.Trial) -> float:
        return (trial.suggest_float("x", -5, 5) - 3) ** 2 + (trial.suggest_int("n", -5, 5) - 4) ** 2

    source = fastune.create_study(sampler=RandomSampler(seed=0))
    source.optimize(objective, n_trials=50)
    sampler = CmaEsSampler(seed=0, source_trials=source.trials, with_margin=True)
    warm = fastune.create_study(sampler=sampler)
    warm.optimize(objective, n_trials=12)
    first = [t for t in warm.trials if t.system_attrs.get("cma:generation") == 0]
    # The first generation gathers near the source's best region (x = 3, n = 4), not
    # around the centre of the space.
    assert np.median([t.params["x"] for t in first]) > 1.5
    assert np.median([t.params["n"] for t in first]) >= 2


def test_x0_outside_a_range_names_the_parameter() -> None:
    sampler = CmaEsSampler(x0={"x": 10.0, "n": 2.5}, n_startup_trials=0)
    study = fastune.create_study(sampler=sampler)
    with pytest.raises(InvalidParameterError, match=r"'x0'.*'x' in \[-3.0, 3.0\]\)"):
        study.optimize(lambda t: t.suggest_float("x", -3, 3) + t.suggest_int("n", 0, 5), 2)


def _discrete_params_ignored(trial: fastune.Trial) -> float:
    """A steep sphere in four floats; an int and a stepped float that do not matter."""
    trial.suggest_int("n", 0, 3)
    trial.suggest_float("q", 0, 1, step=0.5)
    return sum((trial.suggest_float(f"x{i}", -1, 1) - 0.2) ** 2 for i in range(4))


def test_with_margin_keeps_discrete_parameters_moving() -> None:
    frozen = {False: 0, True: 0}
    for seed in range(5):
        for margin in (False, True):
            study = fastune.create_study(sampler=CmaEsSampler(seed=seed, with_margin=margin))
            study.optimize(_discrete_params_ignored, n_trials=800)
            assert study.best_value < 1e-5  # the floats converge either way
            last = study.trials[-100:]
            assert all(t.params["n"] in range(4) and t.params["q"] in (0, 0.5, 1) for t in last)
            frozen[margin] += all(len({t.params[name] for t in last}) == 1 for name in "nq")
    # Rounded from the continuous search, the discrete values freeze once the step size
    # is far below their bins; with the margin they keep moving (one seed in twenty or
    # so goes the other way, either way).
    assert frozen[False] >= 4 and frozen[True] <= 1


def test_a_diverging_margin_run_starts_afresh() -> None:
    # On a flat objective of binary ints the cmaes package's margin run can let its step
    # size overflow (seed 3: at trial 222); it is restarted instead of told.
    for seed in range(6):
        study = fastune.create_study(sampler=CmaEsSampler(seed=seed, popsize=4, with_margin=True))
        study.optimize(_flat_ints, n_trials=400)
        assert all(t.state == fastune.trial.TrialState.COMPLETE for t in study.trials)


def test_with_margin_is_told_the_points_it_drew() -> None:
    def objective(trial: fastune.Trial) -> float:
        return float((trial.suggest_int("a", 0, 1) - 1) ** 2 + trial.suggest_int("b", 0, 4))

    study = fastune.create_study(sampler=CmaEsSampler(seed=0, popsize=4, with_margin=True))
    study.optimize(objective, n_trials=60)
    assert study.best_params == {"a": 1, "b": 0}
    # The trials ran the discrete values (bin centres of the unit cube); the optimizer is
    # told the raw points it drew, which lie anywhere.
    raw = np.array([t.system_attrs["cma:x"] for t in study.trials[1:]])
    for column, centres in ((0, [0.25, 0.75]), (1, [0.1, 0.3, 0.5, 0.7, 0.9])):
        on_a_centre = np.isclose(raw[:, column, None], np.array(centres)).any(axis=1)
        assert on_a_centre.mean() < 0.5


def test_a_range_that_changes_starts_a_run_of_its_own() -> None:
    def objective(trial: fastune.Trial) -> float:
        high = 1.0 if trial.number < 6 else 2.0  # z's range widens mid-study
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        return x * x + y * y + trial.suggest_float("z", 0, high)

    study = fastune.create_study(sampler=CmaEsSampler(seed=0, n_startup_trials=2))
    study.optimize(objective, n_trials=30)  # the new run was told 3-D points of the old
    spaces = {t.system_attrs.get("cma:space") for t in study.trials[8:]}
    assert len(spaces) == 1 and None not in spaces
    assert {t.system_attrs.get("cma:space") for t in study.trials[2:6]} != spaces


def test_several_objectives_are_refused_as_optuna_does() -> None:
    study = fastune.create_study(directions=["minimize", "minimize"], sampler=CmaEsSampler())
    with pytest.raises(ValueError, match="CmaEsSampler cannot be used.*several objectives"):
        study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), 3)
    # Each of the sampler's methods refuses, called directly too (as Optuna's).
    sampler = study.sampler
    frozen = fastune.trial.create_trial(state=fastune.trial.TrialState.RUNNING)
    for call in (
        lambda: sampler.sample_independent(study, frozen, "x", Float(0, 1)),
        lambda: sampler.sample_relative(study, frozen, {"x": Float(0, 1)}),
    ):
        with pytest.raises(ValueError, match="CmaEsSampler cannot be used.*several objectives"):
            call()


def test_optunas_arguments_inc_popsize_minus_one_and_a_partial_x0() -> None:
    assert CmaEsSampler(inc_popsize=-1)._inc_popsize == 2
    study = fastune.create_study(sampler=CmaEsSampler(x0={"x": 0.5}, n_startup_trials=0))
    with pytest.raises(InvalidParameterError, match=r"'x0'.*missing \['y'\]"):
        study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), 3)


def test_a_new_sampler_resumes_a_study_at_its_latest_generation() -> None:
    storage = fastune.storages.InMemoryStorage()
    first = fastune.create_study(storage=storage, sampler=CmaEsSampler(seed=0, popsize=6))
    first.optimize(sphere, n_trials=122)  # 20 generations after the startup trial, and one
    assert first.trials[-1].system_attrs["cma:generation"] == 20
    latest = np.median([t.value for t in first.trials[-6:]])
    resumed = fastune.create_study(
        storage=storage,
        study_name=first.study_name,
        load_if_exists=True,
        sampler=CmaEsSampler(seed=1, popsize=6),
    )
    resumed.optimize(sphere, n_trials=12)
    generations = [t.system_attrs["cma:generation"] for t in resumed.trials[122:]]
    assert generations == [20] * 5 + [21] * 6 + [22]  # it completes generation 20
    # It carries on from the same mean, not from the centre of the space.
    assert np.median([t.value for t in resumed.trials[122:]]) < 3 * latest


def _flat_ints(trial: fastune.Trial) -> float:
    trial.suggest_int("a", 0, 1)
    trial.suggest_int("b", 0, 1)
    return 0.0


def _flat(trial: fastune.Trial) -> float:  # CMA-ES stops at once: many quick restarts
    return float(round(trial.suggest_float("x", 0, 1)) + round(trial.suggest_float("y", 0, 1)))


def _runs(study: fastune.Study, first_popsize: int) -> list[tuple[str, int, int]]:
    """(regime, population, generations) of each run, from the trials' records."""
    runs: dict[int, tuple[str, int, set[int]]] = {}
    for trial in study.trials:
        if "cma:generation" not in trial.system_attrs:
            continue
        restart = trial.system_attrs.get("cma:restart", {})
        start = restart.get("start", 0)
        regime, popsize = restart.get("regime", "large"), restart.get("popsize", first_popsize)
        runs.setdefault(start, (regime, popsize, set()))[2].add(
            trial.system_attrs["cma:generation"]
        )
    return [(regime, popsize, len(gens)) for _, (regime, popsize, gens) in sorted(runs.items())]


def test_a_new_sampler_replays_the_recorded_restarts() -> None:
    storage = fastune.storages.InMemoryStorage()
    sampler = CmaEsSampler(seed=0, restart_strategy="bipop")
    first = fastune.create_study(storage=storage, sampler=sampler)
    first.optimize(_flat, n_trials=500)
    assert len(_runs(first, 6)) == 4
    last = first.trials[-1].system_attrs
    resumed = fastune.create_study(
        storage=storage,
        study_name=first.study_name,
        load_if_exists=True,
        sampler=CmaEsSampler(seed=1, restart_strategy="bipop"),
    )
    resumed.optimize(_flat, n_trials=5)
    new = resumed.trials[-1].system_attrs
    assert new["cma:restart"] == last["cma:restart"]
    assert new["cma:generation"] == last["cma:generation"]


def test_ipop_grows_the_given_population() -> None:
    study = fastune.create_study(
        sampler=CmaEsSampler(seed=0, restart_strategy="ipop", popsize=5, inc_popsize=2)
    )
    study.optimize(_flat, n_trials=400)
    # The default population in 2-D is 6: a restart from it would give 12.
    assert [popsize for _, popsize, _ in _runs(study, 5)] == [5, 10]


def test_bipop_budgets_count_the_evaluations_of_each_run() -> None:
    study = fastune.create_study(sampler=CmaEsSampler(seed=0, restart_strategy="bipop"))
    study.optimize(_flat, n_trials=600)
    runs = _runs(study, 6)
    spent = {"small": 0, "large": 0}
    for (regime, popsize, generations), (next_regime, _, _) in itertools.pairwise(runs):
        spent[regime] += popsize * generations
        # BIPOP runs a small regime while it has spent less than the large one.
        assert next_regime == ("small" if spent["small"] < spent["large"] else "large")
    assert [regime for regime, _, _ in runs[:3]] == ["large", "small", "small"]


def test_warn_independent_sampling_logs_each_parameter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def objective(trial: fastune.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1) + (kind == "b")

    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        for warn in (True, False):
            sampler = CmaEsSampler(seed=0, n_startup_trials=2, warn_independent_sampling=warn)
            fastune.create_study(sampler=sampler).optimize(objective, n_trials=4)
    finally:
        logger.removeHandler(caplog.handler)
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    independent = [m for m in messages if "independent sampler" in m]
    # Not in the startup trials, nor with warn_independent_sampling=False.
    assert [m.split(":")[0] for m in independent] == ["Trial 2", "Trial 3"]
    assert all("'kind'" in m for m in independent)


def test_pruned_trials_count_as_startup_trials_when_considered() -> None:
    def objective(trial: fastune.Trial) -> float:
        value = trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_float("y", -5, 5) ** 2
        trial.report(value, 0)
        if trial.number < 3:
            raise fastune.TrialPruned()
        return value

    # The joint space comes from the complete trials (as Optuna's), so CMA-ES starts
    # after the first complete trial even when the pruned ones count as startup trials.
    for consider, first_cma_trial in ((True, 4), (False, 6)):
        sampler = CmaEsSampler(seed=0, n_startup_trials=3, consider_pruned_trials=consider)
        study = fastune.create_study(sampler=sampler)
        study.optimize(objective, n_trials=8)
        has_generation = ["cma:generation" in t.system_attrs for t in study.trials]
        assert has_generation.index(True) == first_cma_trial


def _record_tells(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[np.ndarray, float]]]:
    """The solutions told to every cmaes.CMA, one list per generation."""
    import cmaes

    told: list[list[tuple[np.ndarray, float]]] = []
    tell = cmaes.CMA.tell

    def record(optimizer: Any, solutions: list[tuple[np.ndarray, float]]) -> None:
        told.append(list(solutions))
        tell(optimizer, solutions)

    monkeypatch.setattr(cmaes.CMA, "tell", record)
    return told


def test_enqueued_trials_are_told_the_points_they_evaluated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told = _record_tells(monkeypatch)

    def objective(trial: fastune.Trial) -> float:
        return (trial.suggest_float("x", -3, 3) - 1) ** 2 + (
            trial.suggest_float("y", -3, 3) + 1
        ) ** 2

    study = fastune.create_study(sampler=CmaEsSampler(seed=0, popsize=4))
    for params in ({"x": 3.0, "y": 3.0}, {"x": -3.0, "y": 3.0}, {"x": 3.0, "y": -3.0}, {"x": 3.0}):
        study.enqueue_trial(params)
    study.optimize(objective, n_trials=12)
    # Fully fixed trials are not asked for a point (as in Optuna); the partly fixed one is.
    generations = [t.system_attrs.get("cma:generation") for t in study.trials[:5]]
    assert generations == [None, None, None, 0, 0]
    by_value = {t.value: t for t in study.trials}
    told_trials = [by_value[loss] for generation in told for _, loss in generation]
    assert 3 in [t.number for t in told_trials]
    for (point, _), trial in zip([s for g in told for s in g], told_trials, strict=True):
        np.testing.assert_allclose(point * 6 - 3, [trial.params["x"], trial.params["y"]])


def test_infinite_values_are_told_as_the_worst_of_their_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told = _record_tells(monkeypatch)

    def objective(trial: fastune.Trial) -> float:
        x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
        return float("inf") if x > 0 else (x + 1) ** 2 + y**2

    study = fastune.create_study(sampler=CmaEsSampler(seed=0, popsize=4))
    study.optimize(objective, n_trials=42)  # the 42nd trial tells the 10th generation
    assert len(told) == 10  # every generation fills, infinite values included
    infinite = 0
    for generation in told:
        points = np.array([point for point, _ in generation])
        losses = np.array([loss for _, loss in generation])
        assert np.all(np.isfinite(losses))
        beyond = points[:, 0] > 0.5  # x > 0: an infinite value
        infinite += beyond.sum()
        if beyond.any() and not beyond.all():
            assert losses[beyond].min() > losses[~beyond].max()
    assert infinite > 0


def test_ranking_places_infinite_and_infeasible_losses() -> None:
    point = np.zeros(2)
    solutions = [
        (point, 1.0, 0.0),
        (point, float("inf"), 0.0),
        (point, float("-inf"), 0.0),
        (point, 3.0, 0.0),
        (point, float("-inf"), 0.5),  # infeasible: after every feasible one
    ]
    losses = [loss for _, loss in _ranked(solutions)]
    assert losses == [1.0, 4.0, 0.0, 3.0, 5.5]


class _Counting(RandomSampler):
    """Counts the hooks it is called through."""

    def __init__(self) -> None:
        super().__init__(seed=0)
        self.before = self.after = 0

    def before_trial(self, study: fastune.Study, trial: fastune.trial.FrozenTrial) -> None:
        self.before += 1

    def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
        self.after += 1


@pytest.mark.parametrize("sampler_class", [CmaEsSampler, QMCSampler, GPSampler])
def test_the_independent_sampler_gets_the_trial_hooks(sampler_class: type) -> None:
    independent = _Counting()
    study = fastune.create_study(sampler=sampler_class(independent_sampler=independent))
    study.optimize(sphere, n_trials=4)
    assert (independent.before, independent.after) == (4, 4)


@pytest.mark.parametrize(
    ("make", "space"),
    [
        (lambda: CmaEsSampler(seed=0, popsize=4), ["x", "y"]),
        (lambda: GPSampler(seed=0, n_startup_trials=3), ["x", "y"]),
        (lambda: QMCSampler(seed=0), ["x", "y"]),
        (lambda: TPESampler(seed=0, multivariate=True), ["x"]),  # counts pruned ones
    ],
)
def test_a_pruned_trial_leaves_the_joint_space_as_optuna_does(
    make: Callable[[], fastune.samplers.BaseSampler], space: list[str]
) -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -3, 3)
        if trial.number == 2:
            raise fastune.TrialPruned()  # before it suggests y
        return x * x + trial.suggest_float("y", -3, 3) ** 2

    study = fastune.create_study(sampler=make())
    study.optimize(objective, n_trials=6)
    assert sorted(study.sampler.infer_relative_search_space(study, study.trials[-1])) == space
