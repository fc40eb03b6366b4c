"""The study: a named set of trials in a storage, with its sampler and pruner."""

from __future__ import annotations

import copy
import logging
import math
import numbers
import os
from collections.abc import Container, Iterable, Sequence
from typing import Any

from fastune._study_direction import StudyDirection, as_direction, only_direction
from fastune._validation import (
    check_choice,
    check_exception_classes,
    check_int,
    check_number,
    invalid,
    invalid_type,
)
from fastune.distributions import BaseDistribution, equal_value
from fastune.exceptions import DuplicatedStudyError, UpdateFinishedTrialError
from fastune.logging import get_logger
from fastune.pruners import BasePruner, MedianPruner
from fastune.samplers import AutoSampler, BaseSampler
from fastune.storages import BaseStorage, get_storage
from fastune.study._dataframe import DATAFRAME_ATTRS
from fastune.study._multi_objective import pareto_front_trials
from fastune.study._optimize import (
    CallbackType,
    ObjectiveFuncType,
    check_values,
    run_optimize,
)
from fastune.trial._constraints import violation
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState
from fastune.trial._trial import FIXED_PARAMS_KEY, Trial

__all__ = ["Study", "create_study", "delete_study", "get_all_study_names", "load_study"]

_logger = get_logger(__name__)

FAIL_REASON_KEY = "fail_reason"
METRIC_NAMES_KEY = "study:metric_names"


