"""The loop behind ``Study.optimize``: run trials until the budget or a stop."""

from __future__ import annotations

import functools
import gc
import math
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from fastune import logging as fastune_logging
from fastune._imports import import_optional
from fastune.exceptions import FastuneError, TrialPruned
from fastune.logging import get_logger
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState
from fastune.trial._trial import Trial

if TYPE_CHECKING:
    from fastune.study.study import Study

__all__ = ["ObjectiveFuncType", "run_optimize"]

_logger = get_logger(__name__)

ObjectiveFuncType = Callable[[Trial], "float | Sequence[float]"]
CallbackType = Callable[["Study", FrozenTrial], None]


class _Budget:
    """Hands out permission to start a trial, shared by every worker of one optimize call."""

    def __init__(self, n_trials: int | None, timeout: float | None) -> None:
        self._n_trials = n_trials
        self._deadline = None if timeout is None else time.monotonic() + timeout
        self._started = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._n_trials is not None and self._started >= self._n_trials:
                return False
            if self._deadline is not None and time.monotonic() >= self._deadline:
                return False
            self._started += 1
            return True


class _Progress:
    """A tqdm bar counting trials (or seconds, when only a timeout bounds the run); while
    it is shown, fastune's log lines print above it."""

    def __init__(self, enabled: bool, n_trials: int | None, timeout: float | None) -> None:
        self._bar: Any = None
        self._by_time = n_trials is None and timeout is not None
        self._start = time.monotonic()
        if enabled and n_trials is None and timeout is None:
            warnings.warn(
                "No progress bar is shown: with neither n_trials nor timeout, optimize "
                "has no end to count toward.",
                UserWarning,
                stacklevel=5,  # the caller of Study.optimize
            )
        elif enabled:
            tqdm = import_optional("tqdm.auto", "progress").tqdm
            if self._by_time:  # elapsed / timeout, in whole seconds
                total = tqdm.format_interval(timeout)
                bar_format = "{l_bar}{bar}| {elapsed}/" + total + "{postfix}"
                self._bar = tqdm(total=timeout, bar_format=bar_format)
            else:
                self._bar = tqdm(total=n_trials, unit="trial")
            fastune_logging._write_lines_with(lambda line: tqdm.write(line, file=sys.stderr))

    def update(self, study: Study, trial: FrozenTrial) -> None:
        if self._bar is None:
            return
        if self._by_time:
            self._bar.n = min(time.monotonic() - self._start, self._bar.total)
            self._bar.refresh()
        else:
            self._bar.update(1)
        if len(study.directions) == 1:
            try:
                best = study.best_trial
            except ValueError:
                return
            self._bar.set_postfix_str(f"best trial {best.number}: {best.value:.6g}")

    def close(self) -> None:
        if self._bar is not None:
            fastune_logging._write_lines_with(None)
            self._bar.close()


def _refusing_nested(run: Callable[..., None]) -> Callable[..., None]:
    """``run(study, ...)`` marked, for its duration, as inside the study's optimize."""

    @functools.wraps(run)
    def marked(study: Study, *args: Any, **kwargs: Any) -> None:
        with _optimizing(study):
            run(study, *args, **kwargs)

    return marked


# The studies whose optimize runs in each thread: an objective or callback that calls
# optimize on the same study again is refused (as Optuna).
_running = threading.local()


@contextmanager
def _optimizing(study: Study) -> Iterator[None]:
    studies: set[int] = _running.__dict__.setdefault("studies", set())
    if id(study) in studies:
        raise RuntimeError(
            "Study.optimize was called again from inside its own optimize (by the "
            "objective or a callback): nested optimize calls on one study are not allowed."
        )
    studies.add(id(study))
    try:
        yield
    finally:
        studies.discard(id(study))


@_refusing_nested
def run_optimize(
    study: Study,
    func: ObjectiveFuncType,
    n_trials: int | None,
    timeout: float | None,
    n_jobs: int,
    catch: tuple[type[BaseException], ...],
    callbacks: Iterable[CallbackType],
    gc_after_trial: bool,
    show_progress_bar: bool,
    backend: str | None = None,
) -> None:
    """Run trials of ``func`` in ``n_jobs`` threads or processes until the budget is spent
    or a stop."""
    budget = _Budget(n_trials, timeout)
    progress = _Progress(show_progress_bar, n_trials, timeout)
    callbacks = list(callbacks)
    study._stop_flag = False

    def trials() -> None:
        while not study._stop_flag and budget.take():
            try:
                frozen = run_trial(study, func, catch)
            finally:
                if gc_after_trial:  # also after an objective that raised
                    gc.collect()
            for callback in callbacks:
                callback(study, frozen)
            progress.update(study, frozen)

    def work() -> None:
        try:
            if n_jobs == 1:  # in the calling thread, marked already
                trials()
            else:
                with _optimizing(study):  # a worker thread: nested calls from it too
                    trials()
        except BaseException:
            study._stop_flag = True  # the other workers finish their trial and stop
            raise

    def start_trial() -> Trial | None:
        if study._stop_flag or not budget.take():
            return None
        study._fail_stale_trials()
        return study.ask()

    def after_trial(frozen: FrozenTrial) -> None:
        # Run on the threads that serve the worker processes: marked as inside optimize,
        # so that a callback calling it again is refused there too.
        with _optimizing(study):
            for callback in callbacks:
                callback(study, frozen)
            progress.update(study, frozen)

    payload = _objective_for_processes(func, backend, callbacks) if n_jobs > 1 else None
    try:
        if n_jobs == 1:
            work()
        elif payload is not None:
            from fastune.study._processes import run_in_processes

            run_in_processes(
                study,
                payload,
                n_jobs,
                start_trial,
                lambda trial, outcome: record_outcome(study, trial, outcome, catch),
                after_trial,
                lambda trial: _heartbeat(study, trial._trial_id),
                gc_after_trial,
            )
        else:
            with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                try:
                    for future in [pool.submit(work) for _ in range(n_jobs)]:
                        future.result()
                except BaseException:  # also a KeyboardInterrupt, which only this thread gets
                    study._stop_flag = True  # the workers finish their trial and stop
                    raise
    finally:
        study._stop_flag = False
        progress.close()


