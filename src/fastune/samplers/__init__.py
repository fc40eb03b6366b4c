"""Samplers: propose the parameters of each trial."""

from fastune.samplers import nsgaii
from fastune.samplers._auto import AutoSampler
from fastune.samplers._base import BaseSampler
from fastune.samplers._brute_force import BruteForceSampler
from fastune.samplers._cmaes import CmaEsSampler
from fastune.samplers._ga import BaseGASampler
from fastune.samplers._gp import GPSampler
from fastune.samplers._grid import GridSampler
from fastune.samplers._nsga2 import NSGAIISampler
from fastune.samplers._nsga3 import NSGAIIISampler
from fastune.samplers._partial_fixed import PartialFixedSampler
from fastune.samplers._qmc import QMCSampler
from fastune.samplers._random import RandomSampler
from fastune.samplers._tpe import TPESampler

__all__ = [
    "AutoSampler",
    "BaseGASampler",
    "BaseSampler",
    "BruteForceSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "NSGAIIISampler",
    "NSGAIISampler",
    "PartialFixedSampler",
    "QMCSampler",
    "RandomSampler",
    "TPESampler",
    "nsgaii",
]
