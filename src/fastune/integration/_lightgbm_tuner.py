"""Stepwise tuning of LightGBM's main parameters (Optuna's ``LightGBMTuner``,
``LightGBMTunerCV`` and ``train`` of ``optuna.integration.lightgbm``)."""

from __future__ import annotations

import abc
import copy
import functools
import importlib.util
import json
import math
import os
import pickle
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune import logging
from fastune._imports import import_optional
from fastune._study_direction import StudyDirection
from fastune._study_view import study_view
from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.samplers._base import BaseSampler
from fastune.samplers._grid import GridSampler
from fastune.samplers._tpe import TPESampler
from fastune.study import Study, create_study
from fastune.trial._frozen import FrozenTrial
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.distributions import BaseDistribution
    from fastune.trial import Trial

__all__ = ["LightGBMTuner", "LightGBMTunerCV", "train"]

_logger = logging.get_logger(__name__)

# System attributes of the tuner's trials (Optuna's keys).
STEP_KEY = "lightgbm_tuner:step_name"
PARAMS_KEY = "lightgbm_tuner:lgbm_params"
ELAPSED_KEY = "lightgbm_tuner:elapsed_secs"
ITERATION_TIME_KEY = "lightgbm_tuner:average_iteration_time"

# LightGBM's defaults of the tuned parameters: the starting point.
DEFAULTS: dict[str, Any] = {
    "lambda_l1": 0.0,
    "lambda_l2": 0.0,
    "num_leaves": 31,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "bagging_freq": 0,
    "min_child_samples": 20,
}
# LightGBM's other names of the tuned parameters, and of others Optuna's tuner renames
# (best_params holds the main names).
_PARAMETER_ALIASES = {
    "learning_rate": ("shrinkage_rate", "eta"),
    "min_sum_hessian_in_leaf": (
        "min_sum_hessian_per_leaf",
        "min_sum_hessian",
        "min_hessian",
        "min_child_weight",
    ),
    "min_gain_to_split": ("min_split_gain",),
    "lambda_l1": ("reg_alpha", "l1_regularization"),
    "lambda_l2": ("reg_lambda", "lambda", "l2_regularization"),
    "num_leaves": ("num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"),
    "feature_fraction": ("sub_feature", "colsample_bytree"),
    "bagging_fraction": ("sub_row", "subsample", "bagging"),
    "bagging_freq": ("subsample_freq",),
    "min_child_samples": ("min_data_in_leaf", "min_data_per_leaf", "min_data", "min_samples_leaf"),
}
# LightGBM's other names of its metrics, by the name it reports results under.
_METRIC_ALIASES = {
    "l1": ("mean_absolute_error", "mae", "regression_l1"),
    "l2": ("mean_squared_error", "mse", "regression_l2", "regression"),
    "rmse": ("root_mean_squared_error", "l2_root"),
    "mape": ("mean_absolute_percentage_error",),
    "ndcg": ("lambdarank", "rank_xendcg", "xendcg", "xe_ndcg", "xe_ndcg_mart", "xendcg_mart"),
    "map": ("mean_average_precision",),
    "binary_logloss": ("binary",),
    "multi_logloss": ("multiclass", "softmax", "multiclassova", "multiclass_ova", "ova", "ovr"),
    "cross_entropy": ("xentropy",),
    "cross_entropy_lambda": ("xentlambda",),
    "kullback_leibler": ("kldiv",),
}
_CANONICAL_METRIC = {alias: name for name, aliases in _METRIC_ALIASES.items() for alias in aliases}
# Metrics LightGBM maximizes; every other is minimized.
_MAXIMIZED = ("auc", "auc_mu", "ndcg", "map", "average_precision")
# The deepest tree num_leaves is tuned for when max_depth is not set.
_DEFAULT_DEPTH = 8


