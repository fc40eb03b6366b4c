"""The suggest/report interface shared by live, fixed and frozen trials."""

from __future__ import annotations

import abc
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from fastune.distributions import (
    BaseDistribution,
    CategoricalChoiceType,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from fastune.exceptions import FastuneError
from fastune.trial._constraints import constraint_attr, constraints_of

__all__ = ["BaseTrial"]

_D = TypeVar("_D", bound=BaseDistribution)


def _build(name: str, factory: Callable[..., _D], *args: Any, **kwargs: Any) -> _D:
    """Build a distribution, prefixing any error with the parameter's name."""
    try:
        return factory(*args, **kwargs)
    except FastuneError as error:
        raise type(error)(f"Parameter {name!r}: {error}") from None


def _warn_deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated (as in Optuna) and will be removed; use {new} instead.",
        FutureWarning,
        stacklevel=3,
    )


class BaseTrial(abc.ABC):
    """What an objective function may call on its trial argument.

    Subclasses decide where a suggested value comes from (a sampler, fixed values, or
    a finished trial's record) by implementing :meth:`_suggest`; one written for Optuna,
    which implements the ``suggest_*`` methods themselves, works too.
    """

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        """Suggest a float in ``[low, high]``; on a log scale if ``log``, a grid if ``step``.

        Raises:
            InvalidParameterError: ``low > high``, ``log=True`` with ``low <= 0``, a step
                that does not divide the range, or ``name`` suggested before in this trial
                with another distribution.
        """
        distribution = _build(name, FloatDistribution, low, high, log=log, step=step)
        return float(self._suggest(name, distribution))

    def suggest_int(
        self, name: str, low: int, high: int, *, step: int = 1, log: bool = False
    ) -> int:
        """Suggest an int in ``[low, high]``; on a log scale if ``log``, every ``step``.

        Raises:
            InvalidParameterError: as for :meth:`suggest_float`.
            InvalidParameterTypeError: a bound or step that is not an integer.
        """
        distribution = _build(name, IntDistribution, low, high, log=log, step=step)
        return int(self._suggest(name, distribution))

    def suggest_categorical(
        self, name: str, choices: Sequence[CategoricalChoiceType]
    ) -> CategoricalChoiceType:
        """Suggest one of ``choices``.

        Raises:
            InvalidParameterError: empty ``choices``.
            InvalidParameterTypeError: ``choices`` that is not a sequence.
        """
        distribution = _build(name, CategoricalDistribution, choices)
        return self._suggest(name, distribution)

    def suggest_uniform(self, name: str, low: float, high: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high)``."""
        _warn_deprecated("suggest_uniform", "suggest_float(name, low, high)")
        return self.suggest_float(name, low, high)

    def suggest_loguniform(self, name: str, low: float, high: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high, log=True)``."""
        _warn_deprecated("suggest_loguniform", "suggest_float(name, low, high, log=True)")
        return self.suggest_float(name, low, high, log=True)

    def suggest_discrete_uniform(self, name: str, low: float, high: float, q: float) -> float:
        """Deprecated: use ``suggest_float(name, low, high, step=q)``."""
        _warn_deprecated("suggest_discrete_uniform", "suggest_float(name, low, high, step=q)")
        return self.suggest_float(name, low, high, step=q)

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        """Return the value of parameter ``name`` drawn from ``distribution``. Not
        abstract: a subclass written for Optuna implements ``suggest_*`` instead."""
        raise NotImplementedError(f"{type(self).__name__} implements no _suggest")

    @abc.abstractmethod
    def report(self, value: float, step: int) -> None:
        """Report an intermediate objective value at ``step``."""

    @abc.abstractmethod
    def should_prune(self) -> bool:
        """Whether the trial should stop now."""

    @abc.abstractmethod
    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a JSON-like value to the trial."""

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach a value reserved for fastune's components. Not abstract, as in
        Optuna 5: a subclass written for Optuna may leave it out."""
        raise NotImplementedError(f"{type(self).__name__} implements no set_system_attr")

    def _system_attrs_held(self) -> Mapping[str, Any]:
        """The system attributes the trial holds now (not a copy); by default its
        ``system_attrs`` (a subclass written for Optuna defines that property)."""
        return getattr(self, "system_attrs", {})

    @property
    def constraints(self) -> dict[str, float]:
        """The trial's constraint values by name (see :meth:`set_constraint`)."""
        return constraints_of(self._system_attrs_held())

    def set_constraint(self, key: str, value: float) -> None:
        """Set constraint ``key`` of the trial to ``value``, as Optuna 5: the trial is
        feasible when every constraint value is zero or less. The best trial, the Pareto
        front and the samplers' model take the feasible trials first.

        A constraint is set once: setting it again warns and keeps the first value.

        Raises:
            InvalidParameterTypeError: ``key`` not a str, ``value`` not a number.
            InvalidParameterError: ``value`` is NaN.

        Example:
            >>> import fastune
            >>> def objective(trial):
            ...     x = trial.suggest_float("x", -1.0, 1.0)
            ...     trial.set_constraint("x_at_most_half", x - 0.5)
            ...     return x**2
            >>> study = fastune.create_study()
            >>> study.optimize(objective, n_trials=5)
            >>> study.best_trial.constraints["x_at_most_half"] <= 0.0
            True
        """
        owner = f"{type(self).__name__}.set_constraint"
        attr = constraint_attr(key, value, owner, self._system_attrs_held())
        if attr is not None:
            self.set_system_attr(*attr)
