"""Optuna's ``OptunaSearchCV`` under its own name and arguments, run by fastune.

Code written for ``optuna.integration.OptunaSearchCV`` (or
``optuna.integration.sklearn.OptunaSearchCV``) runs after ``import fastune as
optuna``. The class is a :class:`~fastune.sklearn.FastuneSearchCV` that takes
Optuna's arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from fastune._validation import invalid, invalid_type
from fastune.pruners import BasePruner
from fastune.samplers import BaseSampler
from fastune.sklearn._search import FastuneSearchCV
from fastune.study import Study

__all__ = ["OptunaSearchCV"]


class OptunaSearchCV(FastuneSearchCV):
    """Hyperparameter search with cross-validation, with the arguments of Optuna's
    ``OptunaSearchCV`` (optuna-integration).

    Each trial of :attr:`study_` draws parameters and scores them by cross-validation;
    the best are refitted on all the data. The arguments map to
    :class:`~fastune.sklearn.FastuneSearchCV`'s as follows:

    * ``enable_pruning=False`` (default): each fold is fitted once; the study's pruner
      is not used.
    * ``enable_pruning=True``: the estimator trains by ``partial_fit`` for up to
      ``max_iter`` epochs, and the study's pruner (``study.pruner``, or a
      ``MedianPruner`` in a new study, the default of ``create_study``) stops the
      trials that fall behind. An estimator without ``partial_fit`` is refused, as in
      Optuna.
    * ``subsample``, ``catch`` and the other arguments mean what they mean in Optuna.

    Where it differs from Optuna's:

    * A new study samples with ``AutoSampler(seed)``, fastune's default, not
      ``TPESampler(seed)``: the results are reproducible, but not the ones Optuna
      finds. To sample as Optuna does, pass
      ``study=create_study(direction="maximize", sampler=TPESampler(seed=...))``.
    * A fit that fails on some folds scores ``error_score`` there and the mean is NaN,
      as in scikit-learn's searches (Optuna averages the other folds): such a trial
      fails and ranks last.
    * ``n_jobs`` runs trials in worker processes, not threads (see
      ``Study.optimize``).
    * ``best_index_`` is a row of ``cv_results_`` (on a new study, the trial number);
      ``cv_results_`` is scikit-learn's layout, one row per trial.
    * ``verbose=0`` shows no INFO lines of fastune's logger, per-trial lines included.
    * ``n_trials=None`` needs a ``timeout``.

    Args:
        estimator: A scikit-learn estimator.
        param_distributions: Parameters to tune: fastune (or Optuna) distributions,
            lists, ``range``, or frozen ``scipy.stats`` uniform / loguniform / randint.
        cv: Folds, as in scikit-learn's searches; None is 5-fold (stratified for a
            classifier).
        enable_pruning: Prune ``partial_fit`` training with the study's pruner.
        error_score: Score of a fold whose fit or scoring fails, or "raise".
        max_iter: Epochs of ``partial_fit`` per trial with ``enable_pruning``.
        n_jobs: Trials run at once; None is 1, -1 one per CPU.
        n_trials: Trials to run; None runs trials until ``timeout``.
        random_state: Seed of the sampler of a new study, of ``subsample`` and of epoch
            shuffling: an int, None, or a numpy ``RandomState``.
        refit: Refit the best parameters on all the data (``best_estimator_``).
        return_train_score: Also score the training folds.
        scoring: A scorer, its name, or None for the estimator's ``score``.
        study: The study to run in, created with ``direction="maximize"``; a new one by
            default.
        subsample: The samples the candidates are scored on: a float in (0, 1] is a
            share of them, an int a number of them (``sample_indices_``).
        timeout: Seconds after which no new trial starts.
        verbose: Log one line per trial when > 0.
        callbacks: Called as ``callback(study, frozen_trial)`` after each trial.
        catch: Exception classes that fail a trial without stopping the search.

    Attributes:
        As :class:`~fastune.sklearn.FastuneSearchCV`'s, Optuna's included:
        ``best_estimator_``, ``best_index_``, ``best_params_``, ``best_score_``,
        ``best_trial_``, ``cv_results_``, ``n_splits_``, ``n_trials_``, ``refit_time_``,
        ``sample_indices_``, ``scorer_``, ``study_``, ``trials_``, ``user_attrs_``.

    Example:
        >>> import fastune as optuna
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.svm import SVC
        >>> X, y = load_iris(return_X_y=True)
        >>> search = optuna.integration.OptunaSearchCV(
        ...     SVC(), {"C": optuna.distributions.FloatDistribution(1e-2, 1e2, log=True)},
        ...     n_trials=5, cv=3, random_state=0).fit(X, y)
        >>> search.best_trial_.user_attrs["mean_test_score"] > 0.8
        True
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict[str, Any],
        *,
        cv: Any = None,
        enable_pruning: bool = False,
        error_score: Any = np.nan,
        max_iter: int = 1000,
        n_jobs: int | None = None,
        n_trials: int | None = 10,
        random_state: int | np.random.RandomState | None = None,
        refit: bool = True,
        return_train_score: bool = False,
        scoring: Any = None,
        study: Study | None = None,
        subsample: float = 1.0,
        timeout: float | None = None,
        verbose: int = 0,
        callbacks: Iterable[Callable[..., None]] | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    # FastuneSearchCV's own arguments, which Optuna's signature lacks: derived from
    # enable_pruning and the study, so that get_params() and clone() hold Optuna's.
    # (Read-only here, where FastuneSearchCV's __init__ sets them.)

    @property
    def sampler(self) -> BaseSampler | None:  # type: ignore[override]
        """None: the study's sampler, or ``AutoSampler(seed)`` in a new study."""
        return None

    @property
    def pruner(self) -> BasePruner | None:  # type: ignore[override]
        """None: with ``enable_pruning``, the study's own pruner prunes."""
        return None

    @property
    def training(self) -> str:  # type: ignore[override]
        """``"partial_fit"`` with ``enable_pruning``, else ``"refit"`` (plain fits)."""
        return "partial_fit" if self.enable_pruning else "refit"

    def _training(self, searched: list[str]) -> tuple[str, str | None]:
        """With ``enable_pruning``, epochs of ``partial_fit`` whatever the study's pruner
        (a ``NopPruner`` included, as in Optuna); otherwise plain fits."""
        return self.training, None

    def _validate(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.enable_pruning, (bool, np.bool_)):
            raise invalid_type("enable_pruning", owner, "True or False", self.enable_pruning)
        if self.enable_pruning and not hasattr(self.estimator, "partial_fit"):
            allowed = (
                f"False for {type(self.estimator).__name__}: estimator must support "
                "partial_fit (pruning trains it epoch by epoch)"
            )
            raise invalid("enable_pruning", owner, allowed, self.enable_pruning)
        super()._validate()