class _StepSampler(BaseSampler):
    """The sampler of one step: ``inner``, shown only the trials of that step, each
    trial tagged with the step's name before it is sampled."""

    def __init__(self, inner: BaseSampler, step: str) -> None:
        self._inner = inner
        self._step = step

    def _view(self, study: Study) -> Study:
        return _step_view(study, self._step)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        study._storage.set_trial_system_attr(trial._trial_id, STEP_KEY, self._step)
        trial.system_attrs[STEP_KEY] = self._step
        self._inner.before_trial(self._view(study), trial)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._inner.infer_relative_search_space(self._view(study), trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._inner.sample_relative(self._view(study), trial, search_space)

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, distribution: BaseDistribution
    ) -> Any:
        return self._inner.sample_independent(self._view(study), trial, param_name, distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._inner.after_trial(self._view(study), trial, state, values)


class _BaseTuner(abc.ABC):
    """What the two tuners share: the steps, the study, the best parameters and model."""

    _owner = "LightGBMTuner"

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        num_boost_round: int,
        callbacks: list[Callable[..., Any]] | None,
        feval: Callable[..., Any] | None,
        time_budget: float | None,
        sample_size: int | None,
        study: Study | None,
        optuna_callbacks: list[Callable[[Study, FrozenTrial], None]] | None,
        model_dir: str | None,
        show_progress_bar: bool,
        optuna_seed: int | None,
    ) -> None:
        self._lgb = import_optional("lightgbm", "lightgbm")
        owner = self._owner
        if not isinstance(params, dict):
            raise invalid_type("params", owner, "a dict of LightGBM parameters", params)
        if not isinstance(train_set, self._lgb.Dataset):
            raise invalid_type("train_set", owner, "a lightgbm.Dataset", train_set)
        check_int(num_boost_round, "num_boost_round", owner, low=1)
        check_int(sample_size, "sample_size", owner, low=1, allow_none=True)
        check_int(optuna_seed, "optuna_seed", owner, low=0, allow_none=True)
        check_number(time_budget, "time_budget", owner, low=0, low_inclusive=False, allow_none=True)
        self.lgbm_params = _canonical(params)
        if self.lgbm_params.get("feature_pre_filter", False):
            _logger.warning(
                "feature_pre_filter=True is set to False: min_child_samples is tuned, and a "
                "Dataset filtered for one value cannot be trained with a smaller one."
            )
        self.lgbm_params["feature_pre_filter"] = False
        self.train_set = train_set
        self._train_subset: Any = None
        self._num_boost_round = num_boost_round
        self._callbacks = callbacks
        self._feval = feval
        self._time_budget = time_budget
        self._sample_size = sample_size
        self._optuna_callbacks = optuna_callbacks
        self._model_dir = model_dir
        self._show_progress_bar = show_progress_bar
        self._optuna_seed = optuna_seed
        self._metric = _target_metric(self.lgbm_params)
        maximize = _maximized(self._metric)
        direction = StudyDirection.MAXIMIZE if maximize else StudyDirection.MINIMIZE
        if study is None:
            study = create_study(direction=direction)
        elif study.direction != direction:
            raise invalid(
                "study",
                owner,
                f"a study to {direction.name.lower()}, as LightGBM does the metric "
                f"{self._metric or 'of the objective'!r}",
                f"a study to {study.direction.name.lower()}",
            )
        self.study = study
        # The model of the study's best trial, if this run trained it: (number, model).
        self._best_model: tuple[int, Any] | None = None
        self._started: float | None = None
        if model_dir is not None:
            os.makedirs(model_dir, exist_ok=True)

    # -- results ----------------------------------------------------------------------

    @property
    def best_score(self) -> float:
        """The best validation score so far (infinitely bad before any trial)."""
        try:
            return float(self.study.best_value)
        except ValueError:
            return -math.inf if self.study.direction == StudyDirection.MAXIMIZE else math.inf

    @property
    def best_params(self) -> dict[str, Any]:
        """The LightGBM parameters of the best trial so far (before any: LightGBM's
        defaults of the tuned parameters, updated with the given ``params``)."""
        try:
            params = json.loads(self.study.best_trial.system_attrs[PARAMS_KEY])
        except (ValueError, KeyError):
            params = {**DEFAULTS, **self.lgbm_params}
        objective = self.lgbm_params.get("objective")
        if callable(objective):  # a custom objective is kept by name only
            params["objective"] = objective
        return dict(params)

    @property
    def train_subset(self) -> Any:
        """The sampled part of the train set the trials train on (``sample_size``), or
        None (Optuna's name)."""
        return self._train_subset

    def higher_is_better(self) -> bool:
        """Whether the tuned metric is better when higher (Optuna's name)."""
        return _maximized(self._metric)

    def compare_validation_metrics(self, val_score: float, best_score: float) -> bool:
        """Whether ``val_score`` beats ``best_score`` for the tuned metric (Optuna's
        name)."""
        return val_score > best_score if self.higher_is_better() else val_score < best_score

    def _kept_model(self, kind: str) -> Any:
        """The model of the best trial: kept from this run, or read from ``model_dir``."""
        best = self.study.best_trial.number
        if self._best_model is not None and self._best_model[0] == best:
            return self._best_model[1]
        if self._model_dir is not None:
            path = os.path.join(self._model_dir, f"{best}.pkl")
            if os.path.exists(path):
                with open(path, "rb") as file:
                    return pickle.load(file)
        raise ValueError(
            f"The {kind} of the best trial ({best}) was not trained in this run and no "
            "'model_dir' keeps it: give model_dir to keep the models of every run."
        )

    # -- the steps --------------------------------------------------------------------

    def run(self) -> None:
        """Tune, step by step (each step starts from the best parameters so far):
        ``feature_fraction`` (7 trials on a grid), ``num_leaves`` (20, TPE),
        ``bagging_fraction`` and ``bagging_freq`` (10, TPE), ``feature_fraction`` again
        (6, a finer grid around the best), ``lambda_l1`` and ``lambda_l2`` (20, TPE),
        ``min_child_samples`` (5 on a grid)."""
        self.sample_train_set()
        self.tune_feature_fraction()
        self.tune_num_leaves()
        self.tune_bagging()
        self.tune_feature_fraction_stage2()
        self.tune_regularization_factors()
        self.tune_min_data_in_leaf()

    def sample_train_set(self) -> None:
        """With ``sample_size``, train on the last ``sample_size`` rows of the train set."""
        if self._sample_size is None:
            return
        self.train_set.construct()
        n_rows = self.train_set.num_data()
        if n_rows > self._sample_size:
            self._train_subset = self.train_set.subset(
                np.arange(n_rows - self._sample_size, n_rows)
            )

    def tune_feature_fraction(self, n_trials: int = 7) -> None:
        """Try ``n_trials`` values of ``feature_fraction`` from 0.4 to 1.0."""
        values = np.linspace(0.4, 1.0, n_trials).tolist()
        self._step("feature_fraction", GridSampler({"feature_fraction": values}), n_trials)

    def tune_num_leaves(self, n_trials: int = 20) -> None:
        """Tune ``num_leaves`` from 2 to 2 ** max_depth (2 ** 8 without a max_depth)."""
        self._step("num_leaves", self._tpe(), n_trials)

    def tune_bagging(self, n_trials: int = 10) -> None:
        """Tune ``bagging_fraction`` (0.4 to 1.0) and ``bagging_freq`` (1 to 7)."""
        self._step("bagging", self._tpe(), n_trials)

    def tune_feature_fraction_stage2(self, n_trials: int = 6) -> None:
        """Try ``n_trials`` values of ``feature_fraction`` within 0.08 of the best."""
        best = float(self.best_params["feature_fraction"])
        grid = np.linspace(best - 0.08, best + 0.08, n_trials)
        values = [float(v) for v in grid if 0.4 <= v <= 1.0]
        sampler = GridSampler({"feature_fraction": values})
        self._step("feature_fraction_stage2", sampler, len(values))

    def tune_regularization_factors(self, n_trials: int = 20) -> None:
        """Tune ``lambda_l1`` and ``lambda_l2`` (1e-8 to 10, log scale)."""
        self._step("regularization_factors", self._tpe(), n_trials)

    def tune_min_data_in_leaf(self) -> None:
        """Try ``min_child_samples`` of 5, 10, 25, 50 and 100."""
        grid = GridSampler({"min_child_samples": [5, 10, 25, 50, 100]})
        self._step("min_child_samples", grid, 5)

    def _tpe(self) -> TPESampler:
        return TPESampler(seed=self._optuna_seed)

    def _suggest(self, step: str, trial: Trial) -> dict[str, Any]:
        """The parameters a step tunes, suggested for ``trial``."""
        if step in ("feature_fraction", "feature_fraction_stage2"):
            # The grid's values (1.0 included) lie inside; 1.0 + a hair keeps the top
            # inside the distribution however the grid rounds it.
            fraction = trial.suggest_float("feature_fraction", 0.4, 1.0 + 1e-12)
            return {"feature_fraction": min(fraction, 1.0)}
        if step == "num_leaves":
            depth = self.lgbm_params.get("max_depth", _DEFAULT_DEPTH)
            top = 2 ** (depth if isinstance(depth, int) and depth > 0 else _DEFAULT_DEPTH)
            return {"num_leaves": trial.suggest_int("num_leaves", 2, top)}
        if step == "bagging":
            fraction = trial.suggest_float("bagging_fraction", 0.4, 1.0 + 1e-12)
            return {
                "bagging_fraction": min(fraction, 1.0),
                "bagging_freq": trial.suggest_int("bagging_freq", 1, 7),
            }
        if step == "regularization_factors":
            return {
                "lambda_l1": trial.suggest_float("lambda_l1", 1e-8, 10.0, log=True),
                "lambda_l2": trial.suggest_float("lambda_l2", 1e-8, 10.0, log=True),
            }
        return {"min_child_samples": trial.suggest_int("min_child_samples", 5, 100)}

    def _step(self, step: str, sampler: BaseSampler, n_trials: int) -> None:
        """Run what is left of ``step``'s ``n_trials`` (finished trials of an earlier run
        on the same study count), from the best parameters so far."""
        base = {**self.lgbm_params, **self.best_params}
        done = [
            t
            for t in self.study.get_trials(
                deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
            )
            if t.system_attrs.get(STEP_KEY) == step
        ]
        if self._started is None:
            self._started = time.monotonic()
        timeout = None
        if self._time_budget is not None:
            timeout = self._time_budget - (time.monotonic() - self._started)
            if timeout <= 0:
                return
        if n_trials - len(done) <= 0:
            return
        train_set = self.train_set if self._train_subset is None else self._train_subset

        def objective(trial: Trial) -> float:
            params = {**base, **self._suggest(step, trial)}
            start = time.perf_counter()
            model, score, n_iterations = self._fit(params, train_set)
            elapsed = time.perf_counter() - start
            trial.set_system_attr(ELAPSED_KEY, elapsed)
            trial.set_system_attr(ITERATION_TIME_KEY, elapsed / max(n_iterations, 1))
            trial.set_system_attr(PARAMS_KEY, json.dumps(_storable(params)))
            if model is not None:
                self._keep(trial.number, model, score)
            return score

        sampler_before = self.study.sampler
        self.study.sampler = _StepSampler(sampler, step)
        # As Optuna's tuner: a callback sees the step's study (its trials, its best).
        view = _step_view(self.study, step)
        callbacks = [
            functools.partial(_in_view, callback, view) for callback in self._optuna_callbacks or []
        ]
        try:
            # Once around the step, not around each fit: changing the filters makes
            # Python show again a warning it had shown (one line per trial).
            with warnings.catch_warnings():
                # A subset of the train set (sample_size) or a set built on it
                # (reference=) gets the trial's parameters, as meant: not a warning.
                warnings.filterwarnings("ignore", "Overriding the parameters from Reference")
                self.study.optimize(
                    objective,
                    n_trials=n_trials - len(done),
                    timeout=timeout,
                    callbacks=callbacks,
                    show_progress_bar=self._show_progress_bar
                    and importlib.util.find_spec("tqdm") is not None,
                )
        finally:
            self.study.sampler = sampler_before

    def _keep(self, number: int, model: Any, score: float) -> None:
        """Keep ``model`` if its trial beats the study's best so far (the trial itself is
        still running); save it to ``model_dir``."""
        if self._model_dir is not None:
            with open(os.path.join(self._model_dir, f"{number}.pkl"), "wb") as file:
                pickle.dump(model, file)
        sign = -1.0 if self.study.direction == StudyDirection.MAXIMIZE else 1.0
        if sign * score < sign * self.best_score:
            self._best_model = (number, model)

    @abc.abstractmethod
    def _fit(self, params: dict[str, Any], train_set: Any) -> tuple[Any, float, int]:
        """Train with ``params``: the model to keep (or None), the score, the rounds."""

    def _score(self, results: dict[str, Any], where: str) -> float:
        """The tuned metric's value among LightGBM's ``results`` (metric -> value)."""
        if self._metric is None:
            if not results:
                raise ValueError(f"LightGBM reported no metric on {where}.")
            return float(next(iter(results.values())))
        if self._metric not in results:
            raise invalid(
                "params['metric']",
                self._owner,
                f"a metric LightGBM reports on {where} ({sorted(results)})",
                self._metric,
            )
        return float(results[self._metric])