class Study:
    """A set of trials that optimizes one objective function (or several).

    Create one with :func:`create_study` or :func:`load_study` rather than directly.

    Attributes:
        study_name: The study's name in its storage.
        sampler: Proposes the parameters of each trial.
        pruner: Decides when a trial stops early.
    """

    def __init__(
        self,
        study_name: str,
        storage: str | BaseStorage,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
    ) -> None:
        self.study_name = study_name
        self._storage = get_storage(storage)  # a URL too, as Optuna's
        self._study_id = self._storage.get_study_id_from_name(study_name)
        self._directions = self._storage.get_study_directions(self._study_id)
        self.sampler = sampler if sampler is not None else AutoSampler()
        self.pruner = pruner if pruner is not None else MedianPruner()
        self._stop_flag = False

    @property
    def _cache_key(self) -> tuple[Any, ...]:
        """What samplers and pruners key what they keep about this study by: a new study
        in another storage may have the same id (each storage counts from 0)."""
        return (self._storage._identity, self._study_id)

    # -- results ---------------------------------------------------------------------

    @property
    def directions(self) -> list[StudyDirection]:
        """The direction of each objective."""
        return list(self._directions)

    @property
    def direction(self) -> StudyDirection:
        """The direction of the objective.

        Raises:
            RuntimeError: the study has several objectives; read ``directions``.
        """
        return only_direction(self._directions)

    @property
    def best_trial(self) -> FrozenTrial:
        """The best COMPLETE trial; with constraints (``Trial.set_constraint``), the best
        feasible one.

        Raises:
            ValueError: no trial is complete yet, or none of them is feasible.
            RuntimeError: the study has several objectives; read ``best_trials``.
        """
        return self._storage.get_best_trial(self._study_id)

    @property
    def best_value(self) -> float:
        """The objective value of :attr:`best_trial`."""
        value = self.best_trial.value
        assert value is not None  # a COMPLETE trial has values
        return value

    @property
    def best_params(self) -> dict[str, Any]:
        """The parameters of :attr:`best_trial`."""
        return self.best_trial.params

    @property
    def best_trials(self) -> list[FrozenTrial]:
        """The COMPLETE trials on the Pareto front (for one objective, every best trial);
        with constraints, the front of the feasible trials."""
        complete = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        feasible = [t for t in complete if violation(t.system_attrs) == 0.0]
        return copy.deepcopy(pareto_front_trials(feasible, self._directions))

    @property
    def trials(self) -> list[FrozenTrial]:
        """Copies of all trials, ordered by number."""
        return self.get_trials(deepcopy=True)

    def get_trials(
        self, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        """Return the trials, optionally only those in ``states``.

        Args:
            deepcopy: Return copies; with False, the storage's own records, which must
                not be changed (faster, for samplers and pruners).
            states: The states to keep, such as ``(TrialState.COMPLETE,)``.
        """
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    def _get_trials(
        self,
        deepcopy: bool = True,
        states: Container[TrialState] | None = None,
        use_cache: bool = False,
    ) -> list[FrozenTrial]:
        """:meth:`get_trials` under Optuna's private name, which samplers written for
        Optuna call (``use_cache`` changes nothing here)."""
        return self._storage.get_all_trials(self._study_id, deepcopy=deepcopy, states=states)

    def _is_multi_objective(self) -> bool:
        """Whether the study has several objectives (Optuna's private name)."""
        return len(self._directions) > 1

    @property
    def metric_names(self) -> list[str] | None:
        """The names of the objectives set by :meth:`set_metric_names`, or None."""
        names = self._storage.get_study_system_attrs(self._study_id).get(METRIC_NAMES_KEY)
        return None if names is None else list(names)

    def set_metric_names(self, metric_names: Sequence[str]) -> None:
        """Name the objectives, one name per direction (used by tables and plots).

        Raises:
            InvalidParameterError: not one name per objective.
        """
        names = list(metric_names)
        if len(names) != len(self._directions) or not all(isinstance(n, str) for n in names):
            raise invalid(
                "metric_names",
                "Study.set_metric_names",
                f"{len(self._directions)} str name(s), one per objective",
                metric_names,
            )
        self._storage.set_study_system_attr(self._study_id, METRIC_NAMES_KEY, names)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """User attributes of the study."""
        return self._storage.get_study_user_attrs(self._study_id)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes of the study."""
        return self._storage.get_study_system_attrs(self._study_id)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a value to the study, kept in its storage."""
        self._storage.set_study_user_attr(self._study_id, key, value)

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach a value reserved for fastune's components."""
        self._storage.set_study_system_attr(self._study_id, key, value)

    def trials_dataframe(
        self,
        attrs: Sequence[str] = DATAFRAME_ATTRS,
        multi_index: bool = False,
    ) -> Any:
        """Return the trials as a ``pandas.DataFrame`` (``pip install fastune[pandas]``).

        Nested attributes (params, user_attrs, ...) spread over one column per key,
        named ``params_x`` (or a two-level column index with ``multi_index=True``).
        """
        from fastune.study._dataframe import trials_dataframe

        return trials_dataframe(self, attrs, multi_index)

    # -- running ---------------------------------------------------------------------

    def optimize(
        self,
        func: ObjectiveFuncType,
        n_trials: int | None = None,
        timeout: float | None = None,
        n_jobs: int = 1,
        catch: Iterable[type[BaseException]] | type[BaseException] = (),
        callbacks: Iterable[CallbackType] | None = None,
        gc_after_trial: bool = False,
        show_progress_bar: bool = False,
        *,
        backend: str | None = None,
    ) -> None:
        """Run trials of ``func`` until ``n_trials`` have run, ``timeout`` seconds have
        passed, :meth:`stop` is called or every grid point is visited.

        With neither ``n_trials`` nor ``timeout``, trials run until something stops the
        study. A trial whose objective raises fails, and the error is re-raised unless it
        is an instance of a class in ``catch``; an objective that returns NaN or a
        non-number fails its trial with a logged warning; :class:`fastune.TrialPruned`
        prunes the trial.

        Args:
            func: The objective: takes a :class:`~fastune.trial.Trial`, returns a float
                (or one float per objective).
            n_trials: How many trials to run in all, across the ``n_jobs`` workers.
            timeout: Seconds after which no new trial starts.
            n_jobs: Parallel workers; -1 means one per CPU.
            catch: Exception classes that fail a trial without stopping the study.
            callbacks: Called as ``callback(study, frozen_trial)`` after each trial.
            gc_after_trial: Run the garbage collector after each trial.
            show_progress_bar: Show a progress bar (``pip install fastune[progress]``).
            backend: How ``n_jobs > 1`` workers run. ``"processes"``: the objective runs
                in ``n_jobs`` worker processes, so CPU-bound work runs in parallel, while
                this process keeps the study (any storage, in-memory included) and runs
                the callbacks. The objective travels to them with cloudpickle, and
                ``trial`` and ``trial.study`` there answer from this process; but objects
                of this process that the objective changes (a global list, a dict of
                models) are changed in the worker's copy only. ``"threads"``: as Optuna,
                threads that share this process's memory and take turns on its GIL. By
                default (None), processes, or threads when the objective cannot be
                pickled (with a warning that says why). This is where fastune differs
                from Optuna on purpose: its ``n_jobs`` threads do not speed up CPU-bound
                Python. On Ctrl+C (KeyboardInterrupt) no trial starts any more: threads
                finish their running trials, worker processes are killed and their
                running trials fail; then the KeyboardInterrupt is raised.

        Raises:
            InvalidParameterError: ``n_trials < 0``, ``timeout < 0``, ``n_jobs == 0``, or
                a ``backend`` other than "threads" and "processes".
            FastuneError: ``backend="processes"`` with an objective that cannot be pickled.
            InvalidParameterTypeError: ``catch`` holds something that is not an
                exception class.
        """
        owner = "Study.optimize"
        n_trials = check_int(n_trials, "n_trials", owner, low=0, allow_none=True)
        if isinstance(timeout, (int, float)) and timeout == math.inf:
            timeout = None  # no limit, as Optuna takes it
        timeout = check_number(timeout, "timeout", owner, low=0.0, allow_none=True)
        n_jobs = _resolve_n_jobs(n_jobs)
        if backend is not None:
            check_choice(backend, "backend", owner, ("threads", "processes"))
        catch_tuple = check_exception_classes(catch, owner)  # None catches nothing, as Optuna
        if not callable(func):
            raise invalid_type("func", owner, "a callable taking a trial", func)
        run_optimize(
            self,
            func,
            n_trials,
            timeout,
            n_jobs,
            catch_tuple,
            callbacks or (),
            gc_after_trial,
            show_progress_bar,
            backend,
        )

    def ask(self, fixed_distributions: dict[str, BaseDistribution] | None = None) -> Trial:
        """Start a trial (an enqueued one first) and return it, for an ask-and-tell loop.

        Args:
            fixed_distributions: Parameters to suggest right away, by name.

        Example:
            >>> import fastune
            >>> study = fastune.create_study()
            >>> trial = study.ask()
            >>> x = trial.suggest_float("x", -1, 1)
            >>> _ = study.tell(trial, x ** 2)
        """
        trial = Trial(self, self._start_trial_id())
        for name, distribution in (fixed_distributions or {}).items():
            trial._suggest(name, distribution)
        return trial

    def _start_trial_id(self) -> int:
        """Start the oldest enqueued trial, or a new one; return its id."""
        trial_id = self._storage.pop_waiting_trial_id(self._study_id)
        if trial_id is None:
            trial_id = self._storage.create_new_trial(self._study_id)
        return trial_id

    def _fail_stale_trials(self) -> None:
        """Fail the trials of workers that died (storages with heartbeats), and hand each
        to the storage's ``failed_trial_callback``."""
        for trial_id in self._storage.fail_stale_trials(self._study_id):
            trial = self._storage.get_trial(trial_id)
            _logger.warning(f"Trial {trial.number} failed: its worker stopped sending heartbeats.")
            self._hand_to_failed_trial_callback(trial)

    def _hand_to_failed_trial_callback(self, trial: FrozenTrial) -> None:
        """Call the storage's ``failed_trial_callback`` (such as a RetryFailedTrialCallback,
        which queues the trial again) with the failed trial of a worker that died."""
        callback = getattr(self._storage, "failed_trial_callback", None)
        if callback is not None:
            callback(self, trial)

    def tell(
        self,
        trial: Trial | int,
        values: float | Sequence[float] | None = None,
        state: TrialState | None = None,
        skip_if_finished: bool = False,
    ) -> FrozenTrial:
        """Finish a trial started by :meth:`ask` and return its record.

        Args:
            trial: The trial, or its number.
            values: The objective value(s); required for a COMPLETE trial.
            state: COMPLETE (the default when values are given), PRUNED or FAIL.
            skip_if_finished: Return the record of an already finished trial instead of
                raising.

        Raises:
            InvalidParameterError: values missing for COMPLETE, values given for FAIL or
                PRUNED, or a state that is not a finished one; values that are not one
                number per objective (or NaN) with ``state=COMPLETE`` (the trial stays
                RUNNING; without a state, such values fail it).
            UpdateFinishedTrialError: the trial has finished and not ``skip_if_finished``.
            TrialNotFoundError: no trial has that number in this study.
        """
        owner = "Study.tell"
        trial_id = self._trial_id_of(trial)
        frozen = self._storage.get_trial(trial_id)
        if frozen.state == TrialState.WAITING:
            raise invalid(
                "trial", owner, "a trial started by ask() (this one is WAITING)", frozen.number
            )
        if frozen.state.is_finished():
            if skip_if_finished:
                _logger.info(f"Trial {frozen.number} has already finished; tell skipped it.")
                return frozen
            raise UpdateFinishedTrialError(
                f"Trial {frozen.number} has already finished ({frozen.state.name}); "
                "it cannot be told again."
            )
        asked_complete = state == TrialState.COMPLETE
        if state is None:
            state = TrialState.COMPLETE if values is not None else TrialState.FAIL
        if not isinstance(state, TrialState) or not state.is_finished():
            raise invalid("state", owner, "TrialState.COMPLETE, PRUNED or FAIL", state)
        if state == TrialState.COMPLETE:
            if values is None:
                raise invalid("values", owner, "given when the state is COMPLETE", values)
            checked, problem = check_values(values, len(self._directions))
            if problem is not None and asked_complete:  # as Optuna: it stays RUNNING
                allowed = f"{len(self._directions)} number(s), none NaN, for a COMPLETE trial"
                raise invalid("values", owner, allowed, values)
            if problem is not None:  # values without a state: the trial fails, as returned
                return self._finish(trial_id, TrialState.FAIL, None, problem)
            # As Optuna: a trial told its outcome logs no line (optimize's trials do).
            return self._finish(trial_id, state, checked, None, log=False)
        if values is not None:
            raise invalid("values", owner, f"None when the state is {state.name}", values)
        return self._finish(trial_id, state, None, None, log=False)

    def _finish(
        self,
        trial_id: int,
        state: TrialState,
        values: list[float] | None,
        message: str | None,
        error: BaseException | None = None,
        *,
        log: bool = True,
    ) -> FrozenTrial:
        """Record a trial's outcome, tell the sampler, log one line (with the traceback of
        the objective's ``error``) unless not ``log``, return the record."""
        frozen = self._storage.get_trial(trial_id)
        if state == TrialState.PRUNED and frozen.last_step is not None:
            last = frozen.intermediate_values[frozen.last_step]
            # A pruned trial keeps its last report, one value for one objective (with
            # several, Optuna keeps none).
            single = len(self._directions) == 1 and last == last
            values = [last] if single else None
        if state == TrialState.FAIL and message is not None:
            self._storage.set_trial_system_attr(trial_id, FAIL_REASON_KEY, message)
        try:
            self.sampler.after_trial(self, frozen, state, values)
        finally:  # a hook that raises (a constraints_func) must not leave the trial running
            self._storage.set_trial_state_values(trial_id, state, values)
        frozen = self._storage.get_trial(trial_id)
        if log:
            self._log_finished(frozen, message, error)
        return frozen

    def _log_finished(
        self, frozen: FrozenTrial, message: str | None, error: BaseException | None
    ) -> None:
        if frozen.state == TrialState.FAIL:
            reason = "" if message is None else f" because {message}"
            _logger.warning(
                f"Trial {frozen.number} failed with parameters: {frozen.params}{reason}.",
                exc_info=error,
            )
        elif frozen.state == TrialState.PRUNED:
            _logger.info(f"Trial {frozen.number} pruned. {message or ''}".rstrip())
        elif len(self._directions) > 1:
            _logger.info(
                f"Trial {frozen.number} finished with values: {frozen.values} "
                f"and parameters: {frozen.params}."
            )
        elif _logger.isEnabledFor(logging.INFO):  # the best trial costs a query: only if shown
            try:
                best = self.best_trial
            except ValueError:  # no feasible trial yet (constraints)
                best_text = " No trial is feasible yet."
            else:
                best_text = f" Best is trial {best.number} with value: {best.value}."
            _logger.info(
                f"Trial {frozen.number} finished with value: {frozen.value} and parameters: "
                f"{frozen.params}.{best_text}"
            )

    def _trial_id_of(self, trial: Trial | int) -> int:
        if isinstance(trial, Trial):
            same_store = self._storage._same_store(trial.study._storage)
            if trial.study._study_id != self._study_id or not same_store:
                raise invalid("trial", "Study.tell", "a trial of this study", trial.number)
            return trial._trial_id
        if isinstance(trial, numbers.Integral) and not isinstance(trial, bool):
            return self._storage.get_trial_id_from_study_id_trial_number(self._study_id, int(trial))
        raise invalid_type("trial", "Study.tell", "a Trial or a trial number", trial)

    def stop(self) -> None:
        """Let the running trials finish, then end :meth:`optimize` without new trials."""
        self._stop_flag = True

    def enqueue_trial(
        self,
        params: dict[str, Any],
        user_attrs: dict[str, Any] | None = None,
        skip_if_exists: bool = False,
    ) -> None:
        """Queue a trial whose listed parameters take the given values.

        Parameters not listed are sampled as usual. The next :meth:`ask` (or the next
        trial of :meth:`optimize`) takes queued trials first, oldest first.

        Args:
            params: Parameter values by name.
            user_attrs: User attributes of the queued trial.
            skip_if_exists: Do nothing if a trial with the same params exists already.
        """
        if not isinstance(params, dict):
            raise invalid_type("params", "Study.enqueue_trial", "a dict of name -> value", params)
        if user_attrs is not None and not isinstance(user_attrs, dict):
            allowed = "a dict of key -> value or None"
            raise invalid_type("user_attrs", "Study.enqueue_trial", allowed, user_attrs)
        if skip_if_exists and self._has_trial_with_params(params):
            _logger.info(f"Trial with params {params} exists already; it is not enqueued.")
            return
        self.add_trial(
            FrozenTrial(
                number=-1,
                state=TrialState.WAITING,
                value=None,
                datetime_start=None,
                datetime_complete=None,
                params={},
                distributions={},
                user_attrs=dict(user_attrs or {}),
                system_attrs={FIXED_PARAMS_KEY: dict(params)},
                intermediate_values={},
                trial_id=-1,
            )
        )

    def _has_trial_with_params(self, params: dict[str, Any]) -> bool:
        for trial in self.get_trials(deepcopy=False):
            existing = trial.system_attrs.get(FIXED_PARAMS_KEY, trial.params)
            if existing.keys() == params.keys() and all(
                _same_enqueued(existing[name], value) for name, value in params.items()
            ):
                return True
        return False

    def add_trial(self, trial: FrozenTrial) -> None:
        """Add a trial record made elsewhere (see :func:`fastune.trial.create_trial`).

        Raises:
            InvalidParameterError: the record is inconsistent, or has a number of values
                that differs from the number of objectives.
        """
        if not isinstance(trial, FrozenTrial):
            raise invalid_type("trial", "Study.add_trial", "a FrozenTrial", trial)
        trial._validate()
        if trial.values is not None and len(trial.values) != len(self._directions):
            raise invalid(
                "trial.values",
                "Study.add_trial",
                f"{len(self._directions)} value(s), one per objective",
                trial.values,
            )
        self._storage.create_new_trial(self._study_id, template_trial=trial)

    def add_trials(self, trials: Iterable[FrozenTrial]) -> None:
        """Add several trial records (see :meth:`add_trial`)."""
        for trial in trials:
            self.add_trial(trial)

    def __repr__(self) -> str:
        return f"Study(study_name={self.study_name!r}, directions={self._directions})"


def _resolve_n_jobs(n_jobs: Any) -> int:
    n_jobs = check_int(n_jobs, "n_jobs", "Study.optimize")
    if n_jobs == -1:
        return os.cpu_count() or 1
    if n_jobs is None or n_jobs < 1:
        raise invalid("n_jobs", "Study.optimize", "a positive int or -1 (one per CPU)", n_jobs)
    return n_jobs


def _directions(direction: Any, directions: Any) -> list[StudyDirection]:
    owner = "create_study"
    if direction is not None and directions is not None:
        raise invalid("directions", owner, "None when 'direction' is given", directions)
    if directions is None:
        return [as_direction("minimize" if direction is None else direction, "direction", owner)]
    if isinstance(directions, (str, bytes)) or not isinstance(directions, Sequence):
        raise invalid_type("directions", owner, "a list of 'minimize'/'maximize'", directions)
    if len(directions) == 0:
        raise invalid("directions", owner, "a non-empty list", directions)
    return [as_direction(d, "directions", owner) for d in directions]


def create_study(
    *,
    storage: BaseStorage | str | None = None,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
    study_name: str | None = None,
    direction: str | StudyDirection | None = None,
    directions: Sequence[str | StudyDirection] | None = None,
    load_if_exists: bool = False,
) -> Study:
    """Create a study (or load it, with ``load_if_exists``) and return it.

    Args:
        storage: Where the study lives: None keeps it in memory, "sqlite:///path.db" in
            an SQLite file, or a storage object.
        sampler: Proposes parameters; None is :class:`~fastune.samplers.AutoSampler`, which
            picks QMC, GP, TPE or CMA-ES for each trial by rules in its docstring.
        pruner: Stops trials early; None is :class:`~fastune.pruners.MedianPruner`, as in
            Optuna.
        study_name: The study's name; None makes a unique one.
        direction: ``"minimize"`` (the default) or ``"maximize"``.
        directions: One direction per objective, for a study with several objectives.
        load_if_exists: Load the study if one of that name exists, instead of raising.

    Raises:
        InvalidParameterError: an unknown direction, or both ``direction`` and
            ``directions``.
        DuplicatedStudyError: the name is taken and not ``load_if_exists``.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(direction="maximize")
        >>> study.optimize(lambda trial: -trial.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> study.best_value <= 0
        True
    """
    study_directions = _directions(direction, directions)
    store = get_storage(storage)
    if study_name is not None and not isinstance(study_name, str):
        raise invalid_type("study_name", "create_study", "a str or None", study_name)
    try:
        study_id = store.create_new_study(study_directions, study_name)
    except DuplicatedStudyError:
        if not load_if_exists:
            raise
        assert study_name is not None  # only a named study can be duplicated
        _logger.info(f"Using the existing study {study_name!r}.")
        return Study(study_name, store, sampler, pruner)
    name = store.get_study_name_from_id(study_id)
    _logger.info(f"A new study created in {_kind_of(store)} with name: {name}")
    return Study(name, store, sampler, pruner)


def _kind_of(store: BaseStorage) -> str:
    """The storage as Optuna's log line names it: memory, RDB, Journal (else its class)."""
    from fastune.storages import InMemoryStorage, JournalStorage
    from fastune.storages._sql import SQLStorage

    kinds = ((InMemoryStorage, "memory"), (SQLStorage, "RDB"), (JournalStorage, "Journal"))
    return next((kind for cls, kind in kinds if isinstance(store, cls)), type(store).__name__)


def load_study(
    *,
    study_name: str | None,
    storage: BaseStorage | str,
    sampler: BaseSampler | None = None,
    pruner: BasePruner | None = None,
) -> Study:
    """Load an existing study from ``storage``.

    Args:
        study_name: The study's name; None when the storage holds exactly one study.
        storage: Where the study lives: a storage object or a URL, as for
            :func:`create_study` (``"sqlite:///path.db"``, ``"postgresql://..."``).
        sampler: Proposes parameters; None is a new
            :class:`~fastune.samplers.AutoSampler`, as for :func:`create_study`.
        pruner: Stops trials early; None is a new :class:`~fastune.pruners.MedianPruner`.

    Raises:
        StudyNotFoundError: no study of that name.
        InvalidParameterError: no name given and the storage does not hold exactly one.
    """
    store = get_storage(storage)
    if study_name is None:
        names = store.get_all_study_names()
        if len(names) != 1:
            raise invalid(
                "study_name",
                "load_study",
                f"given unless the storage holds exactly one study (it holds {len(names)})",
                None,
            )
        study_name = names[0]
    return Study(study_name, store, sampler, pruner)


def delete_study(*, study_name: str, storage: BaseStorage | str) -> None:
    """Delete a study and its trials from ``storage``.

    Raises:
        StudyNotFoundError: no study of that name.
    """
    store = get_storage(storage)
    store.delete_study(store.get_study_id_from_name(study_name))


def get_all_study_names(storage: BaseStorage | str) -> list[str]:
    """Return the names of all studies in ``storage``."""
    return get_storage(storage).get_all_study_names()


def _same_enqueued(existing: Any, value: Any) -> bool:
    """Whether ``value`` repeats ``existing`` for ``enqueue_trial(skip_if_exists=True)``,
    by Optuna's rule: of the existing value's type (3.0 does not repeat the int 3), and
    numbers within a relative 1e-5 (0.1 + 0.2 repeats 0.3)."""
    if not isinstance(value, type(existing)):
        return False
    if isinstance(value, numbers.Real):
        new, old = float(value), float(existing)
        if math.isnan(new) or math.isnan(old):
            return math.isnan(new) and math.isnan(old)
        return new == old or abs(new - old) <= 1e-5 * abs(old)
    return equal_value(existing, value)
