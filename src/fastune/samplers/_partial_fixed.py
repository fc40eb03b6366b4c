"""PartialFixedSampler: some parameters held at given values, the others left to a sampler."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fastune._validation import invalid, invalid_type
from fastune.distributions import BaseDistribution, CategoricalDistribution, value_inside
from fastune.samplers._base import BaseSampler

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial, TrialState

__all__ = ["PartialFixedSampler"]


class PartialFixedSampler(BaseSampler):
    """Hold the parameters of ``fixed_params`` at their values and let ``base_sampler``
    propose the others (Optuna's name and meaning): to search again around a good
    configuration with some choices settled.

    The base sampler models the other parameters jointly as usual; the fixed ones are
    left out of its relative search space.

    Args:
        fixed_params: Parameter name -> the value every trial gets.
        base_sampler: The sampler of the other parameters.

    Raises:
        InvalidParameterTypeError: ``fixed_params`` not a mapping, ``base_sampler`` not a
            fastune sampler.
        InvalidParameterError: (when the parameter is suggested) a fixed value outside the
            distribution the objective suggests it from; Optuna warns and uses it.

    Example:
        >>> import fastune
        >>> base = fastune.samplers.TPESampler(seed=0)
        >>> sampler = fastune.samplers.PartialFixedSampler({"y": 0.0}, base)
        >>> study = fastune.create_study(sampler=sampler)
        >>> study.optimize(
        ...     lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_float("y", -1, 1),
        ...     n_trials=5)
        >>> {t.params["y"] for t in study.trials}
        {0.0}
    """

    def __init__(self, fixed_params: Mapping[str, Any], base_sampler: BaseSampler) -> None:
        owner = "PartialFixedSampler"
        if not isinstance(fixed_params, Mapping):
            raise invalid_type("fixed_params", owner, "a mapping of name -> value", fixed_params)
        if not isinstance(base_sampler, BaseSampler):
            raise invalid_type("base_sampler", owner, "a fastune sampler", base_sampler)
        self._fixed_params = dict(fixed_params)
        self._base_sampler = base_sampler

    def reseed_rng(self) -> None:
        self._base_sampler.reseed_rng()

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        space = self._base_sampler.infer_relative_search_space(study, trial)
        return {name: d for name, d in space.items() if name not in self._fixed_params}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return self._base_sampler.sample_relative(study, trial, search_space)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._fixed_params:
            return self._base_sampler.sample_independent(
                study, trial, param_name, param_distribution
            )
        value = self._fixed_params[param_name]
        if isinstance(param_distribution, CategoricalDistribution):
            # The choice equal to it (NumPy and pandas scalars too, 1 for 1.0).
            equal = [choice for choice in param_distribution.choices if value == choice]
            if equal:
                return equal[0]
        elif value_inside(param_distribution, value):
            return value
        raise invalid(
            "fixed_params",
            "PartialFixedSampler",
            f"values inside the distributions suggested ({param_name!r}: {param_distribution})",
            {param_name: value},
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._base_sampler.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        self._base_sampler.after_trial(study, trial, state, values)
