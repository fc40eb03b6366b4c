"""Pruners: stop unpromising trials early."""

from fastune.pruners._adaptive import AdaptivePruner
from fastune.pruners._base import BasePruner
from fastune.pruners._hyperband import HyperbandPruner
from fastune.pruners._median import MedianPruner
from fastune.pruners._nop import NopPruner
from fastune.pruners._patient import PatientPruner
from fastune.pruners._percentile import PercentilePruner
from fastune.pruners._successive_halving import SuccessiveHalvingPruner
from fastune.pruners._threshold import ThresholdPruner
from fastune.pruners._wilcoxon import WilcoxonPruner

__all__ = [
    "AdaptivePruner",
    "BasePruner",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "PatientPruner",
    "PercentilePruner",
    "SuccessiveHalvingPruner",
    "ThresholdPruner",
    "WilcoxonPruner",
]
