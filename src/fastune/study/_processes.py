"""``optimize(n_jobs=k)``: the objective runs in k worker processes while this process
keeps the study.

The parent coordinates: it owns the storage, the sampler and the pruner, starts each
trial and records its outcome. A worker runs the objective with a stand-in trial whose
every call (``suggest_*``, ``report``, ``should_prune``, attributes, ``trial.study``...)
is answered by the parent's real trial over a socket. So any storage works, in-memory
included, samplers see every trial, ``n_trials`` counts for the whole study, and
CPU-bound objectives run in parallel instead of taking turns on the GIL.

Workers are fresh interpreters started with ``subprocess``, not ``multiprocessing``:
they never import the user's ``__main__`` (a script without an
``if __name__ == "__main__":`` guard works), and each gets ``cores / n_jobs`` threads for
BLAS and OpenMP, so that k workers doing linear algebra do not oversubscribe the cores.
Ctrl+C is the parent's to handle: it kills the workers and fails their trials.
"""

from __future__ import annotations

import gc
import importlib.machinery
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from multiprocessing.connection import Connection
from typing import Any, ClassVar

import cloudpickle

from fastune.exceptions import FastuneError
from fastune.storages._base import BaseStorage
from fastune.study._optimize import _optimizing
from fastune.study.study import Study  # imported by optimize, so already loaded
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

__all__ = ["dumps_objective", "run_in_processes"]

# Thread-pool sizes read by BLAS, OpenMP and their kin when a worker imports them.
_THREAD_LIMIT_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def dumps_objective(func: Any) -> bytes:
    """Pickle ``func`` with cloudpickle; a function from a module a fresh process cannot
    import (a test file, a notebook) travels by value.

    Raises:
        Exception: whatever pickling raises for an objective that cannot be sent.
    """
    module_name = getattr(func, "__module__", None) or "__main__"
    module = sys.modules.get(module_name)
    by_value = module is not None and module_name != "__main__" and not _importable(module_name)
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        return bytes(cloudpickle.dumps(func))
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)


def _importable(module_name: str) -> bool:
    """Whether a fresh interpreter with this ``sys.path`` finds the module's package
    (pytest and notebooks import modules that it does not)."""
    package = module_name.partition(".")[0]
    if package in sys.builtin_module_names:
        return True
    return importlib.machinery.PathFinder.find_spec(package, sys.path) is not None


def run_in_processes(
    study: Study,
    payload: bytes,
    n_jobs: int,
    start_trial: Callable[[], Any],
    finish_trial: Callable[[Any, tuple[Any, ...]], FrozenTrial],
    after_trial: Callable[[FrozenTrial], None],
    keep_alive: Callable[[Any], AbstractContextManager[None]],
    gc_after_trial: bool,
) -> None:
    """Run trials of the pickled objective ``payload`` in ``n_jobs`` processes until
    ``start_trial`` returns None.

    ``start_trial()`` starts a trial here (None: the budget is spent), ``finish_trial``
    records a worker's outcome and raises the objective's error when it is not caught,
    ``after_trial`` runs the callbacks, and ``keep_alive(trial)`` surrounds each trial
    (its heartbeat).

    On KeyboardInterrupt (Ctrl+C), no trial is started any more, the workers are killed,
    their running trials fail, and the interrupt is raised again.
    """
    lock = threading.Lock()  # one trial at a time talks to the study
    errors: list[BaseException] = []
    workers: list[tuple[Connection, subprocess.Popen[bytes]]] = []
    interrupted = threading.Event()

    def start() -> tuple[Connection, subprocess.Popen[bytes]]:
        worker = _start_worker(n_jobs)
        worker[0].send((sys.path, payload, gc_after_trial))
        with lock:
            workers.append(worker)
        return worker

    def serve(worker: tuple[Connection, subprocess.Popen[bytes]]) -> None:
        while True:
            server = _Server(
                worker, lock, study, start_trial, finish_trial, after_trial, interrupted
            )
            try:
                server.run(keep_alive)
            except BaseException as error:
                errors.append(error)
                study._stop_flag = True  # the other workers finish their trial and stop
                return
            if not server.died or study._stop_flag:
                return
            # A worker that died (a crash, the out-of-memory killer) is replaced, so that
            # the budget is still spent; each death costs the trial it was running.
            worker = start()

    # A pool, not bare threads: a Thread.join that Ctrl+C interrupts marks the thread
    # stopped (before Python 3.13), so a second join would not wait for it.
    try:
        with ThreadPoolExecutor(n_jobs, thread_name_prefix="fastune-serve") as pool:
            try:
                for future in [pool.submit(serve, start()) for _ in range(n_jobs)]:
                    future.result()
            except BaseException:  # a KeyboardInterrupt: only this thread gets them
                with _interrupts_held():  # a second Ctrl+C must not skip this
                    interrupted.set()
                    study._stop_flag = True
                    for _, process in list(workers):
                        _kill_group(process)
                raise  # once each thread has failed the trial of its worker
    finally:
        _wait_for(workers)
    if errors:
        raise errors[0]


