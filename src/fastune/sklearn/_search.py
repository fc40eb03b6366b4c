"""FastuneSearchCV: any fastune sampler and pruner as a scikit-learn search estimator."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from fastune._validation import (
    check_choice,
    check_exception_classes,
    check_int,
    check_joblib_n_jobs,
    check_number,
    invalid,
    invalid_type,
)
from fastune.exceptions import TrialPruned
from fastune.pruners import BasePruner, NopPruner
from fastune.samplers import AutoSampler, BaseSampler
from fastune.sklearn._base import BaseSearch, quiet_unless_verbose
from fastune.sklearn._cv_trainable import TRAINING_MODES, CVTrainable, choose_training
from fastune.study import Study, create_study
from fastune.terminator import report_cross_validation_scores
from fastune.trial import FrozenTrial, Trial

__all__ = ["FastuneSearchCV"]


class FastuneSearchCV(BaseSearch):
    """Hyperparameter search with a fastune sampler (and pruner), with cross-validation.

    Each trial of :attr:`study_` draws parameters from the sampler and scores them by
    cross-validation. With a pruner and an estimator that trains incrementally
    (``partial_fit``, or ``warm_start`` with a growing ensemble), a trial trains for
    ``max_iter`` units (epochs), reports the mean validation score over the folds after
    each, and stops early when the pruner says so: every fold is compared at the same
    unit, not only the first. Without a pruner, each fold is fitted once, as in
    scikit-learn's ``RandomizedSearchCV``.

    Each trial keeps its scores in its user attributes under the names of Optuna's
    ``OptunaSearchCV`` (``mean_test_score``, ``std_test_score``, ``split0_test_score``,
    ..., ``mean_fit_time``, ``std_score_time``; ``mean_test_<metric>`` and so on with
    several metrics, and the ``train`` ones with ``return_train_score``), so they are
    also columns of ``trials_dataframe()``. Code written for ``OptunaSearchCV`` can use
    :class:`fastune.integration.OptunaSearchCV`, which takes its arguments.

    Args:
        estimator: A scikit-learn estimator.
        param_distributions: Parameters to tune: lists, ``range``, frozen ``scipy.stats``
            uniform / loguniform / randint, or fastune (or Optuna) distributions.
        sampler: A fastune sampler; None is ``AutoSampler(seed=random_state)``, the default
            of ``create_study``. With ``study``, None or the study's own sampler (set
            another on the study).
        pruner: A fastune pruner; None uses the pruner of ``study`` when one is given
            (a ``NopPruner`` there: no pruning), and never prunes otherwise. With
            ``study``, None or the study's own pruner (set another on the study). An
            estimator that can only be refitted (no ``partial_fit``, no growing
            ensemble, no ``warm_start``) trains in one unit, which nothing can prune:
            a ``pruner`` given then warns.
        n_trials: Trials to run, >= 1; None runs trials until ``timeout``, or until one
            of ``callbacks`` stops the study (``study.stop()``, ``MaxTrialsCallback``,
            ``TerminatorCallback``).
        timeout: Seconds after which no new trial starts; with ``n_trials=None``, it or
            ``callbacks`` must be given.
        max_iter: Units (epochs) per trial when pruning an incremental estimator.
        subsample: The samples the candidates are scored on: a float in (0, 1] is a
            share of them (rounded down), an int a number of them (all of them when it is
            more, as Optuna), drawn from ``random_state`` (``sample_indices_``). The
            refit of the best candidate uses all the samples.
        cv, scoring, refit, error_score, return_train_score: As in scikit-learn's
            searches.
        n_jobs: Trials run at once, in worker processes (see ``Study.optimize``); None is
            1, -1 one per CPU.
        random_state: Seed of the default sampler and of epoch shuffling: an int, None,
            or a numpy ``RandomState`` / ``Generator`` that a seed is drawn from at each
            fit.
        study: The study to run in (for a storage or a name); a new one by default. A
            study that holds trials already (an earlier fit, another process) goes on
            from them: they are part of ``cv_results_`` and of the choice of the best,
            as in Optuna's ``OptunaSearchCV``. Its trials must have been scored as this
            search scores (the same number of splits, metrics and train scores).
        callbacks: Called as ``callback(study, frozen_trial)`` after each trial. A
            complete trial keeps its fold scores for :mod:`fastune.terminator`, so that
            ``fastune.terminator.TerminatorCallback()`` ends the search once the room for
            improvement is within the cross-validation error.
        catch: Exception classes that fail a trial without stopping the search (as in
            ``Study.optimize``); a failed trial with no scores has no row in
            ``cv_results_``.
        training: As in :class:`PBTSearchCV`, for the pruned, incremental case.
        verbose: Log one line per trial when > 0 (fastune's logger, at the level the
            user set); otherwise no line below WARNING.

    Attributes:
        cv_results_, best_index_, best_params_, best_score_, best_estimator_,
        refit_time_, n_splits_, scorer_, multimetric_: As in scikit-learn's searches;
            ``cv_results_`` has a row per trial and a ``state`` column; ``best_index_``
            is the best ranked complete trial's row (a pruned trial ranks by the scores
            of its shorter training, and is picked only when no trial is complete).
        study_: The study of the search.
        best_trial_, trials_, n_trials_, user_attrs_: As in Optuna's ``OptunaSearchCV``:
            the trial of ``best_index_``, and ``study_``'s trials, their number and the
            study's user attributes (also ``set_user_attr`` and ``trials_dataframe``).
        sample_indices_: The rows the candidates were scored on (see ``subsample``).
        n_iter_: The most units (epochs) any trial trained for.
        training_: How trials trained: "refit" (plain fits) or an incremental mode.

    Example:
        >>> from fastune import FastuneSearchCV
        >>> from sklearn.svm import SVC
        >>> from sklearn.datasets import load_iris
        >>> from scipy.stats import loguniform
        >>> X, y = load_iris(return_X_y=True)
        >>> search = FastuneSearchCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_trials=5,
        ...                          cv=3, random_state=0).fit(X, y)
        >>> search.best_score_ > 0.8
        True
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict[str, Any],
        *,
        sampler: BaseSampler | None = None,
        pruner: BasePruner | None = None,
        n_trials: int | None = 10,
        timeout: float | None = None,
        max_iter: int = 10,
        subsample: float = 1.0,
        cv: Any = 5,
        scoring: Any = None,
        refit: bool | str | Callable[..., int] = True,
        n_jobs: int | None = None,
        random_state: int | np.random.RandomState | np.random.Generator | None = None,
        study: Study | None = None,
        callbacks: Iterable[Callable[..., None]] | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
        training: str = "auto",
        error_score: Any = np.nan,
        return_train_score: bool = False,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.sampler = sampler
        self.pruner = pruner
        self.n_trials = n_trials
        self.timeout = timeout
        self.max_iter = max_iter
        self.subsample = subsample
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.study = study
        self.callbacks = callbacks
        self.catch = catch
        self.training = training
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.verbose = verbose

    def _validate(self) -> None:
        owner = type(self).__name__
        check_int(self.n_trials, "n_trials", owner, low=1, allow_none=True)
        if self.n_trials is None and self.timeout is None and not self.callbacks:
            # Optuna's search runs until a callback stops the study; with none, forever.
            allowed = "an int >= 1, or None together with a timeout or callbacks (that stop)"
            raise invalid("n_trials", owner, allowed, None)
        check_int(self.max_iter, "max_iter", owner, low=1)
        check_number(self.timeout, "timeout", owner, low=0.0, allow_none=True)
        check_joblib_n_jobs(self.n_jobs, owner)
        check_exception_classes(self.catch, owner)
        check_choice(self.training, "training", owner, TRAINING_MODES)
        if self.sampler is not None and not isinstance(self.sampler, BaseSampler):
            raise invalid_type("sampler", owner, "a fastune sampler or None", self.sampler)
        if self.pruner is not None and not isinstance(self.pruner, BasePruner):
            raise invalid_type("pruner", owner, "a fastune pruner or None", self.pruner)
        self._check_study()
        if self.study is not None:
            # The study's sampler and pruner are the ones its trials ask: another one
            # given here would be ignored.
            for name, own in (("sampler", self.study.sampler), ("pruner", self.study.pruner)):
                given = getattr(self, name)
                if given is not None and given is not own:
                    allowed = (
                        f"None or the study's own {name} when 'study' is given (set the "
                        f"{name} on the study: create_study({name}=...))"
                    )
                    raise invalid(name, owner, allowed, given)

    def fit(self, X: Any, y: Any = None, groups: Any = None, **fit_params: Any) -> FastuneSearchCV:
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

        Warns:
            UserWarning: ``pruner`` is given for an estimator that trains by plain fits.
        """
        self._validate()
        callbacks = self._callback_list()
        space = self._space()
        seed = self._seed()
        data = self._prepare(X, y, groups, fit_params, self.subsample, seed)
        self.sample_indices_ = data.rows
        mode, resource = self._training(list(space))
        units = 1 if mode == "refit" else self.max_iter
        if mode == "refit" and self.pruner is not None and not isinstance(self.pruner, NopPruner):
            warnings.warn(
                f"{type(self).__name__} was given pruner={self.pruner!r}, but "
                f"{type(self.estimator).__name__} trains by plain fits here (it has no "
                "partial_fit, growing ensemble or warm_start, or training='refit'): "
                "each trial is one fit, which nothing can prune. Leave pruner=None, or "
                "use an estimator with partial_fit.",
                UserWarning,
                stacklevel=2,
            )
        self.training_ = mode
        trainable = self._trainable(data, mode, resource, units)
        with quiet_unless_verbose(self.verbose):
            study = self.study if self.study is not None else self._new_study(seed)
            self._check_study_scoring(study)
            study.optimize(
                _objective(trainable, space, units, seed),
                n_trials=self.n_trials,
                timeout=self.timeout,
                n_jobs=1 if self.n_jobs is None else self.n_jobs,
                callbacks=callbacks,
                catch=self.catch,
            )
        self.study_ = study
        trials = study.get_trials(deepcopy=False)
        self._store_results(trials, {"state": [t.state.name for t in trials]})
        self.n_iter_ = max(t.user_attrs["n_units"] for t in self._result_trials)
        if self.refit:
            start = time.perf_counter()
            best: FrozenTrial = self._result_trials[self.best_index_]
            schedule = [{"params": self.best_params_, "steps": best.user_attrs["n_units"]}]
            self.best_estimator_ = trainable.train_on_all(schedule, seed=0)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _pruner(self) -> BasePruner | None:
        """The pruner the trials answer to: ``pruner``, else the study's; None or a
        ``NopPruner`` when nothing prunes."""
        if self.pruner is not None:
            return self.pruner
        return self.study.pruner if isinstance(self.study, Study) else None

    def _training(self, searched: list[str]) -> tuple[str, str | None]:
        """Plain fits ("refit") without a pruner; incremental training with one."""
        pruner = self._pruner()
        if pruner is None or isinstance(pruner, NopPruner):
            return "refit", None
        return choose_training(self.estimator, self.training, searched, type(self).__name__)

    def _callback_list(self) -> list[Callable[..., None]]:
        allowed = "a list of callables callback(study, frozen_trial), or None"
        if self.callbacks is None:
            return []
        if not isinstance(self.callbacks, Iterable):
            raise invalid_type("callbacks", type(self).__name__, allowed, self.callbacks)
        callbacks = list(self.callbacks)
        if not all(callable(callback) for callback in callbacks):
            raise invalid_type("callbacks", type(self).__name__, allowed, self.callbacks)
        return callbacks

    def _new_study(self, seed: int | None) -> Study:
        sampler = self.sampler if self.sampler is not None else AutoSampler(seed=seed)
        return create_study(direction="maximize", sampler=sampler, pruner=self._pruner())


def _objective(
    trainable: CVTrainable, space: dict[str, Any], units: int, seed: int | None
) -> Callable[[Trial], float]:
    """The objective of a search's trials: train ``units`` units (reported to the pruner
    after each when more than one) and keep in the trial's user attributes the fold
    scores of the last unit and the fit and score times and errors of all; once the
    trial ends (pruned or not), also its scores under Optuna's names."""
    # A trial's seed follows from the search's seed and the trial's number, so it is the
    # same whichever worker (thread or process) runs the trial.
    entropy = np.random.SeedSequence(seed).entropy

    def objective(trial: Trial) -> float:
        params = {name: trial._suggest(name, dist) for name, dist in space.items()}
        sequence = np.random.SeedSequence(entropy, spawn_key=(trial.number,))
        state = trainable.init(params, int(np.random.default_rng(sequence).integers(2**31 - 1)))
        score = float("nan")
        steps: list[dict[str, Any]] = []
        for unit in range(units):
            state, score, details = trainable.step(params, state)
            steps.append(details)
            merged = trainable.merge_details(steps)
            for key, value in merged.items():
                trial.set_user_attr(key, value)
            trial.set_user_attr("n_units", unit + 1)
            if units > 1:
                trial.report(score, unit)
                if trial.should_prune():
                    _set_optuna_scores(trial, merged)
                    raise TrialPruned(f"pruned after {unit + 1} of {units} units")
        _set_optuna_scores(trial, merged)
        _report_fold_scores(trial, trainable, merged)
        return score

    return objective


