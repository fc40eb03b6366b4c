"""The Transient mixin: named attributes stay out of pickles and are made anew on load."""

from __future__ import annotations

import pickle
import threading
from typing import Any, ClassVar

from fastune._transient import Transient


class _Holder(Transient):
    _transient: ClassVar[dict[str, Any]] = {"lock": threading.Lock, "cache": dict}

    def __init__(self) -> None:
        self.kept = [1, 2]
        self.lock = threading.Lock()
        self.cache = {"big": 1}


def test_transient_attributes_are_left_out_and_made_anew() -> None:
    holder = _Holder()
    holder.lock.acquire()
    data = pickle.dumps(holder)  # a lock alone would make this fail
    assert b"big" not in data
    copy = pickle.loads(data)
    assert copy.kept == [1, 2] and copy.cache == {}
    assert copy.lock is not holder.lock and not copy.lock.locked()
