from __future__ import annotations

import pytest

import fastune
from fastune.distributions import FloatDistribution, IntDistribution
from fastune.exceptions import InvalidParameterError
from fastune.trial import FrozenTrial, TrialState, create_trial


def test_create_trial_builds_a_consistent_record() -> None:
    trial = create_trial(
        params={"x": 0.5, "n": 3},
        distributions={"x": FloatDistribution(0, 1), "n": IntDistribution(0, 5)},
        value=1.25,
        intermediate_values={0: 2.0, 3: 1.5},
    )
    assert trial.state == TrialState.COMPLETE
    assert trial.value == 1.25 and trial.values == [1.25]
    assert trial.last_step == 3
    assert trial.duration is not None


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"state": TrialState.COMPLETE}, "'values'"),
        ({"state": TrialState.FAIL, "value": 1.0}, "None unless the trial is COMPLETE"),
        ({"value": float("nan")}, "NaN"),
        ({"value": 1.0, "params": {"x": 1.0}}, "same parameters"),
        (
            {"value": 1.0, "params": {"x": 5.0}, "distributions": {"x": FloatDistribution(0, 1)}},
            "'x'.*inside",
        ),
    ],
)
def test_create_trial_rejects_inconsistent_records(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InvalidParameterError, match=fragment):
        create_trial(**kwargs)


def test_value_of_multi_objective_trial_is_refused() -> None:
    trial = create_trial(values=[1.0, 2.0])
    assert trial.values == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="values"):
        _ = trial.value
    with pytest.raises(RuntimeError, match="set 'values'"):
        trial.value = 0.5  # as Optuna: it would drop the second objective
    assert trial.values == [1.0, 2.0]
    single = create_trial(value=1.0)
    single.value = 0.5
    assert single.values == [0.5]


def test_frozen_trial_reevaluates_an_objective() -> None:
    def objective(trial: fastune.trial.BaseTrial) -> float:
        return trial.suggest_float("x", -5, 5) ** 2 + trial.suggest_int("n", 0, 3)

    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=3)
    for frozen in study.trials:
        assert objective(frozen) == frozen.value
        assert not frozen.should_prune()


def test_a_frozen_trial_answers_an_objective_whose_range_changed() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=1))
    study.optimize(lambda t: t.suggest_float("lr", 1e-4, 1e-1, log=True), n_trials=2)
    best = study.best_trial
    # Widened since the study ran: the recorded value, as Optuna's FrozenTrial.
    assert best.suggest_float("lr", 1e-5, 1e-1, log=True) == best.params["lr"]
    with pytest.warns(UserWarning, match=r"recorded value .* of the parameter 'lr' is outside"):
        assert best.suggest_float("lr", 0.5, 0.9, log=True) == best.params["lr"]
    with pytest.raises(InvalidParameterError, match="log"):
        best.suggest_float("lr", 1e-5, 1e-1)  # another kind of range: an error
    with pytest.raises(InvalidParameterError, match="class"):
        best.suggest_int("lr", 0, 1)


def test_frozen_trial_orders_by_number_and_compares_by_content() -> None:
    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    first, second = study.trials
    assert sorted([second, first]) == [first, second]
    assert first == study.trials[0]
    assert first != second
    assert isinstance(first, FrozenTrial)


def test_state_prints_its_name_and_trials_order_by_number() -> None:
    assert str(TrialState.COMPLETE) == "TrialState.COMPLETE"
    assert f"{TrialState.PRUNED}" == "TrialState.PRUNED"  # an IntEnum prints '2'
    first, second = create_trial(value=1.0), create_trial(value=2.0)
    first.number, second.number = 0, 1
    assert first <= second and second >= first and first <= first
    assert not second <= first


def test_a_value_of_another_kind_is_a_value_error_naming_the_parameter() -> None:
    with pytest.raises(ValueError, match="'n' parameter of FrozenTrial.*Got 2.5"):
        create_trial(params={"n": 2.5}, distributions={"n": IntDistribution(0, 5)}, value=1.0)
    with pytest.raises(ValueError, match="'x' parameter of FrozenTrial"):
        create_trial(params={"x": "high"}, distributions={"x": FloatDistribution(0, 1)}, value=1.0)


def test_a_running_trial_cannot_have_ended() -> None:
    trial = create_trial(state=TrialState.RUNNING)
    trial.datetime_complete = trial.datetime_start
    with pytest.raises(InvalidParameterError, match="'datetime_complete'.*RUNNING or WAITING"):
        fastune.create_study().add_trial(trial)


def test_a_stored_trial_handed_out_shares_no_mutable_attribute_with_the_storage() -> None:
    study = fastune.create_study()
    attrs = {"flat": [1, 2], "table": {"a": 1}, "nested": [[1], {"b": [2]}], "n": 3}
    study.add_trial(create_trial(value=1.0, user_attrs=attrs, system_attrs=attrs))
    handed = study.trials[0]
    for record in (handed.user_attrs, handed.system_attrs):
        record["flat"].append(3)
        record["table"]["a"] = 2
        record["nested"][0].append(4)
        record["nested"][1]["b"].append(5)
    stored = study.trials[0]
    expected = {"flat": [1, 2], "table": {"a": 1}, "nested": [[1], {"b": [2]}], "n": 3}
    assert stored.user_attrs == expected and stored.system_attrs == expected
