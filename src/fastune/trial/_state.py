"""The life-cycle states of a trial."""

from __future__ import annotations

import enum

__all__ = ["TrialState"]


class TrialState(enum.IntEnum):
    """State of a trial.

    Attributes:
        RUNNING: started and not finished.
        COMPLETE: finished with objective value(s).
        PRUNED: stopped early by a pruner or by raising :class:`fastune.TrialPruned`.
        FAIL: the objective raised, or returned something that is not a finite number.
        WAITING: enqueued, waiting for a worker to start it.
    """

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __str__(self) -> str:  # the name, as Optuna's (an IntEnum's str is its number)
        return f"TrialState.{self.name}"

    def is_finished(self) -> bool:
        """Whether the state is COMPLETE, PRUNED or FAIL."""
        return self in _FINISHED


# A set, built once: the enum's attribute lookups made is_finished, which storages and
# samplers call per trial, cost more than the rest of a storage write.
_FINISHED = frozenset({TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL})
