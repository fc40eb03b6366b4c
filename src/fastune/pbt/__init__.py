"""Population Based Training: a population trained in steps, the weak copying the strong."""

from fastune.pbt._checkpoint import (
    BaseCheckpointStore,
    DiskCheckpointStore,
    MemoryCheckpointStore,
)
from fastune.pbt._exploit import BaseExploit, TournamentSelection, TruncationSelection
from fastune.pbt._explore import PB2, BaseExplore, Perturb
from fastune.pbt._history import ExploreContext, Segment
from fastune.pbt._replay import replay
from fastune.pbt._scheduler import Member, PopulationBasedTraining
from fastune.pbt._trainable import FunctionTrainable, Trainable

__all__ = [
    "PB2",
    "BaseCheckpointStore",
    "BaseExploit",
    "BaseExplore",
    "DiskCheckpointStore",
    "ExploreContext",
    "FunctionTrainable",
    "Member",
    "MemoryCheckpointStore",
    "Perturb",
    "PopulationBasedTraining",
    "Segment",
    "TournamentSelection",
    "Trainable",
    "TruncationSelection",
    "replay",
]