def _report_fold_scores(trial: Trial, trainable: CVTrainable, details: dict[str, Any]) -> None:
    """Keep the fold scores behind a complete trial's value where
    :mod:`fastune.terminator` reads them, so that its default terminator (whose error is
    the spread of the best trial's fold scores) works in ``callbacks``. A failed fold
    (NaN) or a single split leaves them out."""
    test_scores = details["test_scores"]
    folds = test_scores[trainable._ranking_metric(test_scores)]
    if len(folds) > 1 and np.isfinite(folds).all():
        report_cross_validation_scores(trial, folds)


def _set_optuna_scores(trial: Trial, details: dict[str, Any]) -> None:
    """Keep a trial's scores as Optuna's ``OptunaSearchCV`` names them, in its user
    attributes: ``split{i}_test_<metric>``, ``mean_test_<metric>`` and
    ``std_test_<metric>`` per metric (``<metric>`` is ``score`` for a lone one), the
    same with ``train`` for train scores, and ``mean_fit_time``, ``std_fit_time``,
    ``mean_score_time``, ``std_score_time``. The means are plain means, as in
    ``cv_results_``: a failed fold makes them NaN (Optuna's skip NaN folds)."""
    for kind in ("test", "train"):
        for metric, scores in details.get(f"{kind}_scores", {}).items():
            for split, value in enumerate(scores):
                trial.set_user_attr(f"split{split}_{kind}_{metric}", float(value))
            trial.set_user_attr(f"mean_{kind}_{metric}", float(np.mean(scores)))
            trial.set_user_attr(f"std_{kind}_{metric}", float(np.std(scores)))
    for key in ("fit_time", "score_time"):
        trial.set_user_attr(f"mean_{key}", float(np.mean(details[key])))
        trial.set_user_attr(f"std_{key}", float(np.std(details[key])))
