"""Trials: one evaluation of the objective, live or recorded."""

from fastune.trial._base import BaseTrial
from fastune.trial._fixed import FixedTrial
from fastune.trial._frozen import FrozenTrial, create_trial
from fastune.trial._state import TrialState
from fastune.trial._trial import Trial

__all__ = ["BaseTrial", "FixedTrial", "FrozenTrial", "Trial", "TrialState", "create_trial"]