def _wait_for(workers: list[tuple[Connection, subprocess.Popen[bytes]]]) -> None:
    """Wait for the workers told to stop to exit, 10 seconds in all (a thread the
    objective left running keeps a worker's interpreter up); kill those still there."""
    deadline = time.monotonic() + 10
    for connection, process in workers:
        connection.close()
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.wait()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill a worker and the processes it started (its process group): none of them
    outlives an interrupted optimize."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (AttributeError, OSError):  # no process groups (Windows), or gone already
        process.kill()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl+C held back until the block ends, then raised (KeyboardInterrupt) if it
    came. On the main thread, which Python's interrupts reach; elsewhere a plain block."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt


def _available_cores() -> int:
    """The cores this process may run on (its affinity mask, which containers narrow;
    ``os.cpu_count()`` counts the whole machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start_worker(n_jobs: int) -> tuple[Connection, subprocess.Popen[bytes]]:
    """Start a fresh interpreter running :func:`_worker_main`, joined by a socket pair."""
    parent_end, child_end = socket.socketpair()
    threads = str(max(1, _available_cores() // n_jobs))
    environment = dict(os.environ)
    for variable in _THREAD_LIMIT_VARIABLES:
        environment.setdefault(variable, threads)
    command = "from fastune.study._processes import _worker_main; _worker_main()"
    with child_end:
        process = subprocess.Popen(
            [sys.executable, "-c", command, str(child_end.fileno()), str(os.getpid())],
            pass_fds=(child_end.fileno(),),
            env=environment,
            # A group of its own, which an interrupt kills whole (the objective's own
            # subprocesses included); Ctrl+C in a terminal reaches this process alone.
            start_new_session=True,
        )
    return _Pipe(parent_end.detach()), process


class _Pipe(Connection):
    """A connection that pickles with cloudpickle.

    An object whose class came from the user's script travels by value and comes back as
    the sender's own class (cloudpickle maps a class it sent back to the original), so
    ``catch=(MyError,)`` and ``except MyError`` hold in the parent. And unlike
    ``Connection.send``, it ignores the reducers that torch registers with
    multiprocessing, which share a tensor through a side channel that needs an authkey
    the worker does not have.
    """

    def send(self, obj: Any) -> None:
        self.send_bytes(cloudpickle.dumps(obj))


class _Server:
    """Answers one worker: hands it trials and the trial's attributes, records outcomes."""

    def __init__(
        self,
        worker: tuple[Connection, subprocess.Popen[bytes]],
        lock: threading.Lock,
        study: Study,
        start_trial: Callable[[], Any],
        finish_trial: Callable[[Any, tuple[Any, ...]], FrozenTrial],
        after_trial: Callable[[FrozenTrial], None],
        interrupted: threading.Event,
    ) -> None:
        self._connection, self._process = worker
        self._lock = lock
        self._study = study
        self._start_trial = start_trial
        self._finish_trial = finish_trial
        self._after_trial = after_trial
        self._interrupted = interrupted  # set when Ctrl+C killed the workers
        self.died = False  # whether serving ended because the worker process died

    def run(self, keep_alive: Callable[[Any], AbstractContextManager[None]]) -> None:
        """Serve until the budget is spent, the study stops or the worker dies."""
        self._await_ready()
        trial = self._next_trial()
        while trial is not None:
            try:
                with keep_alive(trial):
                    outcome = self._serve_trial(trial)
            except BaseException as error:
                self._fail(trial, f"its worker process could not run it: {error!r}")
                raise
            if outcome is None:
                self._lost(trial)
                return
            try:
                with self._lock:
                    self._after_trial(self._finish_trial(trial, outcome))
            except BaseException:
                self._connection.send(("stop",))
                raise
            trial = self._next_trial()

    def _next_trial(self) -> Any:
        """Start a trial and send its number to the worker, or tell it to stop."""
        with self._lock:
            trial = self._start_trial()
        try:
            self._connection.send(("stop",) if trial is None else ("trial", trial.number))
        except ConnectionError:  # the worker process died between two trials
            if trial is not None:
                self._lost(trial)
            return None
        return trial

    def _await_ready(self) -> None:
        """Wait until the worker has loaded the objective; no trial is started before.

        Raises:
            FastuneError: the worker could not load it, or died loading it.
        """
        try:
            message = self._recv()
        except (EOFError, ConnectionError):
            if self._interrupted.is_set():
                return  # killed on Ctrl+C; run() then starts no trial
            raise FastuneError(
                f"A worker process died while loading the objective ({self._exit()}): "
                "an objective holding large data (a closure over a dataset) is copied "
                "into each of the n_jobs processes, which can exhaust the memory; "
                "n_jobs=1 runs it in this process"
            ) from None
        if message[0] == "broken":
            raise FastuneError(
                f"A worker process could not load the objective: {message[1]!r}"
            ) from _with_worker_traceback(_arrived(message[1]), message[2])

    def _recv(self) -> Any:
        """The worker's next message.

        Raises:
            EOFError: the worker process is gone (a process it forked may hold the
                socket open after it died: its exit is watched too).
        """
        while not self._connection.poll(1.0):
            if self._process.poll() is not None:
                raise EOFError
        return self._connection.recv()

    def _exit(self) -> str:
        """How the worker process ended, for a message."""
        try:
            code = self._process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "still running, its socket closed"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            hint = " (as the out-of-memory killer does)" if -code == signal.SIGKILL else ""
            return f"killed by {name}{hint}"
        return f"exit status {code}"

    def _lost(self, trial: Any) -> None:
        """Fail the trial of a worker that is gone: killed on Ctrl+C, or dead. A dead
        worker's trial goes to the storage's ``failed_trial_callback``, as one whose
        heartbeat stopped, and the worker is replaced."""
        if self._interrupted.is_set():
            self._fail(trial, "optimize was interrupted (KeyboardInterrupt)")
            return
        frozen = self._fail(trial, f"its worker process died ({self._exit()})")
        _kill_group(self._process)  # what it had started, orphaned now
        with self._lock:
            self._study._hand_to_failed_trial_callback(frozen)
        self.died = True

    def _fail(self, trial: Any, reason: str) -> FrozenTrial:
        with self._lock:
            frozen = self._study._finish(trial._trial_id, TrialState.FAIL, None, reason)
        return frozen

    def _serve_trial(self, trial: Any) -> tuple[Any, ...] | None:
        """Answer the objective's calls until it ends; its outcome (None: the worker is
        gone)."""
        try:
            while True:
                message = self._recv()
                if message[0] == "done" and message[1] == "error":
                    return ("error", _with_worker_traceback(_arrived(message[2]), message[3]))
                if message[0] == "done":
                    return tuple(message[1:])
                self._answer(trial, *message[1:])
        except (EOFError, ConnectionError):
            return None

    def _answer(self, trial: Any, path: tuple[str, ...], args: Any, kwargs: Any) -> None:
        """Send the value of ``trial.<path>`` (called when ``args`` is not None)."""
        try:
            value = trial
            for name in path:
                value = getattr(value, name)
            if args is not None:
                with _optimizing(self._study):  # trial.study.optimize(...) is nested
                    value = value(*args, **kwargs)
            elif callable(value):
                self._connection.send(("method", None))
                return
        except BaseException as error:
            self._connection.send(("error", _portable(error)))
            return
        # trial.study and its storage: stand-ins there too (a copy of the storage would
        # take the worker's writes, such as an artifact's record, and keep them).
        if isinstance(value, (Study, BaseStorage)):
            self._connection.send(("object", "storage" if isinstance(value, BaseStorage) else None))
            return
        try:
            reply = cloudpickle.dumps(("value", value))
        except Exception as error:
            message = f"trial.{'.'.join(path)} cannot be sent to a worker process: {error!r}"
            reply = cloudpickle.dumps(("error", FastuneError(message)))
        self._connection.send_bytes(reply)


