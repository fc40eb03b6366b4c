"""NSGAIIISampler: NSGA-II's breeding with an elite chosen by reference points, which
keeps a front spread out when there are many objectives."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from fastune._study_direction import StudyDirection
from fastune._validation import check_int, invalid, invalid_type
from fastune.samplers._crossovers import BaseCrossover
from fastune.samplers._mutations import BaseMutation
from fastune.samplers._nsga2 import NSGAIISampler, _ranks

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["NSGAIIISampler"]


class NSGAIIISampler(NSGAIISampler):
    """NSGA-III (Deb and Jain, 2014) with Optuna's name and parameters.

    Generations, parents, tournaments, crossover, mutation and constraints are those of
    :class:`NSGAIISampler`, kept under the keys ``"NSGAIIISampler:generation"`` and
    ``"NSGAIIISampler:parent:<generation>"`` (a tournament's tie within a front goes to
    the larger crowding distance, where NSGA-III's paper tosses a coin). The elite differs
    where the last
    front that fits must be cut: instead of crowding distance, which loses its meaning
    past two or three objectives, the points are spread over reference directions:

    1. The objectives of the candidates (every front up to the one being cut) are
       translated so that the best value of each is 0, and scaled by the intercepts of the
       hyperplane through the extreme points (each objective's point with the smallest
       achievement scalarizing value); by the worst values when that plane is degenerate.
    2. Each candidate is associated with the reference direction nearest to it
       (perpendicular distance). By default the directions are the points of the
       simplex whose coordinates are multiples of ``1 / dividing_parameter``.
    3. Until the elite is full: take a direction with the fewest members already chosen
       (ties broken at random); add its nearest candidate of the cut front if none is
       chosen yet, else one at random; a direction with no candidate left is dropped.

    Args:
        population_size: Trials per generation, >= 2.
        mutation_prob, crossover_prob, swapping_prob, seed, constraints_func, crossover,
            mutation, elite_population_selection_strategy, child_generation_strategy,
            after_trial_strategy: As for :class:`NSGAIISampler`.
        reference_points: The reference directions, one row per point, one column per
            objective, in the scaled objective space (non-negative); by default the
            simplex lattice of ``dividing_parameter``.
        dividing_parameter: Divisions of each objective's axis for the default
            reference points, >= 1.

    Raises:
        InvalidParameterError: a value outside the ranges above, reference points that
            are not a 2-D array of finite non-negative numbers, or reference points
            whose number of columns is not the study's number of objectives (at the
            first trial).

    Example:
        >>> import fastune
        >>> def objective(trial):
        ...     x, y = trial.suggest_float("x", 0, 1), trial.suggest_float("y", 0, 1)
        ...     return x, y, (1 - x) ** 2 + (1 - y) ** 2
        >>> sampler = fastune.samplers.NSGAIIISampler(population_size=12, seed=0)
        >>> study = fastune.create_study(directions=["minimize"] * 3, sampler=sampler)
        >>> study.optimize(objective, n_trials=48)
        >>> {t.system_attrs["NSGAIIISampler:generation"] for t in study.trials}
        {0, 1, 2, 3}
    """

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
        reference_points: np.ndarray | None = None,
        dividing_parameter: int = 3,
        elite_population_selection_strategy: Any | None = None,
        child_generation_strategy: Any | None = None,
        after_trial_strategy: Any | None = None,
    ) -> None:
        super().__init__(
            population_size=population_size,
            mutation=mutation,
            mutation_prob=mutation_prob,
            crossover=crossover,
            crossover_prob=crossover_prob,
            swapping_prob=swapping_prob,
            seed=seed,
            constraints_func=constraints_func,
            elite_population_selection_strategy=elite_population_selection_strategy,
            child_generation_strategy=child_generation_strategy,
            after_trial_strategy=after_trial_strategy,
        )
        owner = "NSGAIIISampler"
        self._dividing_parameter = int(
            check_int(dividing_parameter, "dividing_parameter", owner, low=1) or 1
        )
        self._reference_points: np.ndarray | None = None
        self._lattices: dict[int, np.ndarray] = {}  # number of objectives -> lattice
        if reference_points is not None:
            try:
                points = np.array(reference_points, dtype=float)  # a copy of its own
            except (TypeError, ValueError):
                raise invalid_type(
                    "reference_points", owner, "a 2-D array of numbers", reference_points
                ) from None
            if points.ndim != 2 or points.size == 0 or not np.all(np.isfinite(points)):
                raise invalid(
                    "reference_points",
                    owner,
                    "a non-empty 2-D array (one row per point) of finite numbers",
                    reference_points,
                )
            if np.any(points < 0) or np.any(points.sum(axis=1) == 0):
                raise invalid(
                    "reference_points",
                    owner,
                    "non-negative coordinates, not all 0 in a row (a row is a direction)",
                    reference_points,
                )
            self._reference_points = points

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        if self._reference_points is not None:
            self._directions_for(len(study.directions))  # points that do not fit
        super().before_trial(study, trial)

    def _directions_for(self, n_objectives: int) -> np.ndarray:
        if self._reference_points is None:
            if n_objectives not in self._lattices:
                lattice = simplex_lattice(n_objectives, self._dividing_parameter)
                self._lattices[n_objectives] = lattice
            return self._lattices[n_objectives]
        columns = self._reference_points.shape[1]
        if columns != n_objectives:
            raise invalid(
                "reference_points",
                "NSGAIIISampler",
                f"an array with {n_objectives} columns (one per objective of the study)",
                f"<array with {columns} columns>",
            )
        return self._reference_points

    def _elite(
        self, trials: list[FrozenTrial], directions: list[StudyDirection]
    ) -> list[FrozenTrial]:
        """Whole fronts while they fit; the next front cut by niching on reference
        directions (see the class docstring)."""
        size = self.population_size
        ranked = sorted(_ranks(trials, directions), key=lambda r: r.rank)
        if len(ranked) <= size:
            return [r.trial for r in ranked]
        cut_rank = ranked[size - 1].rank
        chosen = [r.trial for r in ranked if r.rank < cut_rank]
        cut = [r.trial for r in ranked if r.rank == cut_rank]
        if len(chosen) + len(cut) == size:
            return chosen + cut
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
        losses = np.array([np.array(t.values, dtype=float) for t in chosen + cut]) * signs
        reference = self._directions_for(len(directions))
        nearest, distance = _associate(_normalized(losses), reference)
        picks = niche_select(
            nearest, distance, len(reference), len(chosen), size - len(chosen), self._rng
        )
        return chosen + [cut[i] for i in picks]


def niche_select(
    nearest: np.ndarray,
    distance: np.ndarray,
    n_reference: int,
    n_kept: int,
    n_needed: int,
    rng: np.random.Generator,
) -> list[int]:
    """Positions in the cut front (rows ``n_kept`` on of ``nearest`` and ``distance``)
    of the ``n_needed`` members chosen by niching over ``n_reference`` directions: the
    first ``n_kept`` rows are the kept fronts, whose members fill their niches first."""
    counts = np.bincount(nearest[:n_kept], minlength=n_reference)
    open_points = np.ones(len(counts), dtype=bool)
    left = list(range(n_kept, len(nearest)))  # rows of the cut front not chosen yet
    picks: list[int] = []
    while len(picks) < n_needed:
        fewest = np.flatnonzero(open_points & (counts == counts[open_points].min()))
        point = int(rng.choice(fewest))
        members = [i for i in left if nearest[i] == point]
        if not members:
            open_points[point] = False  # no one left on this direction
            continue
        if counts[point] == 0:
            pick = min(members, key=lambda i: distance[i])
        else:
            pick = members[int(rng.integers(len(members)))]
        picks.append(pick - n_kept)
        left.remove(pick)
        counts[point] += 1
    return picks


def simplex_lattice(n_objectives: int, divisions: int) -> np.ndarray:
    """The points of the unit simplex whose coordinates are multiples of
    ``1 / divisions`` (Das and Dennis): C(divisions + n - 1, n - 1) points, each the
    count of every objective in one multiset of ``divisions`` objectives."""
    points = [
        np.bincount(multiset, minlength=n_objectives)
        for multiset in itertools.combinations_with_replacement(range(n_objectives), divisions)
    ]
    return np.array(points, dtype=float) / divisions


def _normalized(losses: np.ndarray) -> np.ndarray:
    """Losses translated to the ideal point and divided by the hyperplane's intercepts
    (the worst values where the hyperplane cannot be formed)."""
    translated = _finite(losses)
    translated = translated - translated.min(axis=0)
    n_objectives = losses.shape[1]
    weights = np.full((n_objectives, n_objectives), 1e-6) + np.eye(n_objectives)
    # Extreme point of objective k: the point smallest in max_j(translated_j / weight_kj).
    extremes = translated[
        [int(np.argmin(np.max(translated / weights[k], axis=1))) for k in range(n_objectives)]
    ]
    intercepts = translated.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            through_extremes = 1.0 / np.linalg.solve(extremes, np.ones(n_objectives))
        except np.linalg.LinAlgError:
            through_extremes = intercepts
    if np.all(np.isfinite(through_extremes)) and np.all(through_extremes > 1e-12):
        intercepts = through_extremes
    return translated / np.where(intercepts > 1e-12, intercepts, 1.0)


def _finite(losses: np.ndarray) -> np.ndarray:
    """The losses with an infinite value put one span beyond the finite ones of its
    objective (worse for +inf, better for -inf)."""
    result = np.array(losses, dtype=float)
    for column in result.T:
        finite = np.isfinite(column)
        if not finite.any():
            column[:] = 0.0
            continue
        low, high = column[finite].min(), column[finite].max()
        span = high - low + 1.0
        column[column == np.inf] = high + span
        column[column == -np.inf] = low - span
    return result


def _associate(points: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest reference direction and its perpendicular distance to it."""
    norms = np.linalg.norm(reference, axis=1)
    units = reference / np.where(norms > 0, norms, 1.0)[:, None]
    along = points @ units.T  # length of each point's projection on each direction
    squared = (points**2).sum(axis=1)[:, None] - along**2
    distances = np.sqrt(np.maximum(squared, 0.0))
    nearest = np.argmin(distances, axis=1)
    return nearest, distances[np.arange(len(points)), nearest]
