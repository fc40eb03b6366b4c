from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

import cloudpickle
import numpy as np
import pytest
from scipy.stats import loguniform

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.pbt import PopulationBasedTraining, TournamentSelection, replay
from fastune.trial import TrialState

# Worker processes cannot import a test module by name: ship its classes by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class Climber:
    """A deterministic trainable: the state is the list of steps taken; the score of a
    state is how close the sum of learning rates so far is to 3."""

    def init(self, params: dict[str, Any], seed: int) -> list[float]:
        return []

    def step(self, params: dict[str, Any], state: list[float]) -> tuple[list[float], float]:
        state = [*state, params["lr"]]
        return state, -abs(sum(state) - 3.0)


def _pbt(**kwargs: Any) -> PopulationBasedTraining:
    options: dict[str, Any] = {
        "population_size": 6,
        "generations": 8,
        "random_state": 0,
    }
    options.update(kwargs)
    return PopulationBasedTraining(Climber(), {"lr": loguniform(0.01, 1.0)}, **options)


def test_every_segment_is_a_trial_with_its_lineage() -> None:
    pbt = _pbt().run()
    trials = pbt.study_.trials
    assert len(trials) == 6 * 8
    assert all(t.state == TrialState.COMPLETE for t in trials)
    by_number = {t.number: t for t in trials}
    for trial in trials:
        generation = trial.system_attrs["pbt:generation"]
        parent = trial.system_attrs["pbt:parent"]
        assert (parent is None) == (generation == 0)
        if parent is not None:
            assert by_number[parent].system_attrs["pbt:generation"] == generation - 1
            # steps continue from the checkpoint the segment started from
            assert min(trial.intermediate_values) == max(by_number[parent].intermediate_values) + 1
    assert pbt.generations_run_ == 8 and not pbt.stopped_early_


def test_exploit_copies_the_donors_state_and_params() -> None:
    pbt = _pbt().run()
    copied = [
        t
        for t in pbt.study_.trials
        if t.system_attrs["pbt:parent"] is not None
        and pbt.study_.trials[t.system_attrs["pbt:parent"]].system_attrs["pbt:member"]
        != t.system_attrs["pbt:member"]
    ]
    assert copied, "some member must have copied another"
    for trial in copied:
        schedule = pbt.schedule(trial.number)
        state, scores = replay(Climber(), schedule)
        # the recorded score is reproduced by training the lineage's params from scratch,
        # which holds only if the copy started from the donor's trained state
        assert scores[-1] == pytest.approx(trial.value)
        assert len(state) == max(trial.intermediate_values)


class SeededInPlace:
    """A trainable that changes its state in place and whose initial state depends on its
    seed: a replay matches only with the right lineage, steps and seed."""

    def init(self, params: dict[str, Any], seed: int) -> dict[str, Any]:
        return {"lrs": [], "offset": float(np.random.default_rng(seed).normal())}

    def step(self, params: dict[str, Any], state: dict[str, Any]) -> tuple[dict, float]:
        state["lrs"].append(params["lr"])
        return state, -abs(sum(state["lrs"]) + state["offset"] - 3.0)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"steps_per_generation": 3},
        {"synchronous": False},
        {"synchronous": False, "steps_per_generation": 3, "exploit": "tournament"},
        {"synchronous": False, "n_jobs": 2},
    ],
)
def test_every_trials_schedule_replays_to_its_value(options: dict[str, Any]) -> None:
    # Asynchronously, a donor may hold a checkpoint it copied and has not trained on
    # yet: the copier's lineage and hyperparameters are that checkpoint's (they were
    # the donor's own last trial and its next params), and with one worker a segment
    # trained in place must not reach a copier before it is recorded.
    pbt = PopulationBasedTraining(
        SeededInPlace(),
        {"lr": loguniform(0.01, 1.0)},
        population_size=5,
        generations=6,
        random_state=3,
        **options,
    ).run()
    trials = pbt.study_.trials
    assert any(  # some copies happened
        t.system_attrs["pbt:parent"] is not None
        and trials[t.system_attrs["pbt:parent"]].system_attrs["pbt:member"]
        != t.system_attrs["pbt:member"]
        for t in trials
    )
    for trial in trials:
        schedule = pbt.schedule(trial.number)
        state, scores = replay(SeededInPlace(), schedule)
        assert scores[-1] == pytest.approx(trial.value)
        assert len(state["lrs"]) == trial.system_attrs["pbt:last_step"] == len(scores)
        assert {entry["seed"] for entry in schedule} == {trial.system_attrs["pbt:seed"]}


