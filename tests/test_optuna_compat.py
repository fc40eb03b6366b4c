"""Optuna-style user programs, run unchanged on ``fastune`` imported as ``optuna``.

Each test body is a program written against Optuna's core API. The ``optuna`` fixture
runs it once on fastune and once on the real Optuna package, with the same assertions,
which shows that the program is genuine Optuna code and that fastune runs it alike.
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import fastune

LIBRARIES = ["fastune", "optuna"]


def _library(name: str) -> ModuleType:
    return fastune if name == "fastune" else pytest.importorskip("optuna")


@pytest.fixture(params=LIBRARIES)
def optuna(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """The library under test, under the name a user program gives it."""
    module = _library(request.param)
    previous = module.logging.get_verbosity()
    yield module
    module.logging.set_verbosity(previous)


def is_multiple(value: float, low: float, step: float) -> bool:
    ratio = (value - low) / step
    return math.isclose(ratio, round(ratio), abs_tol=1e-8)


# -- search spaces -----------------------------------------------------------------------


def test_suggest_api_and_conditional_space(optuna: ModuleType) -> None:
    def objective(trial):
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        dropout = trial.suggest_float("dropout", 0.0, 0.5, step=0.1)
        momentum = trial.suggest_float("momentum", 0.0, 1.0)
        n_units = trial.suggest_int("n_units", 4, 128, log=True)
        batch_size = trial.suggest_int("batch_size", 16, 128, step=16)
        n_epochs = trial.suggest_int("n_epochs", 1, 10)
        optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam", None])
        classifier = trial.suggest_categorical("classifier", ["svc", "forest"])
        if classifier == "svc":
            penalty = trial.suggest_float("svc_c", 1e-3, 1e3, log=True)
        else:
            penalty = trial.suggest_int("forest_depth", 2, 32)
        score = math.log10(lr) ** 2 + dropout + momentum + n_units / 128 + batch_size / 128
        return score + n_epochs + (optimizer is None) + math.log(penalty)

    sampler = optuna.samplers.RandomSampler(seed=1)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=40)

    trials = study.trials
    assert len(trials) == 40
    assert [t.number for t in trials] == list(range(40))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    for t in trials:
        p = t.params
        assert 1e-5 <= p["lr"] <= 1e-1
        assert 0.0 <= p["dropout"] <= 0.5
        assert is_multiple(p["dropout"], 0.0, 0.1)
        assert 0.0 <= p["momentum"] <= 1.0
        assert isinstance(p["n_units"], int)
        assert 4 <= p["n_units"] <= 128
        assert isinstance(p["batch_size"], int)
        assert 16 <= p["batch_size"] <= 128
        assert (p["batch_size"] - 16) % 16 == 0
        assert 1 <= p["n_epochs"] <= 10
        assert p["optimizer"] in ("sgd", "adam", None)
        if p["classifier"] == "svc":
            assert "forest_depth" not in p
            assert 1e-3 <= p["svc_c"] <= 1e3
        else:
            assert "svc_c" not in p
            assert 2 <= p["forest_depth"] <= 32
    assert {t.params["classifier"] for t in trials} == {"svc", "forest"}

    distributions = trials[0].distributions
    assert distributions["lr"] == optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True)
    assert distributions["dropout"] == optuna.distributions.FloatDistribution(0.0, 0.5, step=0.1)
    assert distributions["n_units"] == optuna.distributions.IntDistribution(4, 128, log=True)
    assert distributions["batch_size"] == optuna.distributions.IntDistribution(16, 128, step=16)
    assert distributions["optimizer"] == optuna.distributions.CategoricalDistribution(
        ["sgd", "adam", None]
    )

    best_value = min(t.value for t in trials)
    assert study.best_value == best_value
    assert study.best_trial.value == best_value
    assert study.best_params == study.best_trial.params
    assert trials[study.best_trial.number].value == best_value


def test_dynamic_number_of_layers(optuna: ModuleType) -> None:
    def objective(trial):
        n_layers = trial.suggest_int("n_layers", 1, 3)
        widths = [trial.suggest_int(f"n_units_l{i}", 4, 64, log=True) for i in range(n_layers)]
        assert trial.params["n_layers"] == n_layers
        return sum(widths) / n_layers

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    study.optimize(objective, n_trials=30)

    for t in study.trials:
        n_layers = t.params["n_layers"]
        assert set(t.params) == {"n_layers"} | {f"n_units_l{i}" for i in range(n_layers)}
        assert set(t.distributions) == set(t.params)
    assert {t.params["n_layers"] for t in study.trials} == {1, 2, 3}


def test_same_name_suggested_twice_returns_the_first_value(optuna: ModuleType) -> None:
    def objective(trial):
        first = trial.suggest_float("x", -1.0, 1.0)
        second = trial.suggest_float("x", -1.0, 1.0)
        assert first == second
        return first

    study = optuna.create_study()
    study.optimize(objective, n_trials=5)
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def test_same_name_with_another_kind_of_distribution_is_an_error(optuna: ModuleType) -> None:
    def objective(trial):
        trial.suggest_float("x", 0.0, 10.0)
        return trial.suggest_int("x", 0, 10)

    study = optuna.create_study()
    study.optimize(objective, n_trials=3, catch=(ValueError,))
    assert all(t.state == optuna.trial.TrialState.FAIL for t in study.trials)


# -- pruning -----------------------------------------------------------------------------


def test_report_and_should_prune_with_nop_pruner(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        for step in range(5):
            trial.report(x + step, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return x

    study = optuna.create_study(pruner=optuna.pruners.NopPruner())
    study.optimize(objective, n_trials=8)

    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    for t in study.trials:
        assert t.intermediate_values == {step: t.params["x"] + step for step in range(5)}
        assert t.last_step == 4


def test_custom_pruner_prunes_from_step_two(optuna: ModuleType) -> None:
    seen = []

    class PruneFromStepTwo(optuna.pruners.BasePruner):
        def prune(self, study, trial):
            seen.append(isinstance(trial, optuna.trial.FrozenTrial))
            step = trial.last_step
            return step is not None and step >= 2

    def objective(trial):
        n_epochs = trial.suggest_int("n_epochs", 1, 5)
        loss = 10.0
        for epoch in range(n_epochs):
            loss /= 2
            trial.report(loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    study = optuna.create_study(
        pruner=PruneFromStepTwo(), sampler=optuna.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=30)

    TrialState = optuna.trial.TrialState
    assert seen
    assert all(seen)
    for t in study.trials:
        if t.params["n_epochs"] <= 2:
            assert t.state == TrialState.COMPLETE
            assert t.value == 10.0 / 2 ** t.params["n_epochs"]
        else:
            assert t.state == TrialState.PRUNED
            assert sorted(t.intermediate_values) == [0, 1, 2]
            assert t.last_step == 2
    states = {t.state for t in study.trials}
    assert states == {TrialState.COMPLETE, TrialState.PRUNED}
    pruned = study.get_trials(deepcopy=False, states=(TrialState.PRUNED,))
    assert len(pruned) == sum(t.params["n_epochs"] > 2 for t in study.trials)
    complete_values = [t.value for t in study.trials if t.state == TrialState.COMPLETE]
    assert study.best_value == min(complete_values)


def test_pruned_trial_keeps_its_last_report_as_value(optuna: ModuleType) -> None:
    def objective(trial):
        trial.suggest_float("x", 0.0, 1.0)
        trial.report(0.75, 0)
        trial.report(0.5, 3)
        raise optuna.TrialPruned("not promising")

    study = optuna.create_study()
    study.optimize(objective, n_trials=2)

    for t in study.trials:
        assert t.state == optuna.trial.TrialState.PRUNED
        assert t.value == 0.5
        assert t.intermediate_values == {0: 0.75, 3: 0.5}


def test_pruned_without_report_has_no_value(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_int("x", 0, 9)
        if x % 2:
            raise optuna.exceptions.TrialPruned()
        return x

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=5))
    study.optimize(objective, n_trials=20)

    for t in study.trials:
        if t.params["x"] % 2:
            assert t.state == optuna.trial.TrialState.PRUNED
            assert t.value is None
        else:
            assert t.state == optuna.trial.TrialState.COMPLETE
            assert t.value == t.params["x"]
    assert optuna.TrialPruned is optuna.exceptions.TrialPruned


# -- ask and tell ------------------------------------------------------------------------


def test_ask_and_tell(optuna: ModuleType) -> None:
    TrialState = optuna.trial.TrialState
    study = optuna.create_study(direction="maximize")

    for _ in range(10):
        trial = study.ask()
        x = trial.suggest_float("x", -1.0, 1.0)
        frozen = study.tell(trial, -(x**2))
        assert frozen.state == TrialState.COMPLETE
        assert frozen.value == -(x**2)
        assert frozen.number == trial.number

    trial = study.ask()
    trial.suggest_float("x", -1.0, 1.0)
    assert study.trials[-1].state == TrialState.RUNNING
    assert study.tell(trial, state=TrialState.PRUNED).state == TrialState.PRUNED

    trial = study.ask()
    assert study.tell(trial, state=TrialState.FAIL).state == TrialState.FAIL

    trial = study.ask()
    x = trial.suggest_float("x", -1.0, 1.0)
    number = trial.number
    study.tell(number, 0.5)

    assert study.tell(number, 0.25, skip_if_finished=True).value == 0.5

    trial = study.ask({"y": optuna.distributions.IntDistribution(0, 3)})
    assert set(trial.params) == {"y"}
    study.tell(trial, float(trial.params["y"]))

    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE] * 10 + [
        TrialState.PRUNED,
        TrialState.FAIL,
        TrialState.COMPLETE,
        TrialState.COMPLETE,
    ]
    assert study.trials[12].params == {"x": x}
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert study.best_value == max(t.value for t in complete)


def test_ask_tell_with_pruning(optuna: ModuleType) -> None:
    class PruneAfterFirstStep(optuna.pruners.BasePruner):
        def prune(self, study, trial):
            return trial.last_step is not None and trial.last_step >= 1

    study = optuna.create_study(pruner=PruneAfterFirstStep())
    for _ in range(4):
        trial = study.ask()
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        pruned = False
        for step in range(3):
            trial.report(lr * step, step)
            if trial.should_prune():
                pruned = True
                break
        if pruned:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            study.tell(trial, lr)

    for t in study.trials:
        assert t.state == optuna.trial.TrialState.PRUNED
        assert t.last_step == 1


# -- enqueue_trial and add_trial ---------------------------------------------------------


def test_enqueue_trial_with_partial_params(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -10.0, 10.0)
        y = trial.suggest_int("y", 0, 10)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return x**2 + y + (kind == "b")

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial({"x": 0.5})
    study.enqueue_trial({"x": -2.0, "y": 3, "kind": "b"}, user_attrs={"source": "expert"})
    study.enqueue_trial({"x": -2.0, "y": 3, "kind": "b"}, skip_if_exists=True)
    study.optimize(objective, n_trials=5)

    first, second = study.trials[:2]
    assert first.params["x"] == 0.5
    assert 0 <= first.params["y"] <= 10
    assert first.params["kind"] in ("a", "b")
    assert second.params == {"x": -2.0, "y": 3, "kind": "b"}
    assert second.value == 4.0 + 3 + 1
    assert second.user_attrs == {"source": "expert"}
    assert len(study.trials) == 5
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def test_enqueue_trial_is_asked_first(optuna: ModuleType) -> None:
    study = optuna.create_study()
    study.enqueue_trial({"lr": 0.01, "layers": 2})
    trial = study.ask()
    assert trial.suggest_float("lr", 1e-4, 1.0, log=True) == 0.01
    assert trial.suggest_int("layers", 1, 4) == 2
    study.tell(trial, 1.0)
    assert study.best_params == {"lr": 0.01, "layers": 2}


def test_add_trial_with_create_trial(optuna: ModuleType) -> None:
    distributions = {
        "x": optuna.distributions.FloatDistribution(-10.0, 10.0),
        "y": optuna.distributions.IntDistribution(0, 10),
        "kind": optuna.distributions.CategoricalDistribution(["a", "b"]),
    }
    study = optuna.create_study()
    study.add_trial(
        optuna.trial.create_trial(
            params={"x": 2.0, "y": 1, "kind": "a"},
            distributions=distributions,
            value=5.0,
        )
    )
    study.add_trials(
        [
            optuna.trial.create_trial(
                params={"x": 1.0, "y": 0, "kind": "b"},
                distributions=distributions,
                value=2.0,
                user_attrs={"note": "warm start"},
            ),
            optuna.trial.create_trial(
                params={"x": 0.0, "y": 0, "kind": "a"},
                distributions=distributions,
                state=optuna.trial.TrialState.FAIL,
            ),
        ]
    )

    def objective(trial):
        x = trial.suggest_float("x", -10.0, 10.0)
        y = trial.suggest_int("y", 0, 10)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return x**2 + y + (kind == "b") + 10.0

    study.optimize(objective, n_trials=3)

    TrialState = optuna.trial.TrialState
    assert [t.number for t in study.trials] == [0, 1, 2, 3, 4, 5]
    assert [t.state for t in study.trials[:3]] == [
        TrialState.COMPLETE,
        TrialState.COMPLETE,
        TrialState.FAIL,
    ]
    assert study.trials[1].user_attrs == {"note": "warm start"}
    assert study.trials[0].distributions == distributions
    assert study.best_trial.number == 1
    assert study.best_value == 2.0
    assert study.best_params == {"x": 1.0, "y": 0, "kind": "b"}


def test_create_trial_rejects_param_outside_distribution(optuna: ModuleType) -> None:
    with pytest.raises(ValueError, match=r"20\.0"):
        optuna.trial.create_trial(
            params={"x": 20.0},
            distributions={"x": optuna.distributions.FloatDistribution(0.0, 1.0)},
            value=1.0,
        )


# -- callbacks ---------------------------------------------------------------------------


def test_callbacks_receive_finished_trial_and_can_stop(optuna: ModuleType) -> None:
    calls = []

    def record(study, trial):
        calls.append((study, trial.number, trial.state, trial.value, trial.params["x"]))

    def stop_after_three(study, trial):
        if trial.number >= 2:
            study.stop()

    def objective(trial):
        return trial.suggest_float("x", 0.0, 1.0) * 2

    study = optuna.create_study()
    study.optimize(objective, n_trials=100, callbacks=[record, stop_after_three])

    assert len(study.trials) == 3
    assert [number for _, number, *_ in calls] == [0, 1, 2]
    for called_study, _, state, value, x in calls:
        assert called_study is study
        assert state == optuna.trial.TrialState.COMPLETE
        assert value == x * 2

    # The study can run again after a stop.
    study.optimize(objective, n_trials=2)
    assert len(study.trials) == 5


def test_callback_sees_pruned_and_failed_trials(optuna: ModuleType) -> None:
    seen = []

    def objective(trial):
        n = trial.suggest_int("n", 0, 2)
        if n == 0:
            raise optuna.TrialPruned()
        if n == 1:
            raise ValueError("bad n")
        return n

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(
        objective,
        n_trials=20,
        catch=(ValueError,),
        callbacks=[lambda study, trial: seen.append((trial.params["n"], trial.state))],
    )

    TrialState = optuna.trial.TrialState
    expected = {0: TrialState.PRUNED, 1: TrialState.FAIL, 2: TrialState.COMPLETE}
    assert len(seen) == 20
    assert all(state == expected[n] for n, state in seen)


def test_max_trials_callback(optuna: ModuleType) -> None:
    TrialState = optuna.trial.TrialState

    def objective(trial):
        x = trial.suggest_int("x", 0, 3)
        if x == 0:
            raise optuna.TrialPruned()
        return x

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(
        objective,
        n_trials=200,
        callbacks=[optuna.study.MaxTrialsCallback(5, states=(TrialState.COMPLETE,))],
    )
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 5
    assert study.trials[-1].state == TrialState.COMPLETE

    study = optuna.create_study()
    study.optimize(objective, callbacks=[optuna.study.MaxTrialsCallback(7, states=None)])
    assert len(study.trials) == 7


# -- failures ----------------------------------------------------------------------------


def test_caught_exceptions_fail_the_trial_and_the_study_goes_on(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        if x < 0:
            raise ValueError("negative x")
        return x

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=2))
    study.optimize(objective, n_trials=20, catch=(ValueError,))

    TrialState = optuna.trial.TrialState
    assert len(study.trials) == 20
    for t in study.trials:
        if t.params["x"] < 0:
            assert t.state == TrialState.FAIL
            assert t.value is None
        else:
            assert t.state == TrialState.COMPLETE
    assert {t.state for t in study.trials} == {TrialState.FAIL, TrialState.COMPLETE}


def test_uncaught_exception_propagates_and_fails_the_trial(optuna: ModuleType) -> None:
    def objective(trial):
        trial.suggest_float("x", 0.0, 1.0)
        raise ZeroDivisionError("division by zero in the model")

    study = optuna.create_study()
    with pytest.raises(ZeroDivisionError, match="in the model"):
        study.optimize(objective, n_trials=10)

    assert len(study.trials) == 1
    assert study.trials[0].state == optuna.trial.TrialState.FAIL
    with pytest.raises(ValueError, match="No trials are completed yet"):
        _ = study.best_trial

    # An exception class not listed in catch still propagates.
    with pytest.raises(ZeroDivisionError):
        study.optimize(objective, n_trials=10, catch=(ValueError,))
    assert len(study.trials) == 2


def test_nan_or_none_return_fails_the_trial(optuna: ModuleType) -> None:
    def objective(trial):
        kind = trial.suggest_categorical("kind", ["nan", "none", "ok"])
        if kind == "nan":
            return float("nan")
        if kind == "none":
            return None
        return 1.0

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=15)

    TrialState = optuna.trial.TrialState
    assert len(study.trials) == 15
    for t in study.trials:
        ok = t.params["kind"] == "ok"
        assert t.state == (TrialState.COMPLETE if ok else TrialState.FAIL)


# -- several objectives ------------------------------------------------------------------


def test_multi_objective_pareto_front(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 5.0)
        y = trial.suggest_float("y", 0.0, 3.0)
        cost = 4 * x**2 + 4 * y**2
        accuracy = x + y - (x - 2.5) ** 2
        return cost, accuracy

    study = optuna.create_study(
        directions=["minimize", "maximize"], sampler=optuna.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=40)

    StudyDirection = optuna.study.StudyDirection
    assert study.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
    with pytest.raises(RuntimeError):
        _ = study.direction
    with pytest.raises(RuntimeError):
        _ = study.best_trial

    def dominates(a, b):
        no_worse = a.values[0] <= b.values[0] and a.values[1] >= b.values[1]
        better = a.values[0] < b.values[0] or a.values[1] > b.values[1]
        return no_worse and better

    front = study.best_trials
    complete = study.trials
    assert front
    assert all(len(t.values) == 2 for t in complete)
    front_numbers = {t.number for t in front}
    for t in front:
        assert not any(dominates(other, t) for other in complete)
    for t in complete:
        if t.number not in front_numbers:
            assert any(dominates(f, t) for f in front)


def test_multi_objective_ask_tell(optuna: ModuleType) -> None:
    study = optuna.create_study(directions=["minimize", "maximize"])
    trial = study.ask()
    x = trial.suggest_float("x", 0.0, 1.0)
    with pytest.raises(NotImplementedError):
        trial.report(x, 0)
    study.tell(trial, [x, 1 - x])

    trial = study.ask()
    study.tell(trial, [1.0, 2.0])

    assert study.trials[0].values == [x, 1 - x]
    assert study.trials[1].values == [1.0, 2.0]
    assert study.trials[1] in study.best_trials


# -- samplers ----------------------------------------------------------------------------


def test_random_sampler_seed_reproducibility(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -5.0, 5.0)
        lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
        n = trial.suggest_int("n", 1, 100, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b", "c"])
        return x**2 + lr + n + len(kind)

    def run(seed):
        study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
        study.optimize(objective, n_trials=15)
        return [t.params for t in study.trials]

    assert run(42) == run(42)
    assert run(42) != run(43)


@pytest.mark.filterwarnings("ignore:PartialFixedSampler is experimental")  # Optuna's warning
def test_partial_fixed_sampler(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_int("y", -10, 10)
        return x**2 + y**2

    tpe = optuna.samplers.TPESampler(seed=0)
    sampler = optuna.samplers.PartialFixedSampler(fixed_params={"y": 0}, base_sampler=tpe)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=20)
    assert all(t.params["y"] == 0 for t in study.trials)
    assert len({t.params["x"] for t in study.trials}) == 20


def test_nsga2_sampler_on_two_objectives(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 5.0)
        y = trial.suggest_float("y", 0.0, 3.0)
        return 4 * x**2 + 4 * y**2, (x - 5) ** 2 + (y - 5) ** 2

    sampler = optuna.samplers.NSGAIISampler(population_size=10, seed=0)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=40)
    assert len(study.trials) == 40
    front = study.best_trials
    assert front and all(t.state == optuna.trial.TrialState.COMPLETE for t in front)


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_nsga2_with_a_users_strategies(optuna: ModuleType) -> None:
    finished: list[int] = []

    def best_half(study, population):
        return sorted(population, key=lambda t: t.values[0])[:4]

    def near_the_best_parent(study, search_space, parents):
        best = min(parents, key=lambda t: t.values[0])
        return {"x": min(5.0, best.params["x"] * 1.01)}

    def count(study, trial, state, values):
        finished.append(trial.number)

    sampler = optuna.samplers.NSGAIISampler(
        population_size=4,
        seed=0,
        elite_population_selection_strategy=best_half,
        child_generation_strategy=near_the_best_parent,
        after_trial_strategy=count,
    )
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(
        lambda t: (t.suggest_float("x", 0.0, 5.0), t.suggest_float("y", 0.0, 1.0)), n_trials=12
    )
    assert finished == list(range(12))
    first_best = min(t.params["x"] for t in study.trials[:4])
    assert study.trials[4].params["x"] == pytest.approx(first_best * 1.01)


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
@pytest.mark.parametrize(
    "crossover",
    ["SBXCrossover", "VSBXCrossover", "BLXAlphaCrossover", "SPXCrossover", "UNDXCrossover"],
)
def test_nsga2_with_optunas_crossovers_and_polynomial_mutation(
    optuna: ModuleType, crossover: str
) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 5.0)
        n = trial.suggest_int("n", 1, 100, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return 4 * x**2 + n + (kind == "b"), (x - 5) ** 2 + 100 / n

    nsgaii = optuna.samplers.nsgaii
    sampler = optuna.samplers.NSGAIISampler(
        population_size=10,
        seed=0,
        crossover=getattr(nsgaii, crossover)(),
        mutation=nsgaii.PolynomialMutation(eta=20.0),
        mutation_prob=0.1,
    )
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=40)
    for trial in study.trials:
        assert 0.0 <= trial.params["x"] <= 5.0 and 1 <= trial.params["n"] <= 100
        assert isinstance(trial.params["n"], int) and trial.params["kind"] in ("a", "b")
    # Children's x are bred: most are values no trial of generation 0 had.
    first = {t.params["x"] for t in study.trials[:10]}
    assert sum(t.params["x"] not in first for t in study.trials[10:]) > 10


@pytest.mark.filterwarnings(
    "ignore:.* experimental", "ignore:`constraints_func` has been deprecated"
)
def test_gp_sampler_with_constraints_func(optuna: ModuleType) -> None:
    def objective(trial):
        x, y = trial.suggest_float("x", -3, 3), trial.suggest_float("y", -3, 3)
        trial.set_user_attr("c", x + y - 1.0)  # feasible when x + y <= 1
        return (x - 1) ** 2 + (y - 1) ** 2

    sampler = optuna.samplers.GPSampler(
        seed=0, n_startup_trials=5, constraints_func=lambda t: [t.user_attrs["c"]]
    )
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=20)
    assert study.best_trial.user_attrs["c"] <= 0 and study.best_value < 0.6  # best: 0.5


@pytest.mark.filterwarnings("ignore:.* experimental")
def test_gp_sampler_on_two_objectives_with_a_constraint(optuna: ModuleType) -> None:
    import numpy as np

    from fastune._pareto import hypervolume

    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        trial.set_constraint("x_at_most_0.8", x - 0.8)
        return x, (1.0 - x) ** 2 + y

    sampler = optuna.samplers.GPSampler(seed=0, n_startup_trials=8)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=20)
    front = study.best_trials
    assert front and all(t.params["x"] <= 0.8 for t in front)  # the feasible front
    volume = hypervolume(np.array([t.values for t in front]), np.array([1.0, 1.0]))
    assert volume > 0.55  # the feasible front's volume: 0.8 - 0.992 / 3 + 0.192 = 0.661


@pytest.mark.filterwarnings("ignore:NSGAIIISampler is experimental")  # Optuna's warning
def test_nsga3_sampler_on_three_objectives(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        y = trial.suggest_float("y", 0.0, 1.0)
        return x, y, (1 - x) ** 2 + (1 - y) ** 2

    sampler = optuna.samplers.NSGAIIISampler(population_size=12, seed=0, dividing_parameter=4)
    study = optuna.create_study(directions=["minimize"] * 3, sampler=sampler)
    study.optimize(objective, n_trials=60)
    assert len(study.trials) == 60
    front = study.best_trials
    assert len(front) >= 10 and all(len(t.values) == 3 for t in front)


@pytest.mark.filterwarnings("ignore:BruteForceSampler is experimental")  # Optuna's warning
def test_brute_force_sampler_tries_a_conditional_space_once(optuna: ModuleType) -> None:
    def objective(trial):
        c = trial.suggest_categorical("c", ["float", "int"])
        if c == "float":
            return trial.suggest_float("x", 1, 3, step=0.5)
        a = trial.suggest_int("a", 1, 3)
        b = trial.suggest_int("b", a, 3)
        return a + b

    study = optuna.create_study(sampler=optuna.samplers.BruteForceSampler(seed=0))
    study.optimize(objective)
    combinations = {tuple(sorted(t.params.items())) for t in study.trials}
    assert len(study.trials) == len(combinations) == 11


def test_grid_sampler_visits_every_point_once(optuna: ModuleType) -> None:
    search_space = {"x": [-1, 0, 1], "kind": ["a", "b"]}

    def objective(trial):
        x = trial.suggest_int("x", -1, 1)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return x**2 + (kind == "b")

    study = optuna.create_study(sampler=optuna.samplers.GridSampler(search_space))
    study.optimize(objective, n_trials=100)

    visited = [(t.params["x"], t.params["kind"]) for t in study.trials]
    assert len(visited) == 6
    assert sorted(visited) == sorted(itertools.product([-1, 0, 1], ["a", "b"]))
    assert study.best_params == {"x": 0, "kind": "a"}

    study = optuna.create_study(sampler=optuna.samplers.GridSampler({"lr": [0.1, 0.01]}))
    study.optimize(lambda trial: trial.suggest_float("lr", 1e-3, 1.0, log=True))
    assert sorted(t.params["lr"] for t in study.trials) == [0.01, 0.1]


# -- study records -----------------------------------------------------------------------


def test_trials_dataframe(optuna: ModuleType) -> None:
    pytest.importorskip("pandas")

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        trial.set_user_attr("double", 2 * x)
        return x**2

    study = optuna.create_study()
    study.optimize(objective, n_trials=6)
    df = study.trials_dataframe()

    assert len(df) == 6
    for column in ("number", "value", "params_x", "state", "user_attrs_double"):
        assert column in df.columns
    assert list(df["number"]) == list(range(6))
    assert list(df["state"]) == ["COMPLETE"] * 6
    assert list(df["value"]) == [t.value for t in study.trials]
    assert list(df["params_x"]) == [t.params["x"] for t in study.trials]

    df = study.trials_dataframe(attrs=("number", "value", "params", "state"))
    assert list(df.columns) == ["number", "value", "params_x", "state"]


def test_user_attrs(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_user_attr("accuracy", 1 - x)
        trial.set_user_attr("tags", ["fast", "small"])
        return x

    study = optuna.create_study()
    study.set_user_attr("dataset", "mnist")
    study.set_user_attr("contributors", ["alice", "bob"])
    study.optimize(objective, n_trials=4)

    assert study.user_attrs == {"dataset": "mnist", "contributors": ["alice", "bob"]}
    for t in study.trials:
        assert t.user_attrs == {"accuracy": 1 - t.params["x"], "tags": ["fast", "small"]}
    assert study.best_trial.user_attrs["accuracy"] == 1 - study.best_value


def test_fixed_trial(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -10.0, 10.0)
        n = trial.suggest_int("n", 1, 5)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        trial.report(x, 0)
        if trial.should_prune():
            raise optuna.TrialPruned()
        trial.set_user_attr("seen", True)
        return (x - 2) ** 2 + n + (kind == "b")

    assert objective(optuna.trial.FixedTrial({"x": 2.0, "n": 3, "kind": "b"})) == 4.0
    trial = optuna.trial.FixedTrial({"x": 0.0, "n": 1, "kind": "a"}, number=7)
    assert objective(trial) == 5.0
    assert trial.number == 7
    assert trial.params == {"x": 0.0, "n": 1, "kind": "a"}
    assert trial.user_attrs == {"seen": True}
    with pytest.raises(ValueError, match="'n'"):
        objective(optuna.trial.FixedTrial({"x": 1.0}))


def test_best_trial_direction_and_logging(optuna: ModuleType) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    assert optuna.logging.get_verbosity() == optuna.logging.WARNING

    def objective(trial):
        x = trial.suggest_float("x", -3.0, 3.0)
        return -((x - 1) ** 2)

    study = optuna.create_study(direction="maximize")
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    assert study.directions == [optuna.study.StudyDirection.MAXIMIZE]
    study.optimize(objective, n_trials=25)

    best = max(study.trials, key=lambda t: t.value)
    assert study.best_trial.number == best.number
    assert study.best_value == best.value
    assert study.best_params == {"x": best.params["x"]}
    assert isinstance(study.best_trial, optuna.trial.FrozenTrial)
    assert study.best_trial.duration is not None
    assert study.best_trial.datetime_complete >= study.best_trial.datetime_start

    study = optuna.create_study(direction=optuna.study.StudyDirection.MINIMIZE)
    assert study.direction == optuna.study.StudyDirection.MINIMIZE
    assert optuna.create_study().direction == optuna.study.StudyDirection.MINIMIZE


# Optuna marks heartbeats and the callback experimental: its warnings, not the program's.
@pytest.mark.filterwarnings("ignore:.* experimental")
def test_rdb_storage_with_heartbeats_and_retries(optuna: ModuleType, tmp_path) -> None:  # type: ignore[no-untyped-def]
    storage = optuna.storages.RDBStorage(
        url=f"sqlite:///{tmp_path / 'optuna.db'}",
        engine_kwargs={"connect_args": {"timeout": 20}},
        heartbeat_interval=60,
        grace_period=120,
        heartbeat_stale_trial_callback=optuna.storages.RetryHeartbeatStaleTrialCallback(3),
    )
    study = optuna.create_study(study_name="rdb", storage=storage)
    study.optimize(lambda trial: trial.suggest_float("x", -1.0, 1.0) ** 2, n_trials=5)
    loaded = optuna.load_study(study_name="rdb", storage=f"sqlite:///{tmp_path / 'optuna.db'}")
    assert [t.value for t in loaded.trials] == [t.value for t in study.trials]
    assert isinstance(storage, optuna.storages.RDBStorage)


def test_journal_storage_on_a_file(optuna: ModuleType, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "journal.log")
    backend = optuna.storages.journal.JournalFileBackend(
        path, lock_obj=optuna.storages.journal.JournalFileOpenLock(path)
    )
    storage = optuna.storages.JournalStorage(backend)
    study = optuna.create_study(study_name="journal", storage=storage, direction="maximize")
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda trial: -((trial.suggest_float("x", -1.0, 1.0) - 0.5) ** 2), n_trials=5)
    study.set_user_attr("owner", "me")
    again = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(path))
    loaded = optuna.load_study(study_name="journal", storage=again)
    assert [t.value for t in loaded.trials] == [t.value for t in study.trials]
    assert loaded.best_params == {"x": 0.5} and loaded.user_attrs == {"owner": "me"}
    with pytest.warns(FutureWarning):
        old = optuna.storages.JournalFileStorage(path)  # the name before Optuna 4
    assert optuna.get_all_study_names(storage=optuna.storages.JournalStorage(old)) == ["journal"]


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_artifacts_on_the_file_system(optuna: ModuleType, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "artifacts").mkdir()  # Optuna's store wants it made
    store = optuna.artifacts.FileSystemArtifactStore(str(tmp_path / "artifacts"))

    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        path = tmp_path / f"model-{trial.number}.json"
        path.write_text(str(x))
        optuna.artifacts.upload_artifact(
            artifact_store=store, file_path=str(path), study_or_trial=trial
        )
        return x * x

    study = optuna.create_study()
    study.optimize(objective, n_trials=3)
    best = study.best_trial
    (meta,) = optuna.artifacts.get_all_artifact_meta(best, storage=study._storage)
    assert meta.filename == f"model-{best.number}.json" and meta.mimetype == "application/json"
    target = tmp_path / "best.json"
    optuna.artifacts.download_artifact(
        artifact_store=store, file_path=str(target), artifact_id=meta.artifact_id
    )
    assert float(target.read_text()) == best.params["x"]


def test_named_studies_in_memory_storage(optuna: ModuleType) -> None:
    def objective(trial):
        return trial.suggest_float("x", -1.0, 1.0) ** 2

    study = optuna.create_study(study_name="no-storage", storage=None)
    assert study.study_name == "no-storage"

    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(study_name="mnist-mlp", storage=storage)
    study.optimize(objective, n_trials=5)
    other = optuna.create_study(study_name="cifar-cnn", storage=storage, direction="maximize")
    other.optimize(objective, n_trials=2)
    assert sorted(optuna.get_all_study_names(storage)) == ["cifar-cnn", "mnist-mlp"]

    loaded = optuna.load_study(study_name="mnist-mlp", storage=storage)
    assert loaded.study_name == "mnist-mlp"
    assert len(loaded.trials) == 5
    assert loaded.best_value == study.best_value
    assert loaded.best_params == study.best_params
    loaded.optimize(objective, n_trials=3)
    assert len(study.trials) == 8

    with pytest.raises(optuna.exceptions.DuplicatedStudyError):
        optuna.create_study(study_name="mnist-mlp", storage=storage)
    again = optuna.create_study(study_name="mnist-mlp", storage=storage, load_if_exists=True)
    assert len(again.trials) == 8

    optuna.delete_study(study_name="mnist-mlp", storage=storage)
    assert optuna.get_all_study_names(storage) == ["cifar-cnn"]
    with pytest.raises(KeyError):
        optuna.load_study(study_name="mnist-mlp", storage=storage)
    assert optuna.load_study(study_name=None, storage=storage).study_name == "cifar-cnn"


def test_parallel_threads(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", -1.0, 1.0)
        return x**2

    study = optuna.create_study()
    study.optimize(objective, n_trials=20, n_jobs=2)

    assert sorted(t.number for t in study.trials) == list(range(20))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


def test_timeout(optuna: ModuleType) -> None:
    def objective(trial):
        return trial.suggest_float("x", -1.0, 1.0)

    study = optuna.create_study()
    study.optimize(objective, timeout=0.2)
    assert len(study.trials) >= 1
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


# -- deliberate differences --------------------------------------------------------------
# fastune raises where Optuna warns and adjusts the user's input: a name suggested again
# with another range in one trial. A float step that does not divide high - low is fitted
# as Optuna fits it (tutorial ranges such as (50, 1000, step=100) must run).


def suggest_with_uneven_step(trial):
    return trial.suggest_float("x", 0.0, 1.0, step=0.3)


def suggest_same_name_with_another_range(trial):
    first = trial.suggest_float("x", 0.0, 1.0)
    second = trial.suggest_float("x", 0.0, 2.0)
    return first, second


def test_fastune_adjusts_uneven_step_but_raises_on_redefined_range() -> None:
    study = fastune.create_study()
    with pytest.warns(UserWarning, match="does not divide"):
        value = suggest_with_uneven_step(study.ask())
    assert value in (0.0, 0.3, 0.6, 0.9)
    with pytest.raises(ValueError, match="same distribution"):
        suggest_same_name_with_another_range(study.ask())


def test_optuna_adjusts_uneven_step_and_redefined_range() -> None:
    optuna = pytest.importorskip("optuna")
    study = optuna.create_study()
    with pytest.warns(UserWarning, match="not divisible"):
        value = suggest_with_uneven_step(study.ask())
    assert 0.0 <= value <= 0.9
    with pytest.warns(RuntimeWarning, match="Inconsistent parameter values"):
        first, second = suggest_same_name_with_another_range(study.ask())
    assert first == second


# Assumed deliberate as well (same policy; to confirm): fastune raises where Optuna warns or
# truncates and goes on: a non-integer bound of suggest_int, a FixedTrial value outside the
# suggested range, and a GridSampler value outside the suggested range.


def suggest_int_with_half_bound(trial):
    n_features = 9
    return trial.suggest_int("max_features", 1, n_features / 2)


def suggest_outside_the_given_value(trial):
    return trial.suggest_float("x", 0.0, 2.0)


def test_fastune_raises_on_values_outside_the_suggested_range() -> None:
    with pytest.raises(TypeError, match="high"):
        suggest_int_with_half_bound(fastune.create_study().ask())
    with pytest.raises(ValueError, match="FixedTrial"):
        suggest_outside_the_given_value(fastune.trial.FixedTrial({"x": 5.0}))
    study = fastune.create_study(sampler=fastune.samplers.GridSampler({"x": [5.0]}))
    with pytest.raises(ValueError, match="GridSampler"):
        study.optimize(suggest_outside_the_given_value)


def test_optuna_truncates_or_warns_on_values_outside_the_suggested_range() -> None:
    optuna = pytest.importorskip("optuna")
    assert 1 <= suggest_int_with_half_bound(optuna.create_study().ask()) <= 4
    with pytest.warns(UserWarning, match="out of the range"):
        assert suggest_outside_the_given_value(optuna.trial.FixedTrial({"x": 5.0})) == 5.0
    study = optuna.create_study(sampler=optuna.samplers.GridSampler({"x": [5.0]}))
    with pytest.warns(UserWarning, match="out of range"):
        study.optimize(suggest_outside_the_given_value)
    assert study.trials[0].params == {"x": 5.0}


# -- known gaps: Optuna programs that fastune does not run alike yet ---------------------


def test_tell_on_a_finished_trial_raises_value_error(optuna: ModuleType) -> None:
    study = optuna.create_study()
    trial = study.ask()
    study.tell(trial, 1.0)
    try:
        study.tell(trial, 2.0)
    except ValueError:
        told_twice = False
    else:
        told_twice = True
    assert not told_twice
    assert study.trials[0].value == 1.0


def test_tell_on_an_unknown_trial_number_raises_value_error(optuna: ModuleType) -> None:
    study = optuna.create_study()
    with pytest.raises(ValueError, match=r"\b3\b"):
        study.tell(3, 1.0)


def test_tell_on_a_waiting_trial_raises_value_error(optuna: ModuleType) -> None:
    study = optuna.create_study()
    study.enqueue_trial({"x": 0.5})
    with pytest.raises(ValueError, match="(?i)waiting"):
        study.tell(0, 1.0)
    assert study.trials[0].state == optuna.trial.TrialState.WAITING


def test_report_a_zero_dimensional_array(optuna: ModuleType) -> None:
    import numpy as np

    def objective(trial):
        weight = trial.suggest_float("weight", 0.0, 1.0)
        for epoch in range(3):
            loss = np.asarray(weight / (epoch + 1))  # e.g. a tensor or 0-d array metric
            trial.report(loss, epoch)
        return float(loss)

    study = optuna.create_study()
    study.optimize(objective, n_trials=2)
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    assert all(len(t.intermediate_values) == 3 for t in study.trials)


@pytest.mark.filterwarnings("ignore:WilcoxonPruner is experimental")  # Optuna's warning
def test_wilcoxon_pruner_on_instances(optuna: ModuleType) -> None:
    difficulty = [9.0, 5.0, 8.0, 6.0, 7.0, 3.0, 4.0, 1.0, 2.0, 0.0]
    offsets = iter([0.0, 1.0, -1.0, 2.0])

    def objective(trial):
        trial.suggest_float("x", 0.0, 1.0)
        offset = next(offsets)
        total = 0.0
        for instance, hardness in enumerate(difficulty):
            total += hardness + offset
            trial.report(hardness + offset, instance)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return total / len(difficulty)

    study = optuna.create_study(pruner=optuna.pruners.WilcoxonPruner(p_threshold=0.1))
    study.optimize(objective, n_trials=4)
    states = [t.state.name for t in study.trials]
    assert states == ["COMPLETE", "PRUNED", "COMPLETE", "PRUNED"]
    assert len(study.trials[1].intermediate_values) == 4  # p = 1/16 after four instances


def test_default_pruner_prunes_trials_worse_than_the_median(optuna: ModuleType) -> None:
    def objective(trial):
        loss = float(trial.number)  # every later trial is worse than the earlier ones
        for step in range(3):
            trial.report(loss, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    study = optuna.create_study()
    study.optimize(objective, n_trials=8)
    pruned = study.get_trials(states=(optuna.trial.TrialState.PRUNED,))
    assert [t.number for t in pruned] == [5, 6, 7]


def test_exception_names_used_by_user_code(optuna: ModuleType) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    storage = optuna.storages.InMemoryStorage()
    optuna.create_study(study_name="a", storage=storage)
    try:
        optuna.create_study(study_name="a", storage=storage)
    except optuna.exceptions.OptunaError:
        duplicated = True
    assert duplicated


def test_top_level_create_trial(optuna: ModuleType) -> None:
    study = optuna.create_study()
    study.add_trial(
        optuna.create_trial(
            params={"x": 0.5},
            distributions={"x": optuna.distributions.FloatDistribution(0.0, 1.0)},
            value=0.25,
        )
    )
    assert study.best_params == {"x": 0.5}


def test_get_all_study_summaries(optuna: ModuleType) -> None:
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(study_name="summary", storage=storage)
    study.optimize(lambda trial: trial.suggest_float("x", 0.0, 1.0), n_trials=3)

    (summary,) = optuna.get_all_study_summaries(storage)
    assert summary.study_name == "summary"
    assert summary.n_trials == 3
    assert summary.best_trial.value == study.best_value
    assert summary.direction == optuna.study.StudyDirection.MINIMIZE


def test_copy_study(optuna: ModuleType) -> None:
    source = optuna.storages.InMemoryStorage()
    study = optuna.create_study(study_name="source", storage=source)
    study.optimize(lambda trial: trial.suggest_float("x", 0.0, 1.0), n_trials=3)

    target = optuna.storages.InMemoryStorage()
    optuna.copy_study(from_study_name="source", from_storage=source, to_storage=target)
    copied = optuna.load_study(study_name="source", storage=target)
    assert [t.params for t in copied.trials] == [t.params for t in study.trials]


def test_metric_names(optuna: ModuleType) -> None:
    study = optuna.create_study(directions=["minimize", "maximize"])
    assert study.metric_names is None


def test_trial_constraints(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        trial.set_constraint("x_below_half", x - 0.5)
        return -x  # best at x = 1, feasible only up to 0.5

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=20)
    for t in study.trials:
        assert t.constraints == {"x_below_half": t.params["x"] - 0.5}
    feasible = [t for t in study.trials if t.params["x"] <= 0.5]
    assert study.best_trial.number == min(feasible, key=lambda t: t.value).number
    assert study.best_value == min(t.value for t in feasible)


def test_intersection_search_space(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number % 2:
            trial.suggest_int("n", 1, 3)
        return x

    study = optuna.create_study()
    study.optimize(objective, n_trials=4)
    space = optuna.search_space.intersection_search_space(study.trials)
    assert space == {"x": optuna.distributions.FloatDistribution(0.0, 1.0)}
    incremental = optuna.search_space.IntersectionSearchSpace()
    assert incremental.calculate(study) == space


def test_distribution_json_round_trip(optuna: ModuleType) -> None:
    distribution = optuna.distributions.IntDistribution(1, 64, log=True)
    text = optuna.distributions.distribution_to_json(distribution)
    assert optuna.distributions.json_to_distribution(text) == distribution


def test_check_distribution_compatibility(optuna: ModuleType) -> None:
    distributions = optuna.distributions
    distributions.check_distribution_compatibility(
        distributions.FloatDistribution(0.0, 1.0), distributions.FloatDistribution(0.0, 2.0)
    )
    with pytest.raises(ValueError, match="(?i)distribution"):
        distributions.check_distribution_compatibility(
            distributions.FloatDistribution(0.0, 1.0), distributions.IntDistribution(0, 1)
        )


def test_deprecated_suggest_methods(optuna: ModuleType) -> None:
    import warnings

    def objective(trial):
        x = trial.suggest_uniform("x", -1.0, 1.0)
        lr = trial.suggest_loguniform("lr", 1e-4, 1e-1)
        dropout = trial.suggest_discrete_uniform("dropout", 0.0, 0.5, 0.1)
        return x + lr + dropout

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        study = optuna.create_study()
        study.optimize(objective, n_trials=2)
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_names_from_before_optuna_3_and_small_helpers(optuna: ModuleType) -> None:
    import logging
    import warnings

    with pytest.warns(FutureWarning):
        uniform = optuna.distributions.UniformDistribution(0.0, 1.0)
    with pytest.warns(FutureWarning):
        log_int = optuna.distributions.IntLogUniformDistribution(1, 64)
    with pytest.warns(FutureWarning):
        stepped = optuna.distributions.DiscreteUniformDistribution(0.0, 1.0, 0.25)
    study = optuna.create_study()
    with warnings.catch_warnings():  # Optuna warns again as it converts them
        warnings.simplefilter("ignore", FutureWarning)
        trial = optuna.trial.create_trial(
            params={"x": 0.5, "n": 8, "s": 0.75},
            distributions={"x": uniform, "n": log_int, "s": stepped},
            value=1.0,
        )
        study.add_trial(trial)
    assert study.trials[0].params == {"x": 0.5, "n": 8, "s": 0.75}
    assert isinstance(uniform, optuna.distributions.FloatDistribution) and log_int.log
    assert issubclass(optuna.exceptions.CLIUsageError, optuna.exceptions.OptunaError)
    assert isinstance(optuna.logging.create_default_formatter(), logging.Formatter)
    assert optuna.visualization.matplotlib.is_available() is True  # matplotlib installed
    sampler = optuna.samplers.QMCSampler(
        seed=0, warn_asynchronous_seeding=False, warn_independent_sampling=False
    )
    optuna.create_study(sampler=sampler).optimize(lambda t: t.suggest_float("x", 0, 1), 3)


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_hypervolume_history_plot(optuna: ModuleType) -> None:
    study = optuna.create_study(directions=["minimize", "maximize"])
    for first, second in [(1.0, 1.0), (2.0, 3.0), (3.0, 2.0), (0.5, 0.5)]:
        study.add_trial(
            optuna.trial.create_trial(
                params={"x": first / 4},
                distributions={"x": optuna.distributions.FloatDistribution(0, 1)},
                values=[first, second],
            )
        )
    ax = optuna.visualization.matplotlib.plot_hypervolume_history(study, [4.0, 0.0])
    assert [float(v) for v in ax.lines[0].get_ydata()] == [3.0, 7.0, 7.0, 7.25]


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_cma_es_warm_started_from_source_trials(optuna: ModuleType) -> None:
    def sphere(centre):
        def objective(trial):
            return sum((trial.suggest_float(f"x{i}", -5, 5) - c) ** 2 for i, c in enumerate(centre))

        return objective

    source = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    source.optimize(sphere([2.0, -3.0, 1.0]), n_trials=60)
    sampler = optuna.samplers.CmaEsSampler(seed=0, source_trials=source.trials, with_margin=False)
    study = optuna.create_study(sampler=sampler)
    study.optimize(sphere([2.2, -2.8, 1.1]), n_trials=20)
    assert study.best_value < 3.0  # a cold start from the centre: about 14 at trial 1


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_cma_es_with_margin_on_ints_and_steps(optuna: ModuleType) -> None:
    def objective(trial):
        n = trial.suggest_int("n", -5, 5)
        q = trial.suggest_float("q", 0.0, 2.0, step=0.5)
        return (n - 2) ** 2 + (q - 1.5) ** 2 + trial.suggest_float("x", -1, 1) ** 2

    sampler = optuna.samplers.CmaEsSampler(seed=0, with_margin=True)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=80)
    assert all(isinstance(t.params["n"], int) for t in study.trials)
    assert {t.params["q"] for t in study.trials} <= {0.0, 0.5, 1.0, 1.5, 2.0}
    assert study.best_params["n"] == 2 and study.best_params["q"] == 1.5


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_ped_anova_importances(optuna: ModuleType) -> None:
    def objective(trial):
        return trial.suggest_float("x1", -10, 10) + trial.suggest_float("x2", -10, 10) / 1000

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=100)
    evaluator = optuna.importance.PedAnovaImportanceEvaluator(target_quantile=0.1)
    importances = optuna.importance.get_param_importances(study, evaluator=evaluator)
    assert list(importances) == ["x1", "x2"] and importances["x1"] > 0.9


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_a_genetic_sampler_written_on_base_ga_sampler(optuna: ModuleType) -> None:
    class Copycat(optuna.samplers.BaseGASampler):
        def select_parent(self, study, generation):
            return sorted(self.get_population(study, generation - 1), key=lambda t: t.value)[:2]

        def before_trial(self, study, trial):
            self.get_trial_generation(study, trial)

        def infer_relative_search_space(self, study, trial):
            return {}

        def sample_relative(self, study, trial, search_space):
            return {}

        def sample_independent(self, study, trial, name, distribution):
            parents = self.get_parent_population(study, self.get_trial_generation(study, trial))
            if parents:
                return parents[trial.number % 2].params[name]
            return optuna.samplers.RandomSampler(seed=trial.number).sample_independent(
                study, trial, name, distribution
            )

    sampler = Copycat(population_size=3)
    study = optuna.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=9)
    key = "Copycat:generation"
    assert [t.system_attrs[key] for t in study.trials] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    best_two = sorted(study.trials[:3], key=lambda t: t.value)[:2]
    assert {t.params["x"] for t in study.trials[3:6]} <= {t.params["x"] for t in best_two}
    assert sampler.get_parent_population(study, 0) == []


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_rank_plot(optuna: ModuleType) -> None:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(
        lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_float("y", -1, 1), n_trials=10
    )
    ax = optuna.visualization.matplotlib.plot_rank(study, params=["x", "y"])
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    assert len(ax.collections[0].get_offsets()) == 10


# -- parity found by differential reviews (session 10) ---------------------------------


def _decisions(optuna: ModuleType, pruner: object, curve: list[float], direction: str) -> list:
    study = optuna.create_study(direction=direction, pruner=pruner)
    trial = study.ask()
    decisions = []
    for step, value in enumerate(curve):
        trial.report(value, step)
        decisions.append(trial.should_prune())
    return decisions


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_patient_pruner_min_delta(optuna: ModuleType) -> None:
    patient = optuna.pruners.PatientPruner(None, patience=1, min_delta=0.5)
    assert _decisions(optuna, patient, [1.0, 1.2, 1.3], "minimize") == [False] * 3
    assert _decisions(optuna, patient, [1.0, 0.8, 0.7], "maximize") == [False] * 3
    assert _decisions(optuna, patient, [1.0, 1.6, 1.7], "minimize") == [False, False, True]


def test_tell_complete_with_bad_values_keeps_the_trial_running(optuna: ModuleType) -> None:
    study = optuna.create_study(directions=["minimize", "minimize"])
    trial = study.ask()
    with pytest.raises(ValueError, match="(?i)values|objectives"):
        study.tell(trial, [1.0], state=optuna.trial.TrialState.COMPLETE)
    assert study.trials[0].state == optuna.trial.TrialState.RUNNING
    study.tell(trial, [1.0, 2.0])
    assert str(study.trials[0].state) == "TrialState.COMPLETE"


@pytest.mark.filterwarnings("ignore:n contains a value")  # Optuna's warning
def test_numpy_values_for_categorical_choices(optuna: ModuleType) -> None:
    import numpy as np

    study = optuna.create_study(sampler=optuna.samplers.GridSampler({"n": np.array([16, 32])}))
    study.enqueue_trial({"n": np.int64(32)})
    study.optimize(lambda t: float(t.suggest_categorical("n", [16, 32])), n_trials=2)
    assert sorted(t.params["n"] for t in study.trials) == [16, 32]


@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_dataframe_with_metric_names(optuna: ModuleType) -> None:
    pytest.importorskip("pandas")
    study = optuna.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), 2.0), n_trials=2)
    frame = study.trials_dataframe(attrs=("number", "values"), multi_index=True)
    assert ("values", 1) in frame.columns
    study.set_metric_names(["loss", "accuracy"])
    assert list(study.trials_dataframe(attrs=("number", "values")).columns) == [
        "number",
        "values_loss",
        "values_accuracy",
    ]


def test_hyperband_brackets_and_the_samplers_view(optuna: ModuleType) -> None:
    seen = []

    class Spy(optuna.samplers.RandomSampler):
        def sample_independent(self, study, trial, name, distribution):
            # As Optuna's built-in samplers read the study (its bracket view filters
            # get_trials only; fastune's samplers see every trial whichever they call).
            states = (optuna.trial.TrialState.COMPLETE,)
            seen.append(len(study._get_trials(deepcopy=False, states=states, use_cache=True)))
            return super().sample_independent(study, trial, name, distribution)

    pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=243, reduction_factor=3)
    study = optuna.create_study(sampler=Spy(seed=0), pruner=pruner, study_name="hb")
    for _ in range(12):
        trial = study.ask()
        x = trial.suggest_float("x", 0, 1)
        for step in range(3):
            trial.report(x, step)
            if trial.should_prune():
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                break
        else:
            study.tell(trial, x)
    complete = [t.state == optuna.trial.TrialState.COMPLETE for t in study.trials]
    assert seen == [sum(complete[:number]) for number in range(12)]  # every bracket's
    brackets = {pruner._get_bracket_id(study, t) for t in study.trials}
    assert len(brackets) > 1


@pytest.mark.filterwarnings("ignore:.*(hashable|should be a tuple)")  # both libraries warn
def test_list_choices_such_as_layer_sizes(optuna: ModuleType, tmp_path: Path) -> None:
    def objective(trial):
        layers = trial.suggest_categorical("layers", [[64, 64], [128], [32, 32, 32]])
        return sum(layers) + trial.suggest_float("x", 0, 1)

    for storage in (None, f"sqlite:///{tmp_path}/lists.db"):
        study = optuna.create_study(storage=storage, sampler=optuna.samplers.TPESampler(seed=0))
        study.optimize(objective, n_trials=15)
        assert study.best_params["layers"] in ([64, 64], [128], [32, 32, 32])
        distribution = study.trials[0].distributions["layers"]
        assert distribution.to_internal_repr([128]) == 1
        assert type(distribution.to_internal_repr([128])) is int


def test_in_memory_sqlite_url_and_storage_url(optuna: ModuleType, tmp_path: Path) -> None:
    study = optuna.create_study(storage="sqlite:///:memory:")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(study.trials) == 2
    url = f"sqlite:///{tmp_path}/url.db"
    assert optuna.storages.RDBStorage(url).url == url


@pytest.mark.filterwarnings("ignore:The reported value is ignored")  # Optuna's warning
def test_report_steps_given_as_whole_numbers(optuna: ModuleType) -> None:
    study = optuna.create_study()
    trial = study.ask()
    trial.report(0.5, 1.0)
    trial.report(0.4, True)  # step 1 again: ignored
    trial.report(0.3, 2)
    study.tell(trial, 0.3)
    assert study.trials[0].intermediate_values == {1: 0.5, 2: 0.3}


def test_state_and_direction_reprs(optuna: ModuleType) -> None:
    assert repr(optuna.trial.TrialState.PRUNED) == "<TrialState.PRUNED: 2>"
    assert repr(optuna.study.StudyDirection.MAXIMIZE) == "<StudyDirection.MAXIMIZE: 2>"
    assert str(optuna.trial.TrialState.FAIL) == "TrialState.FAIL"


def test_param_importances_of_a_study_with_two_objectives(optuna: ModuleType) -> None:
    def objective(trial):
        x = trial.suggest_float("x", 0, 1)
        y = trial.suggest_float("y", 0, 1)
        trial.suggest_float("z", 0, 1)  # ignored
        return x, 1 - x + 4 * y  # the Pareto front is y = 0

    sampler = optuna.samplers.RandomSampler(seed=0)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=200)
    importances = optuna.importance.get_param_importances(study)  # no target needed
    assert max(importances, key=importances.__getitem__) == "y" and importances["y"] > 0.5
    assert sum(importances.values()) == pytest.approx(1.0)


# -- samplers as Optuna 5 runs them --------------------------------------------------------


def test_sampler_names_and_a_conditional_parameter_after_startup(optuna: ModuleType) -> None:
    assert f"{optuna.samplers.TPESampler()} {optuna.samplers.RandomSampler()}" == (
        "TPESampler RandomSampler"
    )
    D = optuna.distributions
    history = [
        optuna.trial.create_trial(
            params={"a": -0.5 - i * 0.05},
            distributions={"a": D.FloatDistribution(-1, 1)},
            value=10.0 + i,
        )
        for i in range(9)
    ] + [
        optuna.trial.create_trial(
            params={"a": 0.5, "b": b},
            distributions={"a": D.FloatDistribution(-1, 1), "b": D.FloatDistribution(0, 1)},
            value=float(i),
        )
        for i, b in enumerate([0.88, 0.9, 0.92])
    ]
    proposals = []
    for seed in range(5):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        study.add_trials(history)
        trial = study.ask()
        trial.suggest_float("a", -1, 1)
        proposals.append(trial.suggest_float("b", 0, 1))
    # 12 finished trials >= n_startup_trials: 'b' is modelled although 3 trials hold it.
    assert min(proposals) > 0.8


def test_an_unseeded_grid_is_visited_in_one_order(optuna: ModuleType) -> None:
    def first_points() -> list[int]:
        study = optuna.create_study(sampler=optuna.samplers.GridSampler({"x": list(range(10))}))
        study.optimize(lambda t: t.suggest_int("x", 0, 9), n_trials=4)
        return [t.params["x"] for t in study.trials]

    assert first_points() == first_points()


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Optuna warns for the other arguments
def test_tpe_consider_prior_false_warns_and_changes_nothing(optuna: ModuleType) -> None:
    def proposals(**kwargs):
        sampler = optuna.samplers.TPESampler(seed=0, n_startup_trials=5, **kwargs)
        study = optuna.create_study(sampler=sampler)
        study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=15)
        return [t.params["x"] for t in study.trials]

    with pytest.warns(FutureWarning, match="consider_prior"):
        without = proposals(consider_prior=False)
    assert without == proposals()


def test_a_user_samplers_relative_value_outside_its_range(optuna: ModuleType) -> None:
    class Sampler(optuna.samplers.BaseSampler):
        calls = 0

        def infer_relative_search_space(self, study, trial):
            return {"x": optuna.distributions.FloatDistribution(0, 1)}

        def sample_relative(self, study, trial, search_space):
            Sampler.calls += 1
            return {"x": 5.0}

        def sample_independent(self, study, trial, param_name, param_distribution):
            return 0.5

    study = optuna.create_study(sampler=Sampler())
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert [t.params["x"] for t in study.trials] == [0.5, 0.5] and Sampler.calls == 2


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Optuna deprecated its terminator
@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_terminator_with_stagnation_in_ask_tell_and_optimize(optuna: ModuleType) -> None:
    # The library's own terminator module (``from optuna.terminator import`` would always
    # find the real Optuna's).
    terminator_module = importlib.import_module(f"{optuna.__name__}.terminator")
    Terminator = terminator_module.Terminator
    BestValueStagnationEvaluator = terminator_module.BestValueStagnationEvaluator
    TerminatorCallback = terminator_module.TerminatorCallback

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    terminator = Terminator(BestValueStagnationEvaluator(max_stagnation_trials=5), min_n_trials=1)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    while not terminator.should_terminate(study):
        trial = study.ask()
        study.tell(trial, (trial.suggest_float("x", -1, 1) - 0.3) ** 2)
    assert study.trials[-1].number == study.best_trial.number + 6

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(
        lambda t: (t.suggest_float("x", -1, 1) - 0.3) ** 2,
        n_trials=300,
        callbacks=[TerminatorCallback(terminator)],
    )
    assert study.trials[-1].number == study.best_trial.number + 6


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Optuna deprecated its terminator
@pytest.mark.filterwarnings("ignore:.* experimental")  # Optuna's warning
def test_terminator_on_cross_validation_scores(optuna: ModuleType) -> None:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_score

    terminator_module = importlib.import_module(f"{optuna.__name__}.terminator")
    X, y = load_iris(return_X_y=True)

    def objective(trial):
        model = LogisticRegression(C=trial.suggest_float("C", 1e-4, 1e2, log=True), max_iter=500)
        scores = cross_val_score(model, X, y, cv=KFold(n_splits=5, shuffle=True, random_state=0))
        terminator_module.report_cross_validation_scores(trial, scores)
        return scores.mean()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=0))
    study.optimize(objective, n_trials=60, callbacks=[terminator_module.TerminatorCallback()])
    assert 20 <= len(study.trials) < 60 and study.best_value > 0.95


# -- module paths --------------------------------------------------------------------------

# Optuna's public modules fastune has no counterpart of, and the names they give
# optuna.integration, each with its reason.
MODULES_LEFT_OUT = {
    "optuna.progress_bar": "holds only Optuna's private progress bar class",
    "optuna.search_space.group_decomposed": "holds only private classes",
    "optuna.integration.cma": "PyCmaSampler (the pycma package) is not bundled",
    "optuna.integration.fastaiv2": "fastai is not bundled",
    "optuna.integration.tensorflow": "TensorFlow 1 estimators are not supported",
}
NAMES_LEFT_OUT = {
    "optuna.integration.PyCmaSampler",
    "optuna.integration.FastAIV2PruningCallback",
    "optuna.integration.FastAIPruningCallback",
    "optuna.integration.TensorFlowPruningHook",
}


def test_optunas_public_modules_have_their_names_in_fastune() -> None:
    # A program that imports from Optuna's module paths (from optuna.terminator.erroreval
    # import ...) runs on fastune once `optuna` is replaced by `fastune` in its imports.
    import pkgutil
    import warnings

    real = pytest.importorskip("optuna")
    missing = []
    with warnings.catch_warnings():
        # Imports warn: Optuna's deprecated modules, the libraries of the integrations
        # (fastune.integration imports them on first access to a name).
        warnings.simplefilter("ignore")
        names = [
            module.name
            for module in pkgutil.walk_packages(real.__path__, "optuna.", onerror=print)
            if not any(part.startswith("_") for part in module.name.split("."))
            and not module.name.startswith("optuna.testing")
            and module.name not in MODULES_LEFT_OUT
        ]
        for name in names:
            try:
                theirs = importlib.import_module(name)
            except ImportError:  # an Optuna module whose own dependency is not installed
                continue
            try:
                ours = importlib.import_module("fastune" + name[len("optuna") :])
            except ImportError as error:
                missing.append(f"{name}: {error}")
                continue
            for exported in getattr(theirs, "__all__", []):
                full = f"{name}.{exported}"
                public = not exported.startswith("_") and full not in NAMES_LEFT_OUT
                if public and not hasattr(ours, exported):
                    missing.append(full)
    assert len(names) > 40  # the walk found Optuna's modules
    assert missing == []


# -- printed forms ---------------------------------------------------------------------------


def test_trials_and_distributions_print_as_optunas() -> None:
    # print(study.best_trial) in Optuna's examples, and MLflowCallback's distribution tags.
    import datetime

    real = pytest.importorskip("optuna")

    def printed(library: ModuleType) -> list[str]:
        d = library.distributions
        space = {
            "lr": d.FloatDistribution(1e-5, 0.1, log=True),
            "n": d.IntDistribution(2, 10),
            "kind": d.CategoricalDistribution(("a", "b")),
        }
        trial = library.trial.create_trial(
            params={"lr": 0.01, "n": 3, "kind": "b"},
            distributions=space,
            values=[0.5],
            user_attrs={"k": 1},
            system_attrs={"s": "t"},
            intermediate_values={0: 0.7, 1: 0.6},
        )
        trial.datetime_start = datetime.datetime(2026, 1, 2, 3, 4, 5)
        trial.datetime_complete = datetime.datetime(2026, 1, 2, 3, 4, 6)
        return [repr(trial), *(repr(space[name]) for name in space)]

    assert printed(fastune) == printed(real)


@pytest.mark.parametrize("kind", ["memory", "RDB", "Journal"])
def test_a_new_study_is_logged_as_optunas(optuna: ModuleType, kind: str, tmp_path: Path) -> None:
    import logging

    storage = {
        "memory": None,
        "RDB": f"sqlite:///{tmp_path / 's.db'}",
        "Journal": optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(tmp_path / "s.log"))
        ),
    }[kind]
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = optuna.logging.get_logger("optuna")  # the library's root logger, in both
    logger.addHandler(handler)
    optuna.logging.set_verbosity(optuna.logging.INFO)
    try:
        optuna.create_study(study_name="s", storage=storage)
    finally:
        logger.removeHandler(handler)
    assert messages == [f"A new study created in {kind} with name: s"]