def _portable(error: BaseException) -> Any:
    """``error`` if it survives pickling; else, if its class does, the error carried
    without its ``__init__`` (:class:`_Carried`), so that ``catch`` and ``except`` still
    know it; else a FastuneError with its text. :func:`_arrived` reads it back."""
    try:
        pickle.loads(cloudpickle.dumps(error))
    except Exception:
        carried = _Carried(error)
        try:
            pickle.loads(cloudpickle.dumps(carried))
        except Exception:
            return FastuneError(repr(error))
        return carried
    return error


def _arrived(sent: Any) -> BaseException:
    """The error :func:`_portable` sent."""
    return sent.rebuilt() if isinstance(sent, _Carried) else sent


class _Carried:
    """An error whose ``__init__`` cannot be called again from its ``args`` (required
    keyword arguments) or which holds what does not pickle (a lock, a socket): its
    class, its ``args`` (or its text) and the attributes that pickle, made into an
    instance of that class again without calling ``__init__``."""

    def __init__(self, error: BaseException) -> None:
        self.cls = type(error)
        self.args = error.args if _pickles(error.args) else (str(error),)
        self.state = {k: v for k, v in vars(error).items() if _pickles(v)}

    def rebuilt(self) -> BaseException:
        error = self.cls.__new__(self.cls, *self.args)
        error.args = self.args
        vars(error).update(self.state)
        return error


