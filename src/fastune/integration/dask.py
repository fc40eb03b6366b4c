"""Run a study's trials on a Dask cluster (``pip install fastune[dask]``); or keep the
study on the scheduler with :class:`DaskStorage` (Optuna's name) and submit its
``optimize`` to the workers yourself.

Each task joins the study through its storage, which the cluster's workers must reach:
an SQLite file on the machine of a ``LocalCluster``, or a database server. The trials
are split between the tasks, so ``n_trials`` counts for the whole run; tasks also watch
the storage, so that a task Dask runs again (its worker died) does only what is left, and
a stop (``trial.study.stop()``, an uncaught error) ends every task.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune._validation import (
    check_exception_classes,
    check_int,
    check_number,
    invalid,
    invalid_type,
)
from fastune.integration._dask_storage import DaskStorage
from fastune.storages import InMemoryStorage
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["DaskStorage", "optimize"]

# A trial's system attribute: the run whose task started it.
_RUN_KEY = "dask:run"


def optimize(
    study: Study,
    func: Callable[..., Any],
    *,
    n_trials: int,
    client: Any,
    n_tasks: int | None = None,
    timeout: float | None = None,
    catch: Iterable[type[BaseException]] | type[BaseException] = (),
) -> None:
    """Run ``n_trials`` trials of ``func`` in ``study`` on the workers of a Dask cluster.

    An uncaught error is raised once every task has finished its trial (none starts
    another). A trial whose worker process died is failed ("its Dask worker died", and
    handed to the storage's ``failed_trial_callback``) when the call ends, as
    ``optimize(n_jobs=k)`` fails a dead worker process's trial.

    Args:
        study: A study whose storage the workers can open (not in memory).
        func: The objective; sent to the workers with cloudpickle.
        n_trials: Trials in all, split between the tasks.
        client: A ``dask.distributed.Client``, or the scheduler's address.
        n_tasks: Tasks to run at once (default: the number of worker threads).
        timeout: Seconds from this call after which no task starts a new trial.
        catch: Exception classes that fail a trial without stopping its task.

    Raises:
        InvalidParameterError: an in-memory study, a bad count or timeout.
        InvalidParameterTypeError: a ``catch`` that is not exception classes, or a
            ``client`` that is neither a Client nor an address.
        MissingDependencyError: dask.distributed is not installed (``fastune[dask]``).
    """
    import_optional("dask.distributed", "dask")
    from dask.distributed import Client, wait

    owner = "fastune.integration.dask.optimize"
    n_trials = int(check_int(n_trials, "n_trials", owner, low=1) or 1)
    timeout = check_number(timeout, "timeout", owner, low=0.0, allow_none=True)
    classes = check_exception_classes(catch, owner)
    if not isinstance(client, (Client, str)):
        allowed = "a dask.distributed.Client or the scheduler's address"
        raise invalid_type("client", owner, allowed, client)
    if isinstance(study._storage, InMemoryStorage):
        raise invalid(
            "study",
            owner,
            "a study in a storage the workers can open, such as storage='sqlite:///study.db'",
            "a study in memory",
        )
    own_client = not isinstance(client, Client)
    dask_client: Any = Client(client) if own_client else client
    try:
        if n_tasks is None:
            n_tasks = max(sum(dask_client.nthreads().values()), 1)
        n_tasks = int(check_int(n_tasks, "n_tasks", owner, low=1) or 1)
        from fastune.study._processes import dumps_objective

        payload = dumps_objective(func)
        shares = [n_trials // n_tasks + (i < n_trials % n_tasks) for i in range(n_tasks)]
        run = _Run(
            stop_key=f"dask:stop:{uuid.uuid4().hex}",
            first=study._storage.get_n_trials(study._study_id),
            n_trials=n_trials,
            deadline=None if timeout is None else time.time() + timeout,
        )
        futures = [
            dask_client.submit(
                _run_share,
                study.study_name,
                study._storage,
                study.sampler,
                study.pruner,
                payload,
                share,
                run,
                classes,
                pure=False,
            )
            for share in shares
            if share
        ]
        try:
            dask_client.gather(futures)
        except KeyboardInterrupt:  # the running tasks finish their trial and stop
            run.stop_all(study)
            dask_client.cancel(futures)
            raise
        except BaseException:  # a failing task has stopped the others already; a lost
            # worker has not: the others finish their trial and stop before this returns
            run.stop_all(study)
            wait(futures)
            run.fail_lost_trials(study)
            raise
        run.fail_lost_trials(study)
    finally:
        if own_client:
            dask_client.close()


class _Run:
    """What the tasks of one call share: where a stop is flagged, the study's trial count
    when it began, the trials it runs in all, and when no new trial may start."""

    def __init__(self, stop_key: str, first: int, n_trials: int, deadline: float | None):
        self.stop_key = stop_key
        self.first = first
        self.n_trials = n_trials
        self.deadline = deadline

    def over(self, study: Study) -> bool:
        """Whether the run is done: stopped, out of time, or its trials all started."""
        storage = study._storage
        if storage.get_study_system_attrs(study._study_id).get(self.stop_key):
            return True
        if self.deadline is not None and time.time() >= self.deadline:
            return True
        return storage.get_n_trials(study._study_id) - self.first >= self.n_trials

    def fail_lost_trials(self, study: Study) -> None:
        """Fail the trials of this run left RUNNING by tasks that are over: their worker
        died (Dask ran the task again elsewhere, or gave up), as ``optimize(n_jobs)``
        fails a dead worker process's trial."""
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            if trial.system_attrs.get(_RUN_KEY) == self.stop_key:
                frozen = study._finish(
                    trial._trial_id, TrialState.FAIL, None, "its Dask worker died"
                )
                study._hand_to_failed_trial_callback(frozen)

    def stop_all(self, study: Study) -> None:
        """Flag the stop in the storage, where every task of the run looks after each
        trial."""
        study._storage.set_study_system_attr(study._study_id, self.stop_key, True)

    def after_trial(self, study: Study, trial: Any) -> None:
        if study._stop_flag:  # trial.study.stop() in this task: every task stops
            self.stop_all(study)
        if self.over(study):
            study.stop()


def _run_share(
    study_name: str,
    storage: Any,
    sampler: Any,
    pruner: Any,
    payload: bytes,
    n_trials: int,
    run: _Run,
    catch: tuple[type[BaseException], ...],
) -> int:
    """One task: join the study and run up to ``n_trials`` trials of the objective. An
    uncaught error stops every task of the run: it is flagged as soon as the objective
    raises it (the other tasks finish their trial and stop), not when the client hears
    of it."""
    import cloudpickle

    from fastune.exceptions import TrialPruned
    from fastune.study import load_study

    sampler.reseed_rng()  # every task draws its own points
    study = load_study(study_name=study_name, storage=storage, sampler=sampler, pruner=pruner)
    if run.over(study):  # a task run again after its worker died: only what is left
        return 0
    objective = cloudpickle.loads(payload)

    def objective_of_the_run(trial: Any) -> Any:
        trial.set_system_attr(_RUN_KEY, run.stop_key)  # lost with its worker: failed after
        try:
            return objective(trial)
        except BaseException as error:
            if not isinstance(error, (TrialPruned, *catch)):  # it ends this task: end all
                with contextlib.suppress(Exception):  # the objective's error is the one shown
                    run.stop_all(study)
            raise

    timeout = None if run.deadline is None else max(run.deadline - time.time(), 0.0)
    try:
        study.optimize(
            objective_of_the_run,
            n_trials=n_trials,
            timeout=timeout,
            catch=catch,
            callbacks=[run.after_trial],
        )
    except BaseException:  # an error outside the objective (a storage, a callback)
        with contextlib.suppress(Exception):
            run.stop_all(study)
        raise
    return n_trials
