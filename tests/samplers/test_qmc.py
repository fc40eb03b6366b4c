from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.samplers import QMCSampler, RandomSampler


def _points(sampler: fastune.samplers.BaseSampler, n: int) -> np.ndarray:
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n)
    return np.array([[t.params["x"], t.params["y"]] for t in study.trials])


def test_points_cover_the_space_more_evenly_than_random() -> None:
    sobol = _points(QMCSampler(seed=0, scramble=True), 65)[1:]  # the first is random
    random = _points(RandomSampler(seed=0), 65)[1:]
    assert qmc.discrepancy(sobol) < qmc.discrepancy(random) / 2


def test_parallel_trials_take_different_points() -> None:
    study = fastune.create_study(sampler=QMCSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    trials = [study.ask() for _ in range(8)]
    values = [t.suggest_float("x", 0, 1) for t in trials]
    assert len(set(values)) == 8


def test_bad_type() -> None:
    with pytest.raises(InvalidParameterError, match="'qmc_type'.*'sobol', 'halton'"):
        QMCSampler(qmc_type="lattice")


def test_unscrambled_by_default_as_optuna() -> None:
    # Unscrambled Sobol gives the same points whatever the seed (after the random first).
    assert (_points(QMCSampler(seed=0), 5)[1:] == _points(QMCSampler(seed=1), 5)[1:]).all()
    scrambled = _points(QMCSampler(seed=0, scramble=True), 5)[1:]
    assert not (scrambled == _points(QMCSampler(seed=1, scramble=True), 5)[1:]).all()


def test_a_worker_reading_the_study_at_the_same_moment_takes_another_point() -> None:
    study = fastune.create_study(sampler=QMCSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), 3)
    storage = study._storage
    snapshot = dict(storage.get_study_system_attrs(study._study_id))
    first = study.ask()
    # A second worker read the study's attributes before the first one wrote anything.
    storage.get_study_system_attrs = lambda study_id: dict(snapshot)  # type: ignore[method-assign]
    second = study.ask()
    points = [(t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)) for t in (first, second)]
    assert points[0] != points[1]  # a shared counter gave both the same point


@pytest.mark.parametrize("seed", [0, None])
def test_workers_that_all_find_the_start_unrecorded_agree_on_it(seed: int | None) -> None:
    # Worker processes that read the study before any of them wrote where the sequence
    # starts (and, unseeded, its scrambling) each write their own proposal: it must be
    # the same one, or two trials take one point.
    study = fastune.create_study(sampler=QMCSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), 1)
    storage = study._storage
    recorded = storage.get_study_system_attrs
    storage.get_study_system_attrs = lambda study_id: {}  # type: ignore[method-assign]
    points = []
    for _ in range(4):
        study.sampler = QMCSampler(seed=seed, scramble=True)  # a sampler each, as processes
        trial = study.ask()
        points.append([trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)])
    attrs = recorded(study._study_id)
    assert attrs["qmc:first_trial"] == 1
    scrambling = attrs.get("qmc:scramble_seed", study.sampler._scramble_seed)
    np.testing.assert_allclose(points, qmc.Sobol(2, scramble=True, seed=scrambling).random(4))


def test_a_conditional_parameter_does_not_restart_the_sequence() -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        return x + (trial.suggest_float("z", 0, 1) if x < 0.9 else 0.0)

    study = fastune.create_study(sampler=QMCSampler(seed=0))
    study.optimize(objective, n_trials=24)  # trial 11 (x = 0.9375) has no z
    xs = [t.params["x"] for t in study.trials]
    assert len(set(xs)) == len(xs)
    # Point k of the sequence goes to trial k + 1, whatever the joint space.
    assert xs[1:] == list(qmc.Sobol(1, scramble=False).random(32)[:23, 0])


def test_unseeded_workers_share_one_scrambled_sequence() -> None:
    def objective(trial: fastune.Trial) -> float:
        return trial.suggest_float("x", 0, 1) + trial.suggest_float("y", 0, 1)

    first = fastune.create_study(sampler=QMCSampler(scramble=True))
    second = fastune.load_study(
        study_name=first.study_name, storage=first._storage, sampler=QMCSampler(scramble=True)
    )
    for number in range(9):  # two workers, each with a sampler of its own, take turns
        (first if number % 2 == 0 else second).optimize(objective, n_trials=1)
    points = np.array([[t.params["x"], t.params["y"]] for t in first.trials[1:]])
    seed = first.system_attrs["qmc:scramble_seed"]
    np.testing.assert_allclose(points, qmc.Sobol(2, scramble=True, seed=seed).random(8))


def test_a_batch_asked_before_any_trial_finished_follows_the_sequence() -> None:
    # As Optuna 5: with no complete trial, the space is the one running trials hold, so
    # trials asked together (or workers that start together) take the sequence's points
    # after the first, which the independent sampler draws.
    study = fastune.create_study(sampler=QMCSampler(scramble=False, seed=0))
    trials = [study.ask() for _ in range(4)]
    points = [(t.suggest_float("a", 0, 1), t.suggest_float("b", 0, 1)) for t in trials]
    expected = qmc.Sobol(d=2, scramble=False).random(4)[:3]
    np.testing.assert_allclose(points[1:], expected)
