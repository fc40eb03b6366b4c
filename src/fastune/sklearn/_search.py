"""FastuneSearchCV: any fastune sampler and pruner as a scikit-learn search estimator."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from fastune import logging as fastune_logging
from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.exceptions import TrialPruned
from fastune.pruners import BasePruner, NopPruner
from fastune.samplers import AutoSampler, BaseSampler
from fastune.sklearn._base import BaseSearch
from fastune.sklearn._cv_trainable import choose_training
from fastune.study import Study, StudyDirection, create_study
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

    Args:
        estimator: A scikit-learn estimator.
        param_distributions: Parameters to tune: lists, ``range``, frozen ``scipy.stats``
            uniform / loguniform / randint, or fastune distributions.
        sampler: A fastune sampler; None is ``AutoSampler(seed=random_state)``, the default
            of ``create_study``.
        pruner: A fastune pruner; None never prunes.
        n_trials: Trials to run, >= 1; None runs trials until ``timeout``.
        timeout: Seconds after which no new trial starts; required when ``n_trials`` is
            None.
        max_iter: Units (epochs) per trial when pruning an incremental estimator.
        cv, scoring, refit, error_score, return_train_score: As in scikit-learn's
            searches.
        n_jobs: Trials run at once, in worker processes (see ``Study.optimize``).
        random_state: Seed of the default sampler and of epoch shuffling.
        study: The study to run in (for a storage or a name); a new one by default. A
            study that holds trials already (an earlier fit, another process) goes on
            from them: they are part of ``cv_results_`` and of the choice of the best,
            as in Optuna's ``OptunaSearchCV``.
        callbacks: Called as ``callback(study, frozen_trial)`` after each trial.
        training: As in :class:`PBTSearchCV`, for the pruned, incremental case.
        verbose: Log one line per trial when > 0 (fastune's logger); quiet otherwise.

    Attributes:
        cv_results_, best_index_, best_params_, best_score_, best_estimator_,
        refit_time_, n_splits_, scorer_, multimetric_: As in scikit-learn's searches;
            ``cv_results_`` has a row per trial and a ``state`` column.
        study_: The study of the search.
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
        cv: Any = 5,
        scoring: Any = None,
        refit: bool | str | Callable[..., int] = True,
        n_jobs: int | None = None,
        random_state: int | None = None,
        study: Study | None = None,
        callbacks: Iterable[Callable[..., None]] | None = None,
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
        self.cv = cv
        self.scoring = scoring
        self.refit = refit
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.study = study
        self.callbacks = callbacks
        self.training = training
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.verbose = verbose

    def _validate(self) -> None:
        owner = "FastuneSearchCV"
        check_int(self.n_trials, "n_trials", owner, low=1, allow_none=True)
        if self.n_trials is None and self.timeout is None:
            raise invalid("n_trials", owner, "an int >= 1, or None together with a timeout", None)
        check_int(self.max_iter, "max_iter", owner, low=1)
        check_number(self.timeout, "timeout", owner, low=0.0, allow_none=True)
        if self.sampler is not None and not isinstance(self.sampler, BaseSampler):
            raise invalid_type("sampler", owner, "a fastune sampler or None", self.sampler)
        if self.pruner is not None and not isinstance(self.pruner, BasePruner):
            raise invalid_type("pruner", owner, "a fastune pruner or None", self.pruner)
        if self.study is not None and not isinstance(self.study, Study):
            raise invalid_type("study", owner, "a fastune Study or None", self.study)
        if self.study is not None and self.study.directions != [StudyDirection.MAXIMIZE]:
            # Scores are higher-better: a minimizing study would steer towards the worst.
            directions = [d.name.lower() for d in self.study.directions]
            allowed = 'a study created with direction="maximize" (scores are higher-better)'
            raise invalid("study", owner, allowed, f"a study with directions {directions}")

    def fit(
        self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any
    ) -> FastuneSearchCV:
        """Run the search on ``(X, y)``; extra keyword arguments go to the estimator's fit.

        Raises:
            InvalidParameterError: a bad argument (named in the message).
            ValueError: every fit failed.
        """
        self._validate()
        space = self._space()
        data = self._prepare(X, y, groups)
        pruning = self.pruner is not None and not isinstance(self.pruner, NopPruner)
        mode, resource = (
            choose_training(self.estimator, self.training, list(space), "FastuneSearchCV")
            if pruning
            else ("refit", None)
        )
        units = 1 if mode == "refit" else self.max_iter
        self.training_ = mode
        trainable = self._trainable(data, mode, resource, units, fit_params)
        # A trial's seed follows from the search's seed and the trial's number, so it is
        # the same whichever worker (thread or process) runs the trial.
        entropy = np.random.SeedSequence(self.random_state).entropy

        def objective(trial: Trial) -> float:
            params = {name: trial._suggest(name, dist) for name, dist in space.items()}
            sequence = np.random.SeedSequence(entropy, spawn_key=(trial.number,))
            seed = np.random.default_rng(sequence).integers(2**31 - 1)
            state = trainable.init(params, int(seed))
            score = float("nan")
            for unit in range(units):
                state, score, details = trainable.step(params, state)
                for key, value in details.items():
                    trial.set_user_attr(key, value)
                trial.set_user_attr("n_units", unit + 1)
                if units > 1:
                    trial.report(score, unit)
                    if trial.should_prune():
                        raise TrialPruned(f"pruned after {unit + 1} of {units} units")
            return score

        study = (
            self.study
            if self.study is not None
            else create_study(
                direction="maximize",
                sampler=self.sampler
                if self.sampler is not None
                else AutoSampler(seed=self.random_state),
                pruner=self.pruner,
            )
        )
        verbosity = fastune_logging.get_verbosity()
        if not self.verbose:
            fastune_logging.set_verbosity(fastune_logging.WARNING)
        try:
            study.optimize(
                objective,
                n_trials=self.n_trials,
                timeout=self.timeout,
                n_jobs=self.n_jobs or 1,
                callbacks=self.callbacks,
            )
        finally:
            fastune_logging.set_verbosity(verbosity)
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
