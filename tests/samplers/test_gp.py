from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy.stats import norm

import fastune
from fastune._space import SearchSpace
from fastune.distributions import FloatDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.samplers import GPSampler, RandomSampler
from fastune.samplers._gp import _log_h, _posterior


def quadratic(trial: fastune.Trial) -> float:
    return (trial.suggest_float("x", -3, 3) - 1.0) ** 2 + (trial.suggest_float("y", -3, 3)) ** 2


def test_gp_finds_a_smooth_minimum_with_few_trials() -> None:
    gp = fastune.create_study(sampler=GPSampler(seed=0, n_startup_trials=5))
    gp.optimize(quadratic, n_trials=20)
    random = fastune.create_study(sampler=RandomSampler(seed=0))
    random.optimize(quadratic, n_trials=20)
    assert gp.best_value < 0.05
    assert gp.best_value < random.best_value / 5


def test_categorical_and_int_parameters() -> None:
    def objective(trial: fastune.Trial) -> float:
        kind = trial.suggest_categorical("kind", ["bad", "good", "ugly"])
        n = trial.suggest_int("n", 0, 10)
        return (n - 7) ** 2 + (0.0 if kind == "good" else 5.0)

    study = fastune.create_study(sampler=GPSampler(seed=1, n_startup_trials=6))
    study.optimize(objective, n_trials=20)
    assert study.best_params == {"kind": "good", "n": 7}


def _two_objectives(trial: fastune.Trial) -> tuple[float, float]:
    """ZDT1 on 4 variables, the second objective negated (to maximize)."""
    x = [trial.suggest_float(f"x{i}", 0.0, 1.0) for i in range(4)]
    g = 1.0 + 3.0 * sum(x[1:])
    return x[0], -g * (1.0 - np.sqrt(x[0] / g))


def test_two_objectives_grow_the_front_by_expected_hypervolume() -> None:
    from fastune._pareto import hypervolume

    def volume(sampler: fastune.samplers.BaseSampler) -> float:
        study = fastune.create_study(directions=["minimize", "maximize"], sampler=sampler)
        study.optimize(_two_objectives, n_trials=24)
        front = np.array([[t.values[0], -t.values[1]] for t in study.best_trials])
        return hypervolume(front, np.array([1.1, 5.0]))

    gp = volume(GPSampler(seed=0, n_startup_trials=8))
    assert gp > volume(RandomSampler(seed=0)) + 0.3
    assert gp > 4.5  # the true front's volume is 5.5 - 2 / 3 = 4.83


def test_more_than_three_objectives_use_the_independent_sampler_and_say_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    study = fastune.create_study(
        directions=["minimize"] * 4, sampler=GPSampler(seed=0, n_startup_trials=0)
    )
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        study.optimize(lambda t: (t.suggest_float("x", 0, 1),) * 4, n_trials=6)
    finally:
        logger.removeHandler(caplog.handler)
    assert len(study.best_trials) >= 1
    warned = [r for r in caplog.records if "GPSampler models up to 3 objectives" in r.message]
    assert len(warned) == 1  # once, not at every trial


def test_log_expected_improvement_is_accurate_in_the_tail() -> None:
    z = np.array([-40.0, -10.0, -3.0, 0.0, 2.0])
    usual = z[z > -5]
    exact = np.log(usual * norm.cdf(usual) + norm.pdf(usual))
    np.testing.assert_allclose(_log_h(usual), exact, rtol=1e-9)
    # -10: phi(z) / z^2 is within 3 % of the exact value there
    tail = np.log(-10.0 * norm.cdf(-10.0) + norm.pdf(-10.0))
    assert _log_h(np.array([-10.0]))[0] == pytest.approx(tail, abs=0.03)
    assert np.all(np.isfinite(_log_h(z)))
    assert _log_h(np.array([-40.0]))[0] < _log_h(np.array([-10.0]))[0]