class LightGBMTuner(_BaseTuner):
    """Tune LightGBM step by step on a validation set (Optuna's ``LightGBMTuner``).

    ``run()`` tunes ``feature_fraction``, ``num_leaves``, ``bagging_fraction`` and
    ``bagging_freq``, ``feature_fraction`` again, ``lambda_l1`` and ``lambda_l2``, then
    ``min_child_samples``, each step from the best parameters so far; every trial is one
    ``lightgbm.train`` with the given arguments. The score is the tuned metric on the
    last of ``valid_sets``: ``params["metric"]`` (the last one if several; ``ndcg`` and
    ``map`` at the first ``eval_at``), or LightGBM's default metric of the objective;
    with early stopping, its best round's. The study maximizes it for ``auc``,
    ``auc_mu``, ``ndcg``, ``map`` and ``average_precision`` and minimizes it otherwise.

    Every trial is a trial of ``study`` (one is made if none is given), with its
    step's name and full LightGBM parameters in ``system_attrs`` (Optuna's keys): a
    study given again resumes, each step counting the trials it has already run.

    Args:
        params: LightGBM parameters; those tuned start from these values.
        train_set: The training ``lightgbm.Dataset``.
        num_boost_round: Boosting rounds of each trial.
        valid_sets: Validation datasets (required); the last one is scored.
        valid_names: Their names, as in ``lightgbm.train``.
        feval: A custom evaluation function, as in ``lightgbm.train``.
        feature_name: As in ``lightgbm.train`` (LightGBM < 4.6 only).
        categorical_feature: As in ``lightgbm.train`` (LightGBM < 4.6 only).
        keep_training_booster: As in ``lightgbm.train``.
        callbacks: LightGBM callbacks of every trial (``lightgbm.early_stopping``...).
        time_budget: Seconds for the whole run; a step that starts after it runs
            nothing, a running one stops after its current trial.
        sample_size: Train on the last ``sample_size`` rows only.
        study: The study to record the trials in; its direction must be the metric's.
        optuna_callbacks: Callbacks of ``study.optimize``.
        model_dir: A directory where every trial's booster is pickled
            (``<trial number>.pkl``), so that ``get_best_booster`` works after a
            resumed run too.
        show_progress_bar: A progress bar for each step, when tqdm is installed.
        optuna_seed: Seed of the samplers of the steps.

    Raises:
        InvalidParameterError: ``valid_sets`` is None, a study of the other direction,
            or a bad number.
        InvalidParameterTypeError: ``params`` is not a dict or ``train_set`` not a
            ``lightgbm.Dataset``.
        MissingDependencyError: LightGBM is not installed.

    Example:
        >>> import fastune.integration.lightgbm as lgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> train, valid = lgb.Dataset(X[:400], y[:400]), lgb.Dataset(X[400:], y[400:])
        >>> params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1}
        >>> tuner = lgb.LightGBMTuner(params, train, num_boost_round=10, valid_sets=[valid],
        ...                           show_progress_bar=False, optuna_seed=0)
        >>> tuner.tune_num_leaves(n_trials=3)
        >>> len(tuner.study.trials), tuner.best_params["num_leaves"] >= 2
        (3, True)
    """

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        num_boost_round: int = 1000,
        valid_sets: Any = None,
        valid_names: Any = None,
        feval: Callable[..., Any] | None = None,
        feature_name: Any = None,
        categorical_feature: Any = None,
        keep_training_booster: bool = False,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: float | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        model_dir: str | None = None,
        *,
        show_progress_bar: bool = True,
        optuna_seed: int | None = None,
    ) -> None:
        if valid_sets is None:
            raise invalid(
                "valid_sets", "LightGBMTuner", "a lightgbm.Dataset or a list of them", None
            )
        super().__init__(
            params,
            train_set,
            num_boost_round,
            callbacks,
            feval,
            time_budget,
            sample_size,
            study,
            optuna_callbacks,
            model_dir,
            show_progress_bar,
            optuna_seed,
        )
        self._valid_sets = valid_sets if isinstance(valid_sets, (list, tuple)) else [valid_sets]
        if isinstance(valid_names, str):
            valid_names = [valid_names]
        self._valid_names = valid_names
        self._train_options: dict[str, Any] = {"keep_training_booster": keep_training_booster}
        self._train_options.update(_dataset_options(feature_name, categorical_feature))

    def _fit(self, params: dict[str, Any], train_set: Any) -> tuple[Any, float, int]:
        valid_sets = [copy.copy(dataset) for dataset in self._valid_sets]
        booster = self._lgb.train(
            params,
            copy.copy(train_set),
            num_boost_round=self._num_boost_round,
            valid_sets=valid_sets,
            valid_names=self._valid_names,
            feval=self._feval,
            callbacks=self._callbacks,
            **self._train_options,
        )
        # The last validation set's results (of the best round, with early stopping).
        last = list(booster.best_score)[-1] if booster.best_score else "the validation set"
        results = dict(booster.best_score.get(last, {}))
        score = self._score(results, f"the validation set {last!r}")
        return booster, score, booster.current_iteration()

    def get_best_booster(self) -> Any:
        """The booster of the best trial.

        Raises:
            ValueError: no trial is complete, or the best one was trained in an earlier
                run and no ``model_dir`` keeps its booster.
        """
        return self._kept_model("booster")