def test_schedules_replay_with_threads_training_states_in_place() -> None:
    import joblib

    class Slow(SeededInPlace):  # a step long enough for other threads to act meanwhile
        def step(self, params: dict[str, Any], state: dict[str, Any]) -> tuple[dict, float]:
            state, score = super().step(params, state)
            time.sleep(0.002)
            return state, score

    with joblib.parallel_config(backend="threading"):
        pbt = PopulationBasedTraining(
            Slow(),
            {"lr": loguniform(0.01, 1.0)},
            population_size=5,
            generations=6,
            random_state=3,
            synchronous=False,
            n_jobs=2,
        ).run()
    for trial in pbt.study_.trials:  # a copier deep-copied a state its donor's thread trained
        _, scores = replay(SeededInPlace(), pbt.schedule(trial.number))
        assert scores[-1] == pytest.approx(trial.value)


def test_population_improves_on_its_start() -> None:
    pbt = _pbt(generations=10).run()
    first = [t.value for t in pbt.study_.trials if t.system_attrs["pbt:generation"] == 0]
    last = [t.value for t in pbt.study_.trials if t.system_attrs["pbt:generation"] == 9]
    assert np.median(last) > np.median(first)
    assert pbt.best_trial_.value > -0.2


def test_same_seed_same_run_also_with_processes() -> None:
    def params(pbt: PopulationBasedTraining) -> list[dict]:
        return [t.params for t in pbt.study_.trials]

    assert params(_pbt().run()) == params(_pbt().run())
    assert params(_pbt().run()) == params(_pbt(n_jobs=2).run())
    assert params(_pbt().run()) != params(_pbt(random_state=1).run())


@pytest.mark.parametrize("explore", ["pb2", "perturb"])
def test_asynchronous_mode_runs_every_member_to_the_end(explore: str) -> None:
    pbt = _pbt(synchronous=False, explore=explore, exploit=TournamentSelection()).run()
    counts = np.bincount([t.system_attrs["pbt:member"] for t in pbt.study_.trials])
    assert counts.tolist() == [8] * 6
    assert pbt.best_trial_.value > -0.5


def test_asynchronous_mode_honours_the_joblib_threading_backend() -> None:
    import joblib

    seen: list[int] = []

    def step(params: dict[str, Any], state: Any) -> tuple[Any, float]:
        seen.append(os.getpid())  # only a thread of this process adds to this list
        return (state or 0) + params["lr"], -abs((state or 0) + params["lr"] - 3)

    with joblib.parallel_config(backend="threading"):
        pbt = PopulationBasedTraining(
            step,
            {"lr": [0.1, 0.5]},
            population_size=4,
            generations=3,
            synchronous=False,
            n_jobs=2,
            random_state=0,
        ).run()
    assert len(pbt.study_.trials) == 12
    assert seen == [os.getpid()] * 12  # it ran in loky processes whatever the backend


def test_a_second_run_starts_a_new_study() -> None:
    pbt = _pbt(generations=2)
    first = pbt.run().study_
    second = pbt.run().study_
    assert second is not first and len(second.trials) == len(first.trials) == 12
    assert [t.params for t in second.trials] == [t.params for t in first.trials]


