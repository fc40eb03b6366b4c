"""A trial whose parameters are given, to run an objective outside a study."""

from __future__ import annotations

import datetime
from typing import Any

from fastune._validation import invalid
from fastune.distributions import BaseDistribution, check_same_distribution
from fastune.trial._base import BaseTrial

__all__ = ["FixedTrial"]


class FixedTrial(BaseTrial):
    """Answers each ``suggest_*`` with a given value: run an objective on chosen params.

    Args:
        params: Parameter values by name.
        number: The trial number the objective sees.

    Raises:
        InvalidParameterError: (from ``suggest_*``) a parameter missing from ``params``,
            or a value outside the suggested distribution.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     return trial.suggest_float("x", -10, 10) ** 2
        >>> objective(fastune.trial.FixedTrial({"x": 3.0}))
        9.0
    """

    def __init__(self, params: dict[str, Any], number: int = 0) -> None:
        self._given = dict(params)
        self._number = number
        self._params: dict[str, Any] = {}
        self._distributions: dict[str, BaseDistribution] = {}
        self._user_attrs: dict[str, Any] = {}
        self._system_attrs: dict[str, Any] = {}
        self._intermediate_values: dict[int, float] = {}
        self._datetime_start = datetime.datetime.now()

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        if name in self._distributions:
            check_same_distribution(name, self._distributions[name], distribution)
            return self._params[name]
        if name not in self._given:
            raise invalid("name", "FixedTrial.suggest_*", f"one of {sorted(self._given)}", name)
        value = self._given[name]
        if not distribution._contains(distribution.to_internal_repr(value)):
            raise invalid(name, "FixedTrial", f"a value inside {distribution!r}", value)
        self._params[name] = value
        self._distributions[name] = distribution
        return value

    def report(self, value: float, step: int) -> None:
        """Keep the reported value; nothing else happens."""
        self._intermediate_values.setdefault(step, float(value))

    def should_prune(self) -> bool:
        """Return False: a fixed trial is never pruned."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self._user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set an attribute reserved for fastune's components."""
        self._system_attrs[key] = value

    def _system_attrs_held(self) -> dict[str, Any]:
        return self._system_attrs

    @property
    def number(self) -> int:
        """The trial number given at construction."""
        return self._number

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far."""
        return dict(self._params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distributions of the parameters suggested so far."""
        return dict(self._distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """User attributes set on the trial."""
        return dict(self._user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes set on the trial."""
        return dict(self._system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial was created."""
        return self._datetime_start
