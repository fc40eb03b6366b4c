from __future__ import annotations

import fastune
from fastune.samplers._search_space import FinishedTrials


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
