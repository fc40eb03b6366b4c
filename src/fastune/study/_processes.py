"""``optimize(n_jobs=k, backend="processes")``: the objective runs in k worker processes
while this process keeps the study.

The parent coordinates: it owns the storage, the sampler and the pruner, starts each
trial and records its outcome. A worker runs the objective with a stand-in trial whose
every call (``suggest_*``, ``report``, ``should_prune``, attributes...) is answered by the
parent's real trial over a pipe. So any storage works, in-memory included, samplers see
every trial, ``n_trials`` counts for the whole study, and CPU-bound objectives run in
parallel instead of taking turns on the GIL.
"""

from __future__ import annotations

import gc
import importlib.util
import multiprocessing
import pickle
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar

from fastune.exceptions import FastuneError
from fastune.logging import get_logger
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from fastune.study._study import Study

__all__ = ["run_in_processes"]

_logger = get_logger(__name__)


def run_in_processes(
    study: Study,
    func: Callable[..., Any],
    n_jobs: int,
    start_trial: Callable[[], Any],
    finish_trial: Callable[[Any, tuple[Any, ...]], FrozenTrial],
    after_trial: Callable[[FrozenTrial], None],
    keep_alive: Callable[[Any], AbstractContextManager[None]],
    gc_after_trial: bool,
) -> None:
    """Run trials of ``func`` in ``n_jobs`` processes until ``start_trial`` returns None.

    ``start_trial()`` starts a trial here (None: the budget is spent), ``finish_trial``
    records a worker's outcome and raises the objective's error when it is not caught,
    ``after_trial`` runs the callbacks, and ``keep_alive(trial)`` surrounds each trial
    (its heartbeat).
    """
    import cloudpickle

    payload = _dumps_by_value(cloudpickle, (func, gc_after_trial))
    context = multiprocessing.get_context("spawn")
    lock = threading.Lock()  # one trial at a time talks to the study
    errors: list[BaseException] = []
    pipes, processes = [], []
    for _ in range(n_jobs):
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=_worker, args=(child_end, payload), daemon=True, name="fastune-worker"
        )
        process.start()
        child_end.close()
        pipes.append(parent_end)
        processes.append(process)

    def serve(pipe: Connection) -> None:
        try:
            _serve(pipe, lock, start_trial, finish_trial, after_trial, keep_alive, study)
        except BaseException as error:
            errors.append(error)
            study._stop_flag = True  # the other workers finish their trial and stop

    threads = [threading.Thread(target=serve, args=(pipe,), daemon=True) for pipe in pipes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for pipe, process in zip(pipes, processes, strict=True):
        pipe.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
    if errors:
        raise errors[0]


def _serve(
    pipe: Connection,
    lock: threading.Lock,
    start_trial: Callable[[], Any],
    finish_trial: Callable[[Any, tuple[Any, ...]], FrozenTrial],
    after_trial: Callable[[FrozenTrial], None],
    keep_alive: Callable[[Any], AbstractContextManager[None]],
    study: Study,
) -> None:
    """Answer one worker until it is told to stop (or dies)."""
    trial = None
    alive: AbstractContextManager[None] | None = None
    while True:
        try:
            message = pipe.recv()
        except EOFError:  # the worker process died
            if alive is not None:
                alive.__exit__(None, None, None)
            if trial is not None:
                with lock:
                    study._finish(trial._trial_id, TrialState.FAIL, None, "its worker process died")
                _logger.error(f"Trial {trial.number} failed: its worker process died.")
            return
        kind = message[0]
        if kind == "ask":
            with lock:
                trial = start_trial()
            if trial is None:
                pipe.send(("stop",))
                return
            alive = keep_alive(trial)
            alive.__enter__()
            pipe.send(("trial", trial.number))
        elif kind == "attr":
            assert trial is not None
            pipe.send(_answer(trial, message[1], message[2], message[3]))
        elif kind == "done":
            assert trial is not None
            assert alive is not None
            alive.__exit__(None, None, None)
            alive = None
            try:
                with lock:
                    frozen = finish_trial(trial, message[1:])
                    after_trial(frozen)
            finally:
                trial = None
                pipe.send(("ack",))


def _answer(trial: Any, name: str, args: Any, kwargs: Any) -> tuple[str, Any]:
    """Read attribute ``name`` of the real trial, or call it when ``args`` is not None."""
    try:
        value = getattr(trial, name)
        if args is not None:
            value = value(*args, **kwargs)
        elif callable(value):
            return ("method", None)
        if name == "study":
            raise FastuneError("trial.study is not available in a worker process.")
        return ("value", value)
    except BaseException as error:
        return ("error", _portable(error))


def _portable(error: BaseException) -> BaseException:
    """``error`` if it survives pickling, else a FastuneError with its text."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return FastuneError(repr(error))
    return error


def _dumps_by_value(cloudpickle: Any, func: Any) -> bytes:
    """Pickle ``func``; a function from a module a fresh process cannot import (a test
    file, a notebook) travels by value."""
    module_name = getattr(func, "__module__", None)
    module = sys.modules.get(module_name) if module_name else None
    by_value = (
        module is not None
        and module_name != "__main__"
        and importlib.util.find_spec(module_name) is None  # type: ignore[arg-type]
    )
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return bytes(cloudpickle.dumps(func))
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


# -- the worker side -------------------------------------------------------------------


class _RemoteTrial:
    """The trial as the objective sees it in a worker: every attribute is the parent's."""

    _methods: ClassVar[set[str]] = set()  # known methods: one round trip, not two

    def __init__(self, pipe: Connection, number: int) -> None:
        self._pipe = pipe
        self.number = number

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._methods:
            kind, value = self._ask(name, None, None)
            if kind != "method":
                return value
            self._methods.add(name)
        return lambda *args, **kwargs: self._ask(name, args, kwargs)[1]

    def _ask(self, name: str, args: Any, kwargs: Any) -> tuple[str, Any]:
        self._pipe.send(("attr", name, args, kwargs))
        kind, value = self._pipe.recv()
        if kind == "error":
            raise value
        return kind, value


def _worker(pipe: Connection, payload: bytes) -> None:
    """Run trials of the pickled objective until the parent says stop."""
    import cloudpickle

    from fastune.exceptions import TrialPruned

    func, gc_after_trial = cloudpickle.loads(payload)
    while True:
        pipe.send(("ask",))
        reply = pipe.recv()
        if reply[0] == "stop":
            return
        trial = _RemoteTrial(pipe, reply[1])
        try:
            returned = func(trial)
        except TrialPruned as pruned:
            pipe.send(("done", "pruned", str(pruned) or None))
        except BaseException as error:
            pipe.send(("done", "error", _portable(error)))
        else:
            try:
                pickle.dumps(returned)
            except Exception:
                returned = repr(returned)  # the parent then fails the trial, saying why
            pipe.send(("done", "returned", returned))
        pipe.recv()  # the parent has recorded the outcome
        if gc_after_trial:
            gc.collect()