def test_bad_arguments() -> None:
    with pytest.raises(InvalidParameterError, match="'n_startup_trials' parameter of GPSampler"):
        GPSampler(n_startup_trials=-1)
    with pytest.raises(InvalidParameterTypeError, match="'independent_sampler'.*Got 'random'"):
        GPSampler(independent_sampler="random")  # type: ignore[arg-type]


def _two_proposals(seed: int, *, constant_liar: bool, prune_first: bool) -> float:
    """Distance between the points of two trials asked for one after the other, the
    first left running or pruned."""
    study = fastune.create_study(
        sampler=GPSampler(seed=seed, n_startup_trials=5, constant_liar=constant_liar)
    )
    study.optimize(quadratic, n_trials=15)
    points = []
    for _ in range(2):
        trial = study.ask()
        points.append([trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)])
        if prune_first:
            trial.report(1.0, step=1)
            study.tell(trial, state=fastune.trial.TrialState.PRUNED)
    return float(np.linalg.norm(np.subtract(*points)))


def test_running_trials_push_the_next_proposal_away() -> None:
    # Without the liar, the second trial sees the same model and often gets the very
    # same point; with it, the first trial's point counts as a bad one.
    alone = [_two_proposals(s, constant_liar=False, prune_first=False) for s in range(5)]
    assert min(alone) < 1e-3
    lied = [_two_proposals(s, constant_liar=True, prune_first=False) for s in range(5)]
    assert min(lied) > 0.03


def test_a_pruned_trial_moves_the_next_proposal_away() -> None:
    pruned = [_two_proposals(s, constant_liar=False, prune_first=True) for s in range(3)]
    assert min(pruned) > 0.03


def test_the_length_scale_prior_keeps_a_few_points_from_stretching_the_scales() -> None:
    # Eight points of a plane: the marginal likelihood alone runs the length scales to
    # their upper bound (20 cube widths); the prior (median 0.08 * sqrt(2) in the joint
    # kernel, 0.05 in the additive one) holds them.
    space = SearchSpace({"x": FloatDistribution(0, 1), "y": FloatDistribution(0, 1)})
    rows = np.random.default_rng(0).random((8, 2))
    model = GPSampler(seed=0)._fit(space, rows, rows[:, 0] + 0.5 * rows[:, 1], "plane")
    joint, additive = model.kernel_.k1.k1.k2, model.kernel_.k1.k2.k2
    assert np.all(joint.length_scale < 5.0)
    assert np.all(additive.length_scale < 5.0)


def _separable(rows: np.ndarray) -> np.ndarray:
    """A sum of one wavy function per column: Rastrigin-like, separable."""
    return (np.sin(12.0 * rows) + 4.0 * (rows - 0.3) ** 2).sum(axis=1)


def test_the_additive_kernel_learns_a_separable_function_from_few_points() -> None:
    # Five dimensions, 40 points: too few for a kernel over the whole space to resolve a
    # wave per axis, enough for one-dimensional functions that each see every point.
    space = SearchSpace({f"x{i}": FloatDistribution(0, 1) for i in range(5)})
    rng = np.random.default_rng(0)
    rows, held_out = rng.random((40, 5)), rng.random((500, 5))
    model = GPSampler(seed=0)._fit(space, rows, _separable(rows), "separable")
    joint_variance = model.kernel_.k1.k1.k1.constant_value
    additive_variance = model.kernel_.k1.k2.k1.constant_value
    assert additive_variance > 10 * joint_variance
    mean, _ = _posterior(model, space.one_hot(held_out))
    truth = _separable(held_out)
    assert np.corrcoef(mean, truth)[0, 1] > 0.9


def _constrained(trial: fastune.Trial) -> float:
    """Minimum (1, 1) broken by the constraint x + y <= 1: the best is (0.5, 0.5), 0.5."""
    x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
    trial.set_user_attr("c", x + y - 1.0)
    return (x - 1) ** 2 + (y - 1) ** 2


