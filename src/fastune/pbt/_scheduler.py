"""The PBT scheduler: trains a population in segments, exploits and explores at ready points."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import math
import os
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from fastune._space import SearchSpace
from fastune._validation import (
    check_exception_classes,
    check_int,
    check_joblib_n_jobs,
    check_number,
    invalid,
    invalid_type,
)
from fastune.distributions import BaseDistribution, as_distribution, distribution_to_json
from fastune.pbt._checkpoint import (
    BaseCheckpointStore,
    DiskCheckpointStore,
    MemoryCheckpointStore,
)
from fastune.pbt._exploit import BaseExploit, as_exploit
from fastune.pbt._explore import BaseExplore, as_explore, check_factors
from fastune.pbt._history import ExploreContext, Segment
from fastune.pbt._resume import MANIFEST_NAME, RUN_KEY, Manifest
from fastune.pbt._trainable import SegmentResult, Trainable, as_trainable, train_segment
from fastune.study import Study, create_study
from fastune.study.study import FAIL_REASON_KEY
from fastune.trial import FrozenTrial, TrialState

__all__ = ["Member", "PopulationBasedTraining", "check_checkpoint_dir"]

MEMBER_KEY = "pbt:member"
GENERATION_KEY = "pbt:generation"
PARENT_KEY = "pbt:parent"
STEP_KEY = "pbt:last_step"
SEED_KEY = "pbt:seed"


@dataclasses.dataclass
class Member:
    """One member of the population.

    Attributes:
        index: Position in the population.
        params: The hyperparameters of its next (or last) segment.
        generation: How many segments it has finished.
        steps: How many training steps its checkpoint holds.
        score: The score of its checkpoint, in the study's direction (NaN before any).
        trial_number: The trial of its last segment (None before any).
        parent_trial: The trial whose checkpoint its next segment starts from.
        checkpoint_trial: The trial whose final state its checkpoint holds (None: the
            initial state); after a copy, the donor's.
        checkpoint_params: The hyperparameters that trained that state (the initial
            ones for the initial state).
        seed: The seed its training draws random numbers from: that of its initial
            state; after a copy, a new one if the trainable can be reseeded (see
            :class:`~fastune.pbt.Trainable`), else the donor's.
    """

    index: int
    params: dict[str, Any]
    generation: int = 0
    steps: int = 0
    score: float = math.nan
    trial_number: int | None = None
    parent_trial: int | None = None
    checkpoint_trial: int | None = None
    checkpoint_params: dict[str, Any] = dataclasses.field(default_factory=dict)
    seed: int = 0


class PopulationBasedTraining:
    """Population Based Training: train many members, let the weak copy the strong.

    A population of ``population_size`` members, each with hyperparameters drawn from
    ``search_space``, is trained in segments of ``steps_per_generation`` steps. At each
    ready point the ``exploit`` strategy picks members that copy another member's
    checkpoint and hyperparameters, and the ``explore`` strategy changes the copied
    hyperparameters. Every segment is recorded as a COMPLETE (or FAIL) trial of
    :attr:`study_`, with system attributes ``pbt:member``, ``pbt:generation`` and
    ``pbt:parent`` (the trial whose checkpoint the segment started from), so the
    hyperparameter schedule of any member can be traced and replayed; the study's system
    attribute ``pbt:run`` records the run's settings that a resume needs (see
    :meth:`run`).

    In synchronous mode the whole population finishes a generation before anyone
    exploits; the result depends only on ``random_state``, also with ``n_jobs > 1``.
    In asynchronous mode (``synchronous=False``) a member exploits as soon as its own
    segment ends, against the latest scores of the others, so no one waits for the
    slowest; with ``n_jobs > 1`` the order in which segments end (and so the result)
    depends on timing.

    Args:
        trainable: A :class:`~fastune.pbt.Trainable`, or a function
            ``step(params, state) -> (state, score)`` whose first state is None.
        search_space: Distributions by name: fastune distributions, lists (categorical),
            or scipy.stats uniform / loguniform / randint.
        population_size: Members, >= 2.
        generations: Segments each member trains for, >= 1.
        steps_per_generation: Steps in one segment, >= 1.
        direction: ``"maximize"`` (the default) or ``"minimize"`` the score.
        exploit: ``"truncation"``, ``"tournament"`` or a ``BaseExploit``.
        explore: ``"perturb"``, ``"pb2"`` or a ``BaseExplore``.
        quantile_fraction: Top and bottom share for truncation, in ``(0, 0.5]``.
        resample_probability: Chance per parameter that explore draws a fresh value.
        perturbation_factors: Factors explore multiplies values by.
        synchronous: Exploit at the end of each generation (True) or per member.
        n_jobs: Members trained at once (joblib, processes by default; -1: one per CPU).
            Both modes honour the joblib backend in force (``parallel_config``): threads,
            or a Dask cluster's workers with ``backend="dask"``.
        random_state: Seed of every random choice.
        patience: Stop when the best score has not improved for this many generations.
        target_score: Stop when the best score reaches this value.
        checkpoint_dir: Keep checkpoints on disk there, instead of in memory: in a
            subdirectory of the run's own (named in its study), so runs of different
            studies that share the directory never read each other's; it is kept after a
            run (:attr:`checkpoints` reads it), with a manifest that says which trial's
            end state each file holds. With it, a run recorded in a persistent study can
            be resumed (see :meth:`run`).
        study: The study that records the segments (a new in-memory one by default). One
            that already holds the segments of a run with ``checkpoint_dir`` resumes that
            run (see :meth:`run`); one that holds those of a run without cannot be given.
        catch: Exceptions of a step that fail the segment instead of the run; a failed
            member scores NaN and copies a donor at the next ready point. A segment
            whose worker process dies (killed, out of memory) fails the same way,
            whatever ``catch``; so do the others its pool held and had not returned, as
            the dead worker takes the pool down (asynchronous mode trains on in a new
            pool; on Dask, a task the cluster gave up rerunning fails its segment).
        callbacks: Called as ``callback(pbt, segment)`` after each segment.
        structural: Hyperparameters that shape the model itself (such as layer sizes):
            a copy keeps its donor's values, which are the ones its weights fit.

    Attributes:
        checkpoints: Where each member's checkpoint rests between segments; after a run,
            the members' final states.
        study_: The study of segment trials.
        members_: The population at the end.
        segments_: Every finished segment, oldest first.
        best_trial_: The best segment trial.
        generations_run_: Generations finished before the end or an early stop.
        stopped_early_: Whether ``patience`` or ``target_score`` ended the run.

    Example:
        >>> from fastune.pbt import PopulationBasedTraining
        >>> def step(params, state):
        ...     state = (state or 0.0) + params["lr"]
        ...     return state, -abs(state - 3.0)
        >>> pbt = PopulationBasedTraining(step, {"lr": [0.1, 0.5, 1.0]}, population_size=4,
        ...                               generations=5, random_state=0).run()
        >>> pbt.best_trial_.value >= -3.0
        True
    """

    def __init__(
        self,
        trainable: Trainable | Callable[..., Any],
        search_space: Mapping[str, Any],
        *,
        population_size: int = 10,
        generations: int = 10,
        steps_per_generation: int = 1,
        direction: str = "maximize",
        exploit: str | BaseExploit = "truncation",
        explore: str | BaseExplore = "perturb",
        quantile_fraction: float = 0.25,
        resample_probability: float = 0.25,
        perturbation_factors: Sequence[float] = (0.8, 1.2),
        synchronous: bool = True,
        n_jobs: int | None = 1,
        random_state: int | None = None,
        patience: int | None = None,
        target_score: float | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None,
        study: Study | None = None,
        catch: Iterable[type[BaseException]] = (),
        callbacks: Iterable[Callable[[PopulationBasedTraining, Segment], None]] = (),
        structural: Iterable[str] = (),
    ) -> None:
        owner = "PopulationBasedTraining"
        self.trainable = as_trainable(trainable)
        if not isinstance(search_space, Mapping) or not search_space:
            raise invalid(
                "search_space", owner, "a non-empty mapping of name -> spec", search_space
            )
        self.space = SearchSpace(
            {name: as_distribution(spec, name) for name, spec in search_space.items()}
        )
        self.population_size = int(check_int(population_size, "population_size", owner, low=2) or 2)
        self.generations = int(check_int(generations, "generations", owner, low=1) or 1)
        self.steps_per_generation = int(
            check_int(steps_per_generation, "steps_per_generation", owner, low=1) or 1
        )
        if direction not in ("maximize", "minimize"):
            raise invalid("direction", owner, "'maximize' or 'minimize'", direction)
        self.direction = direction
        # Checked whichever strategies are chosen: a bad value is an error, not ignored.
        check_number(
            quantile_fraction, "quantile_fraction", owner, low=0.0, high=0.5, low_inclusive=False
        )
        check_number(resample_probability, "resample_probability", owner, low=0.0, high=1.0)
        check_factors(perturbation_factors, owner)
        self.exploit = as_exploit(exploit, quantile_fraction, owner)
        self.explore = as_explore(explore, perturbation_factors, resample_probability, owner)
        if not isinstance(synchronous, (bool, np.bool_)):
            raise invalid_type("synchronous", owner, "True or False", synchronous)
        self.synchronous = bool(synchronous)
        self.n_jobs = check_joblib_n_jobs(n_jobs, owner)
        self.random_state = check_int(random_state, "random_state", owner, low=0, allow_none=True)
        self.patience = check_int(patience, "patience", owner, low=1, allow_none=True)
        self.target_score = check_number(target_score, "target_score", owner, allow_none=True)
        self.checkpoint_dir = check_checkpoint_dir(checkpoint_dir, owner)
        if study is not None and not isinstance(study, Study):
            raise invalid_type("study", owner, "a fastune Study or None", study)
        if study is not None and [d.name.lower() for d in study.directions] != [direction]:
            # Exploit ranks by `direction`, best_trial_ by the study's: they must agree.
            directions = [d.name.lower() for d in study.directions]
            raise invalid(
                "study",
                owner,
                f"a study with the direction of direction={direction!r}",
                f"a study with directions {directions}",
            )
        self._given_study = study
        self.study_ = study if study is not None else create_study(direction=direction)
        self.catch = check_exception_classes(catch, owner)
        if not isinstance(callbacks, Iterable) or not all(callable(c) for c in callbacks):
            raise invalid_type(
                "callbacks", owner, "a list of callables callback(pbt, segment)", callbacks
            )
        self.callbacks = list(callbacks)
        if isinstance(structural, (str, bytes)) or not isinstance(structural, Iterable):
            raise invalid_type("structural", owner, "a list of hyperparameter names", structural)
        self.structural = set(structural)
        unknown = sorted(map(str, self.structural - set(self.space.distributions)))
        if unknown:
            raise invalid(
                "structural",
                owner,
                f"names of the search space ({', '.join(map(repr, self.space.distributions))})",
                unknown,
            )
        self._sign = 1.0 if direction == "maximize" else -1.0
        # Last, so that a bad argument leaves no directory behind.
        self.checkpoints: BaseCheckpointStore = self._checkpoint_store()

    # -- running ---------------------------------------------------------------------

    def run(self) -> PopulationBasedTraining:
        """Train the population to the end (or an early stop); return ``self``.

        Each run records its segments in a new study, unless a ``study`` was given.

        A given study that already holds the segments of a run (on a persistent storage,
        such as ``create_study(storage="sqlite:///pbt.db", study_name=...,
        load_if_exists=True)`` or ``load_study``, in any process) resumes that run, if
        it kept its checkpoints on disk: pass the same ``checkpoint_dir`` (the study
        names the run's subdirectory in it), ``population_size``, ``synchronous`` and
        search space. Each member comes back as it stood after its latest recorded
        segment (hyperparameters, generation, steps, seed and score), from the checkpoint
        that segment ended with; or, where it had already copied a donor at the ready
        point after that segment, from that copy, with the seed and hyperparameters drawn
        for it. Segments in flight when the run stopped were not recorded and train
        again; generations go on up to ``generations`` in all, which may be more than the
        run first had. A finished run (all its generations, or stopped early) has nothing
        left to do: ``run`` returns with its results. The run's random generator goes on
        from where it was at the last checkpoint change, and ``patience`` counts from the
        recorded scores; ``random_state`` only seeds a new run.

        What is the same as in a run never stopped: the recorded segments, every lineage,
        ``best_trial_`` and :meth:`schedule` (and so :func:`~fastune.pbt.replay`). In
        synchronous mode, with a trainable whose steps depend only on the state, its seed
        and the hyperparameters, the rest of the run is the same too: the same trials,
        numbers, hyperparameters and scores as if never stopped. Asynchronously it may
        differ: the order in which segments end differs, and a member that had finished a
        segment without meeting its ready point meets it with other draws.

        Raises:
            InvalidParameterError: the given ``study`` holds trials that are not PBT
                segments (of another search); or it holds PBT segments that cannot be
                resumed: of a run without ``checkpoint_dir``; with another
                ``population_size``, ``synchronous`` or search space; or with checkpoint
                files that are missing or hold other states than its latest segments
                ended with (it stopped while saving or copying them, or they were
                removed). The message says what is missing and what to do.
        """
        if self._given_study is None and self.study_.get_trials(deepcopy=False):
            self.study_ = create_study(direction=self.direction)
        self.stopped_early_ = False
        self._best = -math.inf
        self._stale_segments = 0
        trials = self.study_.get_trials(deepcopy=False)
        segments = [t for t in trials if MEMBER_KEY in t.system_attrs]
        if len(segments) < len(trials):  # a study holds one PBT run and nothing else
            raise invalid(
                "study",
                "PopulationBasedTraining",
                "a study with no trials, or the segments of one PBT run to resume",
                f"a study with {len(trials) - len(segments)} trials that are not PBT segments",
            )
        if segments:
            self._resume(segments)
        else:
            self._start()
        if self.synchronous:
            self._run_synchronous()
        else:
            self._run_asynchronous()
        self.generations_run_ = min(member.generation for member in self.members_)
        return self

    def _start(self) -> None:
        """Draw the population and save the initial states."""
        self._rng = np.random.default_rng(self.random_state)
        self.members_ = [
            Member(index, params)
            for index, params in enumerate(self.space.sample(self._rng, self.population_size))
        ]
        self.segments_: list[Segment] = []
        directory = getattr(self.checkpoints, "directory", None)
        self.study_.set_system_attr(
            RUN_KEY,
            {
                "checkpoints": None if directory is None else os.path.basename(directory),
                "population_size": self.population_size,
                "synchronous": self.synchronous,
                "space": _space_record(self.space),
            },
        )
        self._manifest = None if directory is None else Manifest(directory, self.space)
        for member in self.members_:
            member.seed = int(self._rng.integers(2**31 - 1))
            member.checkpoint_params = dict(member.params)
            self.checkpoints.save(member.index, self.trainable.init(member.params, member.seed))
        self._write_manifest()

    def _resume(self, segments: list[FrozenTrial]) -> None:
        """Rebuild the population of the run that recorded ``segments`` in the study (see
        :meth:`run`): the members as the manifest next to the checkpoint files has them
        (:class:`~fastune.pbt._resume.Manifest`), once each member's entry is checked to
        follow its latest segment trial, with its file present; the segments, and the
        early-stopping counters, from the study."""
        owner = "PopulationBasedTraining"
        name = self.study_.study_name
        count = f"study {name!r} with {len(segments)} PBT segment trials"
        run = self.study_.system_attrs.get(RUN_KEY) or {}
        subdirectory = run.get("checkpoints")
        if subdirectory is None:
            raise invalid(
                "study",
                owner,
                "a study without PBT segments, or one of a run that kept its checkpoints on "
                "disk (a run without checkpoint_dir cannot be resumed from its study: its "
                "checkpoints were in memory; record a new run in a new study, or delete "
                "this one)",
                count,
            )
        if self.checkpoint_dir is None:
            raise invalid(
                "checkpoint_dir",
                owner,
                f"the directory that holds {subdirectory!r}, where the run recorded in "
                f"{count} keeps its checkpoints, to resume that run",
                None,
            )
        for parameter, value in (
            ("population_size", self.population_size),
            ("synchronous", self.synchronous),
        ):
            if run[parameter] != value:
                raise invalid(
                    parameter, owner, f"{run[parameter]!r}, that of the run of {count}", value
                )
        recorded = run.get("space")
        if recorded != _space_record(self.space):
            raise invalid(
                "search_space",
                owner,
                f"the search space of the run of {count}: {recorded}",
                _space_record(self.space),
            )
        directory = os.path.join(self.checkpoint_dir, subdirectory)
        self.checkpoints = DiskCheckpointStore(directory)
        self._manifest = Manifest(directory, self.space)
        if not os.path.exists(self._manifest.path):
            raise invalid(
                "checkpoint_dir",
                owner,
                f"the directory of the run of {count}, holding "
                f"{os.path.join(subdirectory, MANIFEST_NAME)} (missing: "
                f"{self._manifest.path}); pass the checkpoint_dir that run had",
                self.checkpoint_dir,
            )
        entries, rng_state, changing = self._manifest.read()
        self.members_ = [Member(**entry) for entry in entries]
        latest: dict[int, int] = {}
        for trial in segments:
            latest[trial.system_attrs[MEMBER_KEY]] = trial.number
        problems = [
            f"member {index}'s checkpoint was being replaced by a donor's copy"
            for index in changing
        ]
        for member in self.members_:
            if member.trial_number != latest.get(member.index):
                problems.append(
                    f"member {member.index}'s file holds its state after trial "
                    f"{member.trial_number}, not after its latest segment, trial "
                    f"{latest.get(member.index)}"
                )
            elif not os.path.exists(self.checkpoints.path(member.index)):
                problems.append(f"{self.checkpoints.path(member.index)} is missing")
        if problems:
            raise invalid(
                "checkpoint_dir",
                owner,
                f"a directory holding the checkpoints of the latest segments of {count}, "
                f"but in {directory}: {'; '.join(problems)} (the run stopped while saving or "
                "copying them, or files were removed); they cannot be resumed without mixing "
                "states: record a new run in a new study",
                self.checkpoint_dir,
            )
        self._rng = np.random.default_rng()
        self._rng.bit_generator.state = rng_state
        values = {t.number: _score(t) for t in segments}
        self.segments_ = [
            Segment(
                member=t.system_attrs[MEMBER_KEY],
                generation=t.system_attrs[GENERATION_KEY],
                params=dict(t.params),
                score_before=self._sign * values.get(t.system_attrs[PARENT_KEY], math.nan),
                score_after=self._sign * values[t.number],
                trial_number=t.number,
            )
            for t in segments
        ]
        for trial in segments:
            self._track_progress(values[trial.number])

    def _checkpoint_store(self) -> BaseCheckpointStore:
        """Checkpoints in memory, or on disk in a new subdirectory of ``checkpoint_dir``
        (runs that share the directory, in threads, processes or scripts, keep apart);
        for a given study that recorded a run on disk, in that run's subdirectory, which
        is only read (and created) by :meth:`run`."""
        if self.checkpoint_dir is None:
            return MemoryCheckpointStore()
        run = {} if self._given_study is None else self._given_study.system_attrs.get(RUN_KEY)
        if run and run["checkpoints"] is not None:
            return DiskCheckpointStore(os.path.join(self.checkpoint_dir, run["checkpoints"]))
        # A name no other run takes; the directory itself comes with the first checkpoint.
        name = f"pbt-run-{uuid.uuid4().hex[:12]}"
        return DiskCheckpointStore(os.path.join(self.checkpoint_dir, name))

    def _write_manifest(self, changing: Iterable[int] = ()) -> None:
        """Record what each checkpoint file holds (on disk only), or, with ``changing``,
        that those members' files are about to be replaced."""
        if self._manifest is not None:
            self._manifest.write(self.members_, self._rng.bit_generator.state, changing)

    @staticmethod
    def _waits(member: Member) -> bool:
        """Whether ``member`` finished a segment and its next one is not set yet (it has
        not met the ready point after it): its next segment would start from the
        checkpoint of a trial other than the one its checkpoint holds."""
        return member.trial_number is not None and member.parent_trial != member.checkpoint_trial

    def _run_synchronous(self) -> None:
        while True:
            generation = min(member.generation for member in self.members_)
            behind = [member for member in self.members_ if member.generation == generation]
            if len(behind) < len(self.members_) and generation < self.generations:
                self._train_generation(behind)  # resumed in the middle of a generation
                continue
            if self._should_stop() or generation >= self.generations:
                return
            waiting = [member for member in self.members_ if self._waits(member)]
            if waiting:
                self._ready_point(waiting)
            self._train_generation(self.members_)

    def _ready_point(self, waiting: list[Member]) -> None:
        """Exploit and explore for the ``waiting`` members, all at once."""
        donors = {}
        scores = self._scores()
        for member in waiting:
            donor = self.exploit.donor_for(member.index, scores, self._rng)
            if donor is not None and donor != member.index:
                donors[member.index] = donor
        if donors:
            self._write_manifest(changing=donors)
            self.checkpoints.transfer(donors)
        snapshot = [dataclasses.replace(m) for m in self.members_]
        for member in waiting:
            self._prepare_next(
                member, snapshot[donors[member.index]] if member.index in donors else None
            )
        self._write_manifest()

    def _train_generation(self, members: list[Member]) -> None:
        """Train ``members`` one segment each. Each segment is recorded as soon as it and
        the segments of the members before it have returned, so trial numbers follow the
        members' order. When a worker process dies, the segments that had not returned
        fail (their members keep their checkpoints and copy a donor at the next ready
        point); an error outside ``catch`` ends the run once the segments that returned
        are recorded."""
        from joblib import Parallel, delayed

        returned: dict[int, SegmentResult] = {}
        recorded = 0
        results = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(_train_member)(
                member.index,
                self.trainable,
                member.params,
                self.checkpoints.load(member.index),
                self.steps_per_generation,
                self.catch,
            )
            for member in members
        )
        try:
            for index, result in results:
                returned[index] = result
                while recorded < len(members) and members[recorded].index in returned:
                    self._finish_segment(members[recorded], returned.pop(members[recorded].index))
                    recorded += 1
        except _dead_worker_errors() as error:
            for member in members[recorded:]:
                if member.index not in returned:
                    returned[member.index] = self._lost_segment(member, error)
        finally:
            for index in sorted(returned):
                self._finish_segment(self.members_[index], returned.pop(index))

    def _run_asynchronous(self) -> None:
        from concurrent.futures import FIRST_COMPLETED, Future, wait
        from concurrent.futures.process import BrokenProcessPool

        executor, shares_memory = _executor(self.n_jobs)
        pending: dict[Future[SegmentResult], Member] = {}

        def submit(member: Member) -> None:
            nonlocal executor
            state = self.checkpoints.load(member.index)
            if shares_memory:  # threads train it in place while others may copy it
                state = copy.deepcopy(state)
            arguments = (self.trainable, member.params, state, self.steps_per_generation)
            try:
                future = executor.submit(train_segment, *arguments, self.catch)
            except BrokenProcessPool:  # a worker died: the pool is gone, a new one trains
                executor, _ = _executor(self.n_jobs)
                future = executor.submit(train_segment, *arguments, self.catch)
            pending[future] = member

        try:
            for member in self.members_:  # a resumed run's members may be anywhere
                if member.generation >= self.generations or self._should_stop():
                    continue
                if self._waits(member):
                    self._exploit_one(member)
                submit(member)
            while pending:
                if isinstance(executor, _SerialExecutor):
                    done = {executor.run_next()}
                else:
                    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: pending[f].index):
                    member = pending.pop(future)
                    try:
                        result = future.result()
                    except _dead_worker_errors() as error:
                        result = self._lost_segment(member, error)
                    self._finish_segment(member, result)
                    if member.generation >= self.generations or self._should_stop():
                        continue
                    self._exploit_one(member)
                    submit(member)
        finally:
            executor.shutdown(wait=True)

    def _lost_segment(self, member: Member, error: BaseException) -> SegmentResult:
        """The failed segment of ``member``, whose worker process died: it ran no step
        that came back, so the member keeps the checkpoint it had."""
        reason = f"the worker process training it died: {error!r}"
        return SegmentResult(self.checkpoints.load(member.index), [], {}, 0.0, reason)

    def _exploit_one(self, member: Member) -> None:
        """The asynchronous ready point of ``member``: copy a donor or go on."""
        donor = self.exploit.donor_for(member.index, self._scores(), self._rng)
        if donor is not None and donor != member.index:
            self._write_manifest(changing=[member.index])
            self.checkpoints.transfer({member.index: donor})
            self._prepare_next(member, dataclasses.replace(self.members_[donor]))
        else:
            self._prepare_next(member, None)
        self._write_manifest()

    # -- bookkeeping -----------------------------------------------------------------

    def _scores(self) -> np.ndarray:
        return np.array([self._sign * m.score for m in self.members_])

    def _finish_segment(self, member: Member, result: SegmentResult) -> None:
        """Record the segment, then save its end state, then the manifest: the study never
        says less than the checkpoint file holds, and where a crash leaves it saying more,
        the manifest's older trial for the member tells a resume."""
        score_before = member.score
        first_step = member.steps
        member.steps += len(result.scores)
        member.score = result.scores[-1] if result.scores and result.error is None else math.nan
        number = self._record(member, result, first_step)
        self.checkpoints.save(member.index, result.state)
        segment = Segment(
            member=member.index,
            generation=member.generation,
            params=dict(member.params),
            score_before=self._sign * score_before,
            score_after=self._sign * member.score,
            trial_number=number,
        )
        member.trial_number = number
        member.checkpoint_trial = number
        member.checkpoint_params = dict(member.params)
        member.generation += 1
        self._write_manifest()
        self.segments_.append(segment)
        self._track_progress(member.score)
        for callback in self.callbacks:
            callback(self, segment)

    def _prepare_next(self, member: Member, donor: Member | None) -> None:
        """Set up ``member``'s next segment: as a copy of ``donor``, or continuing itself."""
        if donor is None:
            member.parent_trial = member.checkpoint_trial
            return
        # What the copy holds is the donor's checkpoint, which (asynchronously) may be
        # one the donor copied itself and has not trained on yet: lineage, hyperparameters
        # and seed are those of the checkpoint, not of the donor's next segment.
        member.parent_trial = member.checkpoint_trial = donor.checkpoint_trial
        member.checkpoint_params = dict(donor.checkpoint_params)
        reseed = getattr(self.trainable, "reseed", None)
        if reseed is None:
            member.seed = donor.seed
        else:  # random numbers of its own from here, or it may train as its donor's clone
            member.seed = int(self._rng.integers(2**31 - 1))
            state = self.checkpoints.load(member.index)
            self.checkpoints.save(member.index, reseed(state, member.seed))
        member.steps = donor.steps
        member.score = donor.score
        context = ExploreContext(
            space=self.space,
            rng=self._rng,
            generation=member.generation,
            population=[dict(m.params) for m in self.members_],
            history=self.segments_,
        )
        explored = self.explore.explore(dict(donor.checkpoint_params), context)
        for name in self.structural & set(explored):
            explored[name] = donor.checkpoint_params[name]
        member.params = explored

    def _record(self, member: Member, result: SegmentResult, first_step: int) -> int:
        end = datetime.datetime.now()
        failed = result.error is not None or not result.scores or math.isnan(member.score)
        system_attrs: dict[str, Any] = {
            MEMBER_KEY: member.index,
            GENERATION_KEY: member.generation,
            PARENT_KEY: member.parent_trial,
            STEP_KEY: member.steps,
            SEED_KEY: member.seed,
        }
        if failed:
            system_attrs[FAIL_REASON_KEY] = result.error or "the step returned NaN"
        trial = FrozenTrial(
            number=-1,
            state=TrialState.FAIL if failed else TrialState.COMPLETE,
            value=None if failed else member.score,
            datetime_start=end - datetime.timedelta(seconds=result.seconds),
            datetime_complete=end,
            params=dict(member.params),
            distributions=dict(self.space.distributions),
            user_attrs=result.details,
            system_attrs=system_attrs,
            intermediate_values={
                first_step + k + 1: score
                for k, score in enumerate(result.scores)
                if not math.isnan(score)
            },
            trial_id=-1,
        )
        storage = self.study_._storage
        trial_id = storage.create_new_trial(self.study_._study_id, template_trial=trial)
        return storage.get_trial(trial_id).number

    def _track_progress(self, score: float) -> None:
        internal = self._sign * score
        if not math.isnan(internal) and internal > self._best:
            self._best = internal
            self._stale_segments = 0
        else:
            self._stale_segments += 1

    def _should_stop(self) -> bool:
        if self.target_score is not None and self._best >= self._sign * self.target_score:
            self.stopped_early_ = True
        if self.patience is not None and (
            self._stale_segments >= self.patience * self.population_size
        ):
            self.stopped_early_ = True
        return self.stopped_early_

    # -- results ---------------------------------------------------------------------

    @property
    def best_trial_(self) -> FrozenTrial:
        """The segment trial with the best score."""
        return self.study_.best_trial

    def schedule(self, trial_number: int | None = None) -> list[dict[str, Any]]:
        """The hyperparameter schedule that led to a segment (the best one by default).

        Returns:
            One entry per segment of the lineage, oldest first:
            ``{"generation": g, "steps": n, "params": {...}, "trial": number, "seed": s}``
            (``steps``: the steps the segment ran; ``seed``: the seed it drew random
            numbers from, the initial state's, or a copy's new one). Feed it to
            :func:`fastune.pbt.replay` to retrain from scratch.
        """
        trials = {t.number: t for t in self.study_.get_trials(deepcopy=False)}
        number: int | None = self.best_trial_.number if trial_number is None else trial_number
        if number not in trials or GENERATION_KEY not in trials[number].system_attrs:
            raise invalid(
                "trial_number",
                "PopulationBasedTraining.schedule",
                f"the number of a segment trial of study {self.study_.study_name!r} "
                f"(0 to {len(trials) - 1}) or None for the best",
                trial_number,
            )
        lineage = []
        while number is not None:
            trial = trials[number]
            lineage.append(trial)
            number = trial.system_attrs.get(PARENT_KEY)
        lineage.reverse()
        held = [0, *(trial.system_attrs[STEP_KEY] for trial in lineage)]
        return [
            {
                "generation": trial.system_attrs[GENERATION_KEY],
                "steps": held[k + 1] - held[k],
                "params": dict(trial.params),
                "trial": trial.number,
                "seed": trial.system_attrs[SEED_KEY],
            }
            for k, trial in enumerate(lineage)
        ]


