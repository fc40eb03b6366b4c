"""The search space trials share, as Optuna's ``optuna.search_space`` gives it (the
classes live in ``fastune.search_space.intersection``, Optuna's module path)."""

from __future__ import annotations

from fastune.search_space.intersection import IntersectionSearchSpace, intersection_search_space

__all__ = ["IntersectionSearchSpace", "intersection_search_space"]
