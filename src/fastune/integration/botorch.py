"""BoTorch (``pip install fastune[botorch]``): Bayesian optimization through BoTorch's
models and acquisition functions, with Optuna's names (``BoTorchSampler`` and its
``*_candidates_func``).

A candidates function takes the trials so far as tensors and returns the next point; the
sampler turns trials into tensors and the point back into parameters. Every parameter
column lies in ``[0, 1]`` (``bounds`` says so): floats linearly or on their log scale, ints
and stepped floats as equal bins, each categorical as one indicator column per choice.
The functions here maximize every objective (the sampler negates minimized ones) and take
a constraint as met at zero or below, as Optuna's.

BoTorch recommends the log forms of its expected-improvement functions (the plain forms
warn of numerical trouble), so the ``q*`` functions here use them: ``qei`` and ``qlogei``
are one function, as are ``qparego`` and ``qlogei_parego``.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._imports import import_optional
from fastune._space import SearchSpace
from fastune._study_direction import StudyDirection
from fastune._validation import check_int, invalid, invalid_type
from fastune.distributions import BaseDistribution
from fastune.logging import get_logger
from fastune.samplers._base import BaseSampler
from fastune.samplers._random import RandomSampler
from fastune.samplers._search_space import JointSpaces, trials_in_space
from fastune.trial._constraints import constraints_of, keep_constraints_func_values
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = [
    "BoTorchSampler",
    "ehvi_candidates_func",
    "logei_candidates_func",
    "qehvi_candidates_func",
    "qei_candidates_func",
    "qlogei_candidates_func",
    "qlogei_parego_candidates_func",
    "qnehvi_candidates_func",
    "qnei_candidates_func",
    "qparego_candidates_func",
]

_logger = get_logger(__name__)

with warnings.catch_warnings():
    # linear_operator (under BoTorch) decorates with torch.jit.script, which torch 2.10+
    # deprecates: a warning about BoTorch's dependencies, not about the user's code.
    warnings.filterwarnings("ignore", "`torch.jit.script` is deprecated", DeprecationWarning)
    # On import, as Optuna's: the names without BoTorch say which extra installs it.
    import_optional("torch", "botorch")
    import_optional("botorch", "botorch")
    import torch
    from botorch.acquisition.analytic import (
        LogConstrainedExpectedImprovement,
        LogExpectedImprovement,
    )
    from botorch.acquisition.logei import qLogExpectedImprovement, qLogNoisyExpectedImprovement
    from botorch.acquisition.multi_objective.analytic import ExpectedHypervolumeImprovement
    from botorch.acquisition.multi_objective.logei import (
        qLogExpectedHypervolumeImprovement,
        qLogNoisyExpectedHypervolumeImprovement,
    )
    from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
    from botorch.acquisition.objective import GenericMCObjective
    from botorch.exceptions.warnings import OptimizationWarning
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.models.transforms import Normalize, Standardize
    from botorch.optim import optimize_acqf
    from botorch.sampling.normal import SobolQMCNormalSampler
    from botorch.utils.multi_objective.box_decompositions.non_dominated import (
        FastNondominatedPartitioning,
    )
    from botorch.utils.multi_objective.scalarization import get_chebyshev_scalarization
    from botorch.utils.sampling import manual_seed, sample_simplex
    from gpytorch.mlls import ExactMarginalLogLikelihood
    from linear_operator.utils.warnings import NumericalWarning

Tensor = torch.Tensor
CandidatesFunc = Callable[[Tensor, Tensor, Tensor | None, Tensor, Tensor | None], Tensor]

_MC_SAMPLES = 256


# --- the candidates functions -------------------------------------------------------------
#
# Each takes: train_x (n, d) the complete trials' points; train_obj (n, m) their objective
# values, to maximize; train_con (n, c) their constraint values (met at <= 0) or None;
# bounds (2, d) the lower and upper bound of each column; pending_x (k, d) the points of
# running trials or None. Each returns the next point, shape (1, d).


@contextlib.contextmanager
def _quiet_numerics() -> Iterator[None]:
    """Hide the numerical notes of BoTorch's fits and searches (jitter added to a
    covariance, an L-BFGS-B run stopped early and restarted) and torch's note on the
    sparse tensors of linear_operator: they concern BoTorch's inner steps, which recover
    from them, and would otherwise print on most trials."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        warnings.simplefilter("ignore", OptimizationWarning)
        warnings.filterwarnings("ignore", "Optimization failed", RuntimeWarning)
        warnings.filterwarnings("ignore", "Sparse invariant checks", UserWarning)
        yield