def _pickles(value: Any) -> bool:
    try:
        pickle.loads(cloudpickle.dumps(value))
    except Exception:
        return False
    return True


class _WorkerTraceback(Exception):
    """The traceback of an error raised in a worker process, which pickling drops; set as
    the error's ``__cause__``, it is printed (and logged) with it."""


def _with_worker_traceback(error: BaseException, formatted: str) -> BaseException:
    error.__cause__ = _WorkerTraceback(f"raised in a worker process:\n\n{formatted.rstrip()}")
    return error


# -- the worker side -------------------------------------------------------------------


class _Remote:
    """The trial (or ``trial.study``) as the objective sees it in a worker: every
    attribute is read from, and every method runs on, the parent's real object."""

    _methods: ClassVar[set[tuple[str, ...]]] = set()  # known methods: one round trip
    number: int  # the trial's; asked so often that it travels with the trial

    def __init__(self, connection: Connection, path: tuple[str, ...]) -> None:
        self._connection = connection
        self._path = path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        path = (*self._path, name)
        if path not in self._methods:
            kind, value = self._ask(path, None, None)
            if kind == "object":
                stand_in = _RemoteStorage if value == "storage" else _RemoteStudy
                return stand_in(self._connection, path)
            if kind != "method":
                return value
            self._methods.add(path)
        return lambda *args, **kwargs: self._call(path, args, kwargs)

    def _call(self, path: tuple[str, ...], args: Any, kwargs: Any) -> Any:
        args = tuple(_plain(arg) for arg in args)  # trial.report(loss_tensor, epoch)...
        kwargs = {name: _plain(arg) for name, arg in kwargs.items()}
        return self._ask(path, args, kwargs)[1]

    def _ask(self, path: tuple[str, ...], args: Any, kwargs: Any) -> tuple[str, Any]:
        self._connection.send(("attr", path, args, kwargs))
        kind, value = self._connection.recv()
        if kind == "error":
            raise _arrived(value)
        return kind, value


