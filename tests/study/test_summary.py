from __future__ import annotations

from pathlib import Path

import pytest

import fastune
from fastune.exceptions import DuplicatedStudyError
from fastune.storages import InMemoryStorage
from fastune.trial import TrialState


def _study(storage: object, name: str, n: int = 4) -> fastune.Study:
    study = fastune.create_study(study_name=name, storage=storage)
    study.set_user_attr("team", "a")

    def objective(trial: fastune.Trial) -> float:
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)
        if trial.number == 1:
            raise fastune.TrialPruned()
        return x

    study.optimize(objective, n_trials=n)
    return study


def test_summaries_of_every_study(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = _study(url, "first")
    fastune.create_study(study_name="two", storage=url, directions=["minimize", "maximize"])
    one, two = fastune.get_all_study_summaries(url)
    assert (one.study_name, one.n_trials, one.user_attrs) == ("first", 4, {"team": "a"})
    assert one.best_trial is not None and one.best_trial.value == first.best_value
    assert one.n_trials_by_state["PRUNED"] == 1 and one.datetime_start is not None
    assert two.best_trial is None and two.n_trials == 0 and two.datetime_start is None
    with pytest.raises(RuntimeError, match="directions"):
        _ = two.direction


def test_copy_study_keeps_trials_and_attributes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    source = _study(url, "source")
    target = InMemoryStorage()
    fastune.copy_study(
        from_study_name="source", from_storage=url, to_storage=target, to_study_name="copy"
    )
    copied = fastune.load_study(study_name="copy", storage=target)
    assert copied.user_attrs == {"team": "a"}
    pairs = zip(copied.trials, source.trials, strict=True)
    assert all(
        (a.params, a.state, a.values, a.intermediate_values)
        == (b.params, b.state, b.values, b.intermediate_values)
        for a, b in pairs
    )
    assert copied.trials[1].state == TrialState.PRUNED
    with pytest.raises(DuplicatedStudyError):
        fastune.copy_study(
            from_study_name="source", from_storage=url, to_storage=target, to_study_name="copy"
        )


def test_copy_study_keeps_an_enqueued_value_outside_its_distribution(tmp_path: Path) -> None:
    source = fastune.create_study(study_name="s", storage=f"sqlite:///{tmp_path / 's.db'}")
    source.enqueue_trial({"x": 5.0})  # accepted with a warning, used as given
    source.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    target = InMemoryStorage()
    fastune.copy_study(from_study_name="s", from_storage=source._storage, to_storage=target)
    copied = fastune.load_study(study_name="s", storage=target)
    assert [t.params for t in copied.trials] == [t.params for t in source.trials]


def test_a_failed_copy_leaves_no_study_behind() -> None:
    source = fastune.create_study(study_name="s")
    source.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)

    class Full(InMemoryStorage):
        def create_new_trial(self, study_id: int, template_trial: object = None) -> int:
            raise OSError("disk full")

    target = Full()
    with pytest.raises(OSError, match="disk full"):
        fastune.copy_study(from_study_name="s", from_storage=source._storage, to_storage=target)
    assert fastune.get_all_study_names(storage=target) == []  # a retry is not blocked


def test_summaries_sort_by_study_id_as_optunas() -> None:
    storage = InMemoryStorage()
    for name in ("b", "a", "c"):
        fastune.create_study(study_name=name, storage=storage)
    summaries = fastune.get_all_study_summaries(storage)
    assert [s.study_name for s in sorted(summaries, reverse=True)] == ["c", "a", "b"]
    assert summaries[0] <= summaries[0] and summaries[0] < summaries[1]
