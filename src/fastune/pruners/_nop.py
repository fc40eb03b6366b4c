"""A pruner that never prunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastune.pruners._base import BasePruner

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["NopPruner"]


class NopPruner(BasePruner):
    """Never prunes: every trial runs to its end.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(pruner=fastune.pruners.NopPruner())
    """

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False