def check_checkpoint_dir(
    checkpoint_dir: str | os.PathLike[str] | None, owner: str
) -> str | os.PathLike[str] | None:
    """Check that ``checkpoint_dir`` is a path or None and return it."""
    if checkpoint_dir is not None and not isinstance(checkpoint_dir, (str, os.PathLike)):
        allowed = "a directory path (str or os.PathLike) or None"
        raise invalid_type("checkpoint_dir", owner, allowed, checkpoint_dir)
    return checkpoint_dir


def _score(trial: FrozenTrial) -> float:
    """A segment's score as the run kept it: NaN for a failed one."""
    return math.nan if trial.value is None else float(trial.value)


def _space_record(space: SearchSpace) -> dict[str, str]:
    """The search space as a run records it: each distribution's JSON, by name (a
    resumed run's manifest holds values in their internal form, which only the same
    distributions read back alike); a categorical whose choices are not JSON values
    (estimators, classes, functions) by its ``repr``, which a study in memory keeps."""
    return {name: _distribution_record(d) for name, d in sorted(space.distributions.items())}


def _distribution_record(distribution: BaseDistribution) -> str:
    try:
        return distribution_to_json(distribution)
    except TypeError:  # choices that are not JSON values
        return repr(distribution)


def _dead_worker_errors() -> tuple[type[BaseException], ...]:
    """The errors that say a segment was lost with the worker process training it: a
    broken process pool (loky's TerminatedWorkerError among them: every segment the pool
    held is lost), and, in a process that uses Dask, its KilledWorker (the cluster gave
    up rerunning a task whose workers died)."""
    from concurrent.futures.process import BrokenProcessPool

    distributed = sys.modules.get("distributed")  # not imported here: it is optional
    if distributed is None:
        return (BrokenProcessPool,)
    return (BrokenProcessPool, distributed.KilledWorker)


