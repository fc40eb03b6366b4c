"""Run a study's trials on a Dask cluster (``pip install fastune[dask]``).

Each task joins the study through its storage, which the cluster's workers must reach:
an SQLite file on the machine of a ``LocalCluster``, or a database server. The trials
are split between the tasks, so ``n_trials`` counts for the whole study.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune._validation import check_int, invalid
from fastune.storages import InMemoryStorage

if TYPE_CHECKING:
    from fastune.study import Study

__all__ = ["optimize"]


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

    Args:
        study: A study whose storage the workers can open (not in memory).
        func: The objective; sent to the workers with cloudpickle.
        n_trials: Trials in all, split between the tasks.
        client: A ``dask.distributed.Client``, or the scheduler's address.
        n_tasks: Tasks to run at once (default: the number of worker threads).
        timeout: Seconds after which a task starts no new trial.
        catch: Exception classes that fail a trial without stopping its task.

    Raises:
        InvalidParameterError: an in-memory study, or a bad count.
        MissingDependencyError: dask.distributed is not installed (``fastune[dask]``).
    """
    import_optional("dask.distributed", "dask")
    from dask.distributed import Client

    owner = "fastune.integration.dask.optimize"
    n_trials = int(check_int(n_trials, "n_trials", owner, low=1) or 1)
    if isinstance(study._storage, InMemoryStorage):
        raise invalid(
            "study",
            owner,
            "a study in a storage the workers can open, such as storage='sqlite:///study.db'",
            "a study in memory",
        )
    own_client = not isinstance(client, Client)
    dask_client = Client(client) if own_client else client
    try:
        if n_tasks is None:
            n_tasks = max(sum(dask_client.nthreads().values()), 1)
        n_tasks = int(check_int(n_tasks, "n_tasks", owner, low=1) or 1)
        from fastune.study._processes import dumps_objective

        payload = dumps_objective(func)
        shares = [n_trials // n_tasks + (i < n_trials % n_tasks) for i in range(n_tasks)]
        futures = [
            dask_client.submit(
                _run_share,
                study.study_name,
                study._storage,
                study.sampler,
                study.pruner,
                payload,
                share,
                timeout,
                tuple(catch) if isinstance(catch, Iterable) else (catch,),
                pure=False,
            )
            for share in shares
            if share
        ]
        dask_client.gather(futures)
    finally:
        if own_client:
            dask_client.close()


def _run_share(
    study_name: str,
    storage: Any,
    sampler: Any,
    pruner: Any,
    payload: bytes,
    n_trials: int,
    timeout: float | None,
    catch: tuple[type[BaseException], ...],
) -> int:
    """One task: join the study and run ``n_trials`` trials of the objective."""
    import cloudpickle

    from fastune.study import load_study

    sampler.reseed_rng()  # every task draws its own points
    study = load_study(study_name=study_name, storage=storage, sampler=sampler, pruner=pruner)
    study.optimize(cloudpickle.loads(payload), n_trials=n_trials, timeout=timeout, catch=catch)
    return n_trials
