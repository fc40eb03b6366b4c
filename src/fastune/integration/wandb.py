"""Weights & Biases (``pip install fastune[wandb]``): the trials of a study logged to W&B,
with Optuna's name (``WeightsAndBiasesCallback``)."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune._validation import invalid_type
from fastune.exceptions import FastuneError
from fastune.integration._metric_names import check_metric_name, metrics_by_name
from fastune.study._optimize import needs_threads

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial, Trial

__all__ = ["WeightsAndBiasesCallback"]

# On import, as Optuna's: reaching the name without wandb says which extra installs it.
_wandb: Any = import_optional("wandb", "wandb")

_OWNER = "WeightsAndBiasesCallback"


class WeightsAndBiasesCallback:
    """After each trial, log it to Weights & Biases: its parameters, its value(s) under
    ``metric_name`` and its number as ``trial_number``, the metric W&B plots them
    against. With it, ``optimize(n_jobs > 1)`` runs its workers as threads, as Optuna's
    (W&B logs ``wandb.log`` of the objective to a run of the callback's process), unless
    ``backend="processes"`` is asked for.

    By default the study is one W&B run, started when the callback is made (so that the
    objective may log to it too, with ``wandb.log``), with one row per trial. With
    ``as_multirun=True`` each trial is a run of its own, named ``trial/<number>/...``,
    with the parameters and the study's direction(s) in its config and the study's name
    among its tags, finished after the trial; W&B's sweep panels (parameter importance,
    parallel coordinates) then read the study.

    Trials are logged against ``trial_number``, not W&B's own step: trials that finish
    out of order (``n_jobs > 1``) are all kept, where Optuna's callback logs at
    ``step=trial.number`` and W&B drops a row whose step is below the last one.

    Give it to ``study.optimize(callbacks=[...])``; it runs where the study is (the
    process that calls ``optimize``), whatever ``n_jobs``. Call ``wandb.finish()``
    between two studies run in one process, as with Optuna's.

    Args:
        metric_name: The name of the value; for several objectives, one name per
            objective, or one name that becomes ``<name>_0``, ``<name>_1``, ...
        wandb_kwargs: Arguments of ``wandb.init`` (``project``, ``entity``, ``mode``,
            ``dir``, ``tags``, ...).
        as_multirun: One run per trial instead of one run for the study.

    Raises:
        InvalidParameterTypeError: ``metric_name`` is neither a string nor a sequence of
            strings, or ``wandb_kwargs`` is not a dict.
        InvalidParameterError: during the study, as many names as objectives are not
            given.
        MissingDependencyError: wandb is not installed (on import of this module).

    Example:
        >>> import fastune
        >>> from fastune.integration.wandb import WeightsAndBiasesCallback
        >>> callback = WeightsAndBiasesCallback(
        ...     wandb_kwargs={"project": "my-project", "mode": "offline"})  # doctest: +SKIP
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=3,
        ...                callbacks=[callback])  # doctest: +SKIP
    """

    def __init__(
        self,
        metric_name: str | Sequence[str] = "value",
        wandb_kwargs: dict[str, Any] | None = None,
        as_multirun: bool = False,
    ) -> None:
        if wandb_kwargs is not None and not isinstance(wandb_kwargs, dict):
            raise invalid_type(
                "wandb_kwargs", _OWNER, "a dict of wandb.init arguments or None", wandb_kwargs
            )
        self._metric_name = check_metric_name(metric_name, _OWNER)
        self._wandb_kwargs = dict(wandb_kwargs or {})
        self._as_multirun = bool(as_multirun)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        needs_threads(self, "W&B logs the objective's wandb.log to this process's run")
        # The trial whose objective track_in_wandb runs now, and its run (one at a time:
        # the objective logs with wandb.log, to W&B's one current run).
        self._tracked: tuple[int, Any] | None = None
        self._defined: set[str] = set()  # the names plotted against trial_number
        self._run: Any = None if self._as_multirun else self._start_run()

    def __getstate__(self) -> dict[str, Any]:
        # The objective carries the callback to worker processes through track_in_wandb;
        # a run and a lock do not travel.
        state = dict(self.__dict__)
        state.update(_lock=None, _run=None, _tracked=None, _defined=set())
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        metrics: dict[str, Any] = {}
        if trial.values is not None:  # pruned and failed trials have none
            metrics = metrics_by_name(self._metric_name, trial.values, _OWNER)
        row = {**trial.params, **metrics, "trial_number": trial.number}
        directions = [d.name for d in study.directions]
        with self._lock:
            if not self._as_multirun:
                run = self._study_run()
                self._define_metrics(run, row, self._defined)
                run.log(row)
                run.config.update({"direction": directions}, allow_val_change=True)
                return
            tracked = self._tracked
            if tracked is not None and tracked[0] == trial.number:
                run, self._tracked = tracked[1], None
            else:
                run = self._trial_run(trial.number)
            self._define_metrics(run, row, set())
            run.log(row)
            run.config.update({"direction": directions, **trial.params}, allow_val_change=True)
            run.tags = (*self._wandb_kwargs.get("tags", ()), study.study_name)
            run.finish()

    def track_in_wandb(self) -> Callable[[Callable[[Trial], Any]], Callable[[Trial], Any]]:
        """A decorator of the objective, so that what it logs with ``wandb.log`` lands in
        the trial's run (``as_multirun=True``; the callback then completes that run) or in
        the study's run.

        The objective must run in the callback's process (``n_jobs=1``, or
        ``backend="threads"`` for the study's run), and with ``as_multirun=True`` one
        trial at a time: W&B logs ``wandb.log`` to one current run per process.

        Raises:
            FastuneError: when the objective runs in another process, or, with
                ``as_multirun=True``, beside another tracked trial.
        """

        def decorator(func: Callable[[Trial], Any]) -> Callable[[Trial], Any]:
            @functools.wraps(func)
            def objective(trial: Trial) -> Any:
                if os.getpid() != self._pid:
                    raise FastuneError(
                        f"{_OWNER}.track_in_wandb: the objective runs in another process "
                        "than the callback (n_jobs > 1 with worker processes); W&B logs to "
                        "a run of the current process. Use n_jobs=1, or "
                        "backend='threads' without as_multirun."
                    )
                if not self._as_multirun:
                    with self._lock:
                        self._study_run()
                    return func(trial)
                with self._lock:
                    if self._tracked is not None:
                        raise FastuneError(
                            f"{_OWNER}.track_in_wandb with as_multirun=True tracks one "
                            f"trial at a time; trial {self._tracked[0]} is running, or its "
                            "run was not completed (give the callback to optimize's "
                            "callbacks). Use n_jobs=1."
                        )
                    self._tracked = (trial.number, self._trial_run(trial.number))
                return func(trial)

            return needs_threads(objective, "track_in_wandb logs to a run of this process")

        return decorator

    def _start_run(self) -> Any:
        return _wandb.init(**self._wandb_kwargs)

    def _study_run(self) -> Any:
        """The study's run, started again if it was finished (``wandb.finish()``)."""
        if self._run is None or _wandb.run is not self._run:
            self._run = _wandb.run if _wandb.run is not None else self._start_run()
            self._defined = set()
        return self._run

    def _trial_run(self, number: int) -> Any:
        run = self._start_run()
        run.name = f"trial/{number}/{run.name}" if run.name else f"trial/{number}"
        return run

    @staticmethod
    def _define_metrics(run: Any, row: dict[str, Any], defined: set[str]) -> None:
        """Plot each new name of ``row`` against the trial number (``defined``: the names
        of ``run`` done already, updated)."""
        for name in row.keys() - defined - {"trial_number"}:
            run.define_metric(name, step_metric="trial_number")
            defined.add(name)