def _model(train_x: Tensor, train_y: Tensor, bounds: Tensor) -> SingleTaskGP:
    """A GP per output column of ``train_y``, inputs scaled to the unit cube by
    ``bounds``, outputs standardized; its hyperparameters fitted by marginal likelihood."""
    model = SingleTaskGP(
        train_x,
        train_y,
        input_transform=Normalize(d=train_x.size(-1), bounds=bounds),
        outcome_transform=Standardize(m=train_y.size(-1)),
    )
    with _quiet_numerics():
        fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    return model


def _best_point(acquisition: Any, bounds: Tensor) -> Tensor:
    """The point of ``bounds`` where ``acquisition`` is highest (multi-start L-BFGS-B)."""
    with _quiet_numerics():
        candidates, _ = optimize_acqf(
            acq_function=acquisition,
            bounds=bounds,
            q=1,
            num_restarts=10,
            raw_samples=512,
            options={"batch_limit": 5, "maxiter": 200},
        )
    return candidates.detach()


def _outputs(train_obj: Tensor, train_con: Tensor | None) -> tuple[Tensor, int]:
    """The model's outputs (objectives, then constraints) and the number of constraints."""
    if train_con is None or train_con.size(-1) == 0:
        return train_obj, 0
    return torch.cat([train_obj, train_con], dim=-1), train_con.size(-1)


def _constraint_callables(n_objectives: int, n_constraints: int) -> list[Callable[..., Tensor]]:
    """For BoTorch's MC functions: the model output of each constraint (met at <= 0)."""
    return [
        (lambda samples, column=n_objectives + k: samples[..., column])
        for k in range(n_constraints)
    ]


def _first_output(samples: Tensor, X: Tensor | None = None) -> Tensor:
    """The MC objective of the one-objective functions: the objective's samples (the
    constraints' columns follow it)."""
    return samples[..., 0]


def _feasible(train_obj: Tensor, train_con: Tensor | None) -> Tensor:
    """Which trials meet every constraint."""
    if train_con is None:
        return torch.ones(len(train_obj), dtype=torch.bool, device=train_obj.device)
    return (train_con <= 0).all(dim=-1)


def _monte_carlo(n_objectives: int, n_constraints: int, pending_x: Tensor | None) -> dict[str, Any]:
    """What every Monte Carlo function here is given beside its model: quasi-random
    normal draws, the constraints' outputs, and the pending points."""
    return {
        "sampler": SobolQMCNormalSampler(sample_shape=torch.Size([_MC_SAMPLES])),
        "constraints": _constraint_callables(n_objectives, n_constraints) or None,
        "X_pending": pending_x,
    }


def _best_feasible(train_obj: Tensor, train_con: Tensor | None) -> Tensor:
    """The best value of a feasible trial (the worst value while none is feasible)."""
    feasible = _feasible(train_obj, train_con)
    return train_obj[feasible].max() if feasible.any() else train_obj.min()


def _check_objectives(name: str, train_obj: Tensor, single: bool) -> None:
    n_objectives = train_obj.size(-1)
    if single and n_objectives != 1:
        raise invalid("train_obj", name, "one objective column", f"{n_objectives} columns")
    if not single and n_objectives < 2:
        raise invalid("train_obj", name, "two objective columns or more", "1 column")


def logei_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Analytic log expected improvement over the best feasible value (one objective);
    with constraints, times the chance that each is met. Running trials are not
    considered (an analytic function has no pending points): with
    ``consider_running_trials`` the sampler uses :func:`qei_candidates_func`."""
    _check_objectives("logei_candidates_func", train_obj, single=True)
    train_y, n_constraints = _outputs(train_obj, train_con)
    best = _best_feasible(train_obj, train_con)
    model = _model(train_x, train_y, bounds)
    acquisition: Any
    if n_constraints:
        acquisition = LogConstrainedExpectedImprovement(
            model,
            best_f=best,
            objective_index=0,
            constraints={1 + k: (None, 0.0) for k in range(n_constraints)},
        )
    else:
        acquisition = LogExpectedImprovement(model, best_f=best)
    return _best_point(acquisition, bounds)


def qlogei_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Monte Carlo log expected improvement (one objective), with constraints and the
    running trials' points as pending."""
    _check_objectives("qlogei_candidates_func", train_obj, single=True)
    train_y, n_constraints = _outputs(train_obj, train_con)
    acquisition = qLogExpectedImprovement(
        _model(train_x, train_y, bounds),
        best_f=_best_feasible(train_obj, train_con),
        objective=GenericMCObjective(_first_output),
        **_monte_carlo(1, n_constraints, pending_x),
    )
    return _best_point(acquisition, bounds)


