from __future__ import annotations

import logging
import pathlib

import pytest

import fastune
from fastune.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    InvalidParameterTypeError,
    StudyNotFoundError,
    TrialNotFoundError,
    UpdateFinishedTrialError,
)
from fastune.storages import InMemoryStorage
from fastune.study import StudyDirection
from fastune.trial import TrialState, create_trial


def quadratic(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


class TestCreateLoadDelete:
    def test_directions(self) -> None:
        assert fastune.create_study().direction == StudyDirection.MINIMIZE
        assert fastune.create_study(direction="MAXIMIZE").direction == StudyDirection.MAXIMIZE
        study = fastune.create_study(directions=["minimize", StudyDirection.MAXIMIZE])
        assert study.directions == [StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE]
        with pytest.raises(RuntimeError, match="directions"):
            _ = study.direction

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"direction": "up"}, "'direction' parameter of create_study.*Got 'up'"),
            ({"directions": ["minimize", "down"]}, "'directions'.*Got 'down'"),
            ({"directions": []}, "'directions'.*non-empty"),
            ({"direction": "minimize", "directions": ["minimize"]}, "'directions'"),
        ],
    )
    def test_bad_direction(self, kwargs: dict, fragment: str) -> None:
        with pytest.raises(InvalidParameterError, match=fragment):
            fastune.create_study(**kwargs)

    def test_storage_must_be_a_storage(self) -> None:
        with pytest.raises(InvalidParameterTypeError, match="'storage'"):
            fastune.create_study(storage=42)  # type: ignore[arg-type]

    def test_named_study_round_trip(self) -> None:
        storage = InMemoryStorage()
        study = fastune.create_study(storage=storage, study_name="s", direction="maximize")
        study.optimize(quadratic, n_trials=3)
        with pytest.raises(DuplicatedStudyError, match="'s'"):
            fastune.create_study(storage=storage, study_name="s")
        again = fastune.create_study(storage=storage, study_name="s", load_if_exists=True)
        assert len(again.trials) == 3
        loaded = fastune.load_study(study_name="s", storage=storage)
        assert loaded.direction == StudyDirection.MAXIMIZE
        assert loaded.best_value == study.best_value
        assert fastune.load_study(study_name=None, storage=storage).study_name == "s"
        assert fastune.get_all_study_names(storage) == ["s"]
        fastune.delete_study(study_name="s", storage=storage)
        with pytest.raises(StudyNotFoundError, match="'s'"):
            fastune.load_study(study_name="s", storage=storage)

    def test_a_study_built_directly_takes_a_storage_url(self, tmp_path: pathlib.Path) -> None:
        url = f"sqlite:///{tmp_path / 'direct.db'}"
        fastune.create_study(study_name="s", storage=url).optimize(quadratic, n_trials=2)
        study = fastune.Study(study_name="s", storage=url)  # as Optuna's Study(...)
        assert len(study.trials) == 2
        with pytest.raises(StudyNotFoundError, match="'t'"):
            fastune.Study(study_name="t", storage=url)

    def test_load_without_name_needs_a_single_study(self) -> None:
        storage = InMemoryStorage()
        with pytest.raises(InvalidParameterError, match="'study_name'.*it holds 0"):
            fastune.load_study(study_name=None, storage=storage)
        fastune.create_study(storage=storage)
        fastune.create_study(storage=storage)
        with pytest.raises(InvalidParameterError, match="'study_name'.*exactly one.*holds 2"):
            fastune.load_study(study_name=None, storage=storage)


