from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pytest

import fastune
from fastune.distributions import FloatDistribution
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.trial import TrialState


def _trial() -> fastune.Trial:
    return fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0)).ask()


class TestSuggest:
    def test_values_lie_in_their_distributions(self) -> None:
        trial = _trial()
        x = trial.suggest_float("x", -2.0, 3.0)
        lr = trial.suggest_float("lr", 1e-5, 1e-1, log=True)
        q = trial.suggest_float("q", 0.0, 1.0, step=0.25)
        n = trial.suggest_int("n", 1, 9, step=2)
        units = trial.suggest_int("units", 8, 512, log=True)
        act = trial.suggest_categorical("act", ["relu", "tanh"])
        assert -2.0 <= x <= 3.0
        assert 1e-5 <= lr <= 1e-1
        assert q in (0.0, 0.25, 0.5, 0.75, 1.0)
        assert n in (1, 3, 5, 7, 9) and isinstance(n, int)
        assert 8 <= units <= 512 and isinstance(units, int)
        assert act in ("relu", "tanh")
        assert set(trial.params) == {"x", "lr", "q", "n", "units", "act"}
        assert trial.distributions["lr"] == FloatDistribution(1e-5, 1e-1, log=True)

    def test_same_name_returns_same_value(self) -> None:
        trial = _trial()
        assert trial.suggest_float("x", 0, 1) == trial.suggest_float("x", 0, 1)

    def test_same_name_other_distribution_is_an_error(self) -> None:
        trial = _trial()
        trial.suggest_float("x", 0, 1)
        with pytest.raises(InvalidParameterError, match="'x'.*same distribution"):
            trial.suggest_float("x", 0, 2)

    def test_single_value_distribution_needs_no_sampler(self) -> None:
        trial = _trial()
        assert trial.suggest_float("x", 1.5, 1.5) == 1.5
        assert trial.suggest_int("n", 3, 3) == 3
        assert trial.suggest_categorical("c", ["only"]) == "only"

    @pytest.mark.parametrize(
        ("call", "fragment"),
        [
            (lambda t: t.suggest_float("lr", 1.0, 0.1), "Parameter 'lr'.*'low'.*Got 1.0"),
            (lambda t: t.suggest_float("lr", 0.0, 1.0, log=True), "'lr'.*> 0 when log=True"),
            (lambda t: t.suggest_float("x", 0.0, 1.0, step=-0.4), "'x'.*'step'.*Got -0.4"),
            (lambda t: t.suggest_int("n", 0, 10, step=0), "'n'.*'step'.*Got 0"),
            (lambda t: t.suggest_categorical("c", []), "'c'.*non-empty"),
        ],
    )
    def test_bad_input_message(self, call: Any, fragment: str) -> None:
        with pytest.raises(InvalidParameterError, match=fragment):
            call(_trial())

    def test_a_step_that_does_not_divide_the_range_is_fitted_as_optuna_does(self) -> None:
        # Optuna's tutorials write ranges such as (50, 1000, step=100): they must run.
        trial = _trial()
        with pytest.warns(UserWarning, match="lowered to 950"):
            n = trial.suggest_int("n_estimators", 50, 1000, step=100)
        with pytest.warns(UserWarning, match="lowered to 0.9"):
            x = trial.suggest_float("x", 0.0, 1.0, step=0.3)
        assert n in range(50, 951, 100) and x in (0.0, 0.3, 0.6, 0.9)
        assert trial.distributions["n_estimators"].high == 950

    def test_unhashable_choice_is_suggested_with_a_warning(self) -> None:
        with pytest.warns(UserWarning, match="not hashable"):
            assert _trial().suggest_categorical("c", [[64, 64]]) == [64, 64]


def test_deprecated_suggest_methods_warn_and_delegate() -> None:
    trial = _trial()
    with pytest.warns(FutureWarning, match="suggest_float"):
        assert -1 <= trial.suggest_uniform("u", -1, 1) <= 1
    with pytest.warns(FutureWarning):
        assert 1e-4 <= trial.suggest_loguniform("lr", 1e-4, 1e-1) <= 1e-1
    with pytest.warns(FutureWarning):
        assert trial.suggest_discrete_uniform("d", 0, 1, 0.5) in (0.0, 0.5, 1.0)
    assert trial.distributions["lr"] == FloatDistribution(1e-4, 1e-1, log=True)


