"""A storage kept by the Dask scheduler and reached from every worker (Optuna's
``optuna.integration.DaskStorage``)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from fastune._imports import import_optional
from fastune._validation import invalid_type
from fastune.storages import BaseStorage, InMemoryStorage, get_storage
from fastune.storages._remote._client import RemoteStorage
from fastune.storages._remote._dispatch import Dispatcher

__all__ = ["DaskStorage"]

# The scheduler extension's name and the handler its calls arrive at.
_EXTENSION = "fastune-storages"
_HANDLER = "fastune_storage_call"


class _SchedulerStorages:
    """On the scheduler: the storage of each DaskStorage, by name, and the handler that
    runs the calls sent to them."""

    def __init__(self, scheduler: Any) -> None:
        self.dispatchers: dict[str, Dispatcher] = {}  # by name, each with its storage
        scheduler.handlers[_HANDLER] = self.call
        scheduler.extensions[_EXTENSION] = self

    def call(self, comm: Any = None, name: str = "", request: bytes = b"") -> bytes:
        return self.dispatchers[name].call(request)


def _register(dask_scheduler: Any, storage: Any, name: str) -> None:
    """Give the scheduler the storage named ``name`` (once: a name registered already
    keeps its storage)."""
    storages = dask_scheduler.extensions.get(_EXTENSION) or _SchedulerStorages(dask_scheduler)
    if name not in storages.dispatchers:
        storages.dispatchers[name] = Dispatcher(get_storage(storage))


def _copy_on_scheduler(dask_scheduler: Any, name: str) -> InMemoryStorage:
    """The storage named ``name`` as an in-memory copy (sent back to the client)."""
    from fastune.study import copy_study

    storage = dask_scheduler.extensions[_EXTENSION].dispatchers[name].storage
    if isinstance(storage, InMemoryStorage):
        return storage
    copy = InMemoryStorage()
    for study in storage.get_all_studies():
        copy_study(
            from_study_name=study.study_name,
            from_storage=storage,
            to_storage=copy,
            to_study_name=study.study_name,
        )
    return copy


class DaskStorage(RemoteStorage):
    """A storage that lives on the Dask scheduler, so that tasks on every worker of the
    cluster share one study (Optuna's name and arguments).

    The storage itself (in memory by default, or the one ``storage`` names) is made on
    the scheduler when this object is made; each call of a worker's copy is sent to the
    scheduler and run there, as with :class:`~fastune.storages.GrpcStorageProxy`, whose
    caches it shares: finished trials are read once, and a trial's own record is kept by
    the worker that runs it. A study in memory on the scheduler lives as long as the
    scheduler.

    Args:
        storage: The storage to keep on the scheduler: None (in memory), a URL, or a
            storage object (sent to the scheduler).
        name: The name the scheduler knows the storage by (by default, a new one); a
            ``DaskStorage`` made with the name of one registered already shares it.
        client: The ``dask.distributed.Client`` (by default, the current one).
        register: Make the storage on the scheduler; False for a copy that only calls
            one registered already.

    Raises:
        InvalidParameterTypeError: ``name`` is not a string.
        MissingDependencyError: dask.distributed is not installed
            (``pip install 'fastune[dask]'``).

    Example:
        >>> import fastune
        >>> from dask.distributed import Client, wait  # doctest: +SKIP
        >>> with Client() as client:  # doctest: +SKIP
        ...     study = fastune.create_study(storage=fastune.integration.DaskStorage())
        ...     futures = [client.submit(study.optimize, objective, n_trials=10, pure=False)
        ...                for _ in range(4)]
        ...     _ = wait(futures)
    """

    # A copy (a pickle to a worker) finds its worker's client.
    _transient: ClassVar[dict[str, Any]] = {
        **RemoteStorage._transient,
        "_client": lambda: None,
    }

    def __init__(
        self,
        storage: str | BaseStorage | None = None,
        name: str | None = None,
        client: Any = None,
        register: bool = True,
    ) -> None:
        import_optional("distributed", "dask")
        if name is not None and not isinstance(name, str):
            raise invalid_type("name", "DaskStorage", "None or a string", name)
        self.name = name or f"dask-storage-{uuid.uuid4().hex}"
        self._client = client
        super().__init__()
        if register:
            self.client.run_on_scheduler(_register, storage=storage, name=self.name)

    @property
    def client(self) -> Any:
        """The Dask client the calls go through."""
        if self._client is None:
            self._client = import_optional("distributed", "dask").get_client()
        return self._client

    @property
    def _identity(self) -> str:
        return f"dask:{self.client.scheduler.address}:{self.name}"

    def _send(self, request: bytes) -> bytes:
        scheduler = self.client.scheduler
        handler = getattr(scheduler, _HANDLER)
        return bytes(self.client.sync(handler, name=self.name, request=request))

    def get_base_storage(self) -> BaseStorage:
        """The scheduler's storage, brought here: the object itself if it is in memory,
        else an in-memory copy of its studies (whose ids may differ)."""
        storage: BaseStorage = self.client.run_on_scheduler(_copy_on_scheduler, name=self.name)
        return storage