class _RemoteTrial(_Remote):
    """The trial as the objective sees it in a worker; it counts as a ``Trial`` (an
    integration that checks what it was given accepts it, as in the parent)."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        from fastune.trial import Trial

        return Trial


class _RemoteStudy(_Remote):
    """``trial.study`` as the objective sees it in a worker; it counts as a ``Study``."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return Study


class _RemoteStorage(_Remote):
    """The study's storage as the objective sees it in a worker: calls run on the
    parent's storage. It counts as a ``BaseStorage``, so that ``load_study(storage=
    trial.study._storage)`` works there as in the parent."""


BaseStorage.register(_RemoteStorage)


def _plain(value: Any) -> Any:
    """A 0-d tensor or array, or a numpy scalar, as the Python number it holds (as the
    parent would read it); any other value as it is.

    Only the number crosses to the parent: a CUDA tensor there would start CUDA there.
    """
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        return value.item()
    return value


def _worker_main() -> None:
    """Entry point of a worker process: run trials until the parent says stop."""
    # The parent alone acts on Ctrl+C (it kills the workers' groups); a SIGINT sent to a
    # worker all the same is ignored. A handler, not SIG_IGN, which the objective's own
    # subprocesses would inherit.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    _watch_parent(int(sys.argv[2]))
    connection = _Pipe(int(sys.argv[1]))
    path, payload, gc_after_trial = connection.recv()
    sys.path[:] = path
    try:
        func = cloudpickle.loads(payload)
    except BaseException as error:
        connection.send(("broken", _portable(error), _formatted(error)))
        return
    connection.send(("ready",))
    _run_trials(connection, func, gc_after_trial)


def _watch_parent(parent: int) -> None:
    """End this worker, and the processes it started, once the process that started it
    is gone (killed: it had no chance to stop its workers), instead of running the
    objective on for no one."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        try:
            os.killpg(0, signal.SIGKILL)  # its own group: this worker and its children
        finally:
            os._exit(1)

    threading.Thread(target=watch, name="fastune-watch-parent", daemon=True).start()


def _run_trials(connection: Connection, func: Any, gc_after_trial: bool) -> None:
    from fastune.exceptions import TrialPruned

    while True:
        try:
            reply = connection.recv()
        except EOFError:  # the parent is gone
            return
        if reply[0] == "stop":
            return
        trial = _RemoteTrial(connection, ())
        trial.number = reply[1]
        try:
            returned = func(trial)
        except TrialPruned as pruned:
            connection.send(("done", "pruned", str(pruned) or None))
        except BaseException as error:
            connection.send(("done", "error", _portable(error), _formatted(error)))
        else:
            connection.send(("done", "returned", _sendable_return(returned)))
        if gc_after_trial:
            gc.collect()


def _formatted(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


def _sendable_return(returned: Any) -> Any:
    """The objective's return with its numbers as plain Python; its repr if it cannot be
    pickled (the parent then fails the trial, saying why)."""
    if isinstance(returned, (list, tuple)):
        returned = [_plain(value) for value in returned]
    else:
        returned = _plain(returned)
    try:
        cloudpickle.dumps(returned)
    except Exception:
        return repr(returned)
    return returned