class TestReport:
    def test_report_is_recorded_and_repeated_step_ignored(self) -> None:
        study = fastune.create_study()
        trial = study.ask()
        trial.report(0.5, 0)
        trial.report(0.4, 1)
        trial.report(9.9, 1)
        study.tell(trial, 0.4)
        assert study.trials[0].intermediate_values == {0: 0.5, 1: 0.4}
        assert study.trials[0].last_step == 1

    def test_numpy_values_are_accepted(self) -> None:
        study = fastune.create_study()
        trial = study.ask()
        trial.report(np.array(0.25), 0)
        trial.report(np.float32(0.5), np.int64(1))
        assert study.trials[0].intermediate_values == {0: 0.25, 1: 0.5}

    def test_steps_equal_to_an_integer_are_taken_as_it(self) -> None:
        study = fastune.create_study()
        trial = study.ask()
        trial.report(0.1, 2.0)  # type: ignore[arg-type]
        trial.report(0.2, True)  # Optuna's int(step) takes these too
        trial.report(0.3, np.array(3))  # type: ignore[arg-type]
        assert study.trials[0].intermediate_values == {2: 0.1, 1: 0.2, 3: 0.3}
        assert all(type(step) is int for step in study.trials[0].intermediate_values)

    def test_bad_step_and_value(self) -> None:
        trial = _trial()
        with pytest.raises(InvalidParameterError, match="'step' parameter of Trial.report"):
            trial.report(1.0, -1)
        with pytest.raises(InvalidParameterTypeError, match="'step'.*Got 2.5"):
            trial.report(1.0, 2.5)  # type: ignore[arg-type]
        with pytest.raises(InvalidParameterTypeError, match="'step'.*Got inf"):
            trial.report(1.0, float("inf"))  # type: ignore[arg-type]
        with pytest.raises(InvalidParameterTypeError, match="'step'.*Got '3'"):
            trial.report(1.0, "3")  # type: ignore[arg-type]
        with pytest.raises(InvalidParameterTypeError, match="'value' parameter"):
            trial.report("high", 0)  # type: ignore[arg-type]

    def test_report_on_multi_objective_study_is_refused(self) -> None:
        trial = fastune.create_study(directions=["minimize", "maximize"]).ask()
        with pytest.raises(NotImplementedError):
            trial.report(1.0, 0)
        with pytest.raises(NotImplementedError):
            trial.should_prune()

    def test_should_prune_asks_the_pruner(self) -> None:
        class PruneAfterTwo(fastune.pruners.BasePruner):
            def prune(self, study: fastune.Study, trial: fastune.trial.FrozenTrial) -> bool:
                return len(trial.intermediate_values) >= 2

        trial = fastune.create_study(pruner=PruneAfterTwo()).ask()
        trial.report(1.0, 0)
        assert not trial.should_prune()
        trial.report(1.0, 1)
        assert trial.should_prune()


def test_user_and_system_attrs_reach_the_record() -> None:
    study = fastune.create_study()
    trial = study.ask()
    trial.set_user_attr("note", "hello")
    trial.set_system_attr("internal", 3)
    assert trial.user_attrs == {"note": "hello"}
    study.tell(trial, 1.0)
    frozen = study.trials[0]
    assert frozen.user_attrs == {"note": "hello"}
    assert frozen.system_attrs["internal"] == 3
    assert frozen.state == TrialState.COMPLETE
    assert trial.datetime_start is not None and trial.number == 0
    assert math.isclose(frozen.value or 0.0, 1.0)


def test_changing_the_attrs_handed_out_changes_nothing() -> None:
    study = fastune.create_study()
    trial = study.ask()
    trial.set_user_attr("seen", [1])
    trial.user_attrs["seen"].append(2)
    study.tell(trial, 1.0)
    assert study.trials[0].user_attrs == {"seen": [1]}


