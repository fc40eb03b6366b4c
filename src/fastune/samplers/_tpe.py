"""The Tree-structured Parzen Estimator sampler, vectorized over candidates and trials.

Past trials are split into the best ``gamma(n)`` ("below") and the rest ("above"); one
Parzen estimator is fitted to each, ``n_ei_candidates`` points are drawn from the
"below" one, and the point with the largest ``log l(x) - log g(x)`` is proposed.
Finished trials are encoded once and cached, so a proposal costs array work only.
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._pareto import crowding_distances, hypervolume, pareto_ranks
from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, check_number, invalid, invalid_type
from fastune.distributions import BaseDistribution, value_inside
from fastune.samplers._base import BaseSampler
from fastune.samplers._parzen import ParzenEstimator
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import FinishedTrials, JointSpaces
from fastune.trial._constraints import keep_constraints_func_values, violation
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = [
    "TPESampler",
    "default_gamma",
    "default_gamma_multiobjective",
    "default_weights",
    "hyperopt_default_gamma",
]

# The system attribute where a running trial keeps its relative proposal (constant liar).
_RELATIVE_PARAMS_KEY = "tpe:relative_params"


def default_gamma(n: int) -> int:
    """How many of ``n`` trials count as good: 10 %, at most 25 (Optuna's default)."""
    return min(math.ceil(0.1 * n), 25)


def default_gamma_multiobjective(n: int) -> int:
    """How many of ``n`` trials count as good with several objectives: 10 %, without a
    cap (Optuna's default there)."""
    return math.ceil(0.1 * n)


def hyperopt_default_gamma(n: int) -> int:
    """hyperopt's split: the best ``ceil(0.25 * sqrt(n))`` trials, at most 25."""
    return min(math.ceil(0.25 * n**0.5), 25)


def default_weights(n: int) -> np.ndarray:
    """Weights of ``n`` observations, oldest first: the 25 newest weigh 1, older ones
    ramp down linearly (Optuna's default)."""
    if n == 0:
        return np.empty(0)
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, num=n - 25), np.ones(25)])


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator, with Optuna's parameters and meaning.

    Args:
        consider_prior: Kept for compatibility: Optuna 5 deprecates it and always adds the
            prior kernel, and so does this class; passing it warns (``FutureWarning``).
        prior_weight: Weight of the prior kernel, >= 0 (None: 1.0, as Optuna 5's None).
            In each categorical kernel it is also the share ``prior_weight / (n + 1)``
            spread on every choice (n: the trials of that estimator), as Optuna.
        consider_magic_clip: Keep kernel bandwidths from collapsing (None: True).
        consider_endpoints: Kept for compatibility with Optuna; kernels here are
            always truncated at the ends of each range.
        n_startup_trials: Trials drawn at random before the model is used, >= 0: until
            this many trials of the study are finished, complete or pruned, whatever
            parameters they hold (as Optuna counts them). A parameter that only some
            trials hold is modelled from then on too.
        n_ei_candidates: Candidates scored per proposal, >= 1.
        gamma: ``gamma(n)`` is the number of good trials among the ``n`` finished
            (complete or pruned) trials of the study, all ranked together. None (the
            default): :func:`default_gamma` with one objective,
            :func:`default_gamma_multiobjective` with several.
        weights: ``weights(n)`` weighs ``n`` observations, oldest first: n values (more
            are cut off), none negative, NaN or infinite, not all zero. With several
            objectives it weighs only the bad trials; the good ones weigh the same (as
            Optuna 5). Called with n >= 1 only. None: :func:`default_weights`.
        seed: Seed of the random state.
        multivariate: Model the parameters jointly (one kernel per trial over all of
            them) rather than one by one. None (the default, as Optuna 5's): jointly
            with one objective, one by one with several, where drawing each parameter
            from a different trial of the front recombines them (on DTLZ2 with three
            objectives it matches Optuna's TPE: ``python -m benchmarks.multi_objective``).
            ``group`` models jointly whatever the objectives.
        group: With ``multivariate``, split a conditional space into groups of
            parameters that appear together and model each group jointly.
        warn_independent_sampling: Kept for compatibility; independent sampling of a
            parameter outside the joint space is expected and not warned about.
        constant_liar: Count running trials as bad ones, so parallel workers do not
            propose the same point.
        constraints_func: ``constraints_func(frozen_trial) -> sequence of floats``, called
            after each complete or pruned trial; the values are kept as the trial's
            constraints (Optuna's older form; ``Trial.set_constraint`` is the newer one).
            Feasible when every value is <= 0; infeasible trials rank after all others.

    Raises:
        InvalidParameterError: ``n_startup_trials < 0``, ``n_ei_candidates < 1``,
            ``prior_weight < 0``, ``group`` without ``multivariate``, a
            ``constraints_func`` that returns NaN, or ``weights`` that returns values
            outside what is allowed above.

    Example:
        >>> import fastune
        >>> sampler = fastune.samplers.TPESampler(seed=0)
        >>> study = fastune.create_study(sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=30)
        >>> study.best_value < 0.5
        True
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {
        "_rng": np.random.default_rng,
        "_random": RandomSampler,
        "_lock": threading.Lock,
        "_tables": dict,
    }

    def __init__(
        self,
        consider_prior: bool | None = None,
        prior_weight: float | None = 1.0,
        consider_magic_clip: bool | None = True,
        consider_endpoints: bool | None = False,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] | None = None,
        weights: Callable[[int], np.ndarray] | None = default_weights,
        seed: int | None = None,
        *,
        multivariate: bool | None = None,
        group: bool = False,
        warn_independent_sampling: bool | None = True,
        constant_liar: bool = True,
        constraints_func: Callable[..., Sequence[float]] | None = None,
    ) -> None:
        owner = "TPESampler"
        # None, Optuna 5's default of its deprecated arguments, is the default.
        prior_weight = 1.0 if prior_weight is None else prior_weight
        consider_magic_clip = True if consider_magic_clip is None else consider_magic_clip
        weights = default_weights if weights is None else weights
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        self._n_ei_candidates = int(
            check_int(n_ei_candidates, "n_ei_candidates", owner, low=1) or 1
        )
        self._prior_weight = float(check_number(prior_weight, "prior_weight", owner, low=0.0) or 0)
        if group and multivariate is False:
            raise invalid("group", owner, "False unless multivariate is True or None", group)
        if constraints_func is not None and not callable(constraints_func):
            raise invalid_type("constraints_func", owner, "a callable or None", constraints_func)
        self._constraints_func = constraints_func
        if gamma is not None and not callable(gamma):
            raise invalid_type("gamma", owner, "a callable gamma(n) or None", gamma)
        if not callable(weights):
            raise invalid_type("weights", owner, "a callable weights(n)", weights)
        if consider_prior is not None:
            warnings.warn(
                "TPESampler's 'consider_prior' is deprecated (as in Optuna 5) and has no "
                "effect: the prior kernel is always used, weighted by 'prior_weight'.",
                FutureWarning,
                stacklevel=2,
            )
        self._consider_magic_clip = bool(consider_magic_clip)
        self._consider_endpoints = bool(consider_endpoints)  # None: False
        self._gamma = gamma
        self._weights = weights
        self._multivariate = None if multivariate is None else bool(multivariate)
        self._group = bool(group)
        self._constant_liar = bool(constant_liar)
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._rng = np.random.default_rng(self._seed)
        self._random = RandomSampler(seed=None)
        self._random._rng = self._rng
        self._tables: dict[tuple[Any, ...], _Observations] = {}
        self._spaces = JointSpaces(self._group)
        self._lock = threading.Lock()

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.reseed_rng()  # the start-up trials' random sampler shares the RNG

    @staticmethod
    def hyperopt_parameters() -> dict[str, Any]:
        """The settings of hyperopt 0.1.2's TPE, as arguments of this class (Optuna's name;
        deprecated there): ``TPESampler(**TPESampler.hyperopt_parameters())``. Without
        Optuna's ``consider_prior``, deprecated, whose value True is what is done anyway."""
        return {
            "prior_weight": 1.0,
            "consider_magic_clip": True,
            "consider_endpoints": False,
            "n_startup_trials": 20,
            "n_ei_candidates": 24,
            "gamma": hyperopt_default_gamma,
            "weights": default_weights,
        }

    def reseed_rng(self) -> None:
        self._rng = np.random.default_rng()
        self._random = RandomSampler(seed=None)
        self._random._rng = self._rng

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        keep_constraints_func_values(self._constraints_func, study, trial, state, "TPESampler")

    # -- the sampler seam ----------------------------------------------------------------

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        if not self._is_multivariate(study):
            return {}
        return self._spaces.space(study)

    def _is_multivariate(self, study: Study) -> bool:
        """Whether parameters are modelled jointly in ``study`` (see ``multivariate``)."""
        if self._multivariate is not None:
            return self._multivariate
        return self._group or len(study.directions) == 1

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        trials = study.get_trials(deepcopy=False)
        groups = self._spaces.groups(study) if self._group else [search_space]
        params: dict[str, Any] = {}
        for group in groups:
            names = {n: d for n, d in group.items() if n in search_space and not d.single()}
            if names:
                params.update(self._propose(study, trial, trials, names))
        # Other workers count this trial as a bad one from now on, before its parameters
        # are stored (a batch of asks, an objective that suggests late). Only values that
        # every storage keeps as they are (JSON): not a tuple or an object choice.
        kept = {n: v for n, v in params.items() if v is None or isinstance(v, (str, int, float))}
        if kept and self._constant_liar:
            study._storage.set_trial_system_attr(trial._trial_id, _RELATIVE_PARAMS_KEY, kept)
        return params

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        trials = study.get_trials(deepcopy=False)
        return self._propose(study, trial, trials, {param_name: param_distribution})[param_name]

    # -- the model -----------------------------------------------------------------------

    def _propose(
        self,
        study: Study,
        trial: FrozenTrial,
        trials: list[FrozenTrial],
        distributions: dict[str, BaseDistribution],
    ) -> dict[str, Any]:
        with self._lock:
            key = (study._cache_key, tuple(distributions.items()))
            table = self._tables.get(key)
            if table is None:
                space = SearchSpace(distributions)
                table = self._tables[key] = _Observations(
                    space, study.directions, functools.partial(self._fit, space)
                )
            space = table.space  # built once per space: its bins are read on every call
            table.update(trials)
            if table.size < max(self._n_startup_trials, 1):
                return space.sample(self._rng, 1)[0]
            rows, losses, numbers, holds = table.arrays()
            several = len(study.directions) > 1
            gamma = self._gamma or (default_gamma_multiobjective if several else default_gamma)
            # All finished trials are ranked; those that hold the space make the estimators.
            below_mask = _split(losses, study.directions, gamma(len(rows)))
            running: list[tuple[int, np.ndarray]] = []
            if self._constant_liar:  # a running trial is a pessimistic guess: a bad one
                for other in table.feed.unfinished(trials):
                    if other.state == TrialState.RUNNING and other.number != trial.number:
                        guess = _guess(other, distributions)
                        if guess is not None:
                            running.append((other.number, space.encode(guess)))
            below_weights = _equal_weights if several else self._checked_weights
            below = table.below.sync(below_mask & holds, rows, numbers, below_weights)
            above = table.above.sync(
                ~below_mask & holds, rows, numbers, self._checked_weights, running
            )
            candidates = below.sample(self._rng, self._n_ei_candidates)
            scores = below.log_pdf(candidates) - above.log_pdf(candidates)
            return space.decode(candidates[int(np.argmax(scores))])

    def _checked_weights(self, n: int) -> np.ndarray:
        """``weights(n)``, cut to n values, checked as Optuna checks them."""
        if self._weights is default_weights or n == 0:  # known good: no checks
            return default_weights(n)  # (Optuna calls weights(n) with n >= 1 only)
        given = self._weights(n)
        weights = np.asarray(given, dtype=float)[:n]
        if len(weights) != n:
            allowed = f"a function whose weights({n}) gives {n} values"
            raise invalid("weights", "TPESampler", allowed, given)
        if not np.isfinite(weights).all() or (weights < 0).any() or (n and weights.sum() <= 0):
            allowed = f"a function whose weights({n}) gives finite values >= 0, not all zero"
            raise invalid("weights", "TPESampler", allowed, given)
        return weights

    def _fit(self, space: SearchSpace, rows: np.ndarray, numbers: np.ndarray) -> ParzenEstimator:
        """A Parzen estimator of ``rows``, weighted by ``weights`` in trial-number order."""
        order = np.argsort(numbers, kind="stable")
        weights = np.empty(len(numbers))
        weights[order] = self._checked_weights(len(numbers))
        return ParzenEstimator.fit(
            rows,
            weights,
            np.array(space.n_bins()),
            space.is_categorical(),
            prior_weight=max(self._prior_weight, 1e-12),
            consider_magic_clip=self._consider_magic_clip,
            keys=numbers,
        )


def _equal_weights(n: int) -> np.ndarray:
    """The weights of the good trials with several objectives: all the same (Optuna 5)."""
    return np.ones(n)


def _guess(trial: FrozenTrial, distributions: dict[str, BaseDistribution]) -> dict[str, Any] | None:
    """The parameters of a running ``trial`` in ``distributions``: those it holds, else
    its relative proposal (when it is inside the distribution); None if some is missing."""
    proposal = trial.system_attrs.get(_RELATIVE_PARAMS_KEY, {})
    guess = {}
    for name, distribution in distributions.items():
        if name in trial.params:
            guess[name] = trial.params[name]
        elif name in proposal and value_inside(distribution, proposal[name]):
            guess[name] = proposal[name]
        else:
            return None
    return guess


class _Observations:
    """The finished (complete or pruned) trials of a study, with their losses, and the
    rows of those that hold a whole space, encoded once, in growing arrays; and the
    incremental Parzen estimators of the "below" and "above" ones.

    Each update looks only at new trials and at the few still running or waiting; each
    proposal moves into or out of an estimator only the trials whose side of the split
    changed, so its cost does not grow with a sort of the whole history.
    """

    def __init__(
        self,
        space: SearchSpace,
        directions: list[StudyDirection],
        fit: Callable[[np.ndarray, np.ndarray], ParzenEstimator],
    ) -> None:
        self.space = space
        self.directions = directions
        self.feed = FinishedTrials()
        self.size = 0
        self._rows = np.empty((64, len(space)))
        self._losses = np.empty((64, len(directions) + 2))
        self._numbers = np.empty(64, dtype=int)
        self._holds = np.zeros(64, dtype=bool)
        self.below = _Side(fit, len(space))
        self.above = _Side(fit, len(space))

    def update(self, trials: list[FrozenTrial]) -> None:
        names = self.space.distributions
        for trial in self.feed.new(trials):
            if trial.state not in (TrialState.COMPLETE, TrialState.PRUNED):
                self.above.finished(trial.number, None, None)
                continue
            if self.size == len(self._numbers):  # double the capacity
                self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
                self._losses = np.concatenate([self._losses, np.empty_like(self._losses)])
                self._numbers = np.concatenate([self._numbers, np.empty_like(self._numbers)])
                self._holds = np.concatenate([self._holds, np.zeros_like(self._holds)])
            holds = all(trial.distributions.get(n) == d for n, d in names.items())
            row = self.space.encode(trial.params) if holds else None
            self.above.finished(trial.number, self.size, row)
            if row is not None:
                self._rows[self.size] = row
            self._holds[self.size] = holds
            self._losses[self.size] = _loss(trial, self.directions)
            self._numbers[self.size] = trial.number
            self.size += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Views of the rows, losses, trial numbers and whether each trial holds the
        space (the rows of the others are unset), for the trials seen so far."""
        n = self.size
        return self._rows[:n], self._losses[:n], self._numbers[:n], self._holds[:n]


class _Side:
    """An incremental Parzen estimator of one side of the split: which observations it
    holds (their kernel slots), and, for the "above" side, the running trials it counts
    as guesses (constant liar)."""

    def __init__(self, fit: Callable[[np.ndarray, np.ndarray], ParzenEstimator], d: int):
        self._fit = fit
        self.estimator = fit(np.empty((0, d)), np.empty(0, dtype=int))
        self._slots = np.full(64, -1)  # each observation's kernel, or -1 if not here
        self._guesses: dict[int, int] = {}  # running trial number -> its kernel

    def finished(self, number: int, position: int | None, row: np.ndarray | None) -> None:
        """Trial ``number`` finished; it is observation ``position`` with ``row`` (None:
        not an observation, or one without the space). A guess for it becomes the
        observation's kernel if it guessed the row, or goes away."""
        slot = self._guesses.pop(number, None)
        if slot is not None and (row is None or not np.array_equal(self.estimator.mus[slot], row)):
            self.estimator.remove(slot)
            slot = None
        if position is None:
            return
        if position >= len(self._slots):
            self._slots = np.concatenate([self._slots, np.full_like(self._slots, -1)])
        self._slots[position] = -1 if slot is None else slot

    def sync(
        self,
        inside: np.ndarray,
        rows: np.ndarray,
        numbers: np.ndarray,
        weights: Callable[[int], np.ndarray],
        running: Sequence[tuple[int, np.ndarray]] = (),
    ) -> ParzenEstimator:
        """The estimator of the observations in the mask ``inside`` and of the
        ``running`` (number, row) trials, weighted by ``weights`` in number order."""
        if len(self._slots) < len(inside):
            grown = np.full(2 * len(inside), -1)
            grown[: len(self._slots)] = self._slots
            self._slots = grown
        slots = self._slots[: len(inside)]
        leave = np.flatnonzero(~inside & (slots >= 0))
        enter = np.flatnonzero(inside & (slots < 0))
        if len(enter) > max(64, self.estimator.n):  # many new rows: build afresh
            self._guesses.clear()
            members = np.flatnonzero(inside)
            self.estimator = self._fit(rows[members], numbers[members])
            slots[:] = -1
            slots[members] = np.arange(len(members))
        else:
            for position in leave:
                self.estimator.remove(int(slots[position]))
                slots[position] = -1
            for position in enter:
                slots[position] = self.estimator.add(rows[position], numbers[position])
        guessed = dict(running)
        for number in list(self._guesses):
            # Gone from the running trials, or guessed differently now (its stored
            # parameters replace its relative proposal).
            row = guessed.get(number)
            if row is None or not np.array_equal(self.estimator.mus[self._guesses[number]], row):
                self.estimator.remove(self._guesses.pop(number))
        for number, row in running:
            if number not in self._guesses:
                self._guesses[number] = self.estimator.add(row, number)
        self.estimator.set_weights(weights)
        return self.estimator


def _loss(trial: FrozenTrial, directions: list[StudyDirection]) -> np.ndarray:
    """A row of losses to minimize: a pruned trial ranks after every feasible complete one,
    by how far it got (further is better), then by its last reported value; a trial that
    breaks its constraints (``Trial.set_constraint``) ranks last, by how much it breaks
    them."""
    excess = violation(trial.system_attrs)
    if excess > 0.0:
        return np.array([2.0, excess, *([0.0] * len(directions))])
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in directions])
    if trial.state == TrialState.COMPLETE and trial.values is not None:
        return np.array([0.0, 0.0, *(np.array(trial.values) * signs)])
    step = trial.last_step
    last = trial.intermediate_values[step] * signs[0] if step is not None else math.inf
    return np.array([1.0, -float(step or 0), last, *([0.0] * (len(directions) - 1))])


# Above this many objectives exact hypervolumes cost too much per proposal: the cut front
# is thinned by crowding distance instead.
_MAX_VOLUME_OBJECTIVES = 3


def _unit_scaled(points: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``points`` (finite losses) mapped per column so that the best is 0 and the worst
    1, and Optuna's reference point mapped alike: 1.1 times the worst value (0.9 times
    for a negative one, 1e-12 for 0). Hypervolume choices do not change under such a
    mapping, and scaled values cannot overflow where products of large losses would.
    None when the scale or the reference overflows."""
    low, worst = points.min(axis=0), points.max(axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        reference = np.maximum(1.1 * worst, 0.9 * worst)
        reference[reference == 0.0] = 1e-12
        span = np.where(worst > low, worst - low, 1.0)
        scaled, scaled_reference = (points - low) / span, (reference - low) / span
    if not (np.isfinite(scaled).all() and np.isfinite(scaled_reference).all()):
        return None
    return scaled, scaled_reference


def _hypervolume_subset(points: np.ndarray, size: int) -> list[int]:
    """``size`` rows of ``points`` (one front, losses) that together dominate much
    hypervolume, picked greedily, each adding the most to those before it, with Optuna's
    reference point (see :func:`_unit_scaled`). Picking by the sum of losses instead
    favoured the ends of a concave front, and the search collapsed onto one end. Above
    three objectives, or without a finite scale, the rows are taken by crowding distance
    (the ends first). Rows with an infinite loss are taken last, by that sum."""
    finite = np.flatnonzero(np.all(np.isfinite(points), axis=1))
    if len(finite) < size:
        rest = np.setdiff1d(np.arange(len(points)), finite)
        rest = rest[np.argsort(np.nan_to_num(points[rest]).sum(axis=1), kind="stable")]
        return [*finite.tolist(), *rest[: size - len(finite)].tolist()]
    mapped = _unit_scaled(points[finite])
    if mapped is None or points.shape[1] > _MAX_VOLUME_OBJECTIVES:
        spread = crowding_distances(points[finite])
        return finite[np.argsort(-spread, kind="stable")[:size]].tolist()
    scaled, reference = mapped
    # Lazy greedy: what a row adds only shrinks as rows are chosen, so a row whose
    # refreshed gain still tops every other row's last known gain is the best pick.
    heap = [(-float(np.prod(reference - scaled[k])), k) for k in range(len(finite))]
    heapq.heapify(heap)
    chosen: list[int] = []
    volume = 0.0
    while len(chosen) < size:
        _, k = heapq.heappop(heap)
        gain = hypervolume(scaled[[*chosen, k]], reference) - volume
        if not heap or gain >= -heap[0][0]:
            chosen.append(k)
            volume += gain
        else:
            heapq.heappush(heap, (-gain, k))
    return finite[chosen].tolist()


# Without ``multivariate``, the proposal of each parameter splits the same trials again:
# the hypervolume work on a set of losses (given as the bytes of its float rows) is
# remembered.


@functools.lru_cache(maxsize=64)
def _cached_subset(points: bytes, n_objectives: int, size: int) -> tuple[int, ...]:
    """:func:`_hypervolume_subset` of the rows of ``points``."""
    return tuple(_hypervolume_subset(np.frombuffer(points).reshape(-1, n_objectives), size))


def _split(losses: np.ndarray, directions: list[StudyDirection], n_below: int) -> np.ndarray:
    """A mask of the ``n_below`` best trials."""
    n_below = max(1, min(n_below, len(losses)))
    mask = np.zeros(len(losses), dtype=bool)
    if len(directions) == 1:
        complete = np.flatnonzero(losses[:, 0] == 0.0)
        if len(complete) > n_below:  # the usual case: only complete trials are below
            best = np.argpartition(losses[complete, 2], n_below - 1)[:n_below]
            mask[complete[best]] = True
            return mask
        order = np.lexsort(losses.T[::-1])
    else:  # several objectives: front by front, the front that does not fit by hypervolume
        values = losses[:, 2:]
        ranks = np.full(len(values), len(values))
        complete = np.flatnonzero(losses[:, 0] == 0.0)
        ranks[complete] = pareto_ranks(values[complete], until=n_below)
        # After the fronts, pruned trials by how far they got, then the trials that break
        # their constraints, by how much.
        order = np.lexsort((values.sum(axis=1), losses[:, 1], losses[:, 0], ranks))
        if n_below < len(order) and ranks[order[n_below - 1]] == ranks[order[n_below]]:
            last = ranks[order[n_below - 1]]
            if last < len(values):  # a front of complete trials is cut
                mask[order[ranks[order] < last]] = True
                front = np.flatnonzero(ranks == last)
                need = n_below - int(mask.sum())
                chosen = _cached_subset(values[front].tobytes(), values.shape[1], need)
                mask[front[list(chosen)]] = True
                return mask
    mask[order[:n_below]] = True
    return mask
