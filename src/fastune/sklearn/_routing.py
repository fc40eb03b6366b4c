"""Metadata routing of a search: which parameters of ``fit`` and ``score`` reach the
estimator, each scorer and the splitter.

With scikit-learn's ``enable_metadata_routing`` on, each of them gets what it requested
(``set_fit_request``, ``set_score_request``, ``set_split_request``) and metadata that
none of them requested is an error. With it off, the searches' own rules apply.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sklearn
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from fastune.sklearn._cv_trainable import per_sample

__all__ = ["RoutedParams", "route_fit", "route_score", "routing_enabled", "search_router"]


class RoutedParams(NamedTuple):
    """The parameters of one ``fit`` by recipient, for all rows (folds take theirs).

    Attributes:
        estimator: For the estimator's training method (``fit`` or ``partial_fit``).
        splitter: For the splitter's ``split``.
        scorers: For each scorer, by metric name.
    """

    estimator: dict[str, Any]
    splitter: dict[str, Any]
    scorers: dict[str, dict[str, Any]]


def routing_enabled() -> bool:
    """Whether scikit-learn's metadata routing is on (``sklearn.set_config``)."""
    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def search_router(
    search: Any, scorers: Mapping[str, Callable[..., Any]], training_method: str
) -> MetadataRouter:
    """The routing of ``search``: its ``fit`` trains the estimator by ``training_method``
    (``fit`` or ``partial_fit``), splits with its ``cv`` and scores with its scorers; its
    ``score`` scores."""
    router = MetadataRouter(owner=search)
    router.add(
        estimator=search.estimator,
        method_mapping=MethodMapping().add(caller="fit", callee=training_method),
    )
    # The scorers form a router of their own whose callers are the search's methods, so
    # that an unrequested metadata is reported as passed to the search's fit or score.
    router.add(
        scorer=_scorers_router(search, scorers),
        method_mapping=MethodMapping()
        .add(caller="fit", callee="fit")
        .add(caller="score", callee="score"),
    )
    router.add(splitter=search.cv, method_mapping=MethodMapping().add(caller="fit", callee="split"))
    return router


def route_fit(
    search: Any,
    scorers: Mapping[str, Callable[..., Any]],
    X: Any,
    groups: Any,
    params: dict[str, Any],
    training_method: str,
) -> RoutedParams:
    """Route the parameters of ``search.fit``.

    With routing off: all of ``params`` to the estimator, ``groups`` to the splitter and
    a per-sample ``sample_weight`` also to every scorer that takes one (as
    scikit-learn's searches). With routing on: ``groups`` is metadata like the others.

    Raises:
        UnsetMetadataPassedError: metadata passed that a consumer neither requested nor
            declined.
        TypeError: metadata that no consumer requested.
    """
    if not routing_enabled():
        weights = params.get("sample_weight")
        weighted = {"sample_weight": weights} if per_sample(weights, X) else {}
        return RoutedParams(
            dict(params),
            {"groups": groups},
            {
                name: dict(weighted) if _takes_sample_weight(scorer) else {}
                for name, scorer in scorers.items()
            },
        )
    metadata = dict(params) if groups is None else {**params, "groups": groups}
    routed = process_routing(search, "fit", **metadata)
    return RoutedParams(
        dict(routed["estimator"][training_method]),
        dict(routed["splitter"]["split"]),
        _by_scorer(search, scorers, "fit", routed["scorer"]["fit"]),
    )


def route_score(
    search: Any, scorers: Mapping[str, Callable[..., Any]], params: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The parameters of ``search.score`` by metric, as each scorer requested (routing on).

    Raises:
        UnsetMetadataPassedError, TypeError: as :func:`route_fit`.
    """
    routed = process_routing(search, "score", **params)
    return _by_scorer(search, scorers, "score", routed["scorer"]["score"])


def _scorers_router(search: Any, scorers: Mapping[str, Callable[..., Any]]) -> MetadataRouter:
    """The scorers as one router, each by its metric name, so that each gets only what it
    requested, in the search's ``fit`` and ``score``."""
    router = MetadataRouter(owner=search)
    for name, scorer in scorers.items():
        mapping = (
            MethodMapping().add(caller="fit", callee="score").add(caller="score", callee="score")
        )
        router.add(method_mapping=mapping, **{name: scorer})
    return router


def _by_scorer(
    search: Any, scorers: Mapping[str, Callable[..., Any]], caller: str, params: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Split ``params``, what any scorer requested in the search's ``caller`` method, into
    what each one requested."""
    routed = process_routing(_scorers_router(search, scorers), caller, **params)
    return {name: dict(routed[name]["score"]) for name in scorers}


def _takes_sample_weight(scorer: Callable[..., Any]) -> bool:
    """Whether ``scorer`` takes ``sample_weight`` (scikit-learn's own test for its
    scorers, else its signature)."""
    accepts = getattr(scorer, "_accept_sample_weight", None)
    if accepts is not None:
        return bool(accepts())
    try:
        return "sample_weight" in inspect.signature(scorer).parameters
    except (TypeError, ValueError):  # no signature to read
        return False
