"""The record of a trial, as storages keep it and samplers, pruners and users read it."""

from __future__ import annotations

import copy
import datetime
import math
import warnings
from collections.abc import Sequence
from typing import Any

from fastune._validation import invalid, invalid_type
from fastune.distributions import BaseDistribution, check_distribution_compatibility
from fastune.exceptions import InvalidParameterError
from fastune.trial._base import BaseTrial
from fastune.trial._state import TrialState

__all__ = ["FrozenTrial", "create_trial"]


class FrozenTrial(BaseTrial):
    """A trial's record: state, values, parameters, intermediate values and attributes.

    Samplers and pruners receive frozen trials and must not change them. Used as the
    argument of an objective, a frozen trial answers each ``suggest_*`` call with its
    recorded parameter, which lets a finished trial be re-evaluated.

    Attributes:
        number: Index of the trial in its study, from 0.
        state: A :class:`TrialState`.
        values: Objective values (one per direction), or None when not COMPLETE.
        datetime_start: When the trial started (None while WAITING).
        datetime_complete: When the trial finished (None until then).
        params: Parameter values by name, in their user-facing form.
        distributions: Parameter distributions by name.
        user_attrs: Attributes set by the user.
        system_attrs: Attributes set by fastune's components.
        intermediate_values: Reported values by step.
    """

    def __init__(
        self,
        number: int,
        state: TrialState,
        value: float | None,
        datetime_start: datetime.datetime | None,
        datetime_complete: datetime.datetime | None,
        params: dict[str, Any],
        distributions: dict[str, BaseDistribution],
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        intermediate_values: dict[int, float],
        trial_id: int,
        *,
        values: Sequence[float] | None = None,
    ) -> None:
        if value is not None and values is not None:
            raise invalid("value", "FrozenTrial", "None when 'values' is given", value)
        self.number = number
        self.state = state
        self.values: list[float] | None = (
            [float(value)] if value is not None else None if values is None else list(values)
        )
        self.datetime_start = datetime_start
        self.datetime_complete = datetime_complete
        self.params = params
        self.distributions = distributions
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self.intermediate_values = intermediate_values
        self._trial_id = trial_id

    @property
    def value(self) -> float | None:
        """The objective value of a single-objective trial (None when not COMPLETE).

        Raises:
            RuntimeError: the trial has several objective values; read ``values``.
        """
        if self.values is None:
            return None
        if len(self.values) > 1:
            raise RuntimeError(
                "This trial has several objective values; read 'values' instead of 'value'."
            )
        return self.values[0]

    @value.setter
    def value(self, value: float | None) -> None:
        if self.values is not None and len(self.values) > 1:
            raise RuntimeError(
                "This trial has several objective values; set 'values' instead of 'value'."
            )
        self.values = None if value is None else [float(value)]

    @property
    def duration(self) -> datetime.timedelta | None:
        """How long the trial ran, or None when it has not both started and finished."""
        if self.datetime_start is None or self.datetime_complete is None:
            return None
        return self.datetime_complete - self.datetime_start

    @property
    def last_step(self) -> int | None:
        """The largest reported step, or None when nothing was reported."""
        return max(self.intermediate_values) if self.intermediate_values else None

    # -- the BaseTrial interface ------------------------------------------------------

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """The recorded value, as Optuna's: the objective may have changed its range
        since (a UserWarning if the value is outside it), not its kind."""
        if name not in self.params:
            raise invalid("name", "FrozenTrial.suggest_*", f"one of {list(self.params)}", name)
        check_distribution_compatibility(self.distributions[name], distribution)
        value = self.params[name]
        if not distribution._contains(distribution.to_internal_repr(value)):
            warnings.warn(
                f"The recorded value {value!r} of the parameter {name!r} is outside "
                f"{distribution!r}.",
                UserWarning,
                stacklevel=3,
            )
        return value

    def report(self, value: float, step: int) -> None:
        """Do nothing: a frozen trial's intermediate values are already recorded."""

    def should_prune(self) -> bool:
        """Return False: a frozen trial is never pruned."""
        return False

    def set_user_attr(self, key: str, value: Any) -> None:
        self.user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Set an attribute reserved for fastune's components."""
        self.system_attrs[key] = value

    def _system_attrs_held(self) -> dict[str, Any]:
        return self.system_attrs

    # -- identity ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrozenTrial) and other.__dict__ == self.__dict__

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number < other.number

    def __le__(self, other: object) -> bool:
        if not isinstance(other, FrozenTrial):
            return NotImplemented
        return self.number <= other.number

    def __hash__(self) -> int:
        return hash((self._trial_id, self.number))

    def __repr__(self) -> str:
        # Optuna's text, field for field (print(study.best_trial) reads the same).
        fields = {
            "number": self.number,
            "state": self.state,
            "values": self.values,
            "datetime_start": self.datetime_start,
            "datetime_complete": self.datetime_complete,
            "params": self.params,
            "user_attrs": self.user_attrs,
            "system_attrs": self.system_attrs,
            "intermediate_values": self.intermediate_values,
            "distributions": self.distributions,
            "trial_id": self._trial_id,
        }
        shown = ", ".join(f"{name}={value!r}" for name, value in fields.items())
        return f"FrozenTrial({shown}, value=None)"

    def _validate(self) -> None:
        """Check that the record is consistent, before it enters a storage.

        Raises:
            InvalidParameterError: the state, values, dates or parameters disagree.
        """
        owner = "FrozenTrial"
        if not isinstance(self.state, TrialState):
            raise invalid_type("state", owner, "a TrialState", self.state)
        if self.state == TrialState.COMPLETE:
            if not self.values:
                raise invalid("values", owner, "set for a COMPLETE trial", self.values)
            if any(math.isnan(v) for v in self.values):
                raise invalid("values", owner, "free of NaN for a COMPLETE trial", self.values)
        elif self.values is not None and self.state != TrialState.PRUNED:
            raise invalid(
                "values", owner, "None unless the trial is COMPLETE or PRUNED", self.values
            )
        if self.state != TrialState.WAITING and self.datetime_start is None:
            raise invalid("datetime_start", owner, "set unless the trial is WAITING", None)
        if self.state.is_finished() and self.datetime_complete is None:
            raise invalid("datetime_complete", owner, "set for a finished trial", None)
        if not self.state.is_finished() and self.datetime_complete is not None:
            raise invalid(
                "datetime_complete",
                owner,
                "None for a RUNNING or WAITING trial",
                self.datetime_complete,
            )
        if set(self.params) != set(self.distributions):
            raise InvalidParameterError(
                f"The params {sorted(self.params)} and distributions "
                f"{sorted(self.distributions)} of a FrozenTrial must name the same parameters."
            )
        for name, param in self.params.items():
            distribution = self.distributions[name]
            try:
                inside = distribution._contains(distribution.to_internal_repr(param))
            except (TypeError, ValueError):  # not even of the distribution's kind
                inside = False
            if not inside:
                raise invalid(name, owner, f"a value inside {distribution!r}", param)

    def __copy__(self) -> FrozenTrial:
        # Storages copy a trial before each change (copy on write): a plain copy of the
        # fields, four times faster than copy.copy's generic path.
        duplicate = FrozenTrial.__new__(FrozenTrial)
        duplicate.__dict__.update(self.__dict__)
        return duplicate

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenTrial:
        # Storages copy every trial they hand out: parameter values, distributions and
        # reported values are immutable, so only the attribute dicts need a deep copy.
        duplicate = FrozenTrial.__new__(FrozenTrial)
        duplicate.__dict__.update(self.__dict__)
        duplicate.values = None if self.values is None else list(self.values)
        duplicate.params = dict(self.params)
        duplicate.distributions = dict(self.distributions)
        duplicate.user_attrs = _copy_attrs(self.user_attrs, memo)
        duplicate.system_attrs = _copy_attrs(self.system_attrs, memo)
        duplicate.intermediate_values = dict(self.intermediate_values)
        return duplicate


