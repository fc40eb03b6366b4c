"""Samplers: propose the parameters of each trial."""

from fastune.samplers._base import BaseSampler
from fastune.samplers._grid import GridSampler
from fastune.samplers._random import RandomSampler

__all__ = ["BaseSampler", "GridSampler", "RandomSampler"]
