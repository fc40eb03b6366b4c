"""PBTSearchCV: Population Based Training as a scikit-learn search estimator."""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Sequence
from typing import Any

import joblib
import numpy as np

from fastune._validation import (
    check_int,
    check_joblib_n_jobs,
    check_number,
    invalid,
    invalid_type,
)
from fastune.distributions import BaseDistribution
from fastune.pbt import PopulationBasedTraining, Segment
from fastune.pbt._checkpoint import DiskCheckpointStore
from fastune.pbt._exploit import as_exploit
from fastune.pbt._explore import as_explore, check_factors
from fastune.pbt._resume import RUN_KEY
from fastune.pbt._scheduler import (
    GENERATION_KEY,
    MEMBER_KEY,
    PARENT_KEY,
    check_checkpoint_dir,
)
from fastune.sklearn._base import BaseSearch, FitData, quiet_unless_verbose
from fastune.sklearn._cv_trainable import STRUCTURAL_PARAMS, choose_training, estimator_valued
from fastune.sklearn._visualize import PBTVisualizeMixin
from fastune.study import Study

__all__ = ["PBTSearchCV"]

# The data and units of the run a study records (see PBTSearchCV._check_study_run).
_FIT_KEY = "pbtsearchcv:fit"


class PBTSearchCV(PBTVisualizeMixin, BaseSearch):
    """Hyperparameter search by Population Based Training, with cross-validation.

    A population of candidates is trained in generations on every CV fold. After each
    generation the weakest candidates copy the trained models (all folds) and the
    hyperparameters of strong ones (exploit) and change those hyperparameters (explore).
    Training continues where the copied models stopped when the estimator allows it
    (see ``training``); otherwise each generation refits with the evolved parameters,
    which makes the search an evolutionary one.

    Every (candidate, generation) is a trial of :attr:`study_` and a row of
    ``cv_results_``, with the extra columns ``generation``, ``member`` and ``parent``
    (the row whose models the candidate started from, -1 for none). With ``refit``,
    ``best_estimator_`` is trained on all the data through the hyperparameter schedule
    that led to the best row (:attr:`best_schedule_`).

    Args:
        estimator: A scikit-learn estimator.
        param_distributions: Parameters to tune: lists (choices), ``range``, frozen
            ``scipy.stats`` uniform / loguniform / randint distributions, or fastune
            distributions.
        population_size: Candidates trained together, >= 2.
        generations: Generations, >= 1.
        steps_per_generation: Training units per generation (epochs for
            ``partial_fit``), >= 1.
        cv: Folds: an int, a splitter or an iterable of splits (scikit-learn's rules).
        scoring: None (the estimator's ``score``), a metric name, a callable, or a
            list/dict of them; with several metrics (also from a callable that returns a
            dict), ``refit`` names the one that ranks candidates.
        refit: Train ``best_estimator_`` on all data (True, or the ranking metric's name);
            a callable picks ``best_index_`` from ``cv_results_``.
        n_jobs: Candidates trained at once, through joblib (processes by default; the
            joblib backend in force is honoured, so ``parallel_config(backend="dask")``
            works).
        random_state: Seed of the initial population and of every exploit and explore
            choice: an int, None, or a numpy ``RandomState`` / ``Generator`` that a seed
            is drawn from at each fit.
        exploit: ``"truncation"``, ``"tournament"`` or a ``fastune.pbt.BaseExploit``.
        explore: ``"perturb"``, ``"pb2"`` or a ``fastune.pbt.BaseExplore``.
        quantile_fraction: Share of the population at the top and the bottom, (0, 0.5].
        resample_probability: Chance per parameter that explore draws a fresh value.
        perturbation_factors: Positive factors that explore multiplies values by.
        training: ``"auto"``, ``"partial_fit"``, ``"grow"``, ``"boost"``, ``"warm_start"``
            or ``"refit"``; "auto" takes the first the estimator supports, in that order.
        synchronous: Exploit after each full generation (True) or per candidate.
        patience: Stop when the best score has not improved for this many generations.
        target_score: Stop when a candidate reaches this score.
        checkpoint_dir: Keep each candidate's fold models on disk there between
            generations instead of in memory (for large models), in a subdirectory of
            each fit's own, removed at its end (kept with ``study``: a resumed fit needs
            them).
        study: The study that records the segments (a new in-memory one by default): one
            on a storage (``create_study(storage=..., direction="maximize")``) makes a
            fit resumable. Given with ``checkpoint_dir`` again after an interrupted fit
            (Ctrl-C, a crash), a fit with the same settings goes on from the last
            recorded segment of each candidate instead of starting over; after a
            finished fit, a larger ``generations`` trains on (not in the ``grow`` and
            ``boost`` modes, whose trees are spread over the run's units). The same
            data and folds only, and a maximizing study.
        error_score: Score of a fold whose fit or scoring fails, or ``"raise"``.
        return_train_score: Also score the training folds.
        verbose: Print one line per generation when > 0; otherwise no line of fastune's
            logger below WARNING.

    Attributes:
        cv_results_: Dict of arrays, one entry per (candidate, generation).
        best_index_, best_params_, best_score_: The best row, as scikit-learn's
            searches set them (not with several metrics and ``refit=False``; no
            ``best_score_`` with a callable ``refit``).
        best_estimator_: Refitted estimator (with ``refit``).
        best_schedule_: Hyperparameters by generation that led to the best row (by the
            first metric where several leave ``best_index_`` unset).
        refit_time_: Seconds spent refitting.
        study_: The fastune study of all segments.
        n_splits_, scorer_, multimetric_: As in scikit-learn's searches.
        training_: The training mode used.

    Example:
        >>> from fastune import PBTSearchCV
        >>> from sklearn.linear_model import SGDClassifier
        >>> from sklearn.datasets import load_iris
        >>> from scipy.stats import loguniform
        >>> X, y = load_iris(return_X_y=True)
        >>> search = PBTSearchCV(SGDClassifier(random_state=0),
        ...                      {"alpha": loguniform(1e-5, 1e-1)},
        ...                      population_size=4, generations=3, cv=3, random_state=0)
        >>> search.fit(X, y).best_score_ > 0.5
        True
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict[str, Any],
        *,
        population_size: int = 10,
        generations: int = 10,
        steps_per_generation: int = 1,
        cv: Any = 5,
        scoring: Any = None,
        refit: bool | str | Callable[..., int] = True,
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | np.random.Generator | None = None,
        exploit: Any = "truncation",
        explore: Any = "perturb",
        quantile_fraction: float = 0.25,
        resample_probability: float = 0.25,
        perturbation_factors: Sequence[float] = (0.8, 1.2),
        training: str = "auto",
        synchronous: bool = True,
        patience: int | None = None,
        target_score: float | None = None,
        checkpoint_dir: str | None = None,
        study: Study | None = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.population_size = population_size
        self.generations = generations
        self.steps_per_generation = steps_per_generation
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.exploit = exploit
        self.explore = explore
        self.quantile_fraction = quantile_fraction
        self.resample_probability = resample_probability
        self.perturbation_factors = perturbation_factors
        self.training = training
        self.synchronous = synchronous
        self.patience = patience
        self.target_score = target_score
        self.checkpoint_dir = checkpoint_dir
        self.study = study
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.verbose = verbose

    def _validate(self) -> None:
        owner = "PBTSearchCV"
        check_int(self.population_size, "population_size", owner, low=2)
        check_int(self.generations, "generations", owner, low=1)
        check_int(self.steps_per_generation, "steps_per_generation", owner, low=1)
        check_number(
            self.quantile_fraction,
            "quantile_fraction",
            owner,
            low=0.0,
            high=0.5,
            low_inclusive=False,
        )
        check_number(self.resample_probability, "resample_probability", owner, low=0.0, high=1.0)
        check_int(self.patience, "patience", owner, low=1, allow_none=True)
        check_number(self.target_score, "target_score", owner, allow_none=True)
        check_joblib_n_jobs(self.n_jobs, owner)
        if not isinstance(self.synchronous, (bool, np.bool_)):
            raise invalid_type("synchronous", owner, "True or False", self.synchronous)
        check_checkpoint_dir(self.checkpoint_dir, owner)
        self._check_study()
        if not isinstance(self.verbose, (bool, np.bool_)):
            check_int(self.verbose, "verbose", owner, low=0)
        # The same checks as PopulationBasedTraining's, named for this class.
        check_factors(self.perturbation_factors, owner)
        as_exploit(self.exploit, self.quantile_fraction, owner)
        as_explore(self.explore, self.perturbation_factors, self.resample_probability, owner)

    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> PBTSearchCV:
        """Run the search on ``(X, y)``.

        Args:
            X, y: The data.
            groups: Group labels of the samples, for a group splitter as ``cv``.
            **fit_params: Keyword arguments of the estimator's fit (``partial_fit`` when
                the candidates train by it); those with one value per sample are sliced
                per fold. With scikit-learn's metadata routing on, these and ``groups``
                reach the estimator, each scorer and the splitter only as each requested
                (see :meth:`get_metadata_routing`). With it off, all go to the estimator,
                ``groups`` to the splitter, and a per-sample ``sample_weight`` also
                weights the scores of the scorers that take one.

        Raises:
            InvalidParameterError: a bad argument (named in the message).
            ValueError: every fit failed.
            UnsetMetadataPassedError: with routing on, metadata that a consumer neither
                requested nor declined.
            TypeError: with routing on, metadata that no consumer requested.
        """
        self._validate()
        space = self._space()
        data = self._prepare(X, y, groups, fit_params)
        mode, resource = self._training(list(space))
        self.training_ = mode
        trainable = self._trainable(
            data, mode, resource, self.generations * self.steps_per_generation
        )
        seed = self._seed()
        if self.study is not None:
            self._check_study_scoring(self.study)
            self._check_study_run(self.study, data, mode)
        with quiet_unless_verbose(self.verbose):
            pbt = PopulationBasedTraining(
                trainable,
                space,
                population_size=self.population_size,
                generations=self.generations,
                steps_per_generation=self.steps_per_generation,
                exploit=self.exploit,
                explore=self.explore,
                quantile_fraction=self.quantile_fraction,
                resample_probability=self.resample_probability,
                perturbation_factors=self.perturbation_factors,
                synchronous=self.synchronous,
                n_jobs=self.n_jobs,
                random_state=seed,
                patience=self.patience,
                target_score=self.target_score,
                checkpoint_dir=self.checkpoint_dir,
                study=self.study,
                callbacks=self._callbacks(),
                structural=_structural(space, mode),
            )
            try:
                pbt.run()
            finally:
                self._finish_live()
                # This fit's own checkpoints, unless its study can resume or extend it.
                if self.study is None and isinstance(pbt.checkpoints, DiskCheckpointStore):
                    shutil.rmtree(pbt.checkpoints.directory, ignore_errors=True)
        self.study_ = pbt.study_
        trials = self.study_.get_trials(deepcopy=False)
        extra = {
            "generation": [t.system_attrs[GENERATION_KEY] for t in trials],
            "member": [t.system_attrs[MEMBER_KEY] for t in trials],
            "parent": [
                -1 if t.system_attrs[PARENT_KEY] is None else t.system_attrs[PARENT_KEY]
                for t in trials
            ],
        }
        self._store_results(trials, extra)
        self.best_schedule_ = pbt.schedule(self._result_trials[self._best_row].number)
        if self.refit:
            start = time.perf_counter()
            # The seed the best lineage started from, as a replay of its schedule uses.
            seed = int(self.best_schedule_[0]["seed"])
            self.best_estimator_ = trainable.train_on_all(self.best_schedule_, seed)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _training(self, searched: list[str]) -> tuple[str, str | None]:
        return choose_training(self.estimator, self.training, searched, "PBTSearchCV")

    def _check_study_run(self, study: Study, data: FitData, mode: str) -> None:
        """Refuse to go on with a run of ``study`` whose fold models were trained on other
        data or folds (they would be scored on rows they trained on), or, where the
        estimator's trees or rounds are spread over the run's units (``grow``,
        ``boost``), with other units (the models hold the trees of the old spread);
        record them for a new run. Checked before any training."""
        owner = "PBTSearchCV"
        record = {
            "data": joblib.hash((data.X, data.y, [[*split] for split in data.splits])),
            "units": [self.generations, self.steps_per_generation]
            if mode in ("grow", "boost")
            else None,
        }
        recorded = study.system_attrs.get(_FIT_KEY)
        if recorded is None or not study.get_trials(deepcopy=False):
            study.set_system_attr(_FIT_KEY, record)
            return
        kept = (study.system_attrs.get(RUN_KEY) or {}).get("checkpoints")
        if kept is None:
            raise invalid(
                "study",
                owner,
                "a study without trials, or one of a run with checkpoint_dir (this one's "
                "fit kept its fold models in memory: it cannot go on; a new study, or "
                "checkpoint_dir when a study should be resumable or extendable)",
                f"study {study.study_name!r} with {len(study.trials)} trials",
            )
        if self.checkpoint_dir is None:
            raise invalid(
                "checkpoint_dir",
                owner,
                f"the directory holding {kept!r}, where the run recorded in 'study' keeps "
                "its fold models, to go on with that run",
                None,
            )
        if recorded["data"] != record["data"]:
            raise invalid(
                "X",
                owner,
                "the X, y and cv splits of the run recorded in 'study' (its fold models "
                "trained on those rows); a new study for other data or folds",
                "other data or splits",
            )
        if recorded["units"] is not None and recorded["units"] != record["units"]:
            generations, steps = recorded["units"]
            resource = "trees" if mode == "grow" else "boosting rounds"
            allowed = (
                f"generations={generations} and steps_per_generation={steps}, as the run "
                f"recorded in 'study': in {mode!r} mode the estimator's {resource} are "
                "spread over the run's units; a new study with a larger estimator to train "
                "longer"
            )
            if generations != self.generations:
                raise invalid("generations", owner, allowed, self.generations)
            raise invalid("steps_per_generation", owner, allowed, self.steps_per_generation)

    def _callbacks(self) -> list[Callable[[PopulationBasedTraining, Segment], None]]:
        callbacks: list[Callable[[PopulationBasedTraining, Segment], None]] = [self._live_callback]
        if self.verbose:
            callbacks.append(_print_generation)
        return callbacks


def _structural(space: dict[str, BaseDistribution], mode: str) -> list[str]:
    """What a copy keeps of its donor: the values its fold models were built with. A
    model that trains on keeps its estimator-valued steps; ``partial_fit`` also fixes
    the network's shape and solver at its first call."""
    if mode in ("refit", "boost"):  # a new model each unit
        return []
    fixed = [name for name in STRUCTURAL_PARAMS if name in space] if mode == "partial_fit" else []
    return fixed + estimator_valued(space)


def _print_generation(pbt: PopulationBasedTraining, segment: Segment) -> None:
    done = [s for s in pbt.segments_ if s.generation == segment.generation]
    if len(done) == pbt.population_size:
        scores = [s.score_after for s in done if not math.isnan(s.score_after)]
        best = max(scores) if scores else math.nan
        print(
            f"[PBTSearchCV] generation {segment.generation + 1}/{pbt.generations}: "
            f"best {best:.4f}, median {np.median(scores) if scores else math.nan:.4f}"
        )
