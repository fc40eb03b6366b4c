"""What fastune's search estimators share: the scikit-learn estimator contract.

A search estimator fits candidates on cross-validation folds, keeps one row of
``cv_results_`` per trial of its study, and, with ``refit``, delegates prediction to
``best_estimator_``. Prediction methods exist only when the wrapped estimator has them.
The parameters of ``fit`` and ``score`` reach the estimator, the scorers and the
splitter through scikit-learn's metadata routing when it is on.
"""

from __future__ import annotations

import contextlib
import copy
import numbers
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import check_cv
from sklearn.utils import get_tags, indexable
from sklearn.utils.metadata_routing import UNUSED, MetadataRouter
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _num_samples, check_is_fitted

from fastune import logging as fastune_logging
from fastune._validation import invalid, invalid_type
from fastune.distributions import BaseDistribution, as_distribution
from fastune.exceptions import FastuneError
from fastune.sklearn._cv_trainable import CVTrainable, per_sample, take
from fastune.sklearn._routing import (
    RoutedParams,
    route_fit,
    route_score,
    routing_enabled,
    search_router,
)
from fastune.sklearn._scoring import rank_metric, resolve_scorers
from fastune.study import Study, StudyDirection
from fastune.study._dataframe import DATAFRAME_ATTRS
from fastune.trial import FrozenTrial, TrialState

__all__ = ["BaseSearch", "quiet_unless_verbose"]


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


@contextlib.contextmanager
def quiet_unless_verbose(verbose: Any) -> Iterator[None]:
    """fastune's log level while a search fits: without ``verbose``, no INFO lines (such
    as "A new study created"); never louder than the level the user set."""
    level = fastune_logging.get_verbosity()
    if not verbose:
        fastune_logging.set_verbosity(max(level, fastune_logging.WARNING))
    try:
        yield
    finally:
        fastune_logging.set_verbosity(level)


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


class FitData(NamedTuple):
    """The data of one fit: X and y made indexable, the folds, the parameters of ``fit``
    by recipient, and the rows the folds are drawn from (sorted)."""

    X: Any
    y: Any
    splits: list[tuple[np.ndarray, np.ndarray]]
    routed: RoutedParams
    rows: np.ndarray


