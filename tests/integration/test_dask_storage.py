"""DaskStorage on a real Dask LocalCluster with worker processes: Optuna's pattern (the
study's optimize submitted to the workers), the scheduler's storage brought back, names,
errors and pickling."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.integration.peers import LIBRARIES, library_and_integration

distributed = pytest.importorskip("dask.distributed")

import fastune  # noqa: E402
from fastune.exceptions import (  # noqa: E402
    DuplicatedStudyError,
    InvalidParameterTypeError,
    MissingDependencyError,
)
from fastune.integration import DaskStorage  # noqa: E402
from fastune.integration.dask import optimize  # noqa: E402
from fastune.storages import InMemoryStorage  # noqa: E402
from fastune.trial import TrialState  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


def _objective(trial: fastune.Trial) -> float:
    trial.set_user_attr("pid", os.getpid())
    x = trial.suggest_float("x", -2, 2)
    trial.report(x, 0)
    return (x - 1) ** 2


def test_workers_share_a_study_kept_by_the_scheduler(client: Any) -> None:
    study = fastune.create_study(storage=DaskStorage(), study_name="shared")
    futures = [client.submit(study.optimize, _objective, n_trials=6, pure=False) for _ in range(4)]
    distributed.wait(futures)
    assert all(future.status == "finished" for future in futures)
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(24))
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(t.intermediate_values == {0: t.params["x"]} for t in trials)
    worker_pids = set(client.run(os.getpid).values())
    assert {t.user_attrs["pid"] for t in trials} == worker_pids


def test_the_scheduler_storage_comes_back(client: Any, tmp_path: Path) -> None:
    in_memory = DaskStorage()
    fastune.create_study(storage=in_memory, study_name="m").optimize(_objective, n_trials=3)
    base = in_memory.get_base_storage()
    assert isinstance(base, InMemoryStorage)
    assert len(fastune.load_study(study_name="m", storage=base).trials) == 3
    on_file = DaskStorage(f"sqlite:///{tmp_path / 'scheduler.db'}")
    fastune.create_study(storage=on_file, study_name="f").optimize(_objective, n_trials=2)
    copy = on_file.get_base_storage()
    values = [t.value for t in fastune.load_study(study_name="f", storage=copy).trials]
    on_disk = fastune.load_study(study_name="f", storage=f"sqlite:///{tmp_path / 'scheduler.db'}")
    assert values == [t.value for t in on_disk.trials]


def test_a_name_names_one_storage(client: Any) -> None:
    first = DaskStorage(name="named")
    again = DaskStorage(name="named", register=False)
    other = DaskStorage()
    fastune.create_study(storage=first, study_name="s")
    assert again.get_all_study_names() == ["s"]
    assert other.get_all_study_names() == []
    with pytest.raises(DuplicatedStudyError):
        fastune.create_study(storage=again, study_name="s")


def test_fastunes_own_dask_optimize_runs_on_it(client: Any) -> None:
    study = fastune.create_study(storage=DaskStorage(), sampler=fastune.samplers.RandomSampler())
    optimize(study, _objective, n_trials=10, client=client)
    assert sorted(t.number for t in study.trials) == list(range(10))


def test_a_pickle_carries_the_name_not_the_client(client: Any) -> None:
    storage = DaskStorage()
    fastune.create_study(storage=storage, study_name="p")
    copy = pickle.loads(pickle.dumps(storage))
    assert copy.name == storage.name and copy._client is None
    assert copy.get_all_study_names() == ["p"]  # the current client, found on use


def test_errors_name_what_is_wrong(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InvalidParameterTypeError, match="name"):
        DaskStorage(name=3)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDependencyError, match=r"fastune\[dask\]"):
        DaskStorage()


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
@pytest.mark.parametrize("library", LIBRARIES)
def test_the_same_program_runs_on_optunas_dask_storage(client: Any, library: str) -> None:
    # Optuna's own DaskStorage (optuna-integration) with the same program and assertions.
    module, integration = library_and_integration(library)
    study = module.create_study(storage=integration.DaskStorage())
    futures = [client.submit(study.optimize, _objective, n_trials=3, pure=False) for _ in range(2)]
    distributed.wait(futures)
    assert sorted(t.number for t in study.trials) == list(range(6))
    assert len(module.load_study(study_name=study.study_name, storage=study._storage).trials) == 6