def test_a_whole_float_step_is_taken_and_an_enqueued_fraction_of_an_int_is_truncated(
    caplog: pytest.LogCaptureFixture,
) -> None:
    study = fastune.create_study()
    study.enqueue_trial({"n": 2.5})
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        trial = study.ask()
        assert trial.suggest_int("n", 0, 5) == 2  # as Optuna: the integer part, warned
    finally:
        logger.removeHandler(caplog.handler)
    assert any("'n' = 2.5 is not an int" in r.message for r in caplog.records)
    trial.report(0.5, 1.0)
    assert study.trials[0].intermediate_values == {1: 0.5}
    with pytest.raises(InvalidParameterTypeError, match="'step'.*Got 1.5"):
        trial.report(0.5, 1.5)
    study.enqueue_trial({"n": "two"})
    with pytest.raises(ValueError, match=r"fixed_params\['n'\].*Got 'two'"):
        study.ask().suggest_int("n", 0, 5)


@pytest.mark.parametrize(
    ("value", "suggest"),
    [
        (0.0, lambda t: t.suggest_float("x", 1e-3, 1.0, log=True)),
        (-1.0, lambda t: t.suggest_float("x", 1e-3, 1.0, log=True)),
        (float("nan"), lambda t: t.suggest_float("x", 0.0, 1.0)),
        (0, lambda t: t.suggest_int("x", 1, 10, log=True)),
        (0.5, lambda t: t.suggest_int("x", 1, 10, log=True)),  # its integer part is 0
    ],
)
def test_an_enqueued_value_no_sampler_can_place_is_an_error(value: float, suggest: Any) -> None:
    # As Optuna: a log scale takes values > 0, and NaN is no value. Used as given, 0 on a
    # log scale crashed the next TPE proposal with "math domain error".
    study = fastune.create_study(sampler=fastune.samplers.TPESampler(n_startup_trials=1))
    study.enqueue_trial({"x": value})
    with pytest.raises(InvalidParameterError, match=r"fixed_params\['x'\]"):
        study.optimize(suggest, n_trials=3)


class _RelativeSampler(fastune.samplers.BaseSampler):
    """A user sampler with a relative space of its own, counting its calls."""

    def __init__(self, space: dict, proposal: dict) -> None:
        self.space, self.proposal, self.relative_calls = space, proposal, 0

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict:
        return dict(self.space)

    def sample_relative(self, study: Any, trial: Any, search_space: dict) -> dict:
        self.relative_calls += 1
        return dict(self.proposal) if search_space else {}

    def sample_independent(self, study: Any, trial: Any, name: str, distribution: Any) -> Any:
        return 0.5 if isinstance(distribution, FloatDistribution) else distribution.choices[-1]


def test_a_relative_value_outside_the_distribution_is_sampled_independently() -> None:
    # As Optuna: the relative value 5.0 for x in [0, 1] was stored as it was.
    space = {
        "x": FloatDistribution(0, 1),
        "c": fastune.distributions.CategoricalDistribution([1, 2]),
    }
    sampler = _RelativeSampler(space, {"x": 5.0, "c": 3})
    study = fastune.create_study(sampler=sampler)
    trial = study.ask()
    assert trial.suggest_float("x", 0, 1) == 0.5
    assert trial.suggest_categorical("c", [1, 2]) == 2  # 3 is not a choice
    sampler.proposal = {"x": 0.25}
    assert study.ask().suggest_float("x", 0, 1) == 0.25  # a value inside is used


def test_a_samplers_fraction_for_an_int_takes_its_integer_part() -> None:
    # As Optuna: a user's sampler that draws floats for ints (it raised here).
    class Floats(fastune.samplers.RandomSampler):
        def sample_independent(self, study: Any, trial: Any, name: str, dist: Any) -> Any:
            return 2.7

    study = fastune.create_study(sampler=Floats())
    study.optimize(lambda t: t.suggest_int("n", 0, 5), n_trials=1)
    assert study.trials[0].params == {"n": 2}