class BaseSearch(MetaEstimatorMixin, BaseEstimator):
    """The estimator contract shared by :class:`PBTSearchCV` and :class:`FastuneSearchCV`.

    Subclasses store their arguments in ``__init__``, say how candidates train in
    ``_training`` and implement :meth:`fit` with the helpers here.
    """

    # ``groups`` of ``fit`` is routed like any metadata (get_metadata_routing): without
    # this, scikit-learn would give the searches a ``set_fit_request`` that does nothing.
    __metadata_request__fit: ClassVar[dict[str, str]] = {"groups": UNUSED}

    estimator: Any
    param_distributions: Any
    cv: Any
    scoring: Any
    refit: Any
    error_score: Any
    return_train_score: bool
    study: Any
    # The training mode of the candidates and the grown resource, for the searched
    # parameter names.
    _training: Callable[[list[str]], tuple[str, str | None]]

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
        self,
        X: Any,
        y: Any,
        groups: Any,
        params: dict[str, Any],
        subsample: Any = 1.0,
        seed: int | None = None,
    ) -> FitData:
        """Check the arguments of ``fit`` and split the data into folds.

        With ``subsample`` below all the rows, the folds hold only the rows drawn (from
        ``seed``), still indexed in the full X: the candidates are scored on them, and
        a model trained on all rows (the refit) sees every sample.
        """
        owner = type(self).__name__
        score = self.error_score
        is_number = isinstance(score, numbers.Real) and not isinstance(score, bool)
        if not is_number and not (isinstance(score, str) and score == "raise"):
            raise invalid_type("error_score", owner, "'raise' or a number", score)
        if not isinstance(self.return_train_score, (bool, np.bool_)):
            raise invalid_type(
                "return_train_score", owner, "True or False", self.return_train_score
            )
        if isinstance(X, list):
            X = np.asarray(X)
        if isinstance(y, list):
            y = np.asarray(y)
        X, y, groups = indexable(X, y, groups)
        if get_tags(self.estimator).input_tags.pairwise:
            _check_square(X, owner, type(self.estimator).__name__)
        scorers, self._rank_metric, self.multimetric_ = resolve_scorers(
            self.estimator, self.scoring, self.refit, owner
        )
        self.scorer_ = scorers if self.multimetric_ else scorers["score"]
        self._scorers = scorers
        routed = route_fit(self, scorers, X, groups, params, self._training_method())
        rows = _search_rows(_num_samples(X), subsample, seed, owner)
        searched = len(rows) < _num_samples(X)
        X_rows, y_rows = (take(X, rows), take(y, rows)) if searched else (X, y)
        split_params = {
            key: take(value, rows) if searched and per_sample(value, X) else value
            for key, value in routed.splitter.items()
        }
        with np.errstate(invalid="ignore"):
            # Sniffing the target type casts y to int; a NaN or inf y must fail in the
            # estimator's own validation, not as a numpy cast warning here.
            cv = check_cv(self.cv, y_rows, classifier=is_classifier(self.estimator))
        splits = [
            (rows[train], rows[test]) if searched else (train, test)
            for train, test in cv.split(X_rows, y_rows, **split_params)
        ]
        if not splits:
            raise ValueError(
                f"{owner} made no fit: its cv ({self.cv!r}) gave no split. A generator "
                "of splits is used up by one fit; give a splitter (KFold(5)) or a list "
                "of (train, test) pairs to fit again."
            )
        self.n_splits_ = len(splits)
        return FitData(X, y, splits, routed, rows)

    def _training_method(self) -> str:
        """The estimator's method that trains the candidates: ``fit`` or ``partial_fit``."""
        mode, _ = self._training(list(self._space()))
        return "partial_fit" if mode == "partial_fit" else "fit"

    def get_metadata_routing(self) -> MetadataRouter:
        """How the parameters of ``fit`` and ``score`` are routed when scikit-learn's
        metadata routing is on (``sklearn.set_config(enable_metadata_routing=True)``).

        ``fit`` passes to the estimator's ``fit`` (``partial_fit`` when the candidates
        train by ``partial_fit``), to each scorer and to the splitter's ``split`` what
        each requested; ``score`` passes to the scorers what they requested.

        Returns:
            A ``MetadataRouter`` with the consumers "estimator", "scorer" (a router of
            the scorers by metric name) and "splitter".
        """
        scorers, _, _ = resolve_scorers(
            self.estimator, self.scoring, self.refit, type(self).__name__
        )
        return search_router(self, scorers, self._training_method())

    def _seed(self) -> int | None:
        """The seed of this fit from ``random_state``: an int as given, None for fresh
        entropy, or drawn from a numpy ``RandomState`` / ``Generator`` (which then gives
        a new seed at each fit, as scikit-learn's estimators).

        Raises:
            InvalidParameterError: a negative int.
            InvalidParameterTypeError: anything else.
        """
        state = self.random_state
        if isinstance(state, np.random.Generator):
            return int(state.integers(np.iinfo(np.int32).max))
        if isinstance(state, np.random.RandomState):
            return int(state.randint(np.iinfo(np.int32).max))
        if state is None:
            return None
        owner = type(self).__name__
        allowed = "an int >= 0, a numpy RandomState or Generator, or None"
        if not isinstance(state, numbers.Integral) or isinstance(state, bool):
            raise invalid_type("random_state", owner, allowed, state)
        if state < 0:
            raise invalid("random_state", owner, allowed, state)
        return int(state)

    def _trainable(
        self, data: FitData, mode: str, resource: str | None, n_units: int
    ) -> CVTrainable:
        """The CV trainable of a search; a grown resource (trees, boosting rounds) is
        spread evenly over ``n_units`` units."""
        total = 1 if resource is None else int(self.estimator.get_params()[resource])
        return CVTrainable(
            self.estimator,
            data.X,
            data.y,
            data.splits,
            self._scorers,
            self._rank_metric,
            mode,
            resource=resource,
            resource_total=total,
            n_units=n_units,
            error_score=self.error_score,
            return_train_score=self.return_train_score,
            fit_params=data.routed.estimator,
            score_params=data.routed.scorers,
            refit=self.refit,
            owner=type(self).__name__,
        )

    def _check_study(self) -> None:
        """Refuse a ``study`` that is not a fastune study maximizing one objective."""
        owner = type(self).__name__
        if self.study is None:
            return
        if not isinstance(self.study, Study):
            raise invalid_type("study", owner, "a fastune Study or None", self.study)
        if self.study.directions != [StudyDirection.MAXIMIZE]:
            # Scores are higher-better: a minimizing study would steer towards the worst.
            directions = [d.name.lower() for d in self.study.directions]
            allowed = 'a study created with direction="maximize" (scores are higher-better)'
            raise invalid("study", owner, allowed, f"a study with directions {directions}")

    def _check_study_scoring(self, study: Study) -> None:
        """Refuse a study whose trials were scored otherwise than this fit scores: their
        rows could not share ``cv_results_``. Checked before a trial is added, so the
        study stays as it was."""
        owner = type(self).__name__
        earlier = "like the trials already in 'study'"
        for trial in study.get_trials(deepcopy=False):
            attrs = trial.user_attrs
            if not attrs.get("test_scores"):
                continue  # not a trial of a search
            n_splits = len(attrs["fit_time"])
            if n_splits != self.n_splits_:
                allowed = f"a cross-validation with {n_splits} splits, {earlier}"
                raise invalid("cv", owner, allowed, self.cv)
            with_train = "train_scores" in attrs
            if with_train != self.return_train_score:
                allowed = f"{with_train}, {earlier}"
                raise invalid("return_train_score", owner, allowed, self.return_train_score)
            metrics = list(attrs["test_scores"])
            # A callable scoring may return a dict: its metrics are known once it has run.
            if not callable(self.scoring) and metrics != list(self._scorers):
                allowed = f"a scoring with the metrics {metrics}, {earlier}"
                raise invalid("scoring", owner, allowed, self.scoring)

    # -- results ---------------------------------------------------------------------

    def _store_results(self, trials: list[FrozenTrial], extra: Mapping[str, list[Any]]) -> None:
        """Build ``cv_results_`` (one row per trial), ``best_*`` and the failure report."""
        rows = [t for t in trials if t.user_attrs.get("test_scores")]
        if not rows:
            raise ValueError(f"{type(self).__name__} finished no trial: nothing was fitted.")
        self._warn_failures(rows)
        metrics = self._settle_metrics(rows)
        results: dict[str, Any] = {}
        for key in ("fit_time", "score_time"):
            times = np.array([t.user_attrs[key] for t in rows], dtype=float)
            results[f"mean_{key}"] = times.mean(axis=1)
            results[f"std_{key}"] = times.std(axis=1)
        for name in self.param_distributions:
            results[f"param_{name}"] = _param_column(name, [t.params for t in rows])
        results["params"] = [dict(t.params) for t in rows]
        sets = ["test"] + (["train"] if self.return_train_score else [])
        for metric in metrics:
            for kind in sets:
                scores = np.array([self._scores_of(t, kind, metric) for t in rows], dtype=float)
                for split in range(scores.shape[1]):
                    results[f"split{split}_{kind}_{metric}"] = scores[:, split]
                means = scores.mean(axis=1)
                if not np.isfinite(means).all():
                    warnings.warn(
                        f"One or more of the {kind} scores are non-finite: {means}",
                        UserWarning,
                        stacklevel=3,
                    )
                results[f"mean_{kind}_{metric}"] = means
                results[f"std_{kind}_{metric}"] = scores.std(axis=1)
            results[f"rank_test_{metric}"] = _ranks(results[f"mean_test_{metric}"])
        for key, values in extra.items():
            results[key] = np.array([values[t.number] for t in rows])
        self.cv_results_ = results
        self._result_trials = rows
        # The best row, as best_trial_ (and PBT's best_schedule_) have it; the public
        # attributes follow scikit-learn's searches: none without refit when several
        # metrics leave the best undefined, no best_score_ after a callable refit.
        self._best_row = self._best_index(results, rows)
        for name in ("best_index_", "best_params_", "best_score_"):
            self.__dict__.pop(name, None)  # an earlier fit's
        if self.refit is not False or not self.multimetric_:
            self.best_index_ = self._best_row
            self.best_params_ = dict(results["params"][self._best_row])
            if not callable(self.refit):
                self.best_score_ = float(results[f"mean_test_{self._rank_metric}"][self._best_row])

    def _settle_metrics(self, rows: list[FrozenTrial]) -> list[str]:
        """Return the metrics of the rows: the scorers', or the names a lone callable
        scoring returned a dict of; these are several, so ``multimetric_`` becomes True
        and ``refit`` picks the ranking one."""
        named = list(self._scorers)
        returned = (list(t.user_attrs["test_scores"]) for t in rows)
        metrics = next((names for names in returned if names != named), named)
        if metrics != named:
            self.multimetric_ = True
            self._rank_metric = rank_metric(metrics, self.refit, type(self).__name__)
        return metrics

    def _scores_of(self, trial: FrozenTrial, kind: str, metric: str) -> list[float]:
        by_metric = trial.user_attrs[f"{kind}_scores"]
        # A trial whose every fold failed never learnt the metrics a callable returns.
        return list(by_metric.get(metric, [self.error_score] * len(trial.user_attrs["fit_time"])))

    def _best_index(self, results: dict[str, Any], rows: list[FrozenTrial]) -> int:
        """The row ``refit`` picks: a callable's answer, or the best ranked row of a
        complete trial (as Optuna's ``best_trial``: a pruned trial's scores are those of
        a shorter training), of any trial when none is complete."""
        n_rows = len(rows)
        if not callable(self.refit):
            ranks = np.asarray(results[f"rank_test_{self._rank_metric}"], dtype=float)
            complete = np.array([t.state == TrialState.COMPLETE for t in rows])
            if complete.any():
                ranks = np.where(complete, ranks, np.inf)
            return int(np.argmin(ranks))
        index = self.refit(results)
        owner = type(self).__name__
        if not isinstance(index, numbers.Integral):
            raise TypeError(
                f"best_index_ returned is not an integer: the callable refit of {owner} "
                f"returned {index!r}; an int in [0, {n_rows}) (a row of cv_results_) is "
                "allowed"
            )
        if not 0 <= int(index) < n_rows:
            raise IndexError(
                f"best_index_ index out of range: the callable refit of {owner} returned "
                f"{index!r}; an int in [0, {n_rows}) (a row of cv_results_) is allowed"
            )
        return int(index)

    def _warn_failures(self, rows: list[FrozenTrial]) -> None:
        errors = [e for t in rows for e in t.user_attrs.get("errors", [])]
        # A fit is a fold of a candidate, however many steps (epochs) trained it.
        n_failed = sum(len(t.user_attrs.get("failed_folds", [])) for t in rows)
        n_fits = sum(len(t.user_attrs["fit_time"]) for t in rows)
        # All failed: no fold of any candidate ends with a model (one that failed at an
        # epoch and trained again from scratch at the next has one).
        n_unfit = sum(len(t.user_attrs.get("unfit_folds", [])) for t in rows)
        if errors and n_unfit == n_fits:
            raise ValueError(
                f"All the {n_fits} fits failed. The first error: {errors[0]}. Check the "
                "estimator's parameters or set error_score='raise' to see the traceback."
            )
        if errors:
            scored = f"scored error_score={self.error_score!r}"
            outcome = f"failed and {scored}"
            if n_unfit < n_failed:
                outcome = (
                    f"failed at a step ({n_failed - n_unfit} trained again from a new "
                    f"estimator at the next step; {n_unfit} failed at their last and {scored})"
                )
            warnings.warn(
                f"{n_failed} of {n_fits} fits {outcome}. The first error: {errors[0]}",
                FitFailedWarning,
                stacklevel=4,
            )
        scoring_errors = [e for t in rows for e in t.user_attrs.get("scoring_errors", [])]
        if scoring_errors:
            warnings.warn(
                f"Scoring failed {len(scoring_errors)} times; those scores were set to "
                f"error_score={self.error_score!r}. The first error: {scoring_errors[0]}",
                UserWarning,
                stacklevel=4,
            )

    # -- delegation to the refitted best estimator -------------------------------------

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score of ``best_estimator_`` on ``(X, y)``, by the metric that ranked candidates.

        Args:
            X, y: The data.
            **params: Keyword arguments of the scorer; with metadata routing on, each
                reaches it only if it requested it (``set_score_request``).

        Raises:
            UnsetMetadataPassedError, TypeError: with metadata routing on, metadata that
                the scorers did not request.
        """
        _refit_only(self, "score")
        check_is_fitted(self)
        # a callable scoring may return several metrics, the ranking one among them
        name = self._rank_metric if self._rank_metric in self._scorers else "score"
        if routing_enabled():
            params = route_score(self, self._scorers, params)[name]
        value = self._scorers[name](self.best_estimator_, X, y, **params)
        return float(value if name == self._rank_metric else value[self._rank_metric])

    @available_if(_delegates("predict"))
    def predict(self, X: Any, **kwargs: Any) -> Any:
        """Predict with ``best_estimator_``; keyword arguments are passed on to it (as
        Optuna's search passes them: ``return_std=True`` of a Bayesian regressor), as
        they are by the methods below."""
        check_is_fitted(self)
        return self.best_estimator_.predict(X, **kwargs)

    @available_if(_delegates("predict_proba"))
    def predict_proba(self, X: Any, **kwargs: Any) -> Any:
        """Class probabilities from ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_proba(X, **kwargs)

    @available_if(_delegates("predict_log_proba"))
    def predict_log_proba(self, X: Any, **kwargs: Any) -> Any:
        """Class log-probabilities from ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.predict_log_proba(X, **kwargs)

    @available_if(_delegates("decision_function"))
    def decision_function(self, X: Any, **kwargs: Any) -> Any:
        """Decision function of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.decision_function(X, **kwargs)

    @available_if(_delegates("score_samples"))
    def score_samples(self, X: Any, **kwargs: Any) -> Any:
        """Per-sample scores of ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.score_samples(X, **kwargs)

    @available_if(_delegates("transform"))
    def transform(self, X: Any, **kwargs: Any) -> Any:
        """Transform with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.transform(X, **kwargs)

    @available_if(_delegates("inverse_transform"))
    def inverse_transform(self, X: Any, **kwargs: Any) -> Any:
        """Inverse transform with ``best_estimator_``."""
        check_is_fitted(self)
        return self.best_estimator_.inverse_transform(X, **kwargs)

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

    # -- the study, under the names of Optuna's OptunaSearchCV -------------------------

    @property
    def best_trial_(self) -> FrozenTrial:
        """The trial of the best row of ``cv_results_`` (``best_index_``), the one
        ``best_params_`` come from; with several metrics and ``refit=False``, where
        those are not set, the best by the first metric. On a new study ranked by one
        metric, this is ``study_.best_trial``, as in Optuna's ``OptunaSearchCV``."""
        check_is_fitted(self, "study_")
        return copy.deepcopy(self._result_trials[self._best_row])

    @property
    def trials_(self) -> list[FrozenTrial]:
        """All the trials of ``study_`` (``study_.trials``), earlier fits' included."""
        check_is_fitted(self, "study_")
        return self.study_.trials

    @property
    def n_trials_(self) -> int:
        """The number of trials in ``study_``."""
        check_is_fitted(self, "study_")
        return len(self.study_.get_trials(deepcopy=False))

    @property
    def user_attrs_(self) -> dict[str, Any]:
        """The user attributes of ``study_`` (``study_.user_attrs``)."""
        check_is_fitted(self, "study_")
        return self.study_.user_attrs

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a value to ``study_`` (``study_.set_user_attr``).

        Raises:
            NotFittedError: before ``fit``.
        """
        check_is_fitted(self, "study_")
        self.study_.set_user_attr(key, value)

    def trials_dataframe(
        self, attrs: Sequence[str] = DATAFRAME_ATTRS, multi_index: bool = False
    ) -> Any:
        """The trials of ``study_`` as a ``pandas.DataFrame`` (``study_.trials_dataframe``).

        The per-trial scores are in the ``user_attrs_*`` columns, such as
        ``user_attrs_mean_test_score``.

        Raises:
            NotFittedError: before ``fit``.
        """
        check_is_fitted(self, "study_")
        return self.study_.trials_dataframe(attrs, multi_index)


def _search_rows(n_samples: int, subsample: Any, seed: int | None, owner: str) -> np.ndarray:
    """The rows a search scores candidates on, sorted: all of them, or ``subsample`` of
    them (a share in (0, 1], as Optuna's rounded down, or a count, all rows when it
    is more) drawn from ``seed``.

    Raises:
        InvalidParameterError: a share or count outside those ranges, or a share that
            leaves no sample.
        InvalidParameterTypeError: neither a float nor an int.
    """
    allowed = (
        "a float in (0, 1] (the share of the samples, at least one sample) or an int "
        ">= 1 (the number of samples; all of them when it is more)"
    )
    if not isinstance(subsample, numbers.Real) or isinstance(subsample, bool):
        raise invalid_type("subsample", owner, allowed, subsample)
    if isinstance(subsample, numbers.Integral):
        count = min(int(subsample), n_samples)  # as Optuna: a count above all is all
    elif 0.0 < float(subsample) <= 1.0:
        count = int(float(subsample) * n_samples)
    else:
        raise invalid("subsample", owner, allowed, subsample)
    if not 1 <= count <= n_samples:
        raise invalid("subsample", owner, allowed, subsample)
    if count == n_samples:
        return np.arange(n_samples)
    return np.sort(np.random.default_rng(seed).choice(n_samples, count, replace=False))


def _ranks(means: np.ndarray) -> np.ndarray:
    """Rank 1 for the best mean score; equal means share the better rank, NaN is last."""
    ranked = np.where(np.isnan(means), -np.inf, means)
    order = np.argsort(-ranked, kind="stable")
    ranks = np.empty(len(means), dtype=np.int32)
    ranks[order] = np.arange(1, len(means) + 1)
    for tie in range(1, len(means)):
        if ranked[order[tie]] == ranked[order[tie - 1]]:
            ranks[order[tie]] = ranks[order[tie - 1]]
    return ranks


def _param_column(name: str, params: list[dict[str, Any]]) -> np.ma.MaskedArray:
    """The ``param_<name>`` column of ``cv_results_``, masked where a row has no value:
    numeric when every value is, as scikit-learn's (objects for strings and sequences)."""
    present = {row: values[name] for row, values in enumerate(params) if name in values}
    try:
        inferred = np.array(list(present.values()))
    except ValueError:  # sequences of different lengths
        dtype = np.dtype(object)
    else:
        numeric = inferred.dtype.kind in "biuf" and inferred.ndim == 1
        dtype = inferred.dtype if numeric else np.dtype(object)
    column = np.ma.MaskedArray(np.empty(len(params), dtype=dtype), mask=True)
    for row, value in present.items():
        column[row] = value
    return column
