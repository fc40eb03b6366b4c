"""Search-space distributions: float, int and categorical.

A distribution describes where one parameter lives. Values are stored in an internal
representation (a float: the value itself, or the index of a categorical choice) so that
storages and samplers treat every parameter alike. :func:`as_distribution` turns the
scikit-learn style specs (lists, ``range``, ``scipy.stats`` frozen distributions) into
fastune distributions.
"""

from __future__ import annotations

import abc
import json
import math
import numbers
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from fastune._validation import invalid, invalid_type
from fastune.exceptions import InvalidParameterError

__all__ = [
    "BaseDistribution",
    "CategoricalChoiceType",
    "CategoricalDistribution",
    "DiscreteUniformDistribution",
    "FloatDistribution",
    "IntDistribution",
    "IntLogUniformDistribution",
    "IntUniformDistribution",
    "LogUniformDistribution",
    "UniformDistribution",
    "as_distribution",
    "check_distribution_compatibility",
    "check_same_distribution",
    "distribution_to_json",
    "json_to_distribution",
]

CategoricalChoiceType = Any
"""A categorical choice: None, bool, int, float, str, a tuple of those, ...; lists and
dicts (unhashable) are accepted with a warning, as Optuna does, and compared by
equality."""


class BaseDistribution(abc.ABC):
    """Where one parameter lives, and how its values map to a float internal form."""

    @abc.abstractmethod
    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        """Return the user-facing value for an internal (float) value."""

    @abc.abstractmethod
    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        """Return the internal (float) value for a user-facing value."""

    @abc.abstractmethod
    def single(self) -> bool:
        """Whether the distribution holds exactly one value."""

    @abc.abstractmethod
    def _contains(self, param_value_in_internal_repr: float) -> bool:
        """Whether an internal value lies inside the distribution."""

    def _key(self) -> tuple[Any, ...]:
        return (type(self).__name__, *sorted(self.__dict__.items()))

    def __eq__(self, other: object) -> bool:
        # Compared once per trial and parameter by samplers: keep it a C-level dict compare.
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        # Optuna's text: the fields by name (MLflowCallback's distribution tags compare).
        fields = ", ".join(f"{key}={value}" for key, value in sorted(self.__dict__.items()))
        return f"{type(self).__name__}({fields})"


def _is_real(value: Any) -> bool:
    """A real number, not a bool; plain floats and ints skip the slow ABC check."""
    kind = type(value)
    return kind is float or kind is int or (kind is not bool and isinstance(value, numbers.Real))


def _real(value: Any, name: str, owner: str) -> float:
    if not _is_real(value):
        raise invalid_type(name, owner, "a real number", value)
    number = float(value)
    if not math.isfinite(number):
        raise invalid(name, owner, "a finite real number", value)
    return number


def _integral(value: Any, name: str, owner: str) -> int:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not integral and isinstance(value, numbers.Real) and float(value).is_integer():
        integral = True
    if not integral:
        raise invalid_type(name, owner, "an int", value)
    return int(value)


def _check_range(low: float, high: float, log: bool, owner: str) -> None:
    if low > high:
        raise invalid("low", owner, f"<= high ({high!r})", low)
    if log and low <= 0:
        raise invalid("low", owner, "> 0 when log=True", low)


def grid_point(low: float, step: float, index: int) -> float:
    """Return ``low + index * step`` without the binary noise (0.30000000000000004), never
    below ``low`` (a ``low`` such as 0.1 + 0.2 would round below itself)."""
    return max(float(f"{low + index * step:.15g}"), low)


def _grid_top(low: Any, high: Any, step: Any, owner: str) -> Any:
    """``high``, or, when ``step`` does not divide ``high - low``, the grid's last point
    below it, with a warning: Optuna lowers ``high`` the same way, so its programs run.
    Ints are divided exactly, floats to a relative 1e-8."""
    if isinstance(step, int):
        top = low + (high - low) // step * step
    else:
        n_steps = (high - low) / step
        if abs(n_steps - round(n_steps)) <= 1e-8 * max(1.0, abs(n_steps)):
            return high
        top = grid_point(low, step, math.floor(n_steps + 1e-8))
    if top != high:
        warnings.warn(
            f"{owner}: step={step!r} does not divide high - low ({high!r} - {low!r}); "
            f"high is lowered to {top!r}, the last point of the grid (as Optuna does). "
            f"Give high={top!r} to silence this warning.",
            UserWarning,
            stacklevel=3,  # the code that built the distribution
        )
    return top


