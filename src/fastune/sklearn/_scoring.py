"""Scorers of a search: one metric or several, and which one ranks candidates."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sklearn.metrics import check_scoring, get_scorer

from fastune._validation import invalid, invalid_type

__all__ = ["rank_metric", "resolve_scorers"]


def resolve_scorers(
    estimator: Any, scoring: Any, refit: Any, owner: str
) -> tuple[dict[str, Callable[..., Any]], str, bool]:
    """Return the scorers by name, the name of the ranking metric, and whether there are
    several metrics (see :func:`rank_metric`).

    A callable ``scoring`` is the one scorer "score"; when it returns a dict of several
    metrics, as scikit-learn allows, their names are only known once it has run, and
    :func:`rank_metric` then picks the ranking one among them.

    Raises:
        InvalidParameterError: a list with a name twice, an empty list or dict, or
            several metrics and a ``refit`` that does not name one of them.
        InvalidParameterTypeError: ``scoring`` of an unknown kind.
    """
    if scoring is None or isinstance(scoring, str) or callable(scoring):
        return {"score": check_scoring(estimator, scoring)}, "score", False
    if isinstance(scoring, (list, tuple, set)):
        names = [str(name) for name in scoring]
        if len(set(names)) != len(names):
            raise invalid("scoring", owner, "a list of distinct metric names", scoring)
        scorers = {name: get_scorer(name) for name in names}
    elif isinstance(scoring, Mapping):
        scorers = {str(name): check_scoring(estimator, s) for name, s in scoring.items()}
    else:
        raise invalid_type(
            "scoring", owner, "None, a str, a callable, a list of str or a dict", scoring
        )
    if not scorers:
        raise invalid("scoring", owner, "a non-empty list or dict", scoring)
    return scorers, rank_metric(list(scorers), refit, owner), True


def rank_metric(names: Sequence[str], refit: Any, owner: str) -> str:
    """The metric among several ``names`` that ranks candidates: the one ``refit`` names;
    when ``refit`` is False or a callable (which picks ``best_index_`` itself), the first.

    Raises:
        InvalidParameterError: ``refit`` is a str or True that names none of them.
    """
    if refit is False or callable(refit):
        return names[0]
    if not isinstance(refit, str) or refit not in names:
        raise invalid(
            "refit",
            owner,
            f"the name of the metric that ranks candidates, one of {sorted(names)}, "
            "False or a callable when 'scoring' has several metrics",
            refit,
        )
    return refit
