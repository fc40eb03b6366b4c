"""The live trial handed to an objective function: suggests parameters, takes reports."""

from __future__ import annotations

import copy
import datetime
import math
import numbers
from typing import TYPE_CHECKING, Any

from fastune._validation import check_int, invalid, invalid_type
from fastune.distributions import (
    BaseDistribution,
    FloatDistribution,
    IntDistribution,
    check_distribution_compatibility,
    check_same_distribution,
    value_inside,
)
from fastune.logging import get_logger
from fastune.trial._base import BaseTrial

if TYPE_CHECKING:
    from fastune.storages import BaseStorage
    from fastune.study import Study

__all__ = ["Trial"]

_logger = get_logger(__name__)

FIXED_PARAMS_KEY = "fixed_params"


class Trial(BaseTrial):
    """One evaluation of the objective, created by ``Study.optimize`` or ``Study.ask``.

    Parameter values come, in this order, from values fixed by ``enqueue_trial``, from
    the sampler's relative proposal for the whole space, or from the sampler's
    independent proposal for one parameter. Suggesting the same name twice returns the
    same value.

    Attributes:
        study: The study the trial belongs to.
    """

    def __init__(self, study: Study, trial_id: int) -> None:
        self.study = study
        self._trial_id = trial_id
        from fastune.samplers._base import BaseSampler  # here: samplers import trials

        self._cached = study._storage.get_trial(trial_id)  # this trial's own, local record
        if type(study.sampler).before_trial is not BaseSampler.before_trial:
            # The sampler may write to the trial (a grid point...): read it again after.
            study.sampler.before_trial(study, self._cached)
            self._cached = study._storage.get_trial(trial_id)
        self._fixed_params: dict[str, Any] = self._cached.system_attrs.get(FIXED_PARAMS_KEY, {})
        # Parameters the trial held before it ran (a retried trial's): the code may ask
        # for them with a range that changed since.
        self._preset = set(self._cached.params)
        # The sampler's relative proposal is drawn at the first suggestion that needs it,
        # as Optuna: it then sees the trials finished meanwhile and this trial's fixed
        # values, and a trial that suggests nothing (or only fixed values) costs no model.
        self.relative_search_space: dict[str, BaseDistribution] | None = None
        self._relative_params: dict[str, Any] | None = None

    # -- suggestions -----------------------------------------------------------------

    def _suggest(self, name: str, distribution: BaseDistribution) -> Any:
        cached = self._cached
        if name in cached.distributions:
            old = cached.distributions[name]
            if name in self._preset and old != distribution:
                # As Optuna: a compatible distribution takes the value the trial holds.
                check_distribution_compatibility(old, distribution)
                _logger.warning(
                    f"Trial {self.number} holds {name!r} = {cached.params[name]!r} from "
                    f"{old!r}; it is suggested with {distribution!r} and keeps that value."
                )
                return cached.params[name]
            check_same_distribution(name, old, distribution)
            return cached.params[name]
        internal = self._internal_value(name, distribution)
        self.study._storage.set_trial_param(self._trial_id, name, internal, distribution)
        cached.params[name] = distribution.to_external_repr(internal)
        cached.distributions[name] = distribution
        return cached.params[name]

    def _internal_value(self, name: str, distribution: BaseDistribution) -> float:
        if name in self._fixed_params:
            internal = _fixed_internal(name, self._fixed_params[name], distribution)
            if not distribution._contains(internal):
                _logger.warning(
                    f"Fixed parameter {name!r} = {self._fixed_params[name]!r} lies outside "
                    f"{distribution!r}; it is used as given."
                )
            return internal
        if distribution.single():
            if isinstance(distribution, (FloatDistribution, IntDistribution)):
                return float(distribution.low)
            return 0.0  # the one categorical choice
        relative_params = self._draw_relative()
        assert self.relative_search_space is not None
        # As Optuna: the relative proposal serves a distribution of the same kind as the
        # relative space's (a range may have changed since) if the value lies inside it;
        # else (a sampler's bug, a stale range) the independent proposal.
        if name in relative_params and type(self.relative_search_space.get(name)) is type(
            distribution
        ):
            relative = relative_params[name]
            if value_inside(distribution, relative):
                return _sampled_internal(distribution, relative)
        value = self.study.sampler.sample_independent(self.study, self._cached, name, distribution)
        return _sampled_internal(distribution, value)

    def _draw_relative(self) -> dict[str, Any]:
        if self._relative_params is None:
            sampler = self.study.sampler
            self.relative_search_space = sampler.infer_relative_search_space(
                self.study, self._cached
            )
            # Called even for an empty space, as Optuna: a sampler may keep state there.
            self._relative_params = sampler.sample_relative(
                self.study, self._cached, self.relative_search_space
            )
        return self._relative_params

    # -- reports ---------------------------------------------------------------------

    def report(self, value: float, step: int) -> None:
        """Report the objective's intermediate ``value`` at ``step`` (an epoch, a fold...).

        A pruner reads the reports; a step reported twice keeps its first value.

        Raises:
            NotImplementedError: the study has several objectives.
            InvalidParameterTypeError: ``value`` is not a real number.
            InvalidParameterError: ``step`` is negative.
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.report is not supported for a study with several objectives."
            )
        try:
            value = float(value)  # numpy scalars and 0-d arrays, torch tensors...
        except (TypeError, ValueError):
            raise invalid_type("value", "Trial.report", "a real number", value) from None
        given: Any = step
        try:
            whole = int(given)  # 3.0, numpy and torch integers, True: as Optuna takes them
        except (TypeError, ValueError, OverflowError):  # inf: refused below, by name
            whole = None
        if whole is not None and not isinstance(given, str) and bool(whole == given):
            given = whole  # a step of 2.5 stays refused: Optuna's int() would make it 2
        step = int(check_int(given, "step", "Trial.report", low=0) or 0)
        if step in self._cached.intermediate_values:
            _logger.warning(
                f"Trial {self.number} already reported step {step}; the new value is ignored."
            )
            return
        self.study._storage.set_trial_intermediate_value(self._trial_id, step, value)
        self._cached.intermediate_values[step] = value

    def should_prune(self) -> bool:
        """Ask the study's pruner whether to stop this trial now.

        Raises:
            NotImplementedError: the study has several objectives.
        """
        if len(self.study.directions) > 1:
            raise NotImplementedError(
                "Trial.should_prune is not supported for a study with several objectives."
            )
        return self.study.pruner.prune(self.study, self._cached)

    # -- attributes ------------------------------------------------------------------

    def set_user_attr(self, key: str, value: Any) -> None:
        """Attach a value to the trial, kept with its record."""
        self.study._storage.set_trial_user_attr(self._trial_id, key, value)
        self._cached.user_attrs[key] = value

    def set_system_attr(self, key: str, value: Any) -> None:
        """Attach a value reserved for fastune's components."""
        self.study._storage.set_trial_system_attr(self._trial_id, key, value)
        self._cached.system_attrs[key] = value

    def _system_attrs_held(self) -> dict[str, Any]:
        return self._cached.system_attrs

    @property
    def number(self) -> int:
        """Index of the trial in its study, from 0."""
        return self._cached.number

    @property
    def params(self) -> dict[str, Any]:
        """The parameters suggested so far."""
        return dict(self._cached.params)

    @property
    def distributions(self) -> dict[str, BaseDistribution]:
        """The distributions of the parameters suggested so far."""
        return dict(self._cached.distributions)

    @property
    def user_attrs(self) -> dict[str, Any]:
        """User attributes of the trial (a deep copy: changing it changes nothing)."""
        return copy.deepcopy(self._cached.user_attrs)

    @property
    def system_attrs(self) -> dict[str, Any]:
        """System attributes of the trial (a deep copy)."""
        return copy.deepcopy(self._cached.system_attrs)

    @property
    def datetime_start(self) -> datetime.datetime | None:
        """When the trial started."""
        return self._cached.datetime_start

    @property
    def storage(self) -> BaseStorage:
        """The storage of the trial's study (Optuna's attribute, which Optuna-era
        artifact and terminator code reads)."""
        return self.study._storage

    @property
    def relative_params(self) -> dict[str, Any]:
        """The sampler's proposal for its relative search space (drawn on first use)."""
        return dict(self._draw_relative())


