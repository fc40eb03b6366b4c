"""What fastune's search estimators share: the scikit-learn estimator contract.

A search estimator fits candidates on cross-validation folds, keeps one row of
``cv_results_`` per trial of its study, and, with ``refit``, delegates prediction to
``best_estimator_``. Prediction methods exist only when the wrapped estimator has them.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags, indexable
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from fastune._validation import invalid, invalid_type
from fastune.distributions import BaseDistribution, as_distribution
from fastune.exceptions import FastuneError
from fastune.sklearn._cv_trainable import CVTrainable
from fastune.sklearn._scoring import resolve_scorers
from fastune.trial import FrozenTrial

__all__ = ["BaseSearch"]


def _refit_only(search: Any, attr: str) -> None:
    if not search.refit:
        raise AttributeError(
            f"This {type(search).__name__} was created with refit=False: '{attr}' needs a "
            "model refitted on the best parameters (fit one yourself from best_params_)."
        )


def _delegates(attr: str) -> Callable[[Any], bool]:
    def check(search: Any) -> bool:
        _refit_only(search, attr)
        getattr(
            search.best_estimator_ if hasattr(search, "best_estimator_") else search.estimator, attr
        )
        return True

    return check


def _check_square(X: Any, owner: str, estimator: str) -> None:
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != shape[1]:
        raise invalid(
            "X",
            owner,
            f"a square matrix (n_samples, n_samples), as {estimator} takes precomputed "
            "kernels or affinities",
            shape if shape is not None else type(X).__name__,
        )


class BaseSearch(MetaEstimatorMixin, BaseEstimator):
    """The estimator contract shared by :class:`PBTSearchCV` and :class:`FastuneSearchCV`.

    Subclasses store their arguments in ``__init__`` and implement :meth:`fit` with the
    helpers here.
    """

    estimator: Any
    param_distributions: Any
    cv: Any
    scoring: Any
    refit: Any
    error_score: Any
    return_train_score: bool

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = copy.deepcopy(inner.classifier_tags)
        tags.regressor_tags = copy.deepcopy(inner.regressor_tags)
        # The search hands X and y to the estimator untouched, so it accepts exactly the
        # inputs and targets the estimator accepts (NaN in X, 2-D y, pairwise X, ...).
        tags.input_tags = copy.deepcopy(inner.input_tags)
        tags.target_tags = copy.deepcopy(inner.target_tags)
        return tags

    # -- validation and set-up ----------------------------------------------------------

    def _space(self) -> dict[str, BaseDistribution]:
        owner = type(self).__name__
        if not isinstance(self.param_distributions, Mapping) or not self.param_distributions:
            raise invalid(
                "param_distributions",
                owner,
                "a non-empty dict of parameter name -> spec",
                self.param_distributions,
            )
        valid = sorted(self.estimator.get_params(deep=True))
        space = {}
        for name, spec in self.param_distributions.items():
            if name not in valid:
                raise invalid(
                    "param_distributions",
                    owner,
                    f"keyed by parameters of {type(self.estimator).__name__} ({valid})",
                    name,
                )
            try:
                space[name] = as_distribution(spec, name)
            except FastuneError as error:
                raise type(error)(f"param_distributions[{name!r}]: {error}") from None
        return space

    def _prepare(
        self, X: Any, y: Any, groups: Any
    ) -> tuple[Any, Any, list[tuple[np.ndarray, np.ndarray]]]:
        owner = type(self).__name__
        score = self.error_score
        is_number = isinstance(score, (int, float)) and not isinstance(score, bool)
        if not is_number and not (isinstance(score, str) and score == "raise"):
            raise invalid_type("error_score", owner, "'raise' or a number", score)
        if isinstance(X, list):
            X = np.asarray(X)
        if isinstance(y, list):
            y = np.asarray(y)
        X, y, groups = indexable(X, y, groups)
        if get_tags(self.estimator).input_tags.pairwise:
            _check_square(X, owner, type(self.estimator).__name__)
        with np.errstate(invalid="ignore"):
            # Sniffing the target type casts y to int; a NaN or inf y must fail in the
            # estimator's own validation, not as a numpy cast warning here.
            cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(cv.split(X, y, groups))
        self.n_splits_ = len(splits)
        scorers, self._rank_metric, self.multimetric_ = resolve_scorers(
            self.estimator, self.scoring, self.refit, owner
        )
        self.scorer_ = scorers if self.multimetric_ else scorers["score"]
        self._scorers = scorers
        return X, y, splits

    def _trainable(
        self,
        data: tuple[Any, Any, list[tuple[np.ndarray, np.ndarray]]],
        mode: str,
        resource: str | None,
        n_units: int,
        fit_params: dict[str, Any],
    ) -> CVTrainable:
        """The CV trainable of a search; a grown resource (trees, boosting rounds) is
        spread evenly over ``n_units`` units."""
        X, y, splits = data
        total = 1 if resource is None else int(self.estimator.get_params()[resource])
        return CVTrainable(
            self.estimator,
            X,
            y,
            splits,
            self._scorers,
            self._rank_metric,
            mode,
            resource=resource,
            resource_total=total,
            n_units=n_units,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            fit_params=fit_params,
        )

    # -- results ---------------------------------------------------------------------

    def _store_results(self, trials: list[FrozenTrial], extra: Mapping[str, list[Any]]) -> None:
        """Build ``cv_results_`` (one row per trial), ``best_*`` and the failure report."""
        rows = [t for t in trials if t.user_attrs.get("test_scores")]
        if not rows:
            raise ValueError(f"{type(self).__name__} finished no trial: nothing was fitted.")
        results: dict[str, Any] = {}
        for key in ("fit_time", "score_time"):
            times = np.array([t.user_attrs[key] for t in rows], dtype=float)
            results[f"mean_{key}"] = times.mean(axis=1)
            results[f"std_{key}"] = times.std(axis=1)
        names = list(self.param_distributions)
        for name in names:
            column = np.ma.MaskedArray(np.empty(len(rows), dtype=object), mask=True)
            for index, trial in enumerate(rows):
                if name in trial.params:
                    column[index] = trial.params[name]
            results[f"param_{name}"] = column
        results["params"] = [dict(t.params) for t in rows]
        sets = ["test"] + (["train"] if self.return_train_score else [])
        for metric in self._scorers:
            for kind in sets:
                scores = np.array([t.user_attrs[f"{kind}_scores"][metric] for t in rows])
                for split in range(scores.shape[1]):
                    results[f"split{split}_{kind}_{metric}"] = scores[:, split]
                results[f"mean_{kind}_{metric}"] = scores.mean(axis=1)
                results[f"std_{kind}_{metric}"] = scores.std(axis=1)
            means = results[f"mean_test_{metric}"]
            ranked = np.where(np.isnan(means), -np.inf, means)
            order = np.argsort(-ranked, kind="stable")
            ranks = np.empty(len(rows), dtype=np.int32)
            ranks[order] = np.arange(1, len(rows) + 1)
            for tie in range(1, len(rows)):  # equal means share the better rank
                if ranked[order[tie]] == ranked[order[tie - 1]]:
                    ranks[order[tie]] = ranks[order[tie - 1]]
            results[f"rank_test_{metric}"] = ranks
        for key, values in extra.items():
            results[key] = np.array([values[t.number] for t in rows])
        self.cv_results_ = results
        self._result_trials = rows
        metric = self._rank_metric
        if callable(self.refit):
            index = self.refit(results)
            if not isinstance(index, (int, np.integer)) or not 0 <= index < len(rows):
                raise IndexError(
                    f"best_index_ index out of range: the callable refit of "
                    f"{type(self).__name__} returned {index!r}; an int in "
                    f"[0, {len(rows)}) (a row of cv_results_) is allowed"
                )
            self.best_index_ = int(index)
        else:
            self.best_index_ = int(np.argmin(results[f"rank_test_{metric}"]))
        self.best_params_ = dict(results["params"][self.best_index_])
        self.best_score_ = float(results[f"mean_test_{metric}"][self.best_index_])
        self._warn_failures(rows)

    def _warn_failures(self, rows: list[FrozenTrial]) -> None:
        errors = [e for t in rows for e in t.user_attrs.get("errors", [])]
        n_fits = sum(len(t.user_attrs["fit_time"]) for t in rows)
        if not errors:
            return
        if len(errors) == n_fits:
            raise ValueError(
                f"All the {n_fits} fits failed. The first error: {errors[0]}. Check the "
                "estimator's parameters or set error_score='raise' to see the traceback."
            )
        warnings.warn(
            f"{len(errors)} of {n_fits} fits failed and scored error_score="
            f"{self.error_score!r}. The first error: {errors[0]}",
            FitFailedWarning,
            stacklevel=3,
        )

    # -- delegation to the refitted best estimator -------------------------------------

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score of ``best_estimator_`` on ``(X, y)``, by the metric that ranked candidates."""
        _refit_only(self, "score")
        check_is_fitted(self)
        scorer = self._scorers[self._rank_metric]
        return float(scorer(self.best_estimator_, X, y, **params))

    @available_if(_delegates("predict"))
    def predict(self, X: Any) -> Any:
        """Predict with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X)

    @available_if(_delegates("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """Class probabilities from ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X)

    @available_if(_delegates("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """Class log-probabilities from ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X)

    @available_if(_delegates("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """Decision function of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X)

    @available_if(_delegates("score_samples"))
    def score_samples(self, X: Any) -> Any:
        """Per-sample scores of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.score_samples(X)

    @available_if(_delegates("transform"))
    def transform(self, X: Any) -> Any:
        """Transform with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X)

    @available_if(_delegates("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        """Inverse transform with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X)

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by ``best_estimator_`` (only with ``refit``)."""
        try:
            check_is_fitted(self)
        except NotFittedError as error:
            raise AttributeError(
                f"{type(self).__name__} has no n_features_in_ before fit."
            ) from error
        return int(self.best_estimator_.n_features_in_)

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Names of the features seen by ``best_estimator_`` (only with ``refit`` and
        when it was fitted on data with string column names)."""
        _delegates("feature_names_in_")(self)
        return np.asarray(self.best_estimator_.feature_names_in_)

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of ``best_estimator_`` (only with ``refit`` and a classifier)."""
        _delegates("classes_")(self)
        return np.asarray(self.best_estimator_.classes_)