class FloatDistribution(BaseDistribution):
    """A real parameter in ``[low, high]``, on a log scale or on a grid of ``step``.

    Args:
        low: Lower end, included.
        high: Upper end, included.
        log: Sample on a log scale; needs ``low > 0`` and no ``step``.
        step: Spacing of a discrete grid ``low, low + step, ..., high``; a step that
            does not divide ``high - low`` lowers ``high`` to the grid's last point, with
            a ``UserWarning`` (as Optuna does).

    Raises:
        InvalidParameterError: ``low > high``, ``log`` with ``low <= 0``, ``log`` with a
            step, or a non-positive step.

    Example:
        >>> from fastune.distributions import FloatDistribution
        >>> FloatDistribution(1e-4, 1e-1, log=True).single()
        False
    """

    def __init__(
        self, low: float, high: float, log: bool = False, step: float | None = None
    ) -> None:
        owner = "FloatDistribution"
        low = _real(low, "low", owner)
        high = _real(high, "high", owner)
        _check_range(low, high, log, owner)
        if step is not None:
            step = _real(step, "step", owner)
            if log:
                raise invalid("step", owner, "None when log=True", step)
            if step <= 0:
                raise invalid("step", owner, "> 0", step)
            high = _grid_top(low, high, step, owner)
        self.low = low
        self.high = high
        self.log = bool(log)
        self.step = step

    def to_external_repr(self, param_value_in_internal_repr: float) -> float:
        return float(param_value_in_internal_repr)

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        value = param_value_in_external_repr
        if not _is_real(value):
            raise invalid_type("value", "FloatDistribution", "a real number", value)
        if math.isnan(value) or (self.log and value <= 0):
            # As Optuna: no sampler can place these (a log scale takes values > 0).
            allowed = "a number > 0 (log=True)" if self.log else "a number, not NaN"
            raise invalid("value", "FloatDistribution", allowed, value)
        return float(value)

    def single(self) -> bool:
        if self.step is None:
            return self.low == self.high
        # The step divides the range (high was fitted to it): count the steps, not compare
        # high - low with the step, which rounding puts below it (0.3 - 0.2 < 0.1).
        return round((self.high - self.low) / self.step) == 0

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        if not self.low <= value <= self.high:
            return False
        if self.step is None:
            return True
        k = (value - self.low) / self.step
        return abs(k - round(k)) < 1e-8 * max(1.0, abs(k))


class IntDistribution(BaseDistribution):
    """An integer parameter in ``[low, high]``, on a log scale or every ``step``.

    Args:
        low: Lower end, included.
        high: Upper end, included.
        log: Sample on a log scale; needs ``low >= 1`` and ``step == 1``.
        step: Spacing ``low, low + step, ..., high``; one that does not divide
            ``high - low`` lowers ``high`` as for :class:`FloatDistribution`.

    Raises:
        InvalidParameterError: ``low > high``, ``log`` with ``low < 1`` or ``step != 1``,
            or ``step < 1``.
        InvalidParameterTypeError: a bound or step that is not an integer.
    """

    def __init__(self, low: int, high: int, log: bool = False, step: int = 1) -> None:
        owner = "IntDistribution"
        low = _integral(low, "low", owner)
        high = _integral(high, "high", owner)
        step = _integral(step, "step", owner)
        _check_range(low, high, log, owner)
        if step < 1:
            raise invalid("step", owner, ">= 1", step)
        if log and step != 1:
            raise invalid("step", owner, "1 when log=True", step)
        high = _grid_top(low, high, step, owner)
        self.low = low
        self.high = high
        self.log = bool(log)
        self.step = step

    def to_external_repr(self, param_value_in_internal_repr: float) -> int:
        return round(param_value_in_internal_repr)

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        value = float(_integral(param_value_in_external_repr, "value", "IntDistribution"))
        if self.log and value <= 0:
            raise invalid("value", "IntDistribution", "an int > 0 (log=True)", value)
        return value

    def single(self) -> bool:
        return self.low == self.high

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        value = param_value_in_internal_repr
        return self.low <= value <= self.high and (value - self.low) % self.step == 0


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _same_choice(a: Any, b: Any) -> bool:
    # 1 == True and 0.0 == 0 in Python; a choice keeps its type.
    if type(a) is not type(b):
        return False
    if _is_nan(a) and _is_nan(b):
        return True
    return bool(a == b)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _frozen(value: Any) -> Any:
    """``value``, or for an unhashable choice a hashable stand-in that equal choices share
    (lists and tuples of equal items alike, as JSON makes them)."""
    if _hashable(value):
        return value
    if isinstance(value, Mapping):
        return ("mapping", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, Iterable):
        return ("sequence", tuple(_frozen(item) for item in value))
    return ("repr", repr(value))