def _train_member(index: int, *args: Any) -> tuple[int, SegmentResult]:
    """:func:`train_segment` for member ``index``, which comes back with its result."""
    return index, train_segment(*args)


class _SerialExecutor:
    """The asynchronous loop with one worker: submitted calls wait in a queue and run one
    at a time, when the loop asks for the next, so each segment's outcome is recorded
    (and its checkpoint saved) before any other segment trains: a trainable that changes
    its state in place cannot hand a copier more training than was recorded."""

    def __init__(self) -> None:
        self._queue: list[tuple[Any, Callable[..., Any], tuple[Any, ...]]] = []

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[Any] = Future()
        self._queue.append((future, function, args))
        return future

    def run_next(self) -> Any:
        """Run the oldest waiting call; return its future, now done."""
        future, function, args = self._queue.pop(0)
        try:
            future.set_result(function(*args))
        except BaseException as error:
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True) -> None:
        self._queue.clear()


def _executor(n_jobs: int | None) -> tuple[Any, bool]:
    """Where the asynchronous loop trains: the joblib backend in force decides, as for
    the synchronous loop (a Dask cluster's executor under ``backend="dask"``, threads
    under ``"threading"``, else loky worker processes; one worker: in this process), and
    whether its workers share this process's memory (a state handed to one is then a
    copy: it is trained in place while other members may copy the stored one)."""
    from joblib import effective_n_jobs
    from joblib.externals.loky import get_reusable_executor
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    client = getattr(backend, "client", None)  # joblib's Dask backend
    if client is not None and hasattr(client, "get_executor"):
        return client.get_executor(), True  # a cluster in this process shares memory
    workers = effective_n_jobs(n_jobs)
    if workers == 1:
        return _SerialExecutor(), False
    if type(backend).__name__ == "ThreadingBackend":
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(max_workers=workers), True
    return get_reusable_executor(max_workers=workers), False