class TestBest:
    def test_best_trial_follows_the_direction(self) -> None:
        for direction, pick in (("minimize", min), ("maximize", max)):
            study = fastune.create_study(direction=direction)
            study.optimize(quadratic, n_trials=15)
            values = [t.value for t in study.trials]
            assert study.best_value == pick(values)
            assert study.best_trial.number == values.index(pick(values))
            assert study.best_params == study.trials[study.best_trial.number].params

    def test_no_completed_trial(self) -> None:
        study = fastune.create_study()
        with pytest.raises(ValueError, match="No trials are completed"):
            _ = study.best_trial

    def test_best_trials_is_the_pareto_front(self) -> None:
        study = fastune.create_study(directions=["minimize", "maximize"])
        for values in ([1.0, 1.0], [2.0, 3.0], [2.0, 2.0], [0.5, 0.5], [3.0, 3.0]):
            trial = study.ask()
            study.tell(trial, values)
        front = sorted(t.number for t in study.best_trials)
        assert front == [0, 1, 3]  # [2,2] is beaten by [2,3]; [3,3] by [2,3]
        with pytest.raises(RuntimeError, match="best_trials"):
            _ = study.best_trial


class TestAskTell:
    def test_a_pruned_trial_of_several_objectives_keeps_no_value(self) -> None:
        study = fastune.create_study(directions=["minimize", "maximize"])
        running = fastune.trial.create_trial(state=TrialState.RUNNING, intermediate_values={1: 0.5})
        study.add_trial(running)  # report refuses several objectives; a record has them
        assert study.tell(0, state=TrialState.PRUNED).values is None
        assert study.trials_dataframe()["state"].tolist() == ["PRUNED"]

    def test_tell_by_number_and_states(self) -> None:
        study = fastune.create_study()
        a, b, c = study.ask(), study.ask(), study.ask()
        a.report(3.0, 0)
        study.tell(a, state=TrialState.PRUNED)
        study.tell(b.number, 1.5)
        study.tell(c, state=TrialState.FAIL)
        states = [t.state for t in study.trials]
        assert states == [TrialState.PRUNED, TrialState.COMPLETE, TrialState.FAIL]
        assert study.trials[0].value == 3.0  # a pruned trial keeps its last report

    def test_fixed_distributions(self) -> None:
        study = fastune.create_study()
        trial = study.ask({"x": fastune.distributions.FloatDistribution(0, 1)})
        assert 0 <= trial.params["x"] <= 1

    def test_telling_a_finished_trial(self) -> None:
        study = fastune.create_study()
        trial = study.ask()
        study.tell(trial, 1.0)
        with pytest.raises(UpdateFinishedTrialError, match="Trial 0 has already finished"):
            study.tell(trial, 2.0)
        assert study.tell(trial, 2.0, skip_if_finished=True).value == 1.0

    @pytest.mark.parametrize(
        ("kwargs", "fragment"),
        [
            ({"state": TrialState.COMPLETE}, "'values'.*COMPLETE"),
            ({"values": 1.0, "state": TrialState.FAIL}, "'values'.*None when the state is FAIL"),
            ({"values": 1.0, "state": TrialState.RUNNING}, "'state'"),
        ],
    )
    def test_bad_tell(self, kwargs: dict, fragment: str) -> None:
        study = fastune.create_study()
        with pytest.raises(InvalidParameterError, match=fragment):
            study.tell(study.ask(), **kwargs)

    def test_wrong_number_of_values_fails_the_trial(self) -> None:
        study = fastune.create_study(directions=["minimize", "minimize"])
        frozen = study.tell(study.ask(), 1.0)
        assert frozen.state == TrialState.FAIL
        assert "1 value(s)" in frozen.system_attrs["fail_reason"]

    def test_unknown_trial_number(self) -> None:
        with pytest.raises(TrialNotFoundError):
            fastune.create_study().tell(5, 1.0)

    def test_trial_of_another_study(self) -> None:
        other = fastune.create_study().ask()
        with pytest.raises(InvalidParameterError, match="'trial'"):
            fastune.create_study().tell(other, 1.0)


