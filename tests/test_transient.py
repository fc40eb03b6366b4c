"""The Transient mixin: named attributes stay out of pickles and are made anew on load."""

from __future__ import annotations

import copy
import pickle
import threading
from typing import Any, ClassVar

import numpy as np

import fastune
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


class _Seeded(_Holder):
    _transient: ClassVar[dict[str, Any]] = {**_Holder._transient, "rng": np.random.default_rng}

    def __init__(self) -> None:
        super().__init__()
        self.rng = np.random.default_rng(0)


def test_a_deep_copy_keeps_the_random_state_and_makes_the_rest_anew() -> None:
    holder = _Seeded()
    twin = copy.deepcopy(holder)
    assert twin.lock is not holder.lock and twin.cache == {} and twin.kept == [1, 2]
    assert twin.rng.random() == holder.rng.random()
    assert pickle.loads(pickle.dumps(holder)).rng.random() != holder.rng.random()


def test_clones_of_a_seeded_sampler_propose_the_same_points() -> None:
    # scikit-learn's clone deep-copies a search's sampler: two clones of a seeded search
    # drew different points, so nested cross-validation could not be reproduced.
    sampler = fastune.samplers.TPESampler(seed=0, n_startup_trials=3)

    def points(copied: fastune.samplers.TPESampler) -> list[float]:
        study = fastune.create_study(sampler=copied)
        study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=8)
        return [t.params["x"] for t in study.trials]

    assert points(copy.deepcopy(sampler)) == points(copy.deepcopy(sampler))
