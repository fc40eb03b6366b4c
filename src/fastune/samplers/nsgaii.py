"""Optuna's ``optuna.samplers.nsgaii`` crossovers: the uniform crossover, which
:class:`~fastune.samplers.NSGAIISampler` and ``NSGAIIISampler`` implement, and Optuna's
other crossover names, which are not provided and say so when built."""

from __future__ import annotations

from typing import Any

from fastune._validation import check_number, invalid

__all__ = [
    "BLXAlphaCrossover",
    "SBXCrossover",
    "SPXCrossover",
    "UNDXCrossover",
    "UniformCrossover",
    "VSBXCrossover",
]


class UniformCrossover:
    """Each parameter of a child comes from one of its two parents: from the second with
    probability ``swapping_prob``. The crossover of NSGAIISampler and NSGAIIISampler:
    ``crossover=UniformCrossover(p)`` is ``swapping_prob=p``.

    Args:
        swapping_prob: Chance that a parameter comes from the second parent, in [0, 1].

    Raises:
        InvalidParameterError: ``swapping_prob`` outside [0, 1].

    Example:
        >>> import fastune
        >>> from fastune.samplers.nsgaii import UniformCrossover
        >>> sampler = fastune.samplers.NSGAIISampler(crossover=UniformCrossover(0.3))
    """

    def __init__(self, swapping_prob: float = 0.5) -> None:
        self.swapping_prob = float(
            check_number(swapping_prob, "swapping_prob", "UniformCrossover", low=0.0, high=1.0)
            or 0.0
        )


class _NotProvidedCrossover:
    """An Optuna crossover that fastune does not provide: building one raises."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        allowed = "None or a fastune.samplers.nsgaii.UniformCrossover, the only one provided"
        raise invalid("crossover", "NSGAIISampler", allowed, type(self).__name__)


class BLXAlphaCrossover(_NotProvidedCrossover):
    """Not provided (Optuna's blend crossover): building one raises InvalidParameterError."""


class SBXCrossover(_NotProvidedCrossover):
    """Not provided (Optuna's simulated binary crossover): building one raises
    InvalidParameterError."""


class SPXCrossover(_NotProvidedCrossover):
    """Not provided (Optuna's simplex crossover): building one raises InvalidParameterError."""


class UNDXCrossover(_NotProvidedCrossover):
    """Not provided (Optuna's unimodal normal distribution crossover): building one raises
    InvalidParameterError."""


class VSBXCrossover(_NotProvidedCrossover):
    """Not provided (Optuna's modified simulated binary crossover): building one raises
    InvalidParameterError."""
