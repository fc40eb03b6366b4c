"""Resuming an interrupted PBT run from its study (SQLite) and its checkpoint directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

import fastune
from fastune.exceptions import InvalidParameterError
from fastune.pbt import PopulationBasedTraining, replay
from fastune.trial import FrozenTrial


class Climber:
    """Deterministic: the state is the list of learning rates trained with; the score is
    how close their sum is to 3."""

    def init(self, params: dict[str, Any], seed: int) -> list[float]:
        return []

    def step(self, params: dict[str, Any], state: list[float]) -> tuple[list[float], float]:
        state = [*state, params["lr"]]
        return state, -abs(sum(state) - 3.0)


class Interrupted(Climber):
    """A Climber whose ``steps``-th step (counted over the whole run) is interrupted, as
    by Ctrl-C."""

    def __init__(self, steps: int) -> None:
        self.left = steps

    def step(self, params: dict[str, Any], state: list[float]) -> tuple[list[float], float]:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt
        return super().step(params, state)


SPACE = {"lr": [0.1, 0.2, 0.4, 0.8]}


def _pbt(trainable: Any, study: fastune.Study | None, tmp_path: Any, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "population_size": 4,
        "generations": 5,
        "random_state": 0,
        "checkpoint_dir": tmp_path / "ckpt",
        "study": study,
    }
    options.update(kwargs)
    return PopulationBasedTraining(trainable, SPACE, **options)


def _storage(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'pbt.db'}"


def _interrupt(tmp_path: Any, steps: int, **kwargs: Any) -> None:
    """Run 1: create the study on SQLite and interrupt its run at the ``steps``-th step."""
    study = fastune.create_study(storage=_storage(tmp_path), study_name="pbt", direction="maximize")
    with pytest.raises(KeyboardInterrupt):
        _pbt(Interrupted(steps), study, tmp_path, **kwargs).run()


def _resume(tmp_path: Any, **kwargs: Any) -> Any:
    """Run 2: the same PopulationBasedTraining on the loaded study."""
    study = fastune.load_study(study_name="pbt", storage=_storage(tmp_path))
    return _pbt(Climber(), study, tmp_path, **kwargs).run()


def _record(trial: FrozenTrial) -> tuple[Any, ...]:
    return (trial.number, trial.params, trial.value, trial.state, trial.system_attrs)


def test_a_synchronous_run_stopped_while_training_goes_on_as_if_never_stopped(
    tmp_path: Any,
) -> None:
    # The 11th step: generation 2 of member 2, after members 0 and 1 finished theirs.
    _interrupt(tmp_path, steps=11)
    before = fastune.load_study(study_name="pbt", storage=_storage(tmp_path)).trials
    assert [t.system_attrs["pbt:generation"] for t in before] == [0] * 4 + [1] * 4 + [2] * 2
    resumed = _resume(tmp_path)
    whole = _pbt(Climber(), None, tmp_path / "whole").run()
    assert [_record(t) for t in resumed.study_.trials] == [_record(t) for t in whole.study_.trials]
    assert resumed.study_.trials[:10] == before  # nothing recorded again
    assert resumed.generations_run_ == 5 and len(resumed.segments_) == 20
    assert resumed.best_trial_.number == whole.best_trial_.number
    assert resumed.schedule() == whole.schedule()
    assert [resumed.checkpoints.load(i) for i in range(4)] == [
        whole.checkpoints.load(i) for i in range(4)
    ]


def _check_continuation(before: list[FrozenTrial], pbt: Any, population: int) -> None:
    """Every member has all its generations once, no generation starts over, and each
    resumed member's first new segment starts from the checkpoint recorded for it."""
    trials = pbt.study_.trials
    assert trials[: len(before)] == before
    by_member: dict[int, list[FrozenTrial]] = {}
    for trial in trials:
        by_member.setdefault(trial.system_attrs["pbt:member"], []).append(trial)
    for member, segments in by_member.items():
        assert [t.system_attrs["pbt:generation"] for t in segments] == list(range(5))
        old = [t for t in segments if t.number < len(before)]
        first_new = segments[len(old)]
        parent = first_new.system_attrs["pbt:parent"]
        if old:  # its own latest segment, or a donor's it copied at the ready point after it
            assert parent == old[-1].number or (
                parent < len(before) and trials[parent].system_attrs["pbt:member"] != member
            )
        # The state it started from holds the parent's steps, and only those.
        assert (
            min(first_new.intermediate_values)
            == (0 if parent is None else trials[parent].system_attrs["pbt:last_step"]) + 1
        )
    assert len(trials) == population * 5 and pbt.generations_run_ == 5
    for trial in trials:  # each score is that of the lineage's steps, trained from scratch
        state, scores = replay(Climber(), pbt.schedule(trial.number))
        assert scores[-1] == pytest.approx(trial.value)
        assert len(state) == trial.system_attrs["pbt:last_step"]