def equal_value(a: Any, b: Any) -> bool:
    """Equal as Optuna's ``choices.index`` finds them (a numpy scalar, 1 for 1.0), NaN
    equal to NaN (a NaN read back from a storage is another object)."""
    if _is_nan(a) or _is_nan(b):
        return _is_nan(a) and _is_nan(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # an == that does not give one truth value
        return False


class CategoricalDistribution(BaseDistribution):
    """A parameter that takes one of a fixed, non-empty sequence of choices.

    The internal representation of a choice is its index in ``choices``. A choice that
    is not hashable (a list such as ``[64, 64]``, a dict) is accepted with a
    ``UserWarning``, as Optuna accepts it: it is compared by equality, and a persistent
    storage gives it back as its JSON form (lists for tuples inside it).

    Raises:
        InvalidParameterError: ``choices`` is empty.
        InvalidParameterTypeError: ``choices`` is not a sequence.
    """

    def __init__(self, choices: Sequence[CategoricalChoiceType] | np.ndarray) -> None:
        owner = "CategoricalDistribution"
        if isinstance(choices, (str, bytes)) or not isinstance(choices, (Sequence, np.ndarray)):
            raise invalid_type("choices", owner, "a sequence (list or tuple) of choices", choices)
        values = tuple(choices.tolist() if isinstance(choices, np.ndarray) else choices)
        if not values:
            raise invalid("choices", owner, "a non-empty sequence", choices)
        unhashable = [choice for choice in values if not _hashable(choice)]
        if unhashable:
            warnings.warn(
                f"CategoricalDistribution: the choices {unhashable!r} are not hashable; they "
                "are compared by equality, and a persistent storage gives them back as JSON. "
                "Choices of None, bool, int, float, str or tuples of them avoid both.",
                UserWarning,
                stacklevel=3,
            )
        self.choices = values

    def to_external_repr(self, param_value_in_internal_repr: float) -> Any:
        return self.choices[int(param_value_in_internal_repr)]

    def to_internal_repr(self, param_value_in_external_repr: Any) -> float:
        value = param_value_in_external_repr
        # The choice of the same type first (1 and True may both be choices), then an
        # equal one, as Optuna: np.int64(32) for 32, np.str_("a") for "a", 1 for 1.0.
        for same in (_same_choice, equal_value):
            for index, choice in enumerate(self.choices):
                if same(choice, value):
                    return index
        allowed = "one of " + ", ".join(repr(choice) for choice in self.choices)
        raise invalid("value", "CategoricalDistribution", allowed, param_value_in_external_repr)

    def single(self) -> bool:
        return len(self.choices) == 1

    def _contains(self, param_value_in_internal_repr: float) -> bool:
        index = param_value_in_internal_repr
        return float(index).is_integer() and 0 <= index < len(self.choices)

    def _key(self) -> tuple[Any, ...]:
        # NaN hashes by identity: every NaN choice gets one key.
        choices = tuple((type(c), "nan" if _is_nan(c) else _frozen(c)) for c in self.choices)
        return ("CategoricalDistribution", choices)

    def __eq__(self, other: object) -> bool:
        # 1 == True == 1.0 in Python; a choice keeps its type. Two NaN choices are equal.
        return (
            isinstance(other, CategoricalDistribution)
            and len(self.choices) == len(other.choices)
            and all(_same_choice(a, b) for a, b in zip(self.choices, other.choices, strict=True))
        )

    def __hash__(self) -> int:
        return hash(self._key())


def value_inside(distribution: BaseDistribution, value: Any) -> bool:
    """Whether a user-facing ``value`` is one ``distribution`` can give (type and range)."""
    if isinstance(distribution, CategoricalDistribution):
        try:  # the same matching as the distribution's: its type first, then equal, NaN
            distribution.to_internal_repr(value)
        except ValueError:
            return False
        return True
    if not _is_real(value) or math.isnan(value):
        return False
    try:
        return distribution._contains(distribution.to_internal_repr(value))
    except (TypeError, ValueError):
        return False


def covering_distribution(seen: Sequence[BaseDistribution]) -> BaseDistribution:
    """One distribution that holds the values of all of ``seen`` (a parameter's
    distributions over a study whose space changed): the last one when they agree; else
    every choice in order of first appearance, or the widest numeric range (log if all
    are); else the last one."""
    last = seen[-1]
    if all(d == last for d in seen):
        return last
    if all(isinstance(d, CategoricalDistribution) for d in seen):
        choices: list[Any] = []
        for d in seen:
            assert isinstance(d, CategoricalDistribution)
            choices.extend(c for c in d.choices if not any(_same_choice(c, k) for k in choices))
        return CategoricalDistribution(choices)
    numeric = [d for d in seen if isinstance(d, (FloatDistribution, IntDistribution))]
    if len(numeric) == len(seen):
        low, high = min(d.low for d in numeric), max(d.high for d in numeric)
        return FloatDistribution(low, high, log=all(d.log for d in numeric))
    return last


def check_distribution_compatibility(
    dist_old: BaseDistribution, dist_new: BaseDistribution
) -> None:
    """Raise when two distributions cannot describe the same parameter (Optuna's rule).

    They are compatible when they are of the same class, with the same choices
    (categorical) or the same ``log`` (numeric); ranges and steps may differ.

    Raises:
        InvalidParameterError: another class, other choices, or another ``log``.
    """
    if type(dist_old) is not type(dist_new):
        raise InvalidParameterError(
            f"Cannot use {dist_new!r} for a parameter whose distribution is {dist_old!r}: "
            "the distribution class must stay the same."
        )
    if isinstance(dist_old, CategoricalDistribution) and dist_old != dist_new:
        raise InvalidParameterError(
            f"Cannot use {dist_new!r} for a parameter whose distribution is {dist_old!r}: "
            "the choices must stay the same."
        )
    if getattr(dist_old, "log", False) != getattr(dist_new, "log", False):
        raise InvalidParameterError(
            f"Cannot use {dist_new!r} for a parameter whose distribution is {dist_old!r}: "
            "the log setting must stay the same."
        )


def check_same_distribution(name: str, old: BaseDistribution, new: BaseDistribution) -> None:
    """Raise when a parameter is suggested again in one trial with another distribution.

    Stricter than :func:`check_distribution_compatibility`: any difference is an error.

    Raises:
        InvalidParameterError: ``new`` differs from ``old``.
    """
    if old != new:
        raise invalid(
            name,
            "this trial",
            f"suggested with the same distribution as before ({old!r})",
            new,
        )


_SCIPY_HINT = (
    "a list or tuple of choices, a range, a fastune (or Optuna) distribution, or a "
    "frozen scipy.stats uniform, loguniform/reciprocal or randint distribution"
)


def as_distribution(spec: Any, name: str = "param_distributions") -> BaseDistribution:
    """Turn a scikit-learn style parameter spec into a fastune distribution.

    * a fastune distribution is returned as is;
    * a distribution of the ``optuna`` package (a search space written for Optuna) is
      the fastune distribution of the same class and attributes;
    * a list, tuple or 1-D numpy array is a :class:`CategoricalDistribution`;
    * a ``range`` is an :class:`IntDistribution` with its step;
    * ``scipy.stats.uniform(loc, scale)`` is ``FloatDistribution(loc, loc + scale)``;
    * ``scipy.stats.loguniform(a, b)`` (alias ``reciprocal``) is
      ``FloatDistribution(a, b, log=True)``;
    * ``scipy.stats.randint(low, high)`` is ``IntDistribution(low, high - 1)``.

    Args:
        spec: The spec to convert.
        name: The parameter name, used in error messages.

    Raises:
        InvalidParameterTypeError: a spec of another kind (such as a normal distribution,
            whose support is unbounded).

    Example:
        >>> from scipy.stats import loguniform
        >>> as_distribution(loguniform(1e-3, 1.0))
        FloatDistribution(high=1.0, log=True, low=0.001, step=None)
    """
    if isinstance(spec, BaseDistribution):
        return spec
    if type(spec).__module__.split(".")[0] == "optuna":
        return _from_optuna(spec, name)
    if isinstance(spec, range):
        if len(spec) == 0 or spec.step < 0:
            raise invalid(name, "as_distribution", "a non-empty increasing range", spec)
        return IntDistribution(spec.start, spec[-1], step=spec.step)
    if isinstance(spec, (list, tuple)) or (isinstance(spec, np.ndarray) and spec.ndim == 1):
        return CategoricalDistribution(spec)
    frozen = _from_scipy(spec)
    if frozen is None:
        raise invalid_type(name, "as_distribution", _SCIPY_HINT, spec)
    return frozen


def _from_optuna(spec: Any, name: str) -> BaseDistribution:
    """An Optuna distribution object as fastune's, by its class name and attributes (the
    JSON record both libraries write), without importing optuna. Optuna's older
    classes, such as ``UniformDistribution``, are subclasses of the current ones.

    Raises:
        InvalidParameterTypeError: an object of the optuna package that is no
            distribution fastune has.
    """
    for cls in type(spec).__mro__:
        if cls.__name__ in _DISTRIBUTION_CLASSES:
            try:
                return _DISTRIBUTION_CLASSES[cls.__name__](**vars(spec))
            except TypeError:  # attributes of another Optuna version
                break
    raise invalid_type(name, "as_distribution", _SCIPY_HINT, spec)


def _from_scipy(spec: Any) -> BaseDistribution | None:
    family = getattr(getattr(spec, "dist", None), "name", None)
    if family is None or not callable(getattr(spec, "support", None)):
        return None
    low, high = (float(bound) for bound in spec.support())
    loc = float(spec.kwds.get("loc", 0.0))
    if family == "uniform":
        return FloatDistribution(low, high)
    if family in ("loguniform", "reciprocal") and loc == 0.0:
        return FloatDistribution(low, high, log=True)
    if family == "randint":
        return IntDistribution(int(low), int(high))
    return None


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is Optuna's name from before version 3; it gives {new}. Use {new} instead.",
        FutureWarning,
        stacklevel=3,
    )