#: An attribute of an objective or a callback that must share the study's process (a
#: W&B run the objective logs to): its value says why.
NEEDS_THREADS = "_fastune_needs_threads"

_T = TypeVar("_T")


def needs_threads(target: _T, reason: str) -> _T:
    """Mark an objective or a callback as one whose ``n_jobs`` workers must be threads
    of the study's process (see :func:`_objective_for_processes`); return it."""
    setattr(target, NEEDS_THREADS, reason)
    return target


def _objective_for_processes(
    func: ObjectiveFuncType, backend: str | None, callbacks: Sequence[Any] = ()
) -> bytes | None:
    """The pickled objective for worker processes; None to run ``n_jobs`` threads.

    Without a ``backend``, an objective that cannot be pickled runs in threads, with a
    warning that says why; with ``backend="processes"`` that is an error. An objective
    or callback marked :data:`NEEDS_THREADS` runs the workers as threads (as Optuna's
    always are) unless ``backend="processes"`` says otherwise.
    """
    if backend == "threads":
        return None
    marked = [getattr(f, NEEDS_THREADS, None) for f in (func, *callbacks)]
    reason = next((why for why in marked if isinstance(why, str)), None)
    if reason is not None and backend is None:
        _logger.info(f"Running the n_jobs workers as threads: {reason}.")
        return None
    from fastune.study._processes import dumps_objective

    try:
        return dumps_objective(func)
    except Exception as error:
        reason = f"the objective cannot be pickled ({error!r})"
        if backend == "processes":
            raise FastuneError(
                f"backend='processes' needs an objective that can be sent to worker "
                f"processes, but {reason}. Pass backend='threads' to run it in threads."
            ) from error
        _logger.warning(
            f"Running the n_jobs workers as threads: {reason}. Pass backend='threads' to "
            f"choose threads and silence this warning."
        )
        return None


def run_trial(
    study: Study, func: ObjectiveFuncType, catch: tuple[type[BaseException], ...]
) -> FrozenTrial:
    """Run one trial of ``func``: record its outcome, and re-raise errors not in ``catch``."""
    study._fail_stale_trials()
    trial_id = study._start_trial_id()
    # The heartbeat starts before the sampler works: a worker that dies while it samples
    # (a GP fit can take a while) leaves a trial that others can tell is dead.
    with _heartbeat(study, trial_id):
        return _run_asked(study, Trial(study, trial_id), func, catch)


@contextmanager
def _heartbeat(study: Study, trial_id: int) -> Iterator[None]:
    """While the block runs, record the trial's heartbeat every storage interval, so
    that other workers can tell this one from a dead one."""
    interval = study._storage.heartbeat_interval
    if interval is None:
        yield
        return
    study._storage.record_heartbeat(trial_id)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            study._storage.record_heartbeat(trial_id)

    thread = threading.Thread(target=beat, name=f"fastune-heartbeat-{trial_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _run_asked(
    study: Study, trial: Trial, func: ObjectiveFuncType, catch: tuple[type[BaseException], ...]
) -> FrozenTrial:
    try:
        returned = func(trial)
    except TrialPruned as pruned:
        outcome: tuple[str, Any] = ("pruned", str(pruned) or None)
    except BaseException as error:
        outcome = ("error", error)
    else:
        outcome = ("returned", returned)
    return record_outcome(study, trial, outcome, catch)


def record_outcome(
    study: Study, trial: Any, outcome: tuple[Any, ...], catch: tuple[type[BaseException], ...]
) -> FrozenTrial:
    """Finish ``trial`` from its objective's ``outcome``: ("pruned", message), ("error",
    exception) or ("returned", value); re-raise an error whose class is not in ``catch``."""
    kind, detail = outcome
    if kind == "pruned":
        return study._finish(trial._trial_id, TrialState.PRUNED, None, detail)
    if kind == "error":
        frozen = study._finish(trial._trial_id, TrialState.FAIL, None, repr(detail), detail)
        if isinstance(detail, catch):
            return frozen
        raise detail
    values, problem = check_values(detail, len(study.directions))
    if problem is not None:
        return study._finish(trial._trial_id, TrialState.FAIL, None, problem)
    return study._finish(trial._trial_id, TrialState.COMPLETE, values, None)


def check_values(returned: Any, n_objectives: int) -> tuple[list[float] | None, str | None]:
    """Turn an objective's return into floats, or say why it cannot count as a result."""
    if isinstance(returned, np.ndarray) and returned.ndim > 0:
        returned = returned.tolist()
    if isinstance(returned, (str, bytes)) or not isinstance(returned, Sequence):
        returned = [returned]
    if len(returned) != n_objectives:
        return None, (
            f"the objective returned {len(returned)} value(s) for a study with "
            f"{n_objectives} objective(s): {returned!r}"
        )
    values = []
    for value in returned:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None, f"the objective returned {value!r}, which is not a number"
        if math.isnan(number):
            return None, f"the objective returned {value!r}"
        values.append(number)
    return values, None