class TestEnqueueAndAdd:
    def test_enqueued_params_are_used_first(self) -> None:
        study = fastune.create_study()
        study.enqueue_trial({"x": 2.0}, user_attrs={"source": "guess"})
        study.enqueue_trial({"x": 2.0}, skip_if_exists=True)  # skipped: same params queued
        study.optimize(quadratic, n_trials=3)
        first = study.trials[0]
        assert first.params == {"x": 2.0}
        assert first.value == 0.0
        assert first.user_attrs == {"source": "guess"}
        assert len(study.trials) == 3
        assert all(t.state == TrialState.COMPLETE for t in study.trials)

    @pytest.mark.parametrize("storage", [None, "sqlite"])
    def test_skip_if_exists_knows_a_queued_nan(
        self, storage: str | None, tmp_path: pathlib.Path
    ) -> None:
        url = None if storage is None else f"sqlite:///{tmp_path / 'nan.db'}"
        study = fastune.create_study(storage=url)
        study.enqueue_trial({"c": float("nan"), "n": 1})
        study.enqueue_trial({"c": float("nan"), "n": 1}, skip_if_exists=True)
        study.enqueue_trial({"c": float("nan"), "n": 2}, skip_if_exists=True)
        study.enqueue_trial({"c": float("nan")}, skip_if_exists=True)
        assert len(study.trials) == 3

    def test_skip_if_exists_compares_as_optuna_does(self) -> None:
        study = fastune.create_study()
        study.enqueue_trial({"x": 0.3, "kind": "a"})
        study.enqueue_trial({"x": 0.1 + 0.2, "kind": "a"}, skip_if_exists=True)  # rounding
        study.enqueue_trial({"x": 0.3000001, "kind": "a"}, skip_if_exists=True)  # 3e-7
        study.enqueue_trial({"x": 0.3001, "kind": "a"}, skip_if_exists=True)  # 3e-4: new
        study.enqueue_trial({"x": 0.3, "kind": "b"}, skip_if_exists=True)  # new
        study.enqueue_trial({"n": 3})
        study.enqueue_trial({"n": 3.0}, skip_if_exists=True)  # another type: new
        study.enqueue_trial({"n": True}, skip_if_exists=True)  # a bool is an int: 1, new
        queued = [t.system_attrs["fixed_params"] for t in study.trials]
        assert queued == [
            {"x": 0.3, "kind": "a"},
            {"x": 0.3001, "kind": "a"},
            {"x": 0.3, "kind": "b"},
            {"n": 3},
            {"n": 3.0},
            {"n": True},
        ]

    def test_partial_enqueue_samples_the_rest(self) -> None:
        study = fastune.create_study()
        study.enqueue_trial({"x": 1.0})
        study.optimize(lambda t: t.suggest_float("x", 0, 2) + t.suggest_float("y", 0, 1), 1)
        assert study.trials[0].params["x"] == 1.0
        assert 0 <= study.trials[0].params["y"] <= 1

    def test_add_trial(self) -> None:
        study = fastune.create_study()
        study.add_trials(
            [
                create_trial(
                    params={"x": v},
                    distributions={"x": fastune.distributions.FloatDistribution(-10, 10)},
                    value=(v - 2) ** 2,
                )
                for v in (0.0, 2.5)
            ]
        )
        assert [t.number for t in study.trials] == [0, 1]
        assert study.best_params == {"x": 2.5}

    def test_add_trial_with_wrong_number_of_values(self) -> None:
        study = fastune.create_study(directions=["minimize", "minimize"])
        with pytest.raises(InvalidParameterError, match="one per objective"):
            study.add_trial(create_trial(value=1.0))


def test_user_attrs_and_get_trials() -> None:
    study = fastune.create_study()
    study.set_user_attr("dataset", "digits")
    study.set_system_attr("owner", "ci")
    assert study.user_attrs == {"dataset": "digits"}
    assert study.system_attrs == {"owner": "ci"}
    study.optimize(quadratic, n_trials=2)
    study.tell(study.ask(), state=TrialState.FAIL)
    assert len(study.get_trials(states=(TrialState.COMPLETE,))) == 2
    copies = study.trials
    copies[0].params["x"] = 99.0
    assert study.trials[0].params["x"] != 99.0  # trials are copies


