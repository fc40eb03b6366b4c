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


def test_below_trials_of_several_objectives_weigh_the_same() -> None:
    # As Optuna 5 (its l(x) weights are ones); this replaced weights by the hypervolume
    # each trial alone dominates.
    def objective(trial: fastune.Trial) -> tuple[float, float]:
        x = trial.suggest_float("x", 0, 1)
        return x, (1 - x) ** 2 + trial.suggest_float("y", 0, 1)

    sampler = TPESampler(seed=0, n_startup_trials=5)
    study = fastune.create_study(directions=["minimize"] * 2, sampler=sampler)
    study.optimize(objective, n_trials=40)
    for table in sampler._tables.values():
        below = table.below.estimator
        alive = below._alive[: below._used]
        assert alive.sum() == 4  # ceil(0.1 * 39) good trials
        np.testing.assert_array_equal(below._raw_weights[: below._used][alive], 1.0)


def test_several_objectives_take_a_tenth_of_the_trials_as_good_without_a_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fastune.samplers._tpe as tpe

    sizes = []
    split = tpe._split

    def spy(losses: np.ndarray, directions: list, n_below: int) -> np.ndarray:
        mask = split(losses, directions, n_below)
        sizes.append(int(mask.sum()))
        return mask

    monkeypatch.setattr(tpe, "_split", spy)
    rng = np.random.default_rng(0)
    distributions = {"x": fastune.distributions.FloatDistribution(0, 1)}
    study = fastune.create_study(directions=["minimize"] * 2, sampler=TPESampler(seed=0))
    for x in rng.random(300):
        study.add_trial(
            fastune.trial.create_trial(
                params={"x": x}, distributions=distributions, values=[x, 1 - x]
            )
        )
    study.ask().suggest_float("x", 0, 1)
    assert sizes == [30]  # Optuna 5's default_gamma_multiobjective; 25 with one objective
    assert tpe.default_gamma_multiobjective(1000) == 100 and tpe.default_gamma(1000) == 25


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
    rows, losses, numbers, holds = table.arrays()
    assert holds.all()
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
    assert "consider_prior" not in parameters  # deprecated: the recipe gives no warning
    sampler = TPESampler(**parameters, seed=0)
    study = fastune.create_study(sampler=sampler)
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


def _conditional_history() -> list[fastune.trial.FrozenTrial]:
    """12 finished trials; 'b' is in the 3 best only, near 0.9."""
    a = fastune.distributions.FloatDistribution(-1, 1)
    b = fastune.distributions.FloatDistribution(0, 1)
    history = [
        fastune.trial.create_trial(
            params={"a": -0.5 - i * 0.05}, distributions={"a": a}, value=10.0 + i
        )
        for i in range(9)
    ]
    history += [
        fastune.trial.create_trial(
            params={"a": 0.5, "b": value}, distributions={"a": a, "b": b}, value=float(i)
        )
        for i, value in enumerate([0.88, 0.9, 0.92])
    ]
    return history


@pytest.mark.parametrize(
    "kwargs",
    [{"multivariate": False}, {"multivariate": True}, {"multivariate": True, "group": True}],
)
def test_startup_and_gamma_count_every_finished_trial_of_the_study(kwargs: dict) -> None:
    # As Optuna: a parameter that only 3 of 12 finished trials hold is modelled once the
    # study has n_startup_trials (10) finished trials; it was drawn at random (18 % of
    # the draws near 0.9) until 10 trials held it.
    seen: list[int] = []

    def gamma(n: int) -> int:
        seen.append(n)
        return 2  # the 2 best of all 12 trials, both holding 'b'

    proposals = []
    for seed in range(20):
        study = fastune.create_study(sampler=TPESampler(seed=seed, gamma=gamma, **kwargs))
        study.add_trials(_conditional_history())
        trial = study.ask()
        trial.suggest_float("a", -1, 1)
        proposals.append(trial.suggest_float("b", 0, 1))
    assert min(proposals) > 0.8
    assert set(seen) == {12}


def test_batch_asked_trials_count_as_running_for_the_constant_liar() -> None:
    # Asked trials whose relative proposal is drawn (at the first suggestion, as Optuna,
    # or by reading relative_params) hold it before they suggest the rest; the next
    # proposals count them as bad trials, as Optuna (they were ignored).
    distributions = {
        "x": fastune.distributions.FloatDistribution(-5, 5),
        "y": fastune.distributions.FloatDistribution(-5, 5),
    }
    history = [
        fastune.trial.create_trial(
            params={"x": x, "y": x}, distributions=distributions, value=(x - 1) ** 2
        )
        for x in np.random.default_rng(0).uniform(-5, 5, 30)
    ]
    proposals = {}
    for liar in (True, False):
        sampler = TPESampler(seed=0, constant_liar=liar)
        study = fastune.create_study(sampler=sampler)
        study.add_trials(history)
        asked = [study.ask() for _ in range(4)]
        assert not any("tpe:relative_params" in t.system_attrs for t in study.trials[30:])
        for trial in asked:
            assert trial.relative_params  # drawn now
        assert all(("tpe:relative_params" in t.system_attrs) == liar for t in study.trials[30:])
        (table,) = sampler._tables.values()
        assert len(table.above._guesses) == (3 if liar else 0)  # the 3 asked before the 4th
        proposals[liar] = [t.suggest_float("x", -5, 5) for t in asked]
    assert proposals[True][:1] == proposals[False][:1]
    assert proposals[True][1:] != proposals[False][1:]


