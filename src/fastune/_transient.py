"""Objects whose pickles leave out some attributes and make them anew on load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

__all__ = ["Transient"]


class Transient:
    """Mixin: each attribute named in ``_transient`` is left out of the pickle and made
    by its factory when the pickle is loaded (locks, which cannot be pickled; random
    states and worker ids, which a copy must not share with the original; caches
    rebuilt from the trials)."""

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in self._transient:
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name, make in self._transient.items():
            setattr(self, name, make())