class LightGBMTunerCV(_BaseTuner):
    """Tune LightGBM step by step by cross-validation (Optuna's ``LightGBMTunerCV``).

    As :class:`LightGBMTuner`, with each trial one ``lightgbm.cv``: the score is the
    tuned metric's mean over the folds after the last round (the best round's, with
    early stopping).

    Args:
        params: LightGBM parameters; those tuned start from these values.
        train_set: The ``lightgbm.Dataset`` to cross-validate on.
        num_boost_round: Boosting rounds of each trial.
        folds: Folds, as in ``lightgbm.cv`` (a splitter or (train, test) index pairs).
        nfold: Number of folds without ``folds``.
        stratified: Stratified folds, as in ``lightgbm.cv``.
        shuffle: Shuffle before splitting, as in ``lightgbm.cv``.
        feval: A custom evaluation function, as in ``lightgbm.cv``.
        feature_name: As in ``lightgbm.cv`` (LightGBM < 4.6 only).
        categorical_feature: As in ``lightgbm.cv`` (LightGBM < 4.6 only).
        fpreproc: Preprocessing of each fold, as in ``lightgbm.cv``.
        seed: Seed of the folds, as in ``lightgbm.cv``.
        callbacks: LightGBM callbacks of every trial.
        time_budget: Seconds for the whole run (as :class:`LightGBMTuner`).
        sample_size: Cross-validate on the last ``sample_size`` rows only.
        study: The study to record the trials in; its direction must be the metric's.
        optuna_callbacks: Callbacks of ``study.optimize``.
        show_progress_bar: A progress bar for each step, when tqdm is installed.
        model_dir: A directory where every trial's ``CVBooster`` is pickled (with
            ``return_cvbooster``).
        return_cvbooster: Keep each trial's ``lightgbm.CVBooster``, for
            :meth:`get_best_booster`.
        optuna_seed: Seed of the samplers of the steps.

    Raises:
        InvalidParameterError: a study of the other direction or a bad number.
        InvalidParameterTypeError: ``params`` is not a dict or ``train_set`` not a
            ``lightgbm.Dataset``.
        MissingDependencyError: LightGBM is not installed.
    """

    _owner = "LightGBMTunerCV"

    def __init__(
        self,
        params: dict[str, Any],
        train_set: Any,
        num_boost_round: int = 1000,
        folds: Any = None,
        nfold: int = 5,
        stratified: bool = True,
        shuffle: bool = True,
        feval: Callable[..., Any] | None = None,
        feature_name: Any = None,
        categorical_feature: Any = None,
        fpreproc: Callable[..., Any] | None = None,
        seed: int = 0,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: float | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        *,
        show_progress_bar: bool = True,
        model_dir: str | None = None,
        return_cvbooster: bool = False,
        optuna_seed: int | None = None,
    ) -> None:
        super().__init__(
            params,
            train_set,
            num_boost_round,
            callbacks,
            feval,
            time_budget,
            sample_size,
            study,
            optuna_callbacks,
            model_dir,
            show_progress_bar,
            optuna_seed,
        )
        check_int(nfold, "nfold", self._owner, low=2)
        self._cv_options: dict[str, Any] = {
            "folds": folds,
            "nfold": nfold,
            "stratified": stratified,
            "shuffle": shuffle,
            "fpreproc": fpreproc,
            "seed": seed,
            "return_cvbooster": return_cvbooster,
        }
        self._cv_options.update(_dataset_options(feature_name, categorical_feature))

    def _fit(self, params: dict[str, Any], train_set: Any) -> tuple[Any, float, int]:
        results = self._lgb.cv(
            params,
            copy.copy(train_set),
            num_boost_round=self._num_boost_round,
            feval=self._feval,
            callbacks=self._callbacks,
            **self._cv_options,
        )
        cvbooster = results.pop("cvbooster", None)
        # "valid <metric>-mean" (LightGBM 4; "<metric>-mean" before): the last round's.
        means = {
            key.removeprefix("valid ").removesuffix("-mean"): values
            for key, values in results.items()
            if key.endswith("-mean") and not key.startswith("train ")
        }
        rounds = max((len(values) for values in means.values()), default=0)
        scores = {name: values[-1] for name, values in means.items()}
        return cvbooster, self._score(scores, "the validation folds"), rounds

    def get_best_booster(self) -> Any:
        """The ``lightgbm.CVBooster`` of the best trial.

        Raises:
            ValueError: ``return_cvbooster`` was not set, no trial is complete, or the
                best one ran in an earlier run and no ``model_dir`` keeps its models.
        """
        if not self._cv_options["return_cvbooster"]:
            raise ValueError("get_best_booster needs return_cvbooster=True.")
        return self._kept_model("CVBooster")