def test_a_guess_that_finishes_with_other_values_is_replaced_by_them() -> None:
    from fastune.samplers._tpe import _split, default_gamma

    sampler = TPESampler(seed=0, n_startup_trials=3)
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10)
    study.enqueue_trial({"x": 0.123})  # the fixed value replaces the relative proposal
    fixed = study.ask()
    assert fixed.relative_params  # drawn, though the enqueued value will be used
    second = study.ask()
    assert second.relative_params  # counts the first one's proposal as a guess
    study.tell(fixed, fixed.suggest_float("x", 0, 1))
    # The first one is an observation at 0.123; the second still a guess.
    assert study.ask().relative_params

    (table,) = sampler._tables.values()
    rows, losses, numbers, holds = table.arrays()
    assert holds.all() and rows[-1, 0] == table.space.encode({"x": 0.123})[0]
    below = _split(losses, study.directions, default_gamma(len(rows)))
    guess = study.trials[second.number].system_attrs["tpe:relative_params"]
    fresh = sampler._fit(
        table.space,
        np.vstack([rows[~below], table.space.encode(guess)]),
        np.append(numbers[~below], second.number),
    )
    points = np.random.default_rng(0).random((30, 1))
    np.testing.assert_allclose(table.above.estimator.log_pdf(points), fresh.log_pdf(points))


def test_consider_prior_is_deprecated_and_the_prior_kept() -> None:
    # As Optuna 5: consider_prior=False warns and changes nothing (it removed the prior).
    def proposals(**kwargs: object) -> list[float]:
        study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=5, **kwargs))
        study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=25)
        return [t.params["x"] for t in study.trials]

    with pytest.warns(FutureWarning, match="'consider_prior' is deprecated"):
        without = proposals(consider_prior=False)
    assert without == proposals()


@pytest.mark.parametrize(
    ("weights", "fragment"),
    [
        (lambda n: -np.ones(n), "finite values >= 0, not all zero"),
        (lambda n: np.zeros(n), "finite values >= 0, not all zero"),
        (lambda n: np.full(n, np.nan), "finite values >= 0, not all zero"),
        (lambda n: np.ones(max(n - 1, 0)), "gives .* values"),
    ],
)
def test_weights_that_are_not_allowed_are_refused_by_name(weights: object, fragment: str) -> None:
    study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=2, weights=weights))
    with pytest.raises(
        InvalidParameterError, match=f"'weights' parameter of TPESampler.*{fragment}"
    ):
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)


def test_weights_beyond_n_are_cut_off() -> None:
    # As Optuna: weights(n)[:n] (a shape mismatch before).
    sampler = TPESampler(seed=0, n_startup_trials=2, weights=lambda n: np.ones(n + 5))
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
    assert len(study.trials) == 8


@pytest.mark.parametrize("multivariate", [True, False])
def test_weights_are_asked_for_at_least_one_trial(multivariate: bool) -> None:
    asked: list[int] = []

    def mean(n: int) -> np.ndarray:  # as Optuna calls it: n >= 1
        asked.append(n)
        return np.full(n, 1.0 / n)

    sampler = TPESampler(seed=0, n_startup_trials=2, weights=mean, multivariate=multivariate)
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
    assert asked and min(asked) >= 1


def test_none_is_the_default_of_optunas_deprecated_arguments() -> None:
    # Optuna 5's signature defaults them to None: a config that passes None runs.
    def proposals(**kwargs: object) -> list[float]:
        study = fastune.create_study(sampler=TPESampler(seed=0, n_startup_trials=3, **kwargs))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=8)
        return [t.params["x"] for t in study.trials]

    nones = {
        "prior_weight": None,
        "consider_magic_clip": None,
        "consider_endpoints": None,
        "weights": None,
        "warn_independent_sampling": None,
    }
    assert proposals(**nones) == proposals()


def test_str_is_the_class_name() -> None:
    class MySampler(RandomSampler):
        pass

    assert str(TPESampler()) == "TPESampler" and f"{MySampler()}" == "MySampler"


def test_the_cut_front_is_chosen_as_optuna_chooses_it() -> None:
    # Optuna's reference point (1.1 times the worst loss) rather than a tenth of the
    # front's span beyond it: 266 of these 600 fronts were cut differently.
    hssp = pytest.importorskip("optuna._hypervolume.hssp")
    optuna_tpe = pytest.importorskip("optuna.samplers._tpe.sampler")
    from fastune.samplers._tpe import _hypervolume_subset

    rng = np.random.default_rng(0)
    for case in range(200):
        n, d = int(rng.integers(5, 30)), 2 + case % 2
        points = rng.random((n, d))
        points /= np.linalg.norm(points, axis=1, keepdims=True)  # one concave front
        points = points * rng.uniform(0.1, 10, size=d) + rng.uniform(-5, 5, size=d) * (case % 3)
        size = int(rng.integers(1, n))
        reference = optuna_tpe._get_reference_point(points)
        expected = hssp._solve_hssp(points, np.arange(n), size, reference)
        assert sorted(_hypervolume_subset(points, size)) == sorted(expected.tolist())


def test_kernel_weights_follow_trial_order_after_every_proposal() -> None:
    # Weights are set again only when kernels came or went (ParzenEstimator.set_weights);
    # after each proposal each side still weighs default_weights(n), oldest trial first.
    from fastune.samplers._tpe import default_weights

    sampler = TPESampler(seed=0, n_startup_trials=5)
    study = fastune.create_study(sampler=sampler)
    for _ in range(60):
        trial = study.ask()
        study.tell(trial, (trial.suggest_float("x", -3, 3) - 1) ** 2)
        for table in sampler._tables.values():
            for side in (table.below, table.above):
                estimator = side.estimator
                alive = np.flatnonzero(estimator._alive[: estimator._used])
                order = alive[np.argsort(estimator.keys[alive])]
                expected = default_weights(len(order))
                np.testing.assert_array_equal(estimator._raw_weights[order], expected)
