"""A study and PBTSearchCV on a real Dask LocalCluster with worker processes."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("dask.distributed")

import fastune  # noqa: E402
from fastune.exceptions import InvalidParameterError  # noqa: E402
from fastune.integration.dask import optimize  # noqa: E402
from fastune.storages import JournalStorage  # noqa: E402
from fastune.storages.journal import JournalFileBackend  # noqa: E402
from fastune.trial import TrialState  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


def _objective(trial: fastune.Trial) -> float:
    trial.set_user_attr("pid", os.getpid())
    return (trial.suggest_float("x", -2, 2) - 1) ** 2


@pytest.mark.parametrize("kind", ["sqlite", "journal"])
def test_trials_run_on_the_cluster_workers(client: Any, tmp_path: Path, kind: str) -> None:
    storage: Any = f"sqlite:///{tmp_path / 'dask.db'}"
    if kind == "journal":  # sent to the workers pickled; each replays the file
        storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    study = fastune.create_study(
        study_name="on-dask", storage=storage, sampler=fastune.samplers.TPESampler(seed=0)
    )
    optimize(study, _objective, n_trials=30, client=client)
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(30))  # n_trials for the study
    assert all(t.state == TrialState.COMPLETE for t in trials)
    worker_pids = set(client.run(os.getpid).values())
    assert {t.user_attrs["pid"] for t in trials} == worker_pids  # both workers took part
    assert len({t.params["x"] for t in trials}) == 30  # reseeded: no task repeats another


def test_a_study_in_memory_is_refused(client: Any) -> None:
    with pytest.raises(InvalidParameterError, match="sqlite"):
        optimize(fastune.create_study(), _objective, n_trials=2, client=client)


@pytest.mark.parametrize("synchronous", [True, False])
def test_pbt_search_runs_through_the_joblib_dask_backend(client: Any, synchronous: bool) -> None:
    import joblib
    from scipy.stats import loguniform
    from sklearn.datasets import load_iris
    from sklearn.linear_model import SGDClassifier

    X, y = load_iris(return_X_y=True)
    search = fastune.PBTSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": loguniform(1e-5, 1e-1)},
        population_size=4,
        generations=2,
        cv=2,
        n_jobs=2,
        random_state=0,
        refit=False,
        synchronous=synchronous,  # asynchronous: the cluster's executor, not local processes
    )
    with distributed.get_task_stream(client) as stream, joblib.parallel_config(backend="dask"):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert len(stream.data) > 0  # the members trained as tasks of the cluster


def _stops_at_three(trial: fastune.Trial) -> float:
    time.sleep(0.05)
    if trial.number == 3:
        trial.study.stop()
    return trial.suggest_float("x", 0, 1)


def _fails_at_three(trial: fastune.Trial) -> float:
    time.sleep(0.05)
    if trial.number == 3:
        raise ValueError("boom")
    return trial.suggest_float("x", 0, 1)


def test_a_stop_or_an_error_ends_every_task(client: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stop.db'}"
    study = fastune.create_study(study_name="stop", storage=url)
    optimize(study, _stops_at_three, n_trials=40, client=client)
    assert len(study.trials) < 10  # the other task went on to its 20 (22 trials in all)
    failing = fastune.create_study(study_name="fail", storage=url)
    with pytest.raises(ValueError, match="boom"):
        optimize(failing, _fails_at_three, n_trials=40, client=client)
    after = [(t.number, t.state) for t in failing.trials]
    assert TrialState.RUNNING not in {state for _, state in after}  # each task is over
    time.sleep(1.0)
    assert [(t.number, t.state) for t in failing.trials] == after  # nothing after it raised
    assert len(after) < 10  # they kept running their share after the error


def _dies_once_at_three(trial: fastune.Trial, mark: str) -> float:
    x = trial.suggest_float("x", 0, 1)
    time.sleep(0.05)
    if trial.number == 3 and not os.path.exists(mark):
        open(mark, "w").close()
        os._exit(1)  # the worker process dies; its nanny starts another
    return x


def test_the_trial_of_a_worker_that_died_is_failed(client: Any, tmp_path: Path) -> None:
    import functools

    study = fastune.create_study(storage=f"sqlite:///{tmp_path / 'died.db'}")
    objective = functools.partial(_dies_once_at_three, mark=str(tmp_path / "died"))
    optimize(study, objective, n_trials=12, client=client)
    states = {t.number: t.state for t in study.trials}
    assert states[3] == TrialState.FAIL  # was left RUNNING
    assert study.trials[3].system_attrs["fail_reason"] == "its Dask worker died"
    assert list(states.values()).count(TrialState.COMPLETE) == len(states) - 1


class _SlowToNotice(distributed.Client):
    """A client that hears of a failed task 3 s late (a busy or far-away client): only
    the failing task can stop the others in time."""

    def gather(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().gather(*args, **kwargs)
        except BaseException:
            time.sleep(3.0)
            raise


def test_the_failing_task_stops_the_others_itself(client: Any, tmp_path: Path) -> None:
    study = fastune.create_study(study_name="fail", storage=f"sqlite:///{tmp_path / 'f.db'}")
    with _SlowToNotice(client.scheduler.address) as slow, pytest.raises(ValueError, match="boom"):
        optimize(study, _fails_at_three, n_trials=40, client=slow)
    trials = study.trials
    (failed,) = [t for t in trials if t.state == TrialState.FAIL]
    assert failed.number == 3 and failed.datetime_complete is not None
    # The other task finishes the trial it runs and starts no other (one at most, whose
    # start raced the stop), instead of running its share while the client has not
    # heard of the error.
    later = [t.number for t in trials if t.datetime_start > failed.datetime_complete]
    assert len(later) <= 1, f"trials started after trial 3 failed: {later}"


def test_a_task_run_again_does_only_what_is_left(tmp_path: Path) -> None:
    from fastune.integration.dask import _Run, _run_share
    from fastune.study._processes import dumps_objective

    url = f"sqlite:///{tmp_path / 'again.db'}"
    study = fastune.create_study(study_name="again", storage=url)
    study.optimize(_objective, n_trials=4)
    run = _Run(stop_key="dask:stop:test", first=0, n_trials=4, deadline=None)
    # Dask starts a dead worker's task afresh: the run's 4 trials exist already
    done = _run_share(
        "again",
        study._storage,
        study.sampler,
        study.pruner,
        dumps_objective(_objective),
        2,
        run,
        (),
    )
    assert done == 0 and len(study.trials) == 4  # it ran its whole share again: 6


def test_arguments_are_checked_before_anything_is_sent(client: Any, tmp_path: Path) -> None:
    study = fastune.create_study(storage=f"sqlite:///{tmp_path / 'args.db'}")
    with pytest.raises(InvalidParameterError, match="'timeout'"):
        optimize(study, _objective, n_trials=2, client=client, timeout=-1)
    with pytest.raises(TypeError, match="'catch'"):
        optimize(study, _objective, n_trials=2, client=client, catch="ValueError")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'client'"):
        optimize(study, _objective, n_trials=2, client=42)
    assert study.trials == []