def test_constrained_expected_improvement_reaches_the_constrained_optimum() -> None:
    sampler = GPSampler(seed=0, n_startup_trials=5, constraints_func=lambda t: [t.user_attrs["c"]])
    study = fastune.create_study(sampler=sampler)
    study.optimize(_constrained, n_trials=30)
    assert all(t.constraints == {"0": t.user_attrs["c"]} for t in study.trials)  # kept
    assert study.best_value < 0.55  # counting infeasible trials as the worst: 1.4 here
    late = study.trials[5:]
    assert sum(t.user_attrs["c"] <= 0 for t in late) >= 0.8 * len(late)


_WIDE = FloatDistribution(-5, 5)


def _nothing_feasible_yet() -> fastune.Study:
    """A GP study of six complete trials of x^2, none feasible: feasible only for
    x >= 3.5."""
    study = fastune.create_study(sampler=GPSampler(seed=0, n_startup_trials=5))
    for x in (-4.0, -2.0, 0.0, 1.0, 2.0, -3.0):
        study.add_trial(
            fastune.create_trial(
                value=x * x, params={"x": x}, distributions={"x": _WIDE}, constraints={"c": 3.5 - x}
            )
        )
    return study


def test_without_a_feasible_trial_it_heads_where_feasibility_is_likely() -> None:
    study = _nothing_feasible_yet()
    proposals = []
    for _ in range(3):
        trial = study.ask({"x": _WIDE})
        proposals.append(trial.params["x"])
        study.tell(trial, trial.params["x"] ** 2)  # no constraint told: not modelled
    assert all(x > 2.5 for x in proposals)  # towards feasibility, not towards x = 0


def test_constraints_when_maximizing_with_infinite_values_and_running_trials() -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", -3, 3)
        trial.set_constraint("c", float("inf") if trial.number == 2 else x - 1.0)
        return x  # maximized under x <= 1: the best is 1

    study = fastune.create_study(
        direction="maximize", sampler=GPSampler(seed=0, n_startup_trials=5)
    )
    study.optimize(objective, n_trials=25)  # an infinite constraint value is no crash
    assert 0.95 < study.best_value <= 1.0
    # Infeasible everywhere seen so far: with the liar, workers asking at once spread out.
    study = _nothing_feasible_yet()
    asked = [study.ask({"x": _WIDE}).params["x"] for _ in range(4)]
    assert max(asked) - min(asked) > 0.5