def test_target_score_stops_early() -> None:
    pbt = _pbt(generations=50, target_score=-0.5).run()
    assert pbt.stopped_early_
    assert pbt.generations_run_ < 50
    assert pbt.best_trial_.value >= -0.5


def test_patience_stops_a_stalled_run() -> None:
    def flat(params: dict, state: Any) -> tuple[Any, float]:
        return state, 1.0

    pbt = PopulationBasedTraining(
        flat, {"x": [1, 2]}, population_size=4, generations=30, patience=2, random_state=0
    ).run()
    assert pbt.stopped_early_
    assert pbt.generations_run_ == 3  # the best came in generation 1; two more without gain


def test_failed_segments_are_recorded_and_replaced() -> None:
    def fragile(params: dict, state: Any) -> tuple[Any, float]:
        if params["x"] == "bad":
            raise ValueError("diverged")
        return (state or 0) + 1, float(state or 0)

    pbt = PopulationBasedTraining(
        fragile,
        {"x": ["bad", "good"]},
        population_size=6,
        generations=4,
        random_state=3,
        catch=(ValueError,),
    ).run()
    failed = pbt.study_.get_trials(states=(TrialState.FAIL,))
    assert failed and all("diverged" in t.system_attrs["fail_reason"] for t in failed)
    with pytest.raises(ValueError, match="diverged"):
        PopulationBasedTraining(fragile, {"x": ["bad"]}, population_size=2, generations=1).run()


def test_steps_count_what_ran_with_nan_scores_and_caught_errors() -> None:
    class Counter:
        """Counts its steps; no score at the first, an error at the fifth."""

        def init(self, params: dict, seed: int) -> list[int]:
            return [0]

        def step(self, params: dict, state: list[int]) -> tuple[list[int], float]:
            if state[0] == 4:
                raise RuntimeError("diverged")
            state[0] += 1
            return state, float("nan") if state[0] == 1 else float(state[0])

    pbt = PopulationBasedTraining(
        Counter(),
        {"lr": [0.1]},
        population_size=2,
        generations=2,
        steps_per_generation=3,
        random_state=0,
        catch=RuntimeError,  # a bare class, as optimize takes
    ).run()
    first, second = pbt.study_.trials[0], pbt.study_.trials[2]
    assert first.state == TrialState.COMPLETE and first.value == 3.0
    assert pbt.schedule(first.number)[0]["steps"] == 3  # the NaN step ran too
    assert replay(Counter(), pbt.schedule(first.number))[1] == pytest.approx(
        [math.nan, 2, 3], nan_ok=True
    )
    # the second segment ran one step (the fifth raised): it holds 4 steps, not 5
    assert second.state == TrialState.FAIL
    assert second.system_attrs["pbt:last_step"] == 4 == pbt.checkpoints.load(0)[0]
    assert [entry["steps"] for entry in pbt.schedule(second.number)] == [3, 1]


def test_minimize_direction() -> None:
    def step(params: dict, state: Any) -> tuple[Any, float]:
        state = (state or 0.0) + params["lr"]
        return state, abs(state - 3.0)

    pbt = PopulationBasedTraining(
        step,
        {"lr": loguniform(0.01, 1.0)},
        population_size=6,
        generations=8,
        direction="minimize",
        random_state=0,
    ).run()
    assert pbt.study_.direction == fastune.study.StudyDirection.MINIMIZE
    assert pbt.best_trial_.value < 0.5


def test_disk_checkpoints_keep_one_file_per_member(tmp_path: Any) -> None:
    pbt = _pbt(checkpoint_dir=str(tmp_path / "ckpt")).run()
    (run_dir,) = os.listdir(tmp_path / "ckpt")  # one subdirectory per run
    assert pbt.checkpoints.directory == str(tmp_path / "ckpt" / run_dir)  # type: ignore[attr-defined]
    files = sorted(os.listdir(tmp_path / "ckpt" / run_dir))
    assert files == ["manifest.json", *(f"member-{i}.pkl" for i in range(6))]
    in_memory = _pbt().run()
    assert [t.value for t in pbt.study_.trials] == [t.value for t in in_memory.study_.trials]
    assert [pbt.checkpoints.load(i) for i in range(6)] == [
        in_memory.checkpoints.load(i) for i in range(6)
    ]


