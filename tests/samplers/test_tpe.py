from __future__ import annotations

import numpy as np
import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import RandomSampler, TPESampler
from fastune.samplers._search_space import SpaceTracker
from fastune.trial import TrialState


def sphere(trial: fastune.Trial) -> float:
    return sum((trial.suggest_float(f"x{i}", -5, 5) - 1.0) ** 2 for i in range(4))


def _best(sampler: fastune.samplers.BaseSampler, n_trials: int = 120) -> float:
    study = fastune.create_study(sampler=sampler)
    study.optimize(sphere, n_trials=n_trials)
    return study.best_value


def test_tpe_beats_random_search() -> None:
    tpe = np.median([_best(TPESampler(seed=s)) for s in range(3)])
    random = np.median([_best(RandomSampler(seed=s)) for s in range(3)])
    assert tpe < random / 3


def test_maximize_and_mixed_types() -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 10)
        n = trial.suggest_int("n", 1, 64, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return -((x - 7) ** 2) - abs(np.log2(n) - 3) + (2.0 if kind == "b" else 0.0)

    study = fastune.create_study(direction="maximize", sampler=TPESampler(seed=0))
    study.optimize(objective, n_trials=80)
    late = study.trials[-30:]
    assert sum(t.params["kind"] == "b" for t in late) > 15  # the model found the best choice
    assert study.best_value > -1.0


def test_constant_liar_keeps_parallel_proposals_apart() -> None:
    study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))
    study.optimize(lambda t: t.suggest_float("x", 0, 1) ** 2, n_trials=20)
    running = [study.ask() for _ in range(4)]
    values = [t.suggest_float("x", 0, 1) for t in running]
    assert len(set(values)) == 4
    gaps = np.diff(sorted(values))
    assert gaps.min() > 0


def test_pruned_trials_inform_the_model() -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -5, 5)
        trial.report(x**2, 0)
        if x > 0:
            raise fastune.TrialPruned()
        return x**2

    study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))
    study.optimize(objective, n_trials=40)
    assert {t.state for t in study.trials} == {TrialState.COMPLETE, TrialState.PRUNED}
    assert study.best_value < 0.5


def test_multi_objective_proposals_approach_the_front() -> None:
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        return x + y, (1 - x) + y  # the front is y = 0

    study = fastune.create_study(directions=["minimize", "minimize"], sampler=TPESampler(seed=0))
    study.optimize(objective, n_trials=60)
    late_y = [t.params["y"] for t in study.trials[-20:]]
    assert np.median(late_y) < 0.2


def test_the_cut_front_keeps_the_trials_that_dominate_the_most_volume() -> None:
    from fastune.samplers._tpe import _split

    # One front on a quarter circle (a concave front, as DTLZ2's): the sum of losses
    # picked its two ends, and the search collapsed onto one of them.
    angles = np.linspace(0.0, np.pi / 2, 5)
    values = np.column_stack([np.cos(angles), np.sin(angles)])
    losses = np.column_stack([np.zeros((5, 2)), values])
    directions = [fastune.study.StudyDirection.MINIMIZE] * 2
    assert np.flatnonzero(_split(losses, directions, 1)).tolist() == [2]  # the middle
    # Earlier fronts are taken whole before the cut one: the circle, then one of the two
    # trials behind it.
    behind = np.column_stack([np.zeros((2, 2)), values[[1, 3]] + 0.5])
    mask = _split(np.vstack([behind, losses]), directions, 6)
    assert mask[2:].all() and mask[:2].sum() == 1


def test_below_trials_of_several_objectives_weigh_what_they_alone_dominate() -> None:
    from fastune.samplers._tpe import _contribution_weights

    values = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.9, 0.9]])  # the last dominated
    losses = np.column_stack([np.zeros((4, 2)), values])
    weights = _contribution_weights(losses, np.array([3, 2, 1, 0]))(4)  # in number order
    assert weights[0] == pytest.approx(1e-12)  # trial 0: the dominated one
    assert weights.max() == 1.0 and weights[2] == 1.0  # trial 2: the middle, most volume
    assert 0.0 < weights[1] == weights[3] < 1.0  # the two ends, equal by symmetry