def test_an_asynchronous_run_goes_on_from_its_study(tmp_path: Any) -> None:
    _interrupt(tmp_path, steps=13, synchronous=False)
    before = fastune.load_study(study_name="pbt", storage=_storage(tmp_path)).trials
    assert len(before) == 12
    resumed = _resume(tmp_path, synchronous=False)
    _check_continuation(before, resumed, population=4)


KILLED_RUN = """
import os, sys
import fastune
from fastune.pbt import PopulationBasedTraining

class DiesAtGeneration3:
    def init(self, params, seed):
        return []

    def step(self, params, state):
        if len(state) == 3 and params["lr"] > 0.15:  # killed, as by the OOM killer
            os._exit(3)
        state = [*state, params["lr"]]
        return state, -abs(sum(state) - 3.0)

study = fastune.create_study(
    storage=sys.argv[1], study_name="pbt", direction="maximize", load_if_exists=True
)
PopulationBasedTraining(
    DiesAtGeneration3(), {SPACE}, population_size=4, generations=5, random_state=0,
    checkpoint_dir=sys.argv[2], study=study, synchronous={SYNCHRONOUS},
).run()
"""


@pytest.mark.parametrize(("synchronous", "n_jobs"), [(True, 1), (False, 1), (True, 2), (False, 2)])
def test_a_run_killed_in_its_process_is_resumed_in_another(
    tmp_path: Any, synchronous: bool, n_jobs: int
) -> None:
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(KILLED_RUN)
        .replace("{SPACE}", repr(SPACE))
        .replace("{SYNCHRONOUS}", repr(synchronous))
    )
    killed = subprocess.run(
        [sys.executable, str(script), _storage(tmp_path), str(tmp_path / "ckpt")],
        capture_output=True,
        text=True,
    )
    assert killed.returncode == 3, killed.stderr
    before = fastune.load_study(study_name="pbt", storage=_storage(tmp_path)).trials
    assert 0 < len(before) < 20
    assert max(t.system_attrs["pbt:generation"] for t in before) <= 3
    # Resumed by worker processes too (n_jobs=2): they train from the checkpoints on disk.
    resumed = _resume(tmp_path, synchronous=synchronous, n_jobs=n_jobs)
    _check_continuation(before, resumed, population=4)


def test_a_finished_run_has_nothing_left_to_do_but_can_be_extended(tmp_path: Any) -> None:
    study = fastune.create_study(storage=_storage(tmp_path), study_name="pbt", direction="maximize")
    first = _pbt(Climber(), study, tmp_path).run()
    again = _resume(tmp_path)  # nothing to train: the results, rebuilt from the study
    assert len(again.study_.trials) == 20
    assert again.best_trial_ == first.best_trial_ and again.generations_run_ == 5
    assert again.schedule() == first.schedule()
    assert [m.params for m in again.members_] == [m.params for m in first.members_]
    longer = _resume(tmp_path, generations=7)  # a larger total trains on to it
    assert len(longer.study_.trials) == 28 and longer.generations_run_ == 7
    assert longer.study_.trials[20].system_attrs["pbt:generation"] == 5


def _manifest(tmp_path: Any) -> str:
    (run,) = os.listdir(tmp_path / "ckpt")
    return str(tmp_path / "ckpt" / run / "manifest.json")


