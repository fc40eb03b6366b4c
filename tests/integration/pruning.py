"""A pruner for the integration tests: it prunes at a known step, so that a test can
check what a callback reported up to there."""

from __future__ import annotations

import fastune
from fastune.trial import FrozenTrial


class PruneAtStep(fastune.pruners.BasePruner):
    """Prunes a trial once it has reported step ``step``."""

    def __init__(self, step: int) -> None:
        self.step = step

    def prune(self, study: fastune.Study, trial: FrozenTrial) -> bool:
        return trial.last_step is not None and trial.last_step >= self.step