qei_candidates_func = qlogei_candidates_func


def qnei_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Monte Carlo log noisy expected improvement (one objective): the improvement over
    the model's view of the points tried, for noisy objectives; constraints and pending
    points as :func:`qei_candidates_func`."""
    _check_objectives("qnei_candidates_func", train_obj, single=True)
    train_y, n_constraints = _outputs(train_obj, train_con)
    acquisition = qLogNoisyExpectedImprovement(
        _model(train_x, train_y, bounds),
        X_baseline=train_x,
        objective=GenericMCObjective(_first_output),
        **_monte_carlo(1, n_constraints, pending_x),
        prune_baseline=True,
    )
    return _best_point(acquisition, bounds)


def _reference_point(train_obj: Tensor) -> Tensor:
    """A point a little worse than the worst value of each objective: the hypervolume is
    measured from it."""
    low = train_obj.min(dim=0).values
    span = train_obj.max(dim=0).values - low
    return low - 0.1 * torch.where(span > 0, span, torch.ones_like(span))


def qehvi_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Monte Carlo log expected hypervolume improvement (two objectives or more) over
    the feasible Pareto front, with constraints and pending points."""
    _check_objectives("qehvi_candidates_func", train_obj, single=False)
    n_objectives = train_obj.size(-1)
    train_y, n_constraints = _outputs(train_obj, train_con)
    feasible = train_obj[_feasible(train_obj, train_con)]
    reference = _reference_point(train_obj)
    partitioning: Any = FastNondominatedPartitioning(ref_point=reference, Y=feasible)
    acquisition = qLogExpectedHypervolumeImprovement(
        _model(train_x, train_y, bounds),
        ref_point=reference.tolist(),
        partitioning=partitioning,
        objective=IdentityMCMultiOutputObjective(outcomes=list(range(n_objectives))),
        **_monte_carlo(n_objectives, n_constraints, pending_x),
    )
    return _best_point(acquisition, bounds)


