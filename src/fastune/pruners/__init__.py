"""Pruners: stop unpromising trials early."""

from fastune.pruners._base import BasePruner
from fastune.pruners._nop import NopPruner

__all__ = ["BasePruner", "NopPruner"]