_ATOMS = (str, int, float, bool, type(None))


def _copy_attrs(attrs: dict[str, Any], memo: dict[int, Any]) -> dict[str, Any]:
    """A deep copy of an attribute dict. Attributes are mostly JSON-like (numbers,
    strings, and flat lists or dicts of them), which are copied here directly;
    ``copy.deepcopy``, much slower per item, takes the rest."""
    copied: dict[str, Any] = {}
    for key, value in attrs.items():
        kind = type(value)
        if kind in _ATOMS:
            copied[key] = value
        elif kind is list and all(type(item) in _ATOMS for item in value):
            copied[key] = list(value)
        elif kind is dict and all(type(item) in _ATOMS for item in value.values()):
            copied[key] = dict(value)
        else:
            copied[key] = copy.deepcopy(value, memo)
    return copied


def create_trial(
    *,
    state: TrialState = TrialState.COMPLETE,
    value: float | None = None,
    values: Sequence[float] | None = None,
    params: dict[str, Any] | None = None,
    distributions: dict[str, BaseDistribution] | None = None,
    user_attrs: dict[str, Any] | None = None,
    system_attrs: dict[str, Any] | None = None,
    intermediate_values: dict[int, float] | None = None,
    constraints: dict[str, float] | None = None,
) -> FrozenTrial:
    """Create a finished (or waiting) trial record to add to a study with ``add_trial``;
    ``constraints`` are set as with :meth:`~fastune.trial.Trial.set_constraint`.

    Raises:
        InvalidParameterError: the record is inconsistent (see ``FrozenTrial``).

    Example:
        >>> import fastune
        >>> from fastune.distributions import FloatDistribution
        >>> study = fastune.create_study()
        >>> study.add_trial(fastune.trial.create_trial(
        ...     params={"x": 2.0}, distributions={"x": FloatDistribution(0, 10)}, value=4.0))
        >>> study.best_value
        4.0
    """
    now = datetime.datetime.now()
    trial = FrozenTrial(
        number=-1,
        state=state,
        value=value,
        values=values,
        datetime_start=None if state == TrialState.WAITING else now,
        datetime_complete=now if state.is_finished() else None,
        params=dict(params or {}),
        distributions=dict(distributions or {}),
        user_attrs=dict(user_attrs or {}),
        system_attrs=dict(system_attrs or {}),
        intermediate_values=dict(intermediate_values or {}),
        trial_id=-1,
    )
    for key, bound in (constraints or {}).items():
        trial.set_constraint(key, bound)
    trial._validate()
    return trial