def _mixed(trial: fastune.Trial) -> float:
    """Numeric terms plus a categorical one: "b" is worth 1.0 over the other choices."""
    x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
    n = trial.suggest_int("n", 0, 10)
    kind = trial.suggest_categorical("kind", ["a", "b", "c"])
    return (x - 1) ** 2 + y**2 + 0.1 * (n - 3) ** 2 + (0.0 if kind == "b" else 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_gp_settles_on_the_good_choice_of_a_categorical(seed: int) -> None:
    # With one-hot columns as short as numeric ones, each choice was a model of its
    # own: the numeric terms had to be learned three times and the best stayed above
    # 0.1 (or on a bad choice) after 30 trials.
    study = fastune.create_study(sampler=GPSampler(seed=seed, n_startup_trials=8))
    study.optimize(_mixed, n_trials=30)
    assert study.best_params["kind"] == "b"
    assert study.best_value < 0.05


def test_a_deterministic_objective_fixes_the_noise_at_a_tiny_value() -> None:
    # The flag used to cap a fitted noise term at 1e-4, a cap a smooth noiseless
    # function never reached, so it changed nothing; now the noise is not fitted at all.
    space = SearchSpace({"x": FloatDistribution(0, 1), "y": FloatDistribution(0, 1)})
    rows = np.random.default_rng(0).random((20, 2))
    values = np.sin(6 * rows[:, 0]) + rows[:, 1] ** 2
    sampler = GPSampler(seed=0, deterministic_objective=True)
    for _ in range(2):  # a fresh kernel, then the one kept from the first fit
        model = sampler._fit(space, rows, values, "sine")
        assert model.kernel_.k2.noise_level == 1e-6
        assert model.kernel_.k2.hyperparameter_noise_level.fixed


@pytest.mark.parametrize("seed", range(3))
def test_a_point_already_tried_is_not_proposed_again(seed: int) -> None:
    # A plateau with a narrow step up beside the enqueued point (as the accuracy of an SVC
    # over log C): a GP whose best expected improvement sits on the point already tried
    # proposed it again and again, and never found the step.
    def objective(trial: fastune.Trial) -> float:
        c = trial.suggest_float("log_c", -10, 10)
        return 0.99 if 1.2 < c < 1.5 else 0.98 if 0.6 < c < 2.0 else 0.9

    sampler = fastune.samplers.GPSampler(seed=seed)
    study = fastune.create_study(direction="maximize", sampler=sampler)
    study.enqueue_trial({"log_c": 1.0})
    study.optimize(objective, n_trials=40)
    xs = np.sort([t.params["log_c"] for t in study.trials if t.number > 0])
    assert np.diff(xs).min() >= 20 * 1e-3  # no two trials in one cell of 1e-3 of the range
    assert study.best_value == 0.99


@pytest.mark.parametrize("seed", range(2))
def test_an_int_and_a_choice_already_tried_are_not_proposed_again(seed: int) -> None:
    # Binned columns are compared by bin: rows apart within the bin of one int (and one
    # choice) are the same point, which the GP, stuck on a plateau, proposed 6 to 10
    # times in 40 trials when rows were compared as they are.
    def objective(trial: fastune.Trial) -> float:
        n = trial.suggest_int("n", 0, 200)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return 0.99 if 120 <= n <= 125 and kind == "b" else 0.98 if 90 <= n <= 130 else 0.9

    sampler = fastune.samplers.GPSampler(seed=seed)
    study = fastune.create_study(direction="maximize", sampler=sampler)
    study.enqueue_trial({"n": 100, "kind": "a"})
    study.optimize(objective, n_trials=40)
    points = [(t.params["n"], t.params["kind"]) for t in study.trials]
    assert len(set(points)) == len(points)


def test_a_one_input_model_has_no_additive_part() -> None:
    # With one column the additive kernel equals the joint one: two variances along a
    # ridge of equal likelihoods, which would make the fit depend on rounding.
    space = SearchSpace({"x": FloatDistribution(0, 1)})
    rows = np.random.default_rng(0).random((10, 1))
    model = GPSampler(seed=0)._fit(space, rows, np.sin(6 * rows[:, 0]), "line")
    assert "AdditiveMatern" not in repr(model.kernel_)
    assert model.kernel_.k1.k2.nu == 2.5  # signal variance * Matern 5/2, then the noise


def test_hyperparameters_are_re_tuned_when_the_rows_pass_a_multiple_of_five() -> None:
    # Past 50 rows the kernel is kept between tunings: a jump from 12 rows to 52 tunes
    # it (a multiple of 5 was passed), one more row does not.
    space = SearchSpace({"x": FloatDistribution(0, 1), "y": FloatDistribution(0, 1)})
    rows = np.random.default_rng(0).random((53, 2))
    values = np.sin(6 * rows[:, 0]) + rows[:, 1]
    sampler = GPSampler(seed=0)
    early = sampler._fit(space, rows[:12], values[:12], "jump")
    jumped = sampler._fit(space, rows[:52], values[:52], "jump")
    kept = sampler._fit(space, rows, values, "jump")
    assert jumped.kernel_.theta != pytest.approx(early.kernel_.theta)
    assert np.array_equal(kept.kernel_.theta, jumped.kernel_.theta)