def test_runs_sharing_a_checkpoint_dir_keep_their_own_checkpoints(tmp_path: Any) -> None:
    def tagged(tag: str) -> Any:
        def step(params: dict, state: Any) -> tuple[Any, float]:
            return (tag, (state or (tag, 0))[1] + 1), 1.0

        return step

    first = PopulationBasedTraining(
        tagged("A"), {"x": [1]}, population_size=2, generations=2, checkpoint_dir=tmp_path
    ).run()
    PopulationBasedTraining(
        tagged("B"), {"x": [1]}, population_size=2, generations=3, checkpoint_dir=tmp_path
    ).run()
    assert len(os.listdir(tmp_path)) == 2
    # was: the second run wrote over the first's files, ("B", 3) each
    assert [first.checkpoints.load(i) for i in range(2)] == [("A", 2), ("A", 2)]


def test_segments_go_to_a_given_study_and_callbacks_see_them() -> None:
    study = fastune.create_study(direction="maximize", study_name="pbt-run")
    seen = []
    _pbt(study=study, callbacks=[lambda pbt, segment: seen.append(segment.trial_number)]).run()
    assert seen == list(range(48))
    assert len(study.trials) == 48


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"population_size": 1}, InvalidParameterError, "'population_size'"),
        ({"generations": 0}, InvalidParameterError, "'generations'"),
        ({"quantile_fraction": 0.7}, InvalidParameterError, "'quantile_fraction'"),
        ({"perturbation_factors": (0.8, 0.0)}, InvalidParameterError, "'perturbation_factors'"),
        ({"explore": "mutate"}, InvalidParameterError, "'explore'"),
        ({"exploit": "elitist"}, InvalidParameterError, "'exploit'"),
        ({"direction": "up"}, InvalidParameterError, "'direction'"),
        ({"study": "s"}, InvalidParameterTypeError, "'study'"),
        (
            {"study": fastune.create_study(direction="minimize")},
            InvalidParameterError,
            r"'study'.*direction='maximize'.*\['minimize'\]",
        ),
        # Checked even where the chosen strategies do not use them.
        ({"exploit": "tournament", "quantile_fraction": 7}, InvalidParameterError, "'quantile_"),
        ({"explore": "pb2", "perturbation_factors": [-1]}, InvalidParameterError, "'perturbation_"),
        ({"n_jobs": 0}, InvalidParameterError, "'n_jobs'"),
        ({"n_jobs": "x"}, InvalidParameterTypeError, "'n_jobs'"),
        ({"synchronous": "no"}, InvalidParameterTypeError, "'synchronous'"),
        ({"catch": [ValueError, "x"]}, InvalidParameterTypeError, "'catch'"),
        (
            {"checkpoint_dir": 3},
            InvalidParameterTypeError,
            r"'checkpoint_dir'.*directory path.*Got 3",  # was a raw TypeError of os.fspath
        ),
        ({"callbacks": print}, InvalidParameterTypeError, "'callbacks'"),
        ({"structural": "lr"}, InvalidParameterTypeError, "'structural'"),
        ({"perturbation_factors": "12"}, InvalidParameterTypeError, "'perturbation_"),
        ({"structural": ["lr", "nope"]}, InvalidParameterError, r"'structural'.*\['nope'\]"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        _pbt(**kwargs)


def test_bad_search_space() -> None:
    with pytest.raises(InvalidParameterError, match="'search_space'"):
        PopulationBasedTraining(Climber(), {})
    with pytest.raises(InvalidParameterError, match="'choices'"):
        PopulationBasedTraining(Climber(), {"x": []})
    with pytest.raises(InvalidParameterTypeError, match="'trainable'"):
        PopulationBasedTraining(42, {"x": [1]})  # type: ignore[arg-type]


def test_choices_that_are_not_json_values() -> None:
    # functions, classes, estimators: a study in memory keeps them, as a plain study's
    def grow(params: dict[str, Any], state: float | None) -> tuple[float, float]:
        total = (state or 0.0) + params["op"](1.0)
        return total, total

    pbt = PopulationBasedTraining(
        grow, {"op": [math.tanh, math.exp]}, population_size=3, generations=3, random_state=0
    ).run()
    assert pbt.best_trial_.params["op"] in (math.tanh, math.exp)
    assert len(pbt.study_.trials) == 9


def test_structural_parameters_follow_the_donor() -> None:
    def step(params: dict, state: Any) -> tuple[Any, float]:
        state = (state or 0.0) + params["lr"]
        return state, -abs(state - 3.0)

    pbt = PopulationBasedTraining(
        step,
        {"lr": loguniform(0.01, 1.0), "width": [8, 16, 32, 64]},
        population_size=6,
        generations=6,
        random_state=0,
        resample_probability=1.0,
        structural=["width"],
    ).run()
    trials = {t.number: t for t in pbt.study_.trials}
    copies = 0
    for trial in trials.values():
        parent = trial.system_attrs["pbt:parent"]
        if parent is not None:
            assert trial.params["width"] == trials[parent].params["width"]
            copies += trial.params["lr"] != trials[parent].params["lr"]
    assert copies  # the other parameters were explored


class DiesOnce:
    """Adds the learning rate up; the process training a second segment with rate
    ``lr`` (any rate if None) dies (as one killed for memory would), once: ``marker``
    records that it did."""

    def __init__(self, marker: str, lr: float | None = 0.8) -> None:
        self.marker = marker
        self.lr = lr

    def init(self, params: dict[str, Any], seed: int) -> float:
        return 0.0

    def step(self, params: dict[str, Any], state: float) -> tuple[float, float]:
        if state and self.lr in (None, params["lr"]) and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return state + params["lr"], -abs(state + params["lr"] - 3.0)


def test_a_dead_worker_fails_its_segment_and_keeps_the_others(tmp_path: Any) -> None:
    pbt = PopulationBasedTraining(
        DiesOnce(str(tmp_path / "died")),
        {"lr": [0.2, 0.4, 0.6, 0.8]},
        population_size=4,
        generations=3,
        n_jobs=2,
        random_state=0,
    ).run()  # was: TerminatedWorkerError, and generation 1 lost
    assert os.path.exists(tmp_path / "died")
    trials = pbt.study_.trials
    assert len(trials) == 12  # every segment recorded, in the members' order
    assert [t.system_attrs["pbt:member"] for t in trials] == [0, 1, 2, 3] * 3
    assert all(t.state == TrialState.COMPLETE for t in trials[:4] + trials[8:])
    dead = [t for t in trials[4:8] if t.state == TrialState.FAIL]
    assert any(t.params["lr"] == 0.8 for t in dead)
    for trial in dead:
        assert "worker process training it died" in trial.system_attrs["fail_reason"]
        assert trial.system_attrs["pbt:last_step"] == 1  # it keeps the checkpoint it had
        # and copies a donor at the next ready point, if a segment of its generation came
        # back (the pool may die before any did: then each goes on from its own checkpoint)
        follower = trials[trial.number + 4].system_attrs["pbt:parent"]
        assert (follower != trial.number) == (len(dead) < 4)


def test_a_dead_worker_fails_its_segment_and_the_asynchronous_run_goes_on(
    tmp_path: Any,
) -> None:
    # The first second segment to train kills its worker: which one depends on timing.
    pbt = PopulationBasedTraining(
        DiesOnce(str(tmp_path / "died"), lr=None),
        {"lr": [0.2, 0.4, 0.6, 0.8]},
        population_size=4,
        generations=3,
        synchronous=False,
        n_jobs=2,
        random_state=0,
    ).run()  # was: TerminatedWorkerError, and the segments in flight lost
    assert os.path.exists(tmp_path / "died")
    trials = pbt.study_.trials
    by_member: dict[int, list[Any]] = {}
    for trial in trials:
        by_member.setdefault(trial.system_attrs["pbt:member"], []).append(trial)
    assert sorted(by_member) == [0, 1, 2, 3]
    for segments in by_member.values():  # every member ran to the end, once per generation
        assert [t.system_attrs["pbt:generation"] for t in segments] == [0, 1, 2]
    dead = [t for t in trials if t.state == TrialState.FAIL]
    assert dead  # the segment that died, and the others its pool held
    # the member whose second segment died trains its third in a new pool
    assert any(t.state == TrialState.COMPLETE for t in trials[dead[0].number + 1 :])
    for trial in dead:
        assert "worker process training it died" in trial.system_attrs["fail_reason"]
        parent = trial.system_attrs["pbt:parent"]
        held = 0 if parent is None else trials[parent].system_attrs["pbt:last_step"]
        assert trial.system_attrs["pbt:last_step"] == held  # it keeps the checkpoint it had
    for trial in trials:  # the others trained on from the checkpoints recorded
        if trial.state == TrialState.COMPLETE:
            _, scores = replay(DiesOnce(str(tmp_path / "died")), pbt.schedule(trial.number))
            assert scores[-1] == pytest.approx(trial.value)


def test_an_uncaught_error_keeps_the_segments_that_ran_before_it() -> None:
    def step(params: dict, state: Any) -> tuple[Any, float]:
        state = (state or 0) + 1
        if state == 2 and params["x"] == "bad":
            raise RuntimeError("broke")
        return state, float(state)

    study = fastune.create_study(direction="maximize")
    pbt = PopulationBasedTraining(
        step,
        {"x": ["good", "bad"]},
        population_size=4,
        generations=3,
        random_state=2,
        study=study,
    )
    with pytest.raises(RuntimeError, match="broke"):
        pbt.run()
    assert [m.params["x"] for m in pbt.members_[:3]] == ["good", "good", "bad"]
    # members 0 and 1 trained their second segment before member 2 raised
    generations = [t.system_attrs["pbt:generation"] for t in study.trials]
    assert generations == [0, 0, 0, 0, 1, 1]  # was: only generation 0


def test_a_study_holding_a_population_is_not_given_a_second_one(tmp_path: Any) -> None:
    storage = f"sqlite:///{tmp_path / 'pbt.db'}"
    study = fastune.create_study(direction="maximize", storage=storage, study_name="pbt")
    _pbt(generations=1, study=study).run()
    again = fastune.load_study(study_name="pbt", storage=storage)
    # was: a second population at generation 0, mixed into the first one's trials
    with pytest.raises(InvalidParameterError, match=r"'study'.*cannot be resumed.*6 PBT segment"):
        _pbt(generations=2, study=again).run()
    assert len(again.trials) == 6


def test_a_study_holding_other_trials_is_refused_before_training() -> None:
    study = fastune.create_study(direction="maximize")
    study.optimize(lambda trial: trial.suggest_float("lr", 0.1, 1.0), n_trials=2)
    # was: the run mixed its segments into the other trials (PBTSearchCV: a KeyError)
    with pytest.raises(InvalidParameterError, match=r"'study'.*2 trials that are not PBT"):
        _pbt(generations=1, study=study).run()
    assert len(study.trials) == 2


def test_schedule_of_a_trial_that_is_not_a_segment_is_named() -> None:
    pbt = _pbt(generations=2).run()
    with pytest.raises(InvalidParameterError, match=r"'trial_number'.*\(0 to 11\).*Got 99"):
        pbt.schedule(99)
