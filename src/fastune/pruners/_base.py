"""The pruner seam: decides whether a running trial should stop now."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Answers "stop this trial now?" from its intermediate values and the other trials'.

    A pruner sees frozen, read-only trials; ``study.get_trials(deepcopy=False)`` gives
    the others.
    """

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` (still running) should be pruned now."""
        raise NotImplementedError  # as Optuna's: a subclass's super().prune() fails loudly
