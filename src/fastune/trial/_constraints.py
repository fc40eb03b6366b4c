"""Constraints of a trial, as Optuna 5 keeps them: ``trial.set_constraint(name, value)``;
the trial is feasible when every value is zero or less.

Each value is a trial system attribute ``"constraints:<name>"``. The older form, a list of
values under ``"constraints"`` (Optuna's ``constraints_func``), is read too, its entries
named ``"0"``, ``"1"``, ...
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid, invalid_type
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial._frozen import FrozenTrial

__all__ = [
    "LIST_KEY",
    "constraint_attr",
    "constraints_of",
    "has_constraints",
    "keep_constraints_func_values",
    "violation",
]

_PREFIX = "constraints:"
#: Where the older form (a list of values, from a ``constraints_func``) is kept.
LIST_KEY = "constraints"


def constraints_of(system_attrs: Mapping[str, Any]) -> dict[str, float]:
    """The constraint values kept in a trial's system attributes, by name."""
    found: dict[str, float] = {}
    listed = system_attrs.get(LIST_KEY)
    if listed is not None:
        found.update((str(index), float(value)) for index, value in enumerate(listed))
    for key, value in system_attrs.items():
        if key.startswith(_PREFIX):
            found[key[len(_PREFIX) :]] = float(value)
    return found


def has_constraints(system_attrs: Mapping[str, Any]) -> bool:
    """Whether a trial has a constraint value (met or not)."""
    return any(key == LIST_KEY or key.startswith(_PREFIX) for key in system_attrs)


def violation(system_attrs: Mapping[str, Any]) -> float:
    """How far a trial is from feasible: the sum of its positive constraint values (0 for a
    feasible trial, and for a trial without constraints)."""
    if not has_constraints(system_attrs):
        return 0.0  # the usual case, and the fast one: no constraint at all
    return sum(value for value in constraints_of(system_attrs).values() if value > 0.0)


def constraint_attr(
    key: Any, value: Any, owner: str, system_attrs: Mapping[str, Any]
) -> tuple[str, float] | None:
    """The system attribute ``(name, value)`` that ``set_constraint(key, value)`` stores, or
    None (with a warning) when that constraint is set already: a constraint is set once.

    Raises:
        InvalidParameterTypeError: ``key`` is not a str, or ``value`` not a number.
        InvalidParameterError: ``value`` is NaN.
    """
    if not isinstance(key, str):
        raise invalid_type("key", owner, "a str (the constraint's name)", key)
    try:  # as Optuna: anything float() takes (numpy and torch scalars too)
        number = float(value)
    except (TypeError, ValueError):
        raise invalid_type("value", owner, "a number (feasible when <= 0)", value) from None
    if math.isnan(number):
        raise invalid("value", owner, "a number that is not NaN (feasible when <= 0)", value)
    name = _PREFIX + key
    if name in system_attrs:
        warnings.warn(
            f"Constraint {key!r} of this trial is set already; the value {value!r} is ignored.",
            UserWarning,
            stacklevel=3,
        )
        return None
    return name, number


def keep_constraints_func_values(
    constraints_func: Callable[[FrozenTrial], Sequence[float]] | None,
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    owner: str,
) -> None:
    """A sampler's ``constraints_func`` (Optuna's older form), run when a trial ends
    complete or pruned: its values are kept as the trial's constraints.

    Raises:
        InvalidParameterError: the function returned a NaN.
    """
    if constraints_func is None or state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    bounds = [float(value) for value in constraints_func(trial)]
    if any(math.isnan(value) for value in bounds):
        raise invalid("constraints_func", owner, "a function returning no NaN", bounds)
    study._storage.set_trial_system_attr(trial._trial_id, LIST_KEY, bounds)