def test_optunas_private_names_that_custom_samplers_call() -> None:
    class Recorder(fastune.samplers.RandomSampler):  # as samplers written for Optuna do
        def sample_independent(self, study, trial, name, distribution):  # type: ignore[no-untyped-def]
            done = study._get_trials(deepcopy=False, states=(TrialState.COMPLETE,), use_cache=True)
            counts.append((len(done), study._is_multi_objective()))
            return super().sample_independent(study, trial, name, distribution)

    counts: list[tuple[int, bool]] = []
    study = fastune.create_study(sampler=Recorder(seed=0))
    study.optimize(quadratic, n_trials=3)
    assert counts == [(0, False), (1, False), (2, False)]
    assert fastune.create_study(directions=["minimize"] * 2)._is_multi_objective()


def test_metric_names() -> None:
    study = fastune.create_study(directions=["minimize", "maximize"])
    assert study.metric_names is None
    study.set_metric_names(["loss", "accuracy"])
    assert study.metric_names == ["loss", "accuracy"]
    with pytest.raises(InvalidParameterError, match="'metric_names'.*2 str name"):
        study.set_metric_names(["loss"])


def test_tell_of_an_enqueued_trial_that_was_never_asked() -> None:
    study = fastune.create_study()
    study.enqueue_trial({"x": 1.0})
    with pytest.raises(InvalidParameterError, match="WAITING"):
        study.tell(0, 1.0)


def test_catch_accepts_any_exception_class() -> None:
    def objective(trial: fastune.Trial) -> float:
        raise KeyboardInterrupt

    study = fastune.create_study()
    study.optimize(objective, n_trials=2, catch=(KeyboardInterrupt,))
    assert [t.state for t in study.trials] == [TrialState.FAIL] * 2


def test_a_told_outcome_logs_only_a_failure_it_did_not_ask_for(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # As Optuna: ask-and-tell logs no line per trial (optimize does); values that fail
    # the trial warn, with the reason.
    study = fastune.create_study()
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    fastune.logging.set_verbosity(fastune.logging.INFO)
    try:
        trial = study.ask()
        trial.suggest_int("n", 1, 1)
        study.tell(trial, state=TrialState.FAIL)
        study.tell(study.ask(), 1.0)
        study.tell(study.ask(), state=TrialState.PRUNED)
        study.tell(study.ask(), float("nan"))
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.message for r in caplog.records if r.message.startswith("Trial")]
    assert len(lines) == 1
    assert lines[0].startswith("Trial 3 failed with parameters: {} because ")
    assert "None" not in lines[0]


@pytest.mark.parametrize("values", [[1.0, 2.0], float("nan"), "abc"])
def test_tell_complete_with_unusable_values_raises_and_keeps_the_trial_running(
    values: object,
) -> None:
    study = fastune.create_study()
    trial = study.ask()
    with pytest.raises(ValueError, match="'values' parameter of Study.tell"):
        study.tell(trial, values, state=TrialState.COMPLETE)  # type: ignore[arg-type]
    assert study.trials[0].state == TrialState.RUNNING
    study.tell(trial, 0.5, state=TrialState.COMPLETE)  # the caller mends the values
    assert study.trials[0].value == 0.5
    other = study.ask()
    study.tell(other, values)  # type: ignore[arg-type]  # no state: it fails, as in Optuna
    assert study.trials[1].state == TrialState.FAIL


def test_enqueue_names_bad_user_attrs() -> None:
    with pytest.raises(TypeError, match="'user_attrs' parameter of Study.enqueue_trial"):
        fastune.create_study().enqueue_trial({"x": 1.0}, user_attrs=[1])  # type: ignore[arg-type]
