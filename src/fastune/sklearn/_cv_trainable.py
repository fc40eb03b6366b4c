"""Cross-validated training of a scikit-learn estimator in steps, for PBT and pruning.

Each fold holds its own model. A step trains every fold's model one unit further and
scores it on the fold's validation part. What a unit is depends on the estimator:

* ``partial_fit``: one pass over the fold's training part (SGD*, MLP*, Perceptron,
  PassiveAggressive, naive Bayes, ...);
* ``grow``: ``warm_start`` with a growing number of trees or boosting iterations
  (``n_estimators`` of forests and gradient boosting, ``max_iter`` of
  HistGradientBoosting), so the ensemble built so far is kept;
* ``boost``: LightGBM and XGBoost models continue boosting from the previous model's
  trees (``init_model`` / ``xgb_model``), ``n_estimators`` rounds spread over the units;
* ``warm_start``: a refit that starts from the previous solution (LogisticRegression,
  linear models, ...);
* ``refit``: a refit from scratch with the current hyperparameters, for estimators that
  cannot continue training (PBT then acts as an evolutionary search).
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import _safe_indexing, get_tags

from fastune._validation import invalid
from fastune.distributions import BaseDistribution, CategoricalDistribution
from fastune.sklearn._scoring import rank_metric

__all__ = [
    "TRAINING_MODES",
    "CVState",
    "CVTrainable",
    "choose_training",
    "estimator_valued",
    "per_sample",
    "take",
]

TRAINING_MODES = ("auto", "partial_fit", "grow", "boost", "warm_start", "refit")
# Parameters that partial_fit fixes at the first call (the network's shape, its solver):
# a later value would be ignored, so a copy keeps its donor's.
STRUCTURAL_PARAMS = ("hidden_layer_sizes", "solver")
# Keyword of ``fit`` that continues boosting from an earlier model, by library.
_CONTINUE_FROM = {"lightgbm": "init_model", "xgboost": "xgb_model"}


def estimator_valued(space: Mapping[str, BaseDistribution]) -> list[str]:
    """The parameters of ``space`` whose choices are estimators (a Pipeline's step): a
    model that trains on keeps the step it trained, so PBT treats them as structural."""
    return [
        name
        for name, distribution in space.items()
        if isinstance(distribution, CategoricalDistribution)
        and any(_is_estimator(choice) for choice in distribution.choices)
    ]


def _is_estimator(value: Any) -> bool:
    return hasattr(value, "get_params") and not isinstance(value, type)


def take(data: Any, indices: np.ndarray) -> Any:
    """Rows ``indices`` of a list, an array, a sparse matrix or a pandas object."""
    return None if data is None else _safe_indexing(data, indices)


def _resource_name(estimator: Any) -> str | None:
    params = estimator.get_params(deep=False)
    if "warm_start" not in params:
        return None
    if "n_estimators" in params:
        return "n_estimators"
    if isinstance(estimator, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return "max_iter"
    return None


def _boosting_library(estimator: Any) -> str | None:
    library = type(estimator).__module__.split(".")[0]
    return library if library in _CONTINUE_FROM else None


def choose_training(
    estimator: Any, training: str, searched: Sequence[str], owner: str
) -> tuple[str, str | None]:
    """Resolve ``training="auto"`` for ``estimator``; return the mode and grown resource.

    Raises:
        InvalidParameterError: an unknown mode, or one the estimator cannot do.
    """
    if training not in TRAINING_MODES:
        raise invalid("training", owner, f"one of {list(TRAINING_MODES)}", training)
    resource = _resource_name(estimator)
    growable = resource is not None and resource not in searched
    boostable = _boosting_library(estimator) is not None and "n_estimators" not in searched
    # A warm-start fit of an ensemble only adds trees or stages when its size goes up:
    # with the size searched, a generation would train nothing, or fail when explore
    # lowers it. Such an ensemble is refitted.
    size_searched = resource is not None and resource in searched
    has_warm_start = "warm_start" in estimator.get_params(deep=False) and not size_searched
    if training == "auto":
        if hasattr(estimator, "partial_fit"):
            return "partial_fit", None
        if growable:
            return "grow", resource
        if boostable:
            return "boost", "n_estimators"
        return ("warm_start" if has_warm_start else "refit"), None
    possible = {
        "partial_fit": hasattr(estimator, "partial_fit"),
        "grow": growable,
        "boost": boostable,
        "warm_start": has_warm_start,
        "refit": True,
    }
    if training == "warm_start" and size_searched:
        raise invalid(
            "training",
            owner,
            f"a mode other than 'warm_start' while {resource!r} of "
            f"{type(estimator).__name__} is searched (a warm-start fit only adds to the "
            f"ensemble when {resource!r} grows; use 'refit', or stop searching {resource!r} "
            f"and use 'grow')",
            training,
        )
    if not possible[training]:
        raise invalid(
            "training",
            owner,
            f"a mode {type(estimator).__name__} supports "
            f"({[mode for mode, ok in possible.items() if ok]})",
            training,
        )
    if training == "boost":
        return training, "n_estimators"
    return training, resource if training == "grow" else None


@dataclasses.dataclass
class CVState:
    """The trained models of one candidate, one per fold, and how far they got."""

    models: list[Any]
    units: int
    rng: np.random.Generator


class CVTrainable:
    """A :class:`fastune.pbt.Trainable` that trains an estimator on every CV fold.

    Args:
        estimator: The unfitted estimator to clone.
        X, y: The data.
        splits: (train indices, validation indices) per fold.
        scorers: Scorers by metric name.
        rank_metric: The metric whose mean over folds is the step's score.
        mode: A resolved training mode (not "auto").
        resource: The grown parameter in "grow" and "boost" modes.
        resource_total: Its value at the end of training (the estimator's own), spread
            evenly over ``n_units`` units: after ``u`` units the model holds
            ``max(1, resource_total * u // n_units)``, so it never ends above the
            estimator's setting (a unit that would add nothing trains nothing).
        n_units: Units of a full training.
        error_score: The score of a fold whose training or scoring fails, or "raise".
        return_train_score: Also score the training parts.
        fit_params: Extra keyword arguments of ``fit``/``partial_fit``, sliced per fold
            when they have one value per sample (a list, an array, a sparse matrix or a
            pandas object as long as X), passed unchanged otherwise.
        score_params: Extra keyword arguments of each scorer, by metric name, sliced as
            ``fit_params``.
        refit: The search's ``refit``; when a lone scorer returns a dict of metrics, it
            names the one that ranks (see :func:`rank_metric`).
        owner: The search, as errors name it.
    """

    def __init__(
        self,
        estimator: Any,
        X: Any,
        y: Any,
        splits: list[tuple[np.ndarray, np.ndarray]],
        scorers: dict[str, Callable[..., float]],
        rank_metric: str,
        mode: str,
        resource: str | None = None,
        resource_total: int = 1,
        n_units: int = 1,
        error_score: Any = math.nan,
        return_train_score: bool = False,
        fit_params: dict[str, Any] | None = None,
        score_params: dict[str, dict[str, Any]] | None = None,
        refit: Any = True,
        owner: str = "the search",
    ) -> None:
        self.estimator = estimator
        self.X = X
        self.y = y
        self.splits = splits
        self.scorers = scorers
        self.rank_metric = rank_metric
        self.mode = mode
        self.resource = resource
        self.resource_total = resource_total
        self.n_units = n_units
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.fit_params = _row_indexable(fit_params or {}, X)
        self.score_params = {
            name: _row_indexable((score_params or {}).get(name, {}), X) for name in scorers
        }
        self.refit = refit
        self.owner = owner
        self.classes = np.unique(y) if is_classifier(estimator) and y is not None else None
        self.pairwise = get_tags(estimator).input_tags.pairwise
        # Workers (threads, processes) start with scikit-learn's default configuration;
        # they train and score under the caller's, metadata routing included (a routed
        # Pipeline or scorer acts on it).
        self.config = sklearn.get_config()

    def init(self, params: dict[str, Any], seed: int) -> CVState:
        return CVState([None] * len(self.splits), 0, np.random.default_rng(seed))

    def step(self, params: dict[str, Any], state: CVState) -> tuple[CVState, float, dict[str, Any]]:
        state.units += 1
        details: dict[str, Any] = {
            "fit_time": [],
            "score_time": [],
            "errors": [],
            "failed_folds": [],
            "scoring_errors": [],
        }
        test_folds, train_folds = [], []
        with sklearn.config_context(**self.config):
            for fold, (train, test) in enumerate(self.splits):
                start = time.perf_counter()
                try:
                    state.models[fold] = self.train(
                        state.models[fold], params, train, state.rng, state.units
                    )
                except Exception as error:
                    if self.error_score == "raise":
                        raise
                    state.models[fold] = None
                    details["errors"].append(f"{type(error).__name__}: {error}")
                    details["failed_folds"].append(fold)
                details["fit_time"].append(time.perf_counter() - start)
                start = time.perf_counter()
                model = state.models[fold]
                test_folds.append(self._score(model, test, train, details["scoring_errors"]))
                if self.return_train_score:
                    train_folds.append(self._score(model, train, train, details["scoring_errors"]))
                details["score_time"].append(time.perf_counter() - start)
        details["test_scores"] = self._by_metric(test_folds)
        if self.return_train_score:
            details["train_scores"] = self._by_metric(train_folds)
        ranking = details["test_scores"][self._ranking_metric(details["test_scores"])]
        return state, float(np.mean(ranking)), details

    def reseed(self, state: CVState, seed: int) -> CVState:
        """``state`` shuffling its epochs from ``seed`` from now on (a copy at exploit:
        it would otherwise shuffle as its donor does)."""
        return dataclasses.replace(state, rng=np.random.default_rng(seed))

    @staticmethod
    def merge_details(steps: list[dict[str, Any]]) -> dict[str, Any]:
        """One segment's details from its steps': fit and score times added up per fold,
        every step's fit and scoring errors, the folds whose fit failed in any step (a
        fold's fit is one however many steps train it), those whose last step failed
        (``unfit_folds``: no model at the end), the last step's scores."""
        merged = dict(steps[-1])
        merged["unfit_folds"] = list(steps[-1]["failed_folds"])
        for key in ("fit_time", "score_time"):
            per_fold = zip(*(d[key] for d in steps), strict=True)
            merged[key] = [float(sum(times)) for times in per_fold]
        for key in ("errors", "scoring_errors"):
            merged[key] = [error for d in steps for error in d[key]]
        merged["failed_folds"] = sorted({fold for d in steps for fold in d["failed_folds"]})
        return merged

    def train(
        self,
        model: Any,
        params: dict[str, Any],
        rows: np.ndarray | None,
        rng: np.random.Generator,
        units: int,
    ) -> Any:
        """Train ``model`` (a new clone if None) one unit on ``rows`` (None: all rows)."""
        previous = model
        if model is None or self.mode in ("refit", "boost"):
            model = clone(self.estimator)
            # clones of estimator-valued choices (a Pipeline step), as scikit-learn's
            # searches: the choices themselves stay unfitted and unchanged
            model.set_params(**clone(params, safe=False))
        else:  # its estimator-valued steps are the ones it has trained (structural in PBT)
            model.set_params(**{k: v for k, v in params.items() if not _is_estimator(v)})
        indices = np.arange(_n_rows(self.X)) if rows is None else rows
        if self.mode == "partial_fit":  # one epoch over the rows, in a fresh order
            indices = indices[rng.permutation(len(indices))]
        fit_params = self._for_rows(self.fit_params, indices)
        with warnings.catch_warnings():
            # Training stops before convergence on purpose: one unit per step.
            warnings.simplefilter("ignore", ConvergenceWarning)
            if self.mode == "partial_fit":
                _sync_optimizer(model, params)
                if self.classes is not None:
                    fit_params["classes"] = self.classes
                model.partial_fit(
                    self._features(indices, indices), take(self.y, indices), **fit_params
                )
                return model
            if self.mode == "grow":
                assert self.resource is not None
                if previous is not None and self._resource_at(units) == self._resource_at(
                    units - 1
                ):
                    return model  # this unit's share rounds to nothing
                model.set_params(warm_start=True, **{self.resource: self._resource_at(units)})
            elif self.mode == "warm_start":
                model.set_params(warm_start=True)
            elif self.mode == "boost":  # a new model that continues the previous one's trees
                added = self._resource_at(units) - self._resource_at(units - 1)
                if previous is not None and added == 0:
                    return previous  # this unit's share rounds to nothing
                # a fold that starts afresh (its model failed) gets the trees so far
                model.set_params(
                    n_estimators=added if previous is not None else self._resource_at(units)
                )
                library = _boosting_library(model)
                if previous is not None and library is not None:
                    fit_params[_CONTINUE_FROM[library]] = (
                        previous.booster_ if library == "lightgbm" else previous.get_booster()
                    )
            model.fit(self._features(indices, indices), take(self.y, indices), **fit_params)
        return model

    def _resource_at(self, units: int) -> int:
        """The grown resource a model holds after ``units`` units (0 before the first)."""
        if units <= 0:
            return 0
        return max(1, self.resource_total * min(units, self.n_units) // self.n_units)

    def _for_rows(self, params: dict[str, Any], rows: np.ndarray) -> dict[str, Any]:
        """``params`` for ``rows``: per-sample values (sample_weight, ...) follow the rows
        they belong to, the others pass unchanged."""
        return {
            key: take(value, rows) if per_sample(value, self.X) else value
            for key, value in params.items()
        }

    def _features(self, rows: np.ndarray, fitted_rows: np.ndarray) -> Any:
        """Rows of X; for a pairwise estimator (precomputed kernel) only the columns of
        the samples the model is fitted on."""
        block = take(self.X, rows)
        return _safe_indexing(block, fitted_rows, axis=1) if self.pairwise else block

    def _score(
        self, model: Any, rows: np.ndarray, fitted_rows: np.ndarray, errors: list[str]
    ) -> dict[str, float]:
        """The scores of ``model`` on ``rows`` by metric: ``error_score`` when the model
        failed, or for a scorer that fails (its error is added to ``errors``)."""
        if model is None:
            return {name: self.error_score for name in self.scorers}
        features = self._features(rows, fitted_rows)
        target = take(self.y, rows)
        scores: dict[str, float] = {}
        for name, scorer in self.scorers.items():
            params = self._for_rows(self.score_params[name], rows)
            try:
                value = scorer(model, features, target, **params)
            except Exception as error:
                if self.error_score == "raise":
                    raise
                errors.append(f"{type(error).__name__}: {error}")
                value = self.error_score
            scores.update(self._metrics(name, value))
        return scores

    def _metrics(self, name: str, value: Any) -> dict[str, float]:
        """What scorer ``name`` returned, by metric: a lone scorer may return a dict of
        several metrics, as scikit-learn's callable ``scoring``."""
        if not isinstance(value, Mapping):
            return {name: float(value)}
        if len(self.scorers) > 1:
            allowed = (
                "a dict of scorers that each return one number, or one callable that "
                "returns a dict of metrics"
            )
            raise invalid("scoring", self.owner, allowed, f"a scorer returning {value}")
        return {str(metric): float(score) for metric, score in value.items()}

    def _by_metric(self, folds: list[dict[str, float]]) -> dict[str, list[float]]:
        """Fold scores by metric. A fold whose model failed under a scorer that returns a
        dict of metrics never learnt their names: it scores ``error_score`` in each."""
        named = list(self.scorers)
        names = next((list(fold) for fold in folds if list(fold) != named), named)
        return {name: [float(fold.get(name, self.error_score)) for fold in folds] for name in names}

    def _ranking_metric(self, test_scores: dict[str, list[float]]) -> str:
        if list(test_scores) == list(self.scorers):
            return self.rank_metric
        return rank_metric(list(test_scores), self.refit, self.owner)

    def train_on_all(self, schedule: Sequence[dict[str, Any]], seed: int) -> Any:
        """Train one model on all rows through a hyperparameter schedule (PBT's refit)."""
        rng = np.random.default_rng(seed)
        if self.mode == "refit":  # nothing carries over between steps: fit the last params
            schedule = schedule[-1:]
            return self.train(None, dict(schedule[0]["params"]), None, rng, 1)
        model, units = None, 0
        current = schedule[0].get("seed") if schedule else None
        for entry in schedule:
            if entry.get("seed", current) != current:  # a copy drew a seed of its own
                current = entry["seed"]
                rng = np.random.default_rng(current)
            for _ in range(int(entry["steps"])):
                units += 1
                model = self.train(model, dict(entry["params"]), None, rng, units)
        if model is not None and self.mode in ("grow", "warm_start"):
            # Training turned warm_start on; the model handed back fits afresh, as the
            # user's estimator would.
            model.set_params(warm_start=self.estimator.get_params()["warm_start"])
        if model is not None and self.mode == "boost":
            # Each unit built a model of its own rounds; the one handed back holds them all.
            model.set_params(n_estimators=self._resource_at(units))
        return model


def _n_rows(data: Any) -> int:
    return int(data.shape[0]) if hasattr(data, "shape") else len(data)


def _row_indexable(params: Mapping[str, Any], X: Any) -> dict[str, Any]:
    """``params`` with per-sample sparse matrices in a format that can be indexed by rows."""
    return {
        key: value.tocsr() if sp.issparse(value) and per_sample(value, X) else value
        for key, value in params.items()
    }


def per_sample(value: Any, X: Any) -> bool:
    """Whether a fit parameter holds one entry per row of X, as scikit-learn's searches
    decide: then each fold gets the entries of its rows."""
    if isinstance(value, (str, bytes, Mapping)):
        return False
    shape = getattr(value, "shape", None)
    if shape is not None:  # arrays, sparse matrices, pandas objects (not numpy scalars)
        return len(shape) > 0 and shape[0] == _n_rows(X)
    return hasattr(value, "__len__") and len(value) == _n_rows(X)


# The settings an MLP copies into its optimizer at its first ``partial_fit``, by solver:
# estimator parameter -> optimizer attribute.
_OPTIMIZER_SETTINGS = {
    "sgd": {
        "learning_rate_init": "learning_rate_init",
        "learning_rate": "lr_schedule",
        "momentum": "momentum",
        "nesterovs_momentum": "nesterov",
        "power_t": "power_t",
    },
    "adam": {
        "learning_rate_init": "learning_rate_init",
        "beta_1": "beta_1",
        "beta_2": "beta_2",
        "epsilon": "epsilon",
    },
}


def _sync_optimizer(model: Any, params: dict[str, Any]) -> None:
    """Make the explored settings reach the optimizer that an MLP built at its first
    ``partial_fit`` (it would otherwise keep training with the first values): the
    learning rate and schedule, momentum and Nesterov's, ``power_t``, Adam's betas and
    epsilon, as the model now holds them."""
    optimizer = getattr(model, "_optimizer", None)
    if optimizer is None:
        return
    settings = model.get_params(deep=False)
    for name, attribute in _OPTIMIZER_SETTINGS.get(settings.get("solver"), {}).items():
        setattr(optimizer, attribute, settings[name])
    if "learning_rate_init" in params:  # the rate in use restarts from the explored one
        optimizer.learning_rate = float(params["learning_rate_init"])
