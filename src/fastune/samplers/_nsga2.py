"""NSGAIISampler: the elitist genetic algorithm NSGA-II, for one or several objectives."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._pareto import crowding_distances, pareto_ranks
from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.distributions import BaseDistribution, CategoricalDistribution
from fastune.samplers._crossovers import BaseCrossover, UniformCrossover
from fastune.samplers._ga import BaseGASampler
from fastune.samplers._mutations import BaseMutation
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces
from fastune.trial._constraints import keep_constraints_func_values, violation
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["NSGAIISampler"]


class NSGAIISampler(BaseGASampler):
    """NSGA-II (Deb et al., 2002) with Optuna's name and parameters: a population evolved
    generation by generation, for one or several objectives.

    The first ``population_size`` trials (generation 0) are drawn at random. Once as many
    trials of the current generation are complete, the next one starts. Its parents are
    the elite of the previous parents and the last generation: trials sorted into
    non-dominated fronts, whole fronts taken while they fit, the last one cut by crowding
    distance (points in sparse parts of the front first). Each child takes two parents,
    each the winner of a tournament of two (lower front, then larger crowding distance);
    with probability ``crossover_prob`` each parameter comes from either parent
    (``swapping_prob`` of the second), else all from the first; then each parameter is
    drawn anew at random with probability ``mutation_prob``.

    Another ``crossover`` (Optuna's :mod:`fastune.samplers.nsgaii` crossovers, or your
    own :class:`~fastune.samplers.nsgaii.BaseCrossover`) breeds the numeric parameters of
    its ``n_parents`` parents (distinct tournament winners) as rows of the unit cube (on
    the log scale for log parameters); a child outside the cube is bred again, from
    parents drawn again (after 100 tries, it is clipped to the cube). Each categorical
    parameter then comes from the first or the last parent (``swapping_prob``). With a
    ``mutation`` (:class:`~fastune.samplers.nsgaii.PolynomialMutation` or your own
    :class:`~fastune.samplers.nsgaii.BaseMutation`), a numeric parameter picked for
    mutation is moved by it instead of drawn anew.

    As in Optuna, this is a :class:`BaseGASampler`: each trial's generation is kept in its
    system attribute ``"NSGAIISampler:generation"`` and each generation's parents, once
    chosen, in the study's ``"NSGAIISampler:parent:<generation>"``, so that every worker
    on the study's storage, and a study loaded again, breeds a generation from the same
    parents.

    Constraints (``Trial.set_constraint``, or ``constraints_func``): a feasible trial
    beats an infeasible one, and of two infeasible ones the one that breaks its
    constraints less wins.

    Args:
        population_size: Trials per generation, >= 2.
        mutation_prob: Chance that a parameter is drawn at random instead of inherited;
            by default ``1 / number of parameters``.
        crossover_prob: Chance that a child mixes its two parents, in [0, 1].
        swapping_prob: With mixing, chance that a parameter comes from the second parent,
            in [0, 1].
        seed: Seed of the random state.
        constraints_func: ``constraints_func(frozen_trial) -> sequence of floats``, kept
            as the trial's constraints when it ends (Optuna's older form).
        crossover: None (uniform crossover, as above), a
            :class:`fastune.samplers.nsgaii.UniformCrossover` (whose ``swapping_prob``
            then replaces the argument's, as in Optuna) or another crossover.
        mutation: None (a mutated parameter is drawn anew) or a mutation.
        elite_population_selection_strategy: None (the elite above) or
            ``strategy(study, population) -> parents``, which picks a generation's parents
            from the previous parents and generation (a list of frozen trials, in trial
            order), as in Optuna.
        child_generation_strategy: None (the breeding above) or
            ``strategy(study, search_space, parents) -> params``, which breeds a child's
            parameters (a dict; a parameter left out is drawn at random), as in Optuna.
        after_trial_strategy: None (keep ``constraints_func``'s values) or
            ``strategy(study, trial, state, values)``, called in its place after each
            trial, as in Optuna.

    Raises:
        InvalidParameterError: a value outside the ranges above.
        InvalidParameterTypeError: a ``constraints_func`` or strategy that is not
            callable, a ``crossover`` that is not a crossover or a ``mutation`` that is
            not a mutation.

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        ...     return x, (1 - x) ** 2 + y
        >>> sampler = fastune.samplers.NSGAIISampler(population_size=10, seed=0)
        >>> study = fastune.create_study(directions=["minimize", "minimize"], sampler=sampler)
        >>> study.optimize(objective, n_trials=40)
        >>> {sampler.get_trial_generation(study, t) for t in study.trials}
        {0, 1, 2, 3}
        >>> len(sampler.get_parent_population(study, 3))
        10
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {
        **BaseGASampler._transient,
        "_rng": np.random.default_rng,
        "_lock": threading.Lock,
    }

    def __init__(
        self,
        *,
        population_size: int = 50,
        mutation: BaseMutation | None = None,
        mutation_prob: float | None = None,
        crossover: BaseCrossover | None = None,
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        elite_population_selection_strategy: Callable[[Study, list[FrozenTrial]], list[FrozenTrial]]
        | None = None,
        child_generation_strategy: Callable[
            [Study, dict[str, BaseDistribution], list[FrozenTrial]], dict[str, Any]
        ]
        | None = None,
        after_trial_strategy: Callable[
            [Study, FrozenTrial, TrialState, Sequence[float] | None], None
        ]
        | None = None,
    ) -> None:
        super().__init__(population_size)
        owner = type(self).__name__
        self._mutation_prob = check_number(
            mutation_prob, "mutation_prob", owner, low=0.0, high=1.0, allow_none=True
        )
        self._crossover_prob = float(
            check_number(crossover_prob, "crossover_prob", owner, low=0.0, high=1.0) or 0.0
        )
        self._swapping_prob = float(
            check_number(swapping_prob, "swapping_prob", owner, low=0.0, high=1.0) or 0.0
        )
        self._crossover = _checked_crossover(crossover, owner)
        if type(crossover) is UniformCrossover:  # the built-in rule, at its probability
            self._swapping_prob = crossover.swapping_prob
            self._crossover = None
        self._check_parents(owner)
        if mutation is not None and not isinstance(mutation, BaseMutation):
            allowed = "None or a fastune.samplers.nsgaii mutation (a BaseMutation)"
            raise invalid_type("mutation", owner, allowed, mutation)
        self._mutation = mutation
        callables = {
            "constraints_func": constraints_func,
            "elite_population_selection_strategy": elite_population_selection_strategy,
            "child_generation_strategy": child_generation_strategy,
            "after_trial_strategy": after_trial_strategy,
        }
        for name, function in callables.items():
            if function is not None and not callable(function):
                raise invalid_type(name, owner, "a callable or None", function)
        self._elite_strategy = elite_population_selection_strategy
        self._child_strategy = child_generation_strategy
        self._after_trial_strategy = after_trial_strategy
        self._constraints_func = constraints_func
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)
        self._random = RandomSampler(seed=self._seed)
        self._spaces = JointSpaces()
        self._lock = threading.Lock()

    @property
    def population_size(self) -> int:
        """Trials per generation, >= 2."""
        return self._generation_size

    @population_size.setter
    def population_size(self, value: int | None) -> None:
        owner = type(self).__name__
        self._generation_size = int(check_int(value, "population_size", owner, low=2) or 2)
        if hasattr(self, "_crossover"):  # set again after the constructor
            self._check_parents(owner)

    def _check_parents(self, owner: str) -> None:
        """As Optuna: a generation holds at least the crossover's parents."""
        if self._crossover is not None and self._generation_size < self._crossover.n_parents:
            name = type(self._crossover).__name__
            allowed = f">= {self._crossover.n_parents}, the parents {name} takes"
            raise invalid("population_size", owner, allowed, self._generation_size)

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._random.reseed_rng()

    # -- the sampler seam ----------------------------------------------------------------

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self.get_trial_generation(study, trial)

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._spaces.space(study)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        generation = self.get_trial_generation(study, trial)
        if generation == 0 or not search_space:
            return {}  # generation 0 is drawn at random
        if self._child_strategy is not None:
            parent_trials = self.get_parent_population(study, generation)
            return dict(self._child_strategy(study, search_space, parent_trials))
        with self._lock:
            parents = _ranks(self.get_parent_population(study, generation), study.directions)
            if len(parents) < 2:
                return {}
            mutation = self._mutation_prob
            if mutation is None:
                mutation = 1.0 / max(1, len(search_space))
            if self._crossover is not None:
                return self._mutated_child(
                    study, self._bred(study, parents, search_space), search_space, mutation
                )
            first, second = self._tournament(parents), self._tournament(parents)
            mix = self._rng.random() < self._crossover_prob
            child = {}
            for name in search_space:
                if name not in first.trial.params or name not in second.trial.params:
                    continue
                mutated = self._rng.random() < mutation
                if mutated and self._mutation is None:
                    continue  # drawn at random (and no donor drawn: as before mutations)
                donor = second if mix and self._rng.random() < self._swapping_prob else first
                value = donor.trial.params[name]
                if mutated:
                    value = self._mutate(study, search_space[name], value)
                    if value is None:  # drawn at random by sample_independent
                        continue
                child[name] = value
        return child

    def _bred(
        self, study: Study, parents: list[_Ranked], search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        """A child's values by the crossover (with ``crossover_prob``; else the values of
        one tournament winner), before mutation."""
        assert self._crossover is not None
        if self._rng.random() >= self._crossover_prob:
            donor = self._tournament(parents).trial
            return {name: donor.params[name] for name in search_space if name in donor.params}
        for _ in range(_BREEDING_TRIES):
            chosen = [p.trial for p in self._distinct_tournaments(parents)]
            names = [n for n in search_space if all(n in t.params for t in chosen)]
            numeric = SearchSpace(
                {
                    n: search_space[n]
                    for n in names
                    if not isinstance(search_space[n], CategoricalDistribution)
                }
            )
            rows = np.array([numeric.encode(t.params) for t in chosen]).reshape(
                len(chosen), len(numeric)
            )
            bounds = np.tile([0.0, 1.0], (len(numeric), 1))
            state = np.random.RandomState(int(self._rng.integers(2**32)))
            row = self._crossover.crossover(rows, state, study, bounds) if len(numeric) else rows[0]
            row = _checked_row(row, len(numeric), self._crossover, type(self).__name__)
            if np.all((row >= 0.0) & (row <= 1.0)):
                break
        child = numeric.decode(np.clip(row, 0.0, 1.0))
        for name in names:
            if name not in child:  # categorical: the first or the last parent's
                from_last = self._rng.random() < self._swapping_prob
                child[name] = (chosen[-1] if from_last else chosen[0]).params[name]
        return child

    def _mutated_child(
        self,
        study: Study,
        child: dict[str, Any],
        search_space: dict[str, BaseDistribution],
        mutation: float,
    ) -> dict[str, Any]:
        """``child`` with each parameter, with probability ``mutation``, mutated (see
        :meth:`_mutate`)."""
        mutated_child = {}
        for name, value in child.items():
            if self._rng.random() < mutation:
                value = self._mutate(study, search_space[name], value)
                if value is None:
                    continue  # drawn at random by sample_independent
            mutated_child[name] = value
        return mutated_child

    def _mutate(self, study: Study, distribution: BaseDistribution, value: Any) -> Any:
        """``value`` moved by the mutation in the unit interval of its distribution; None
        (to be drawn at random) without a mutation or for a categorical parameter."""
        if self._mutation is None or isinstance(distribution, CategoricalDistribution):
            return None
        line = SearchSpace({"value": distribution})
        position = float(line.encode({"value": value})[0])
        state = np.random.RandomState(int(self._rng.integers(2**32)))
        moved = self._mutation.mutation(position, state, study, np.array([0.0, 1.0]))
        return line.decode(np.clip(np.array([float(moved)]), 0.0, 1.0))["value"]

    def _distinct_tournaments(self, parents: list[_Ranked]) -> list[_Ranked]:
        """The crossover's parents: winners of tournaments among the parents not picked
        yet (when too few are left, among all of them)."""
        assert self._crossover is not None
        chosen: list[_Ranked] = []
        for _ in range(self._crossover.n_parents):
            pool = [p for p in parents if p not in chosen]
            chosen.append(self._tournament(pool if len(pool) >= 2 else parents))
        return chosen

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._random.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        if self._after_trial_strategy is not None:
            self._after_trial_strategy(study, trial, state, values)
            return
        owner = type(self).__name__
        keep_constraints_func_values(self._constraints_func, study, trial, state, owner)

    # -- the population ------------------------------------------------------------------

    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        """The elite of the parents and the complete trials of the generation before."""
        self._record_earlier_parents(study, generation)
        pool = self.get_population(study, generation - 1)
        pool += self.get_parent_population(study, generation - 1)
        # In trial order, so that ties in the elite fall alike however the pool was read.
        pool = sorted(pool, key=lambda t: t.number)
        if self._elite_strategy is not None:
            return list(self._elite_strategy(study, pool))
        return self._elite(pool, study.directions)

    def _record_earlier_parents(self, study: Study, generation: int) -> None:
        """Choose the parents of the generations before ``generation - 1`` that have none
        recorded yet (trials added from another study), oldest first: left to
        :meth:`select_parent` asking for them in turn, the calls would nest once per
        generation and could overflow Python's stack on a long study."""
        recorded = study._storage.get_study_system_attrs(study._study_id)
        oldest = generation - 1
        while oldest > 1 and self._parent_key(oldest) not in recorded:
            oldest -= 1
        for earlier in range(oldest, generation - 1):
            self.get_parent_population(study, earlier)

    def _elite(
        self, trials: list[FrozenTrial], directions: list[StudyDirection]
    ) -> list[FrozenTrial]:
        """The ``population_size`` best trials: whole fronts while they fit, then the
        most crowded-out points of the next front (largest crowding distance first)."""
        ranked = sorted(_ranks(trials, directions), key=lambda r: (r.rank, -r.crowding))
        return [r.trial for r in ranked[: self.population_size]]

    def _tournament(self, parents: list[_Ranked]) -> _Ranked:
        """The better of two parents drawn at random: lower front, then more room."""
        a, b = (parents[i] for i in self._rng.choice(len(parents), size=2, replace=False))
        return min((a, b), key=lambda ranked: (ranked.rank, -ranked.crowding))


_BREEDING_TRIES = 100  # children bred outside the cube before one is clipped into it


def _checked_crossover(crossover: Any, owner: str) -> BaseCrossover | None:
    """``crossover``, once known to be None or a crossover with a usable ``n_parents``."""
    if crossover is None:
        return None
    allowed = "None or a fastune.samplers.nsgaii crossover (a BaseCrossover)"
    if not isinstance(crossover, BaseCrossover):
        raise invalid_type("crossover", owner, allowed, crossover)
    check_int(crossover.n_parents, "crossover.n_parents", owner, low=1)
    return crossover


def _checked_row(row: Any, size: int, crossover: BaseCrossover, owner: str) -> np.ndarray:
    """The crossover's child row as floats, once known to have one value per column."""
    child = np.asarray(row, dtype=float)
    if child.shape != (size,) or not np.isfinite(child).all():
        raise invalid(
            "crossover",
            owner,
            f"a crossover whose child row has {size} finite values",
            f"{crossover} returning {row!r}",
        )
    return child


class _Ranked:
    """A trial with its front (0 is the best) and crowding distance within the front."""

    __slots__ = ("crowding", "rank", "trial")

    def __init__(self, trial: FrozenTrial, rank: int, crowding: float) -> None:
        self.trial, self.rank, self.crowding = trial, rank, crowding


def _ranks(trials: list[FrozenTrial], directions: list[StudyDirection]) -> list[_Ranked]:
    """Each trial's front and crowding distance. Feasible trials are sorted into
    non-dominated fronts; infeasible ones follow, one front per amount of violation."""
    if not trials:
        return []
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    losses = np.array([np.array(t.values, dtype=float) * signs for t in trials])
    excess = np.array([violation(t.system_attrs) for t in trials])
    rank = np.full(len(trials), -1)
    feasible = np.flatnonzero(excess == 0.0)
    rank[feasible] = pareto_ranks(losses[feasible])
    front = int(rank.max()) + 1
    infeasible = np.flatnonzero(excess > 0.0)
    for offset, amount in enumerate(np.unique(excess[infeasible])):
        rank[infeasible[excess[infeasible] == amount]] = front + offset
    crowding = np.zeros(len(trials))
    for value in np.unique(rank):
        members = np.flatnonzero(rank == value)
        crowding[members] = crowding_distances(losses[members])
    return [_Ranked(t, int(r), float(c)) for t, r, c in zip(trials, rank, crowding, strict=True)]