def qnehvi_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Monte Carlo log noisy expected hypervolume improvement (two objectives or more),
    for noisy objectives; constraints and pending points as
    :func:`qehvi_candidates_func`."""
    _check_objectives("qnehvi_candidates_func", train_obj, single=False)
    n_objectives = train_obj.size(-1)
    train_y, n_constraints = _outputs(train_obj, train_con)
    acquisition = qLogNoisyExpectedHypervolumeImprovement(
        _model(train_x, train_y, bounds),
        ref_point=_reference_point(train_obj).tolist(),
        X_baseline=train_x,
        objective=IdentityMCMultiOutputObjective(outcomes=list(range(n_objectives))),
        **_monte_carlo(n_objectives, n_constraints, pending_x),
        prune_baseline=True,
    )
    return _best_point(acquisition, bounds)


def ehvi_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """Analytic expected hypervolume improvement (two objectives or more), without
    constraints or pending points (the sampler's default for more than three objectives
    when it has neither)."""
    _check_objectives("ehvi_candidates_func", train_obj, single=False)
    if train_con is not None:
        raise invalid("train_con", "ehvi_candidates_func", "None (no constraints)", "a tensor")
    reference = _reference_point(train_obj)
    partitioning: Any = FastNondominatedPartitioning(ref_point=reference, Y=train_obj)
    acquisition = ExpectedHypervolumeImprovement(
        _model(train_x, train_obj, bounds),
        ref_point=reference.tolist(),
        partitioning=partitioning,
    )
    return _best_point(acquisition, bounds)


def qparego_candidates_func(
    train_x: Tensor,
    train_obj: Tensor,
    train_con: Tensor | None,
    bounds: Tensor,
    pending_x: Tensor | None,
) -> Tensor:
    """ParEGO (two objectives or more): the objectives folded into one by a Chebyshev
    scalarization with weights drawn at random on each call, then Monte Carlo log noisy
    expected improvement of it; constraints and pending points considered."""
    _check_objectives("qparego_candidates_func", train_obj, single=False)
    n_objectives = train_obj.size(-1)
    train_y, n_constraints = _outputs(train_obj, train_con)
    weights = sample_simplex(n_objectives, dtype=train_obj.dtype, device=train_obj.device)
    scalarize = get_chebyshev_scalarization(weights.squeeze(0), Y=train_obj)

    def scalarized(samples: Tensor, X: Tensor | None = None) -> Tensor:
        return scalarize(samples[..., :n_objectives], X)

    acquisition = qLogNoisyExpectedImprovement(
        _model(train_x, train_y, bounds),
        X_baseline=train_x,
        objective=GenericMCObjective(scalarized),
        **_monte_carlo(n_objectives, n_constraints, pending_x),
        prune_baseline=True,
    )
    return _best_point(acquisition, bounds)


qlogei_parego_candidates_func = qparego_candidates_func


def _default_candidates_func(n_objectives: int, constrained: bool, pending: bool) -> CandidatesFunc:
    """Optuna's choice: log EI for one objective (its Monte Carlo form with pending
    points), hypervolume improvement for two or three, and for more, analytic EHVI
    without constraints or pending points, ParEGO with them."""
    if n_objectives == 1:
        return qei_candidates_func if pending else logei_candidates_func
    if n_objectives <= 3:
        return qehvi_candidates_func
    return qparego_candidates_func if constrained or pending else ehvi_candidates_func


# --- the sampler --------------------------------------------------------------------------


class BoTorchSampler(BaseSampler):
    """Bayesian optimization with BoTorch: after ``n_startup_trials`` complete trials,
    each trial's parameters come from ``candidates_func``, given the complete trials (and
    with ``consider_running_trials``, the running ones) as tensors; before that, and for
    parameters outside the joint space of the complete trials, from
    ``independent_sampler``.

    One or several objectives, and constraints set with ``trial.set_constraint`` (or the
    older ``constraints_func``): the default ``candidates_func`` is chosen by the number
    of objectives, as Optuna's (see :func:`logei_candidates_func` and the others of this
    module). A trial whose value is not finite, or that lacks one of the constraints the
    others hold, is left out of the model.

    Args:
        candidates_func: ``f(train_x, train_obj, train_con, bounds, pending_x)`` returning
            the next point as a tensor of shape ``(1, d)`` or ``(d,)`` (see the module's
            text for the layout); ``None`` chooses one of this module's functions.
        constraints_func: Optuna's older form of constraints: a function of a finished
            trial returning its constraint values (met at zero or below), kept with it.
        n_startup_trials: Complete trials drawn by ``independent_sampler`` first.
        consider_running_trials: Pass the running trials' points as ``pending_x``, so
            that parallel workers do not propose the same point.
        independent_sampler: The sampler of the first trials and of parameters outside
            the joint space (default: ``RandomSampler(seed=seed)``).
        seed: Seeds the independent sampler and each call of ``candidates_func`` (through
            torch's generator, forked for the call).
        device: The torch device of the tensors (``"cuda"`` for a GPU); default the CPU.

    Raises:
        InvalidParameterTypeError: ``candidates_func`` or ``constraints_func`` is not
            callable, ``independent_sampler`` not a fastune sampler.
        InvalidParameterError: ``n_startup_trials`` or ``seed`` is negative, ``device``
            is not a device, or ``candidates_func`` returns a tensor of another shape
            than one point.
        MissingDependencyError: BoTorch is not installed (on import of this module).

    Example:
        >>> import fastune
        >>> from fastune.integration.botorch import BoTorchSampler
        >>> study = fastune.create_study(
        ...     directions=["minimize", "minimize"], sampler=BoTorchSampler(seed=0))
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0.0, 1.0)
        ...     return x, (x - 1.0) ** 2
        >>> study.optimize(objective, n_trials=12)  # doctest: +SKIP
    """

    _transient: ClassVar[dict[str, Callable[[], Any]]] = {"_lock": threading.Lock}

    def __init__(
        self,
        *,
        candidates_func: CandidatesFunc | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        n_startup_trials: int = 10,
        consider_running_trials: bool = False,
        independent_sampler: BaseSampler | None = None,
        seed: int | None = None,
        device: Any = None,
    ) -> None:
        owner = "BoTorchSampler"
        for name, function in (
            ("candidates_func", candidates_func),
            ("constraints_func", constraints_func),
        ):
            if function is not None and not callable(function):
                raise invalid_type(name, owner, "a callable or None", function)
        if independent_sampler is not None and not isinstance(independent_sampler, BaseSampler):
            raise invalid_type(
                "independent_sampler", owner, "a fastune sampler or None", independent_sampler
            )
        self._candidates_func = candidates_func
        self._constraints_func = constraints_func
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        self._consider_running_trials = bool(consider_running_trials)
        self._seed = check_int(seed, "seed", owner, low=0, allow_none=True)
        self._independent = independent_sampler or RandomSampler(seed=self._seed)
        try:
            self._device = torch.device("cpu" if device is None else device)
        except (RuntimeError, TypeError) as error:
            allowed = "None, a torch.device or a device name such as 'cpu' or 'cuda:0'"
            raise invalid("device", owner, allowed, device) from error
        self._spaces = JointSpaces(states=(TrialState.COMPLETE,))
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._independent.reseed_rng()
        if self._seed is not None:
            self._seed = int(np.random.default_rng().integers(2**31 - 1))

    def infer_relative_search_space(
        self, study: Study, trial: FrozenTrial
    ) -> dict[str, BaseDistribution]:
        return self._spaces.space(study)

    def sample_independent(
        self,
        study: Study,
        trial: FrozenTrial,
        param_name: str,
        param_distribution: BaseDistribution,
    ) -> Any:
        return self._independent.sample_independent(study, trial, param_name, param_distribution)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        states = (TrialState.COMPLETE, TrialState.RUNNING)
        in_space = trials_in_space(study, trial, search_space, states)
        complete = [t for t in in_space if t.state == TrialState.COMPLETE and t.values]
        if len(complete) < max(1, self._n_startup_trials):
            return {}
        constraint_names = sorted({n for t in complete for n in constraints_of(t.system_attrs)})
        modeled = [
            t
            for t in complete
            if all(math.isfinite(v) for v in t.values or [])
            and set(constraint_names) <= constraints_of(t.system_attrs).keys()
        ]
        if not modeled:
            return {}
        space = SearchSpace(search_space)
        signs = [-1.0 if d == StudyDirection.MINIMIZE else 1.0 for d in study.directions]
        train_x = space.one_hot(np.array([space.encode(t.params) for t in modeled]))
        train_obj = np.array([t.values for t in modeled]) * np.array(signs)
        train_con = None
        if constraint_names:
            train_con = self._tensor(
                [[constraints_of(t.system_attrs)[n] for n in constraint_names] for t in modeled]
            )
        pending = None
        if self._consider_running_trials:
            running = [t for t in in_space if t.state == TrialState.RUNNING]
            if running:
                pending = self._tensor(
                    space.one_hot(np.array([space.encode(t.params) for t in running]))
                )
        bounds = self._tensor(np.stack([np.zeros(train_x.shape[1]), np.ones(train_x.shape[1])]))
        function = self._candidates_func or _default_candidates_func(
            len(signs), train_con is not None, pending is not None
        )
        with self._lock:
            seed = self._seed
            if self._seed is not None:
                self._seed += 1  # each call its own draws, the sequence reproducible
        with manual_seed(seed):
            point = function(
                self._tensor(train_x), self._tensor(train_obj), train_con, bounds, pending
            )
        return space.decode(space.from_one_hot(self._point(point, train_x.shape[1]))[0])

    def _tensor(self, values: Any) -> Tensor:
        return torch.as_tensor(np.asarray(values, dtype=np.float64), device=self._device)

    @staticmethod
    def _point(point: Any, width: int) -> np.ndarray:
        """``candidates_func``'s answer as one row of ``width`` numbers."""
        shape = tuple(point.shape) if isinstance(point, torch.Tensor) else None
        if shape not in ((width,), (1, width)):
            raise invalid(
                "candidates_func",
                "BoTorchSampler",
                f"a function returning a tensor of shape (1, {width}) or ({width},)",
                f"a function returning {type(point).__name__} of shape {shape}",
            )
        return point.detach().cpu().double().numpy().reshape(1, width)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent.before_trial(study, trial)

    def after_trial(
        self,
        study: Study,
        trial: FrozenTrial,
        state: TrialState,
        values: Sequence[float] | None,
    ) -> None:
        keep_constraints_func_values(self._constraints_func, study, trial, state, "BoTorchSampler")
        self._independent.after_trial(study, trial, state, values)