def train(
    params: dict[str, Any],
    train_set: Any,
    num_boost_round: int = 1000,
    valid_sets: Any = None,
    valid_names: Any = None,
    feval: Callable[..., Any] | None = None,
    feature_name: Any = None,
    categorical_feature: Any = None,
    keep_training_booster: bool = False,
    callbacks: list[Callable[..., Any]] | None = None,
    time_budget: float | None = None,
    sample_size: int | None = None,
    study: Study | None = None,
    optuna_callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
    model_dir: str | None = None,
    *,
    show_progress_bar: bool = True,
    optuna_seed: int | None = None,
) -> Any:
    """``lightgbm.train`` that tunes its parameters first (Optuna's
    ``optuna.integration.lightgbm.train``): runs a :class:`LightGBMTuner` with these
    arguments and returns the best trial's booster."""
    tuner = LightGBMTuner(
        params,
        train_set,
        num_boost_round=num_boost_round,
        valid_sets=valid_sets,
        valid_names=valid_names,
        feval=feval,
        feature_name=feature_name,
        categorical_feature=categorical_feature,
        keep_training_booster=keep_training_booster,
        callbacks=callbacks,
        time_budget=time_budget,
        sample_size=sample_size,
        study=study,
        optuna_callbacks=optuna_callbacks,
        model_dir=model_dir,
        show_progress_bar=show_progress_bar,
        optuna_seed=optuna_seed,
    )
    tuner.run()
    return tuner.get_best_booster()


