"""Objects whose pickles leave out some attributes and make them anew on load."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

__all__ = ["Transient"]


class Transient:
    """Mixin: each attribute named in ``_transient`` is left out of the pickle and made
    by its factory when the pickle is loaded (locks, which cannot be pickled; random
    states and worker ids, which a copy must not share with the original; caches
    rebuilt from the trials).

    A deep copy (``copy.deepcopy``, scikit-learn's ``clone``) is made the same way,
    except that it keeps the random states: a copy in this process draws as the original
    would from there (two clones of a seeded sampler propose the same points, as with
    Optuna), while a pickle, which goes to another process's worker, gets a fresh one.
    """

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

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        for name in self._transient:
            value = self.__dict__.get(name)
            # Random states, and transient objects that hold them (a sampler's own
            # random sampler shares its generator: the memo keeps them shared).
            if isinstance(value, (np.random.Generator, np.random.RandomState, Transient)):
                setattr(new, name, copy.deepcopy(value, memo))
        return new