def _sampled_internal(distribution: BaseDistribution, value: Any) -> float:
    """The internal value of a sampler's proposal: a number that is not whole for an int
    parameter takes its integer part, as Optuna takes it (a user's sampler that draws
    floats for ints)."""
    whole = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if isinstance(distribution, IntDistribution) and whole and math.isfinite(value):
        return distribution.to_internal_repr(int(value))
    return distribution.to_internal_repr(value)


def _fixed_internal(name: str, value: Any, distribution: BaseDistribution) -> float:
    """The internal value of an enqueued parameter; an int parameter given a number that
    is not whole takes its integer part with a warning (as Optuna); another value the
    distribution cannot take is an error naming the parameter."""
    try:
        return distribution.to_internal_repr(value)
    except (TypeError, ValueError) as error:
        whole = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if isinstance(distribution, IntDistribution) and whole and math.isfinite(value):
            try:
                internal = distribution.to_internal_repr(int(value))
            except ValueError:  # no int either (0 on a log scale)
                pass
            else:
                _logger.warning(
                    f"Fixed parameter {name!r} = {value!r} is not an int; it is used as "
                    f"{int(value)}."
                )
                return internal
        raise invalid(
            f"fixed_params[{name!r}]", "Trial", f"a value of {distribution!r}", value
        ) from error