class UniformDistribution(FloatDistribution):
    """Optuna's older name: gives ``FloatDistribution(low, high)`` (with a
    ``FutureWarning``, as Optuna), so code written for it runs."""

    def __new__(cls, low: float, high: float) -> FloatDistribution:  # type: ignore[misc]
        _deprecated("UniformDistribution(low, high)", "FloatDistribution(low, high)")
        return FloatDistribution(low, high)


class LogUniformDistribution(FloatDistribution):
    """Optuna's older name: gives ``FloatDistribution(low, high, log=True)``."""

    def __new__(cls, low: float, high: float) -> FloatDistribution:  # type: ignore[misc]
        _deprecated("LogUniformDistribution(low, high)", "FloatDistribution(low, high, log=True)")
        return FloatDistribution(low, high, log=True)


class DiscreteUniformDistribution(FloatDistribution):
    """Optuna's older name: gives ``FloatDistribution(low, high, step=q)``."""

    def __new__(cls, low: float, high: float, q: float) -> FloatDistribution:  # type: ignore[misc]
        _deprecated(
            "DiscreteUniformDistribution(low, high, q)", "FloatDistribution(low, high, step=q)"
        )
        return FloatDistribution(low, high, step=q)


class IntUniformDistribution(IntDistribution):
    """Optuna's older name: gives ``IntDistribution(low, high, step=step)``."""

    def __new__(cls, low: int, high: int, step: int = 1) -> IntDistribution:  # type: ignore[misc]
        _deprecated(
            "IntUniformDistribution(low, high, step)", "IntDistribution(low, high, step=step)"
        )
        return IntDistribution(low, high, step=step)


