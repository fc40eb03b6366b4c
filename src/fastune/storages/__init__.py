"""Storages: where studies and trials are kept."""

from __future__ import annotations

from typing import Any

from fastune._validation import invalid_type
from fastune.storages._base import BaseStorage
from fastune.storages._in_memory import InMemoryStorage

__all__ = ["BaseStorage", "InMemoryStorage", "get_storage"]


def get_storage(storage: Any) -> BaseStorage:
    """Return the storage meant by ``storage``: None is a new in-memory storage.

    Raises:
        InvalidParameterTypeError: ``storage`` is neither None nor a ``BaseStorage``.
            (Database URLs arrive with the SQL storages.)
    """
    if storage is None:
        return InMemoryStorage()
    if isinstance(storage, BaseStorage):
        return storage
    raise invalid_type("storage", "create_study", "None or a fastune.storages.BaseStorage", storage)