def test_a_trial_class_written_for_optuna_implements_the_suggest_methods() -> None:
    class Wrapper(fastune.trial.BaseTrial):  # Optuna's abstract methods, no more
        def __init__(self) -> None:
            self.inner = fastune.trial.FixedTrial({"x": 0.5, "n": 2})

        def suggest_float(self, name: str, low: float, high: float, **kw: Any) -> float:
            return self.inner.suggest_float(name, low, high, **kw)

        def suggest_int(self, name: str, low: int, high: int, **kw: Any) -> int:
            return self.inner.suggest_int(name, low, high, **kw)

        def suggest_categorical(self, name: str, choices: Any) -> Any:
            return self.inner.suggest_categorical(name, choices)

        def report(self, value: float, step: int) -> None:
            pass

        def should_prune(self) -> bool:
            return False

        def set_user_attr(self, key: str, value: Any) -> None:
            pass

        params = property(lambda self: self.inner.params)
        distributions = property(lambda self: self.inner.distributions)
        user_attrs = property(lambda self: self.inner.user_attrs)
        datetime_start = property(lambda self: self.inner.datetime_start)
        number = property(lambda self: 0)

    trial = Wrapper()
    assert trial.suggest_float("x", 0, 1) == 0.5
    assert trial.suggest_int("n", 0, 5) == 2
    assert trial.constraints == {}
    with pytest.raises(NotImplementedError, match="set_system_attr"):
        trial.set_constraint("c", 1.0)


def test_sample_relative_is_called_once_per_trial_even_for_an_empty_space() -> None:
    # As Optuna: user samplers keep state there (it was skipped for an empty space).
    sampler = _RelativeSampler({}, {})
    study = fastune.create_study(sampler=sampler)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert sampler.relative_calls == 3


def test_the_relative_proposal_is_drawn_at_the_first_suggestion_that_needs_it() -> None:
    # As Optuna: not when the trial is asked, so it sees the trials finished meanwhile;
    # a trial that suggests only enqueued values draws none.
    space = {"x": FloatDistribution(0, 1)}
    sampler = _RelativeSampler(space, {"x": 0.25})
    seen: list[int] = []
    infer = sampler.infer_relative_search_space

    def counting(study: Any, trial: Any) -> Any:
        seen.append(len(study.get_trials(states=(TrialState.COMPLETE,))))
        return infer(study, trial)

    sampler.infer_relative_search_space = counting  # type: ignore[method-assign]
    study = fastune.create_study(sampler=sampler)
    first, second = study.ask(), study.ask()
    assert (sampler.relative_calls, first.relative_search_space) == (0, None)
    study.tell(first, first.suggest_float("x", 0, 1))
    assert second.suggest_float("x", 0, 1) == 0.25
    assert seen == [0, 1] and sampler.relative_calls == 2
    assert second.relative_search_space == space and second.relative_params == {"x": 0.25}

    study.enqueue_trial({"x": 0.75})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert study.trials[-1].params == {"x": 0.75} and sampler.relative_calls == 2


def test_a_relative_value_serves_a_changed_range_of_the_same_kind() -> None:
    # As Optuna: the sampler's relative space holds x in [5, 6]; the trial asks [0, 100].
    sampler = _RelativeSampler({"x": FloatDistribution(5, 6)}, {"x": 5.5})
    study = fastune.create_study(sampler=sampler)
    assert study.ask().suggest_float("x", 0, 100) == 5.5
    assert study.ask().suggest_float("x", 0, 5) == 0.5  # outside: the independent value
    # Another kind (5.5 is one of the choices): the independent value, the last choice.
    assert study.ask().suggest_categorical("x", [5.5, 7]) == 7


def test_the_trial_reaches_its_studys_storage_as_optunas_does(tmp_path: Any) -> None:
    study = fastune.create_study(storage=f"sqlite:///{tmp_path / 's.db'}")
    trial = study.ask()
    assert trial.storage is study._storage
    assert trial.storage.get_trial(trial._trial_id).number == trial.number