def test_several_objectives_on_a_concave_front_beat_random_search() -> None:
    def dtlz2(trial: fastune.Trial) -> tuple[float, float]:
        x = np.array([trial.suggest_float(f"x{i}", 0, 1) for i in range(6)])
        g = float(((x[1:] - 0.5) ** 2).sum())
        return (1 + g) * np.cos(x[0] * np.pi / 2), (1 + g) * np.sin(x[0] * np.pi / 2)

    from fastune._pareto import hypervolume

    def volume(sampler: fastune.samplers.BaseSampler) -> float:
        study = fastune.create_study(directions=["minimize"] * 2, sampler=sampler)
        study.optimize(dtlz2, n_trials=100)
        front = np.array([t.values for t in study.best_trials])
        return hypervolume(front, np.array([1.1, 1.1]))

    # Fewer than random search's before (0.04 against 0.09 at 150 trials on 8 variables).
    tpe = [volume(TPESampler(seed=seed)) for seed in range(3)]
    random = [volume(RandomSampler(seed=seed)) for seed in range(3)]
    assert min(tpe) > max(random)


def test_multivariate_by_default_with_one_objective_per_parameter_with_several() -> None:
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        return x + y, 2 - x - y

    studies = {
        n: fastune.create_study(directions=["minimize"] * n, sampler=RandomSampler(seed=0))
        for n in (1, 2)
    }
    studies[1].optimize(lambda t: sum(objective(t)), n_trials=5)
    studies[2].optimize(objective, n_trials=5)
    joint = {"x", "y"}
    trial = studies[2].ask()  # any trial: the relative space depends on the study only
    assert set(TPESampler().infer_relative_search_space(studies[1], trial)) == joint
    assert TPESampler().infer_relative_search_space(studies[2], trial) == {}  # as Optuna 5
    assert (
        set(TPESampler(multivariate=True).infer_relative_search_space(studies[2], trial)) == joint
    )
    assert set(TPESampler(group=True).infer_relative_search_space(studies[2], trial)) == joint


def test_several_objectives_with_huge_values_or_many_objectives() -> None:
    def huge(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return 1e200 * x, 1e200 * (1 - x) ** 2  # boxes of such losses overflow to inf

    study = fastune.create_study(directions=["minimize"] * 2, sampler=TPESampler(seed=0))
    study.optimize(huge, n_trials=30)  # raised "Probabilities contain NaN"
    assert len(study.best_trials) > 3

    def five(trial: fastune.Trial) -> list[float]:
        x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(5)]
        return [v + 0.1 * sum(x) for v in x]

    # Above three objectives the cut front is thinned by crowding distance (exact
    # hypervolumes made a 200-trial study of 6 objectives take 74 s).
    study = fastune.create_study(directions=["minimize"] * 5, sampler=TPESampler(seed=0))
    study.optimize(five, n_trials=40)
    assert len(study.trials) == 40 and study.best_trials


def test_group_tracks_conditional_pieces() -> None:
    tracker = SpaceTracker(group=True)
    study = fastune.create_study(sampler=RandomSampler(seed=0))

    def objective(trial: fastune.Trial) -> float:
        if trial.suggest_categorical("kind", ["a", "b"]) == "a":
            return trial.suggest_float("alpha", 0, 1) + trial.suggest_float("beta", 0, 1)
        return trial.suggest_float("gamma", 0, 1)

    study.optimize(objective, n_trials=20)
    tracker.update(study.get_trials(deepcopy=False))
    groups = sorted(sorted(g) for g in tracker.groups())
    assert groups == [["alpha", "beta"], ["gamma"], ["kind"]]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"n_startup_trials": -1}, "'n_startup_trials' parameter of TPESampler"),
        ({"n_ei_candidates": 0}, "'n_ei_candidates'"),
        ({"prior_weight": -1.0}, "'prior_weight'"),
        ({"multivariate": False, "group": True}, "'group'"),
    ],
)
def test_bad_arguments(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        TPESampler(**kwargs)


def test_an_abandoned_trial_does_not_freeze_the_model() -> None:
    study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=5))
    study.ask()  # asked and never told: it stays RUNNING
    study.optimize(sphere, n_trials=60)
    late = [t.value for t in study.trials[-20:] if t.value is not None]
    early = [t.value for t in study.trials[1:21] if t.value is not None]
    assert np.median(late) < np.median(early) / 2  # later trials were modelled on earlier ones


