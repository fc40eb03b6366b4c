from __future__ import annotations

import pickle

import fastune
from fastune.samplers._search_space import FinishedTrials, JointSpaces
from fastune.trial import TrialState


def test_each_finished_trial_is_handed_out_once_and_unfinished_ones_later() -> None:
    study = fastune.create_study()
    waiting = study.ask()  # stays running for a while
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    feed = FinishedTrials()
    first = feed.new(study.get_trials(deepcopy=False))
    assert [t.number for t in first] == [1, 2, 3]
    assert [t.number for t in feed.unfinished(study.get_trials(deepcopy=False))] == [0]
    stale = study.get_trials(deepcopy=False)
    study.tell(waiting, 0.5)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert [t.number for t in feed.new(study.get_trials(deepcopy=False))] == [0, 4]
    assert feed.new(stale) == []  # an older list from another thread changes nothing
    assert feed.new(study.get_trials(deepcopy=False)) == []


def test_joint_spaces_count_the_trials_in_their_states_also_after_a_pickle() -> None:
    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        if trial.number == 1:
            raise fastune.TrialPruned()  # before it suggests y
        return x + trial.suggest_float("y", 0, 1)

    study = fastune.create_study()
    study.optimize(objective, n_trials=3)
    complete = pickle.loads(pickle.dumps(JointSpaces(states=(TrialState.COMPLETE,))))
    assert sorted(complete.space(study)) == ["x", "y"]
    assert sorted(JointSpaces().space(study)) == ["x"]  # complete and pruned
