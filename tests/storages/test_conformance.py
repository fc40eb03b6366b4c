"""The conformance suite every storage must pass, parametrized over all storages."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable

import pytest

from fastune.distributions import CategoricalDistribution, FloatDistribution
from fastune.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    StudyNotFoundError,
    TrialNotFoundError,
    UpdateFinishedTrialError,
)
from fastune.storages import (
    BaseStorage,
    InMemoryStorage,
    JournalStorage,
    PostgreSQLStorage,
    SQLiteStorage,
)
from fastune.storages.journal import JournalFileBackend
from fastune.study import StudyDirection
from fastune.trial import TrialState, create_trial


def _sqlite() -> BaseStorage:
    import tempfile

    return SQLiteStorage(tempfile.mkdtemp(prefix="fastune-") + "/study.db")


def _journal() -> BaseStorage:
    import tempfile

    return JournalStorage(JournalFileBackend(tempfile.mkdtemp(prefix="fastune-") + "/journal.log"))


STORAGES: dict[str, Callable[[], BaseStorage]] = {
    "in-memory": InMemoryStorage,
    "journal": _journal,
    "sqlite": _sqlite,
}
# Need the session's servers: built in the fixture below.
SERVER_STORAGES = ("grpc-proxy", "journal-redis", "postgresql")

MIN = [StudyDirection.MINIMIZE]


@pytest.fixture(params=[*sorted(STORAGES), *SERVER_STORAGES])
def storage(request: pytest.FixtureRequest) -> BaseStorage:
    return storage_named(request)


def storage_named(request: pytest.FixtureRequest) -> BaseStorage:
    """A new storage of the kind ``request.param`` names (one of STORAGES or
    SERVER_STORAGES), the servers' from the session's fixtures."""
    if request.param == "postgresql":
        return PostgreSQLStorage(request.getfixturevalue("postgresql_url"))
    if request.param == "grpc-proxy":
        return request.getfixturevalue("grpc_proxy")
    if request.param == "journal-redis":
        return JournalStorage(request.getfixturevalue("redis_backend"))
    return STORAGES[request.param]()


def test_studies(storage: BaseStorage) -> None:
    first = storage.create_new_study(MIN, "first")
    second = storage.create_new_study([StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE])
    assert first != second
    assert storage.get_study_id_from_name("first") == first
    assert storage.get_study_name_from_id(first) == "first"
    assert storage.get_study_directions(second)[0] == StudyDirection.MAXIMIZE
    assert storage.get_all_study_names()[0] == "first"
    with pytest.raises(DuplicatedStudyError):
        storage.create_new_study(MIN, "first")
    storage.set_study_user_attr(first, "k", [1, 2])
    storage.set_study_system_attr(first, "s", "v")
    assert storage.get_study_user_attrs(first) == {"k": [1, 2]}
    assert storage.get_study_system_attrs(first) == {"s": "v"}
    storage.delete_study(first)
    with pytest.raises(StudyNotFoundError):
        storage.get_study_id_from_name("first")
    with pytest.raises(StudyNotFoundError):
        storage.get_study_directions(first)


def test_a_study_deleted_through_another_storage_object_is_gone(storage: BaseStorage) -> None:
    if isinstance(storage, InMemoryStorage):
        pytest.skip("an in-memory storage is the only object on its store")
    study_id = storage.create_new_study(MIN, "doomed")
    for value in (0.5, 0.25):
        storage.create_new_trial(study_id, create_trial(value=value))
    assert len(storage.get_all_trials(study_id)) == 2  # read once, so kept by a cache
    assert storage.get_best_trial(study_id).value == 0.25
    other = pickle.loads(pickle.dumps(storage))  # a second object on the same store
    other.delete_study(other.get_study_id_from_name("doomed"))
    with pytest.raises(StudyNotFoundError):
        storage.get_all_trials(study_id)
    with pytest.raises(StudyNotFoundError):
        storage.get_best_trial(study_id)
    with pytest.raises(StudyNotFoundError):
        storage.get_study_directions(study_id)


def test_trial_life_cycle(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    trial_id = storage.create_new_trial(study_id)
    dist = CategoricalDistribution(["a", "b"])
    storage.set_trial_param(trial_id, "c", 1.0, dist)
    storage.set_trial_intermediate_value(trial_id, 0, 0.5)
    storage.set_trial_user_attr(trial_id, "u", 1)
    storage.set_trial_system_attr(trial_id, "s", 2)
    running = storage.get_trial(trial_id)
    assert running.state == TrialState.RUNNING and running.params == {"c": "b"}
    assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.25])
    done = storage.get_trial(trial_id)
    assert done.values == [0.25] and done.datetime_complete is not None
    assert done.intermediate_values == {0: 0.5}
    assert (done.user_attrs, done.system_attrs["s"]) == ({"u": 1}, 2)
    with pytest.raises(UpdateFinishedTrialError):
        storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
    with pytest.raises(UpdateFinishedTrialError):
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
    with pytest.raises(TrialNotFoundError):
        storage.get_trial(trial_id + 100)


def test_a_missing_trial_number_names_the_study(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN, "numbers")
    storage.create_new_trial(study_id)
    assert storage.get_trial_id_from_study_id_trial_number(study_id, 0) >= 0
    with pytest.raises(TrialNotFoundError, match="Study 'numbers' has no trial number 5"):
        storage.get_trial_id_from_study_id_trial_number(study_id, 5)
    with pytest.raises(TrialNotFoundError, match="Study 'numbers' has no trial number 5"):
        BaseStorage.get_trial_id_from_study_id_trial_number(storage, study_id, 5)


def test_returned_records_are_copies(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    trial_id = storage.create_new_trial(study_id)
    storage.get_trial(trial_id).params["x"] = 1
    storage.get_all_trials(study_id)[0].user_attrs["y"] = 2
    assert storage.get_trial(trial_id).params == {}
    assert storage.get_trial(trial_id).user_attrs == {}


def test_trials_read_without_a_copy_are_not_changed_by_later_writes(
    storage: BaseStorage,
) -> None:
    # As Optuna's storages: a list read with deepcopy=False is a snapshot, so a reader
    # (a sampler in another thread) never sees a trial half-way through an update.
    study_id = storage.create_new_study(MIN)
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
    (before,) = storage.get_all_trials(study_id, deepcopy=False)
    storage.set_trial_param(trial_id, "y", 0.25, FloatDistribution(0, 1))
    storage.set_trial_intermediate_value(trial_id, 0, 1.0)
    storage.set_trial_user_attr(trial_id, "u", 1)
    storage.set_trial_system_attr(trial_id, "s", 2)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.5])
    assert (before.state, before.values, before.params) == (TrialState.RUNNING, None, {"x": 0.5})
    assert (before.intermediate_values, before.user_attrs, before.system_attrs) == ({}, {}, {})
    (after,) = storage.get_all_trials(study_id, deepcopy=False)
    assert (after.state, after.values, after.user_attrs) == (TrialState.COMPLETE, [0.5], {"u": 1})
    assert storage.get_best_trial(study_id).params == {"x": 0.5, "y": 0.25}


@pytest.mark.parametrize("names", [["b", "a", "c"], ["a", "c", "b"]])
def test_params_keep_the_order_they_were_set_in(storage: BaseStorage, names: list[str]) -> None:
    if isinstance(storage, PostgreSQLStorage):
        pytest.skip("no rowid: PostgreSQL may return a trial's parameters in name order")
    study_id = storage.create_new_study(MIN)
    trial_id = storage.create_new_trial(study_id)
    for name in names:
        storage.set_trial_param(trial_id, name, 0.5, FloatDistribution(0, 1))
    assert list(storage.get_trial(trial_id).params) == names
    assert list(storage.get_all_trials(study_id)[0].params) == names
    assert list(storage.get_all_trials(study_id)[0].distributions) == names


def test_param_distribution_cannot_change(storage: BaseStorage) -> None:
    trial_id = storage.create_new_trial(storage.create_new_study(MIN))
    storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 1))
    with pytest.raises(InvalidParameterError, match="'x'"):
        storage.set_trial_param(trial_id, "x", 0.5, FloatDistribution(0, 2))


def test_numbers_states_and_best(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    for value in (3.0, 1.0, 2.0):
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [value])
    storage.set_trial_state_values(storage.create_new_trial(study_id), TrialState.FAIL)
    trials = storage.get_all_trials(study_id)
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert storage.get_n_trials(study_id) == 4
    assert storage.get_n_trials(study_id, state=(TrialState.COMPLETE,)) == 3
    assert storage.get_n_trials(study_id, state=TrialState.FAIL) == 1  # one state, as Optuna
    assert storage.get_n_trials(study_id, TrialState.RUNNING) == 0
    assert storage.get_best_trial(study_id).number == 1
    assert storage.get_trial_id_from_study_id_trial_number(study_id, 2) == trials[2]._trial_id
    with pytest.raises(TrialNotFoundError):
        storage.get_trial_id_from_study_id_trial_number(study_id, 9)


def test_template_trials_and_waiting_queue(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    finished = create_trial(
        value=4.0, params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}
    )
    storage.create_new_trial(study_id, template_trial=finished)
    waiting = create_trial(state=TrialState.WAITING)
    first = storage.create_new_trial(study_id, template_trial=waiting)
    second = storage.create_new_trial(study_id, template_trial=waiting)
    assert storage.get_best_trial(study_id).params == {"x": 0.5}
    assert storage.pop_waiting_trial_id(study_id) == first
    assert storage.pop_waiting_trial_id(study_id) == second
    assert storage.pop_waiting_trial_id(study_id) is None
    assert storage.get_trial(first).state == TrialState.RUNNING
    assert storage.get_trial(first).datetime_start is not None
    assert not storage.set_trial_state_values(first, TrialState.RUNNING)  # already taken


def test_a_waiting_trial_finished_before_it_ran_leaves_the_queue(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    waiting = create_trial(state=TrialState.WAITING)
    cancelled = storage.create_new_trial(study_id, template_trial=waiting)
    second = storage.create_new_trial(study_id, template_trial=waiting)
    assert storage.set_trial_state_values(cancelled, TrialState.FAIL)
    assert storage.pop_waiting_trial_id(study_id) == second
    assert storage.pop_waiting_trial_id(study_id) is None
    assert storage.get_trial(cancelled).state == TrialState.FAIL


def test_the_base_pop_skips_a_trial_another_worker_finished_meanwhile(
    storage: BaseStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # BaseStorage's own pop (for storages that do not write their own): the list it read
    # still shows a trial that another worker has since started and finished.
    study_id = storage.create_new_study(MIN)
    waiting = create_trial(state=TrialState.WAITING)
    taken = storage.create_new_trial(study_id, template_trial=waiting)
    second = storage.create_new_trial(study_id, template_trial=waiting)
    stale = storage.get_all_trials(study_id, states=(TrialState.WAITING,))
    assert storage.set_trial_state_values(taken, TrialState.RUNNING)
    assert storage.set_trial_state_values(taken, TrialState.COMPLETE, [1.0])
    monkeypatch.setattr(storage, "get_all_trials", lambda *args, **kwargs: stale)
    assert BaseStorage.pop_waiting_trial_id(storage, study_id) == second  # raised before


def test_a_trial_put_back_to_waiting_is_started_again_in_number_order(
    storage: BaseStorage,
) -> None:
    study_id = storage.create_new_study(MIN)
    requeued = storage.create_new_trial(study_id)
    later = storage.create_new_trial(
        study_id, template_trial=create_trial(state=TrialState.WAITING)
    )
    assert storage.set_trial_state_values(requeued, TrialState.WAITING)
    assert storage.pop_waiting_trial_id(study_id) == requeued  # the lower number first
    assert storage.pop_waiting_trial_id(study_id) == later
    assert storage.pop_waiting_trial_id(study_id) is None
    assert storage.get_trial(requeued).state == TrialState.RUNNING


def test_each_waiting_trial_is_started_once_across_threads(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    for _ in range(200):
        storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        while (trial_id := storage.pop_waiting_trial_id(study_id)) is not None:
            with lock:
                taken.append(trial_id)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == len(set(taken)) == 200


def test_multi_objective_has_no_single_best(storage: BaseStorage) -> None:
    study_id = storage.create_new_study([StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE])
    with pytest.raises(RuntimeError, match="best_trials"):
        storage.get_best_trial(study_id)


def test_no_best_before_a_complete_trial(storage: BaseStorage) -> None:
    study_id = storage.create_new_study(MIN)
    with pytest.raises(ValueError, match="No trials are completed"):
        storage.get_best_trial(study_id)


def test_optunas_readers_of_studies_and_trials(storage: BaseStorage) -> None:
    first = storage.create_new_study(MIN, "first")
    storage.set_study_user_attr(first, "u", 1)
    storage.set_study_system_attr(first, "s", 2)
    both = [StudyDirection.MAXIMIZE, StudyDirection.MINIMIZE]
    second = storage.create_new_study(both, "second")
    studies = storage.get_all_studies()
    assert [(s.study_name, s._study_id) for s in studies] == [("first", first), ("second", second)]
    assert (studies[0].direction, studies[0].user_attrs, studies[0].system_attrs) == (
        StudyDirection.MINIMIZE,
        {"u": 1},
        {"s": 2},
    )
    assert studies[1].directions == both and sorted(reversed(studies)) == studies
    with pytest.raises(RuntimeError, match="several objectives"):
        _ = studies[1].direction

    storage.create_new_trial(first)
    trial_id = storage.create_new_trial(first)
    storage.set_trial_param(trial_id, "c", 1.0, CategoricalDistribution(["a", "b"]))
    storage.set_trial_user_attr(trial_id, "u", [1])
    storage.set_trial_system_attr(trial_id, "s", "x")
    storage.set_trial_intermediate_value(trial_id, 3, intermediate_value=0.5)
    assert storage.get_trial(trial_id).intermediate_values == {3: 0.5}
    assert storage.get_trial_number_from_id(trial_id) == 1
    assert storage.get_trial_params(trial_id) == {"c": "b"}
    assert storage.get_trial_param(trial_id, "c") == 1.0  # the internal form: the index
    assert storage.get_trial_user_attrs(trial_id) == {"u": [1]}
    assert storage.get_trial_system_attrs(trial_id) == {"s": "x"}
    with pytest.raises(KeyError, match=r"'param_name'.*trial 1, one of \['c'\]. Got 'x'"):
        storage.get_trial_param(trial_id, "x")
    for reader in (storage.get_trial_number_from_id, storage.get_trial_params):
        with pytest.raises(KeyError):  # Optuna's error for an unknown trial
            reader(trial_id + 100)

    storage.check_trial_is_updatable(trial_id, TrialState.RUNNING)
    with pytest.raises(UpdateFinishedTrialError, match="Trial 1 .*COMPLETE"):
        storage.check_trial_is_updatable(trial_id, TrialState.COMPLETE)
    storage.remove_session()  # nothing held open is needed: the next call opens it again
    assert storage.get_n_trials(first) == 2
