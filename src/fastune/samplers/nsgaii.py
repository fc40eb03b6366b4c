"""Optuna's ``optuna.samplers.nsgaii`` names: the crossovers and mutations of
:class:`~fastune.samplers.NSGAIISampler` and ``NSGAIIISampler``, and their base classes
for your own."""

from __future__ import annotations

from fastune.samplers._crossovers import (
    BaseCrossover,
    BLXAlphaCrossover,
    SBXCrossover,
    SPXCrossover,
    UNDXCrossover,
    UniformCrossover,
    VSBXCrossover,
)
from fastune.samplers._mutations import BaseMutation, PolynomialMutation

__all__ = [
    "BLXAlphaCrossover",
    "BaseCrossover",
    "BaseMutation",
    "PolynomialMutation",
    "SBXCrossover",
    "SPXCrossover",
    "UNDXCrossover",
    "UniformCrossover",
    "VSBXCrossover",
]