def _step_view(study: Study, step: str) -> Study:
    """The study as one tuning step sees it: that step's trials only."""
    return study_view(study, lambda t: t.system_attrs.get(STEP_KEY) == step, ("step", step))


def _in_view(
    callback: Callable[[Study, FrozenTrial], None], view: Study, study: Study, trial: FrozenTrial
) -> None:
    """Call an ``optimize`` callback with the step's view of the study."""
    callback(view, trial)


def _canonical(params: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``params`` with parameters and metrics under their main names, as
    Optuna's tuner renames them (an alias gives its value to the main name, which the
    tuner then sets)."""
    params = copy.deepcopy(params)
    for name, aliases in _PARAMETER_ALIASES.items():
        for alias in aliases:
            if alias in params:
                params.setdefault(name, params.pop(alias))
                params.pop(alias, None)
    metric = params.get("metric")
    if isinstance(metric, str):
        params["metric"] = _CANONICAL_METRIC.get(metric, metric)
    elif isinstance(metric, (list, tuple)):
        params["metric"] = [_CANONICAL_METRIC.get(m, m) for m in metric]
    return params


def _target_metric(params: dict[str, Any]) -> str | None:
    """The name LightGBM reports the tuned metric under (None: its default metric of the
    objective, the first it reports)."""
    metric = params.get("metric")
    if metric is None:  # ranking objectives report ndcg, the others their own loss
        metric = "ndcg" if _CANONICAL_METRIC.get(str(params.get("objective"))) == "ndcg" else ""
    if isinstance(metric, str):
        metric = [m.strip() for m in metric.split(",") if m.strip()]
    names = list(metric)
    if not names or names[-1] in ("None", "none", "null", "na", "custom"):
        return None
    name = _CANONICAL_METRIC.get(names[-1], names[-1])
    if name in ("ndcg", "map"):
        at = params.get("eval_at", params.get(f"{name}_eval_at", params.get(f"{name}_at", 1)))
        first = at[0] if isinstance(at, (list, tuple)) else at
        return f"{name}@{int(first)}"
    return str(name)


def _dataset_options(feature_name: Any, categorical_feature: Any) -> dict[str, Any]:
    """The arguments ``feature_name`` and ``categorical_feature`` of ``lightgbm.train``
    and ``lightgbm.cv`` that were given (LightGBM 4.6 removed them)."""
    given = {"feature_name": feature_name, "categorical_feature": categorical_feature}
    return {name: value for name, value in given.items() if value is not None}


def _maximized(metric: str | None) -> bool:
    return metric is not None and metric.split("@")[0] in _MAXIMIZED


def _storable(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as JSON can keep them: a custom objective by its name."""
    kept = dict(params)
    objective = kept.get("objective")
    if callable(objective):
        kept["objective"] = getattr(objective, "__name__", repr(objective))
    return kept
