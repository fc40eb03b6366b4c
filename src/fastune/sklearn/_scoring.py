"""Scorers of a search: one metric or several, and which one ranks candidates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sklearn.metrics import check_scoring, get_scorer

from fastune._validation import invalid, invalid_type

__all__ = ["resolve_scorers"]


def resolve_scorers(
    estimator: Any, scoring: Any, refit: Any, owner: str
) -> tuple[dict[str, Callable[..., float]], str, bool]:
    """Return the scorers by name, the name of the ranking metric, and whether there are
    several metrics. With several metrics, ``refit`` names the ranking one; when it is
    False or a callable (which picks ``best_index_`` itself), the first metric ranks
    the trials the search optimizes.

    Raises:
        InvalidParameterError: several metrics and ``refit`` is a str or True that does
            not name one of them.
        InvalidParameterTypeError: ``scoring`` of an unknown kind.
    """
    if scoring is None or isinstance(scoring, str) or callable(scoring):
        return {"score": check_scoring(estimator, scoring)}, "score", False
    if isinstance(scoring, (list, tuple, set)):
        scorers = {str(name): get_scorer(name) for name in scoring}
    elif isinstance(scoring, Mapping):
        scorers = {str(name): check_scoring(estimator, s) for name, s in scoring.items()}
    else:
        raise invalid_type(
            "scoring", owner, "None, a str, a callable, a list of str or a dict", scoring
        )
    if not scorers:
        raise invalid("scoring", owner, "a non-empty list or dict", scoring)
    if refit is False or callable(refit):
        return scorers, next(iter(scorers)), True
    if not isinstance(refit, str) or refit not in scorers:
        raise invalid(
            "refit",
            owner,
            f"the name of the metric that ranks candidates, one of {sorted(scorers)}, "
            "False or a callable when 'scoring' has several metrics",
            refit,
        )
    return scorers, refit, True