def test_a_missing_checkpoint_is_refused(tmp_path: Any) -> None:
    _interrupt(tmp_path, steps=11)
    missing = os.path.join(os.path.dirname(_manifest(tmp_path)), "member-3.pkl")
    os.remove(missing)
    with pytest.raises(InvalidParameterError, match="'checkpoint_dir'") as error:
        _resume(tmp_path)
    message = str(error.value)
    assert f"{missing} is missing" in message and "record a new run in a new study" in message
    assert len(fastune.load_study(study_name="pbt", storage=_storage(tmp_path)).trials) == 10


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        # The run stopped after recording member 1's segment 8, before its manifest entry.
        (
            lambda content: content["members"][1].update(trial_number=5),
            "member 1's file holds its state after trial 5, not after its latest segment, trial 9",
        ),
        (
            lambda content: content.update(changing=[2]),
            "member 2's checkpoint was being replaced by a donor's copy",
        ),
    ],
)
def test_checkpoints_that_do_not_match_the_study_are_refused(
    tmp_path: Any, change: Any, fragment: str
) -> None:
    _interrupt(tmp_path, steps=11)
    with open(_manifest(tmp_path)) as file:
        content = json.load(file)
    change(content)
    with open(_manifest(tmp_path), "w") as file:
        json.dump(content, file)
    with pytest.raises(InvalidParameterError, match="'checkpoint_dir'") as error:
        _resume(tmp_path)
    assert fragment in str(error.value)


def test_the_checkpoint_dir_must_be_that_of_the_run(tmp_path: Any) -> None:
    _interrupt(tmp_path, steps=11)
    (run,) = os.listdir(tmp_path / "ckpt")
    with pytest.raises(InvalidParameterError, match=rf"'checkpoint_dir'.*{run}.*Got None"):
        _resume(tmp_path, checkpoint_dir=None)
    with pytest.raises(InvalidParameterError, match=rf"'checkpoint_dir'.*{run}.manifest.json"):
        _resume(tmp_path, checkpoint_dir=tmp_path / "elsewhere")
    assert not os.path.exists(tmp_path / "elsewhere")  # nothing created there
    with pytest.raises(InvalidParameterError, match=r"'population_size'.*4.*Got 5"):
        _resume(tmp_path, population_size=5)
    with pytest.raises(InvalidParameterError, match=r"'synchronous'.*True.*Got False"):
        _resume(tmp_path, synchronous=False)


def test_a_search_space_changed_under_the_same_names_is_refused(tmp_path: Any) -> None:
    # The manifest keeps choices as indices: other choices would read them differently.
    _interrupt(tmp_path, steps=11)
    study = fastune.load_study(study_name="pbt", storage=_storage(tmp_path))
    pbt = PopulationBasedTraining(
        Climber(),
        {"lr": [0.1, 0.2, 0.4, 1.6]},
        population_size=4,
        generations=5,
        checkpoint_dir=tmp_path / "ckpt",
        study=study,
    )
    with pytest.raises(InvalidParameterError, match=r"'search_space'.*0\.8.*Got .*1\.6"):
        pbt.run()


def test_a_pbt_that_never_ran_leaves_no_directory(tmp_path: Any) -> None:
    _pbt(Climber(), None, tmp_path)
    assert not os.path.exists(tmp_path / "ckpt")


def test_studies_sharing_a_checkpoint_dir_resume_from_their_own_files(tmp_path: Any) -> None:
    class Tagged(Interrupted):
        def __init__(self, tag: str, steps: int) -> None:
            super().__init__(steps)
            self.tag = tag

        def init(self, params: dict[str, Any], seed: int) -> list[Any]:
            return [self.tag]

        def step(self, params: dict[str, Any], state: list[Any]) -> tuple[list[Any], float]:
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt
            return [*state, params["lr"]], float(len(state))

    storage = _storage(tmp_path)
    for tag in "AB":
        study = fastune.create_study(storage=storage, study_name=tag, direction="maximize")
        with pytest.raises(KeyboardInterrupt):
            _pbt(Tagged(tag, steps=7), study, tmp_path).run()
    assert len(os.listdir(tmp_path / "ckpt")) == 2
    for tag in "AB":
        study = fastune.load_study(study_name=tag, storage=storage)
        pbt = _pbt(Tagged(tag, steps=-1), study, tmp_path).run()
        assert len(study.trials) == 20
        assert {pbt.checkpoints.load(i)[0] for i in range(4)} == {tag}