def test_the_incremental_model_matches_a_fresh_fit() -> None:
    from fastune.samplers._tpe import _split, default_gamma

    sampler = TPESampler(seed=0, n_startup_trials=5)
    study = fastune.create_study(sampler=sampler)

    def objective(trial: fastune.Trial) -> float:
        return sum(trial.suggest_float(f"x{i}", 0, 1) ** 2 for i in range(3))

    study.optimize(objective, n_trials=40)
    waiting = []
    for _ in range(3):  # each proposal sees the earlier ones running: guesses
        waiting.append(study.ask())
        objective(waiting[-1])
    study.tell(waiting[0], state=TrialState.FAIL)  # a guess that goes away
    study.tell(waiting[1], 0.5)  # a guess that becomes an observation
    objective(study.ask())  # one more proposal, with waiting[2] still running

    (table,) = [t for t in sampler._tables.values() if len(t.space) == 3]  # the joint model
    rows, losses, numbers = table.arrays()
    below = _split(losses, study.directions, default_gamma(len(rows)))
    running = table.space.encode(waiting[2].params)
    fresh = sampler._fit(
        table.space,
        np.vstack([rows[~below], running]),
        np.append(numbers[~below], waiting[2].number),
    )
    points = np.random.default_rng(0).random((30, 3))
    np.testing.assert_allclose(table.above.estimator.log_pdf(points), fresh.log_pdf(points))


def test_constraints_func_keeps_its_values_as_the_trials_constraints() -> None:
    seen = []

    def constraints(trial: fastune.trial.FrozenTrial) -> list[float]:
        seen.append(trial.state)
        return [trial.params["x"] - 0.5]

    sampler = TPESampler(seed=0, n_startup_trials=3, constraints_func=constraints)
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: -t.suggest_float("x", 0.0, 1.0), n_trials=12)
    assert all(t.constraints == {"0": t.params["x"] - 0.5} for t in study.trials)
    assert len(seen) == 12
    assert study.best_trial.params["x"] <= 0.5
    with pytest.raises(InvalidParameterTypeError, match="'constraints_func' parameter"):
        TPESampler(constraints_func=[0.0])  # type: ignore[arg-type]
    nan = TPESampler(constraints_func=lambda t: [float("nan")])
    failing = fastune.create_study(sampler=nan)
    with pytest.raises(InvalidParameterError, match="'constraints_func'.*no NaN"):
        failing.optimize(lambda t: t.suggest_float("x", 0, 1), 1)
    assert failing.trials[0].state == fastune.trial.TrialState.COMPLETE  # not left running


def test_one_sampler_for_two_studies_keeps_them_apart() -> None:
    # Both studies have id 0 in their own storage; the second must not learn the first.
    sampler = TPESampler(seed=0, n_startup_trials=5)
    first = fastune.create_study(sampler=sampler)
    first.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=30)
    second = fastune.create_study(direction="maximize", sampler=sampler)
    second.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=30)
    assert second._study_id == first._study_id
    assert second.best_value > 0.95  # it kept minimizing: best 0.07


def test_startup_counts_pruned_trials_as_optuna() -> None:
    study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=10))

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if x > 0.3:  # most trials are pruned: ten complete ones come late
            trial.report(x, 0)
            raise fastune.TrialPruned()
        return x

    study.optimize(objective, n_trials=30)
    late = [t.params["x"] for t in study.trials[12:]]
    assert np.mean(np.array(late) <= 0.3) > 0.6  # modelled from trial 10 (random: 0.3)


def test_hyperopt_parameters_and_a_zero_prior_weight() -> None:
    parameters = TPESampler.hyperopt_parameters()
    assert parameters["n_startup_trials"] == 20 and parameters["gamma"](100) == 3
    study = fastune.create_study(sampler=TPESampler(**parameters, seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=25)
    study = fastune.create_study(sampler=TPESampler(prior_weight=0.0, seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=15)
    assert len(study.trials) == 15


def test_what_the_sampler_keeps_follows_the_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import copy

    url = f"sqlite:///{tmp_path / 'kept.db'}"
    fastune.create_study(study_name="s", storage=url)
    sampler = TPESampler(seed=0, n_startup_trials=2)
    for _ in range(10):  # a worker that opens the study again for each trial
        study = fastune.load_study(study_name="s", storage=url, sampler=sampler)
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(sampler._tables) == 1  # one store: one table (was one per storage object)
    memory = fastune.storages.InMemoryStorage()
    copied = copy.deepcopy(memory)  # another store, with the same study ids
    assert memory._identity != copied._identity
    assert memory._identity == memory._identity