class IntLogUniformDistribution(IntDistribution):
    """Optuna's older name: gives ``IntDistribution(low, high, log=True)``."""

    def __new__(cls, low: int, high: int, step: int = 1) -> IntDistribution:  # type: ignore[misc]
        _deprecated("IntLogUniformDistribution(low, high)", "IntDistribution(low, high, log=True)")
        return IntDistribution(low, high, log=True, step=step)


_DISTRIBUTION_CLASSES: dict[str, type[BaseDistribution]] = {
    cls.__name__: cls for cls in (FloatDistribution, IntDistribution, CategoricalDistribution)
}
# The JSON names Optuna wrote before version 3, read as the distributions they mean.
_OLD_JSON: dict[str, Callable[..., BaseDistribution]] = {
    "UniformDistribution": lambda low, high: FloatDistribution(low, high),
    "LogUniformDistribution": lambda low, high: FloatDistribution(low, high, log=True),
    "DiscreteUniformDistribution": lambda low, high, q: FloatDistribution(low, high, step=q),
    "IntUniformDistribution": lambda low, high, step=1: IntDistribution(low, high, step=step),
    "IntLogUniformDistribution": lambda low, high, step=1: IntDistribution(low, high, log=True),
}


def distribution_to_json(dist: BaseDistribution) -> str:
    """Serialize a distribution to a JSON string (categorical choices must be JSON values).

    Example:
        >>> distribution_to_json(IntDistribution(1, 64, log=True))
        '{"name": "IntDistribution", "attributes": {"low": 1, "high": 64, "log": true, "step": 1}}'
    """
    attributes = dict(dist.__dict__)
    if isinstance(dist, CategoricalDistribution):
        attributes["choices"] = list(dist.choices)
    return json.dumps({"name": type(dist).__name__, "attributes": attributes})


