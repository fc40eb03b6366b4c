"""Small declarative checks for user-facing arguments.

Every check raises with one message shape, naming the parameter, the owner, what is
allowed and the value received: "The 'x' parameter of Y must be ... Got ... instead."
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError, UnknownKeyError

__all__ = [
    "check_choice",
    "check_exception_classes",
    "check_int",
    "check_joblib_n_jobs",
    "check_number",
    "invalid",
    "invalid_type",
]


def _message(name: str, owner: str, allowed: str, value: Any) -> str:
    return f"The '{name}' parameter of {owner} must be {allowed}. Got {value!r} instead."


def invalid(name: str, owner: str, allowed: str, value: Any) -> InvalidParameterError:
    """Build the error for an argument whose value is outside what is allowed."""
    return InvalidParameterError(_message(name, owner, allowed, value))


def unknown_key(name: str, owner: str, allowed: str, value: Any) -> UnknownKeyError:
    """Build the error for a name that is not among those there (a metric)."""
    return UnknownKeyError(_message(name, owner, allowed, value))


def invalid_type(name: str, owner: str, allowed: str, value: Any) -> InvalidParameterTypeError:
    """Build the error for an argument of a type that is not allowed."""
    return InvalidParameterTypeError(_message(name, owner, allowed, value))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(
    value: Any,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    allow_none: bool = False,
) -> float | None:
    """Check that ``value`` is a finite real number inside an interval and return it."""
    if value is None and allow_none:
        return None
    allowed = _interval_text("a finite real number", low, high, low_inclusive)
    if allow_none:
        allowed += " or None"
    if not _is_real(value):
        raise invalid_type(name, owner, allowed, value)
    number = float(value)
    if not math.isfinite(number) or _outside(number, low, high, low_inclusive):
        raise invalid(name, owner, allowed, value)
    return number


def check_int(
    value: Any,
    name: str,
    owner: str,
    *,
    low: int | None = None,
    high: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Check that ``value`` is an integer (not a bool) inside an interval and return it."""
    if value is None and allow_none:
        return None
    allowed = _interval_text("an int", low, high, True)
    if allow_none:
        allowed += " or None"
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise invalid_type(name, owner, allowed, value)
    number = int(value)
    if _outside(number, low, high, True):
        raise invalid(name, owner, allowed, value)
    return number


def check_exception_classes(catch: Any, owner: str) -> tuple[type[BaseException], ...]:
    """``catch`` (an exception class, an iterable of them, or None for none) as a tuple."""
    if catch is None:
        return ()
    classes = (catch,) if isinstance(catch, type) else catch
    if isinstance(classes, (str, bytes)) or not isinstance(classes, Iterable):
        raise invalid_type("catch", owner, "an exception class or a tuple of them", catch)
    classes = tuple(classes)
    if not all(isinstance(c, type) and issubclass(c, BaseException) for c in classes):
        raise invalid_type("catch", owner, "an exception class or a tuple of them", catch)
    return classes


def check_joblib_n_jobs(n_jobs: Any, owner: str) -> int | None:
    """``n_jobs`` as joblib reads it: None, or an int other than 0 (-1: one per CPU)."""
    if n_jobs is not None and check_int(n_jobs, "n_jobs", owner) == 0:
        raise invalid("n_jobs", owner, "an int other than 0 (-1: one per CPU) or None", n_jobs)
    return n_jobs


def check_choice(value: Any, name: str, owner: str, options: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``options`` and return it."""
    options = list(options)
    if value not in options:
        allowed = "one of " + ", ".join(repr(option) for option in options)
        raise invalid(name, owner, allowed, value)
    return value


def _outside(number: float, low: float | None, high: float | None, low_inclusive: bool) -> bool:
    if low is not None and (number < low or (number == low and not low_inclusive)):
        return True
    return high is not None and number > high


def _interval_text(kind: str, low: float | None, high: float | None, low_inclusive: bool) -> str:
    if low is not None and high is not None:
        bracket = "[" if low_inclusive else "("
        return f"{kind} in the range {bracket}{low}, {high}]"
    if low is not None:
        return f"{kind} {'>=' if low_inclusive else '>'} {low}"
    if high is not None:
        return f"{kind} <= {high}"
    return kind
