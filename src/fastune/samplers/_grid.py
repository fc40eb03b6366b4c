"""Exhaustive search over a grid of parameter values, in a seeded random order."""

from __future__ import annotations

import hashlib
import itertools
import numbers
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._study_view import every_trial
from fastune._validation import check_int, invalid, invalid_type
from fastune.distributions import BaseDistribution, value_inside
from fastune.samplers._base import BaseSampler
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["GridSampler"]

GRID_ID_KEY = "grid_id"
GRID_KEY = "grid:space"  # a digest of the grid a trial's grid id belongs to


def _is_plain(value: Any) -> bool:
    """None, bool, a number, a string, or a tuple of them (a categorical's choice such as
    a layer-size pair)."""
    if isinstance(value, tuple):
        return all(_is_plain(item) for item in value)
    return value is None or isinstance(value, (str, bool, numbers.Real))


class GridSampler(BaseSampler):
    """Tries every combination of the given values once, then stops the study.

    Each trial takes a grid point that no other trial has taken, chosen at random among
    the points left (seeded), so that several workers can share one grid. When every
    point has been visited, the study stops. A parameter suggested by the objective must
    be in the grid, and its grid values must lie inside the suggested distribution.

    An enqueued trial (``enqueue_trial``) that holds a grid point counts as that point;
    one that holds some of the grid's parameters takes a point left that agrees with
    them; one whose values are on no point takes none (then every parameter it suggests
    must be enqueued). The points are the study's: under :class:`HyperbandPruner`, whose
    brackets each see their own trials, the grid is still tried once.

    Args:
        search_space: Values to try, by parameter name.
        seed: Seed of the order in which points are visited. None: seed 0, so every
            run visits the points in the same order (as Optuna). A copy sent to a worker
            process (pickled) draws its order afresh, so that workers do not all take the
            same next point.

    Raises:
        InvalidParameterError: an empty list of values.
        InvalidParameterTypeError: values that are not a sequence of None, bool, int,
            float, str or tuples of them.

    Example:
        >>> import fastune
        >>> sampler = fastune.samplers.GridSampler({"x": [-1, 0, 1], "y": ["a", "b"]})
        >>> study = fastune.create_study(sampler=sampler)
        >>> study.optimize(lambda t: t.suggest_int("x", -1, 1) ** 2
        ...                + (t.suggest_categorical("y", ["a", "b"]) == "b"))
        >>> len(study.trials)
        6
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {
        "_rng": np.random.default_rng,
        "_lock": threading.Lock,
    }

    def __init__(self, search_space: Mapping[str, Sequence[Any]], seed: int | None = None) -> None:
        owner = "GridSampler"
        if not isinstance(search_space, Mapping):
            raise invalid_type("search_space", owner, "a mapping of name -> values", search_space)
        for name, values in search_space.items():
            if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
                raise invalid_type(f"search_space[{name!r}]", owner, "a list of values", values)
            if len(values) == 0:
                raise invalid(f"search_space[{name!r}]", owner, "a non-empty list", values)
            if not all(_is_plain(value) for value in values):
                raise invalid_type(
                    f"search_space[{name!r}]",
                    owner,
                    "a list of None, bool, int, float, str or tuples of them",
                    values,
                )
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        # Without a seed the order is still the same on every run, as Optuna's (seed 0);
        # reseed_rng gives a fresh one.
        self._rng = np.random.default_rng(0 if self._seed is None else self._seed)
        self._lock = threading.Lock()
        self._param_names = sorted(search_space)
        # numpy scalars (a grid given as np.array) as Python values, as trials keep them
        self._search_space = {
            name: [v.item() if isinstance(v, np.generic) else v for v in search_space[name]]
            for name in self._param_names
        }
        self._grid = list(itertools.product(*self._search_space.values()))
        # A digest of the grid, not the grid itself: kept in every trial, in any storage.
        text = repr(
            sorted((name, [repr(v) for v in values]) for name, values in self._search_space.items())
        )
        self._digest = hashlib.sha1(text.encode()).hexdigest()[:16]

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()

    @property
    def grid_size(self) -> int:
        """How many points the grid has."""
        return len(self._grid)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if GRID_ID_KEY in trial.system_attrs:
            return
        fixed = trial.system_attrs.get("fixed_params", {})
        # The lock keeps two threads of one process from taking the same point.
        with self._lock:
            grid_id = self._grid_id_of(fixed)
            if grid_id is None:
                # The points that agree with the values enqueued for some of the grid's
                # parameters (all points when none is); none: the trial is off the grid
                # and takes no point.
                agreeing = self._agreeing(fixed)
                if not agreeing:
                    return
                unvisited = [g for g in self._unvisited(study) if g in agreeing]
                # Once every point is taken (by running trials too), points are revisited.
                pool = unvisited if unvisited else sorted(agreeing)
                grid_id = int(pool[int(self._rng.integers(len(pool)))])
            study._storage.set_trial_system_attr(trial._trial_id, GRID_KEY, self._digest)
            study._storage.set_trial_system_attr(trial._trial_id, GRID_ID_KEY, grid_id)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        if param_name not in self._search_space:
            raise invalid(
                "param_name",
                "GridSampler",
                f"one of the grid's parameters {self._param_names}",
                param_name,
            )
        grid_id = trial.system_attrs.get(GRID_ID_KEY)
        if grid_id is None:
            fixed = trial.system_attrs.get("fixed_params", {})
            raise invalid(
                "param_name",
                "GridSampler",
                f"a parameter the trial enqueued: its enqueued values {fixed} are on no grid "
                "point, so the grid gives it no value",
                param_name,
            )
        value = self._grid[grid_id][self._param_names.index(param_name)]
        if not value_inside(param_distribution, value):
            raise invalid(
                f"search_space[{param_name!r}]",
                "GridSampler",
                f"values inside the suggested distribution {param_distribution!r}",
                value,
            )
        return value

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        taken = self._taken(study)
        if GRID_ID_KEY in trial.system_attrs:  # a trial off the grid takes no point
            taken.add(trial.system_attrs[GRID_ID_KEY])
        if len(taken) >= len(self._grid):
            study.stop()

    def is_exhausted(self, study: Study) -> bool:
        """Whether every grid point has been taken by a trial of ``study``."""
        return not self._unvisited(study)

    def _taken(self, study: Study) -> set[int]:
        states = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL, TrialState.RUNNING)
        # Only the points of this grid: another grid (an earlier sampler of the study)
        # numbers its points alike. The whole study's: a view of a part of it (a
        # Hyperband bracket) would let each part try the grid again.
        return {
            trial.system_attrs[GRID_ID_KEY]
            for trial in every_trial(study, states)
            if GRID_ID_KEY in trial.system_attrs
            and trial.system_attrs.get(GRID_KEY, self._digest) == self._digest
        }

    def _unvisited(self, study: Study) -> list[int]:
        taken = self._taken(study)
        return [grid_id for grid_id in range(len(self._grid)) if grid_id not in taken]

    def _agreeing(self, params: Mapping[str, Any]) -> set[int]:
        """The grid points whose values equal ``params`` on the grid's parameters it holds."""
        held = [(i, params[name]) for i, name in enumerate(self._param_names) if name in params]
        if not held:
            return set(range(len(self._grid)))
        return {
            grid_id
            for grid_id, point in enumerate(self._grid)
            if all(point[i] == value for i, value in held)
        }

    def _grid_id_of(self, params: Mapping[str, Any]) -> int | None:
        if not params or any(name not in params for name in self._param_names):
            return None
        point = tuple(params[name] for name in self._param_names)
        for grid_id, candidate in enumerate(self._grid):
            if candidate == point:
                return grid_id
        return None