def json_to_distribution(json_str: str) -> BaseDistribution:
    """Rebuild a distribution serialized by :func:`distribution_to_json` (or by Optuna,
    whose names from before version 3, such as ``UniformDistribution``, give the
    distributions they mean), or written in Optuna's short form:
    ``{"type": "float", "low": 0, "high": 1}`` (with ``"log"`` and ``"step"`` if
    wanted), ``{"type": "int", ...}`` alike, ``{"type": "categorical", "choices": [...]}``.

    Raises:
        InvalidParameterError: the text names no known distribution.
    """
    record = json.loads(json_str)
    if isinstance(record, dict) and "name" not in record and "type" in record:
        return _short_form(record, json_str)
    name = record.get("name") if isinstance(record, dict) else None
    if name in _OLD_JSON:
        return _OLD_JSON[name](**record["attributes"])
    if name not in _DISTRIBUTION_CLASSES:
        allowed = "the JSON of a " + " / ".join(_DISTRIBUTION_CLASSES)
        raise invalid("json_str", "json_to_distribution", allowed, json_str)
    return _DISTRIBUTION_CLASSES[name](**record["attributes"])


def _short_form(record: dict[str, Any], json_str: str) -> BaseDistribution:
    """A distribution from Optuna's short JSON form (an int's step is 1 unless given)."""
    keys = {"categorical": {"choices"}, "float": {"low", "high", "log", "step"}}
    keys["int"] = keys["float"]
    fields = {key: value for key, value in record.items() if key != "type"}
    kind = record["type"]
    if kind not in keys or not set(fields) <= keys[kind]:
        allowed = (
            'a short form {"type": "float" or "int", "low", "high", optional "log" and '
            '"step"} or {"type": "categorical", "choices"}'
        )
        raise invalid("json_str", "json_to_distribution", allowed, json_str)
    if kind == "categorical":
        return CategoricalDistribution(**fields)
    if kind == "float":
        return FloatDistribution(**fields)
    step = fields.pop("step", None)
    return IntDistribution(**fields, step=1 if step is None else step)
