"""The quick and full suites: which problems, methods, seeds and budgets each one runs.

The full suite is sized to finish in about half an hour on 2 cores; the quick suite is a
few-minute smoke run of every problem group, method and measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.problems.bbob import FUNCTION_NAMES


@dataclass(frozen=True)
class QualityPlan:
    """Run every method on every problem, seeds 0 .. n_seeds - 1, ``budget`` trials each."""

    problems: tuple[str, ...]
    methods: tuple[str, ...]
    n_seeds: int
    budget: int


@dataclass(frozen=True)
class OverheadPlan:
    """Per-trial overhead on a trivial objective: repeats per study size, size caps."""

    repeats_by_n_trials: dict[int, int]
    methods: tuple[str, ...]
    max_n_trials: dict[str, int]


@dataclass(frozen=True)
class MarginalOverheadPlan:
    """Per-trial overhead at trial n of one long study per method, on ``n_params``
    floats: the time of the ``window`` trials that end at each checkpoint."""

    methods: tuple[str, ...]
    checkpoints: tuple[int, ...]
    window: int
    n_params: int
    max_n_trials: dict[str, int]


@dataclass(frozen=True)
class ThroughputPlan:
    """Trials per second with ``n_jobs`` workers on CPU-bound objectives."""

    methods: tuple[str, ...]
    n_jobs: tuple[int, ...]
    n_trials: int
    repeats: int


@dataclass(frozen=True)
class Suite:
    """Everything one run of ``python -m benchmarks --suite NAME`` measures."""

    name: str
    quality: tuple[QualityPlan, ...]
    checkpoints: tuple[int, ...]
    overhead: OverheadPlan
    marginal_overhead: MarginalOverheadPlan
    throughput: ThroughputPlan

    @property
    def problems(self) -> list[str]:
        """Every problem of the quality plans, in plan order."""
        return list(dict.fromkeys(name for plan in self.quality for name in plan.problems))

    @property
    def methods(self) -> list[str]:
        """Every method of the quality plans, in plan order."""
        return list(dict.fromkeys(name for plan in self.quality for name in plan.methods))


def _bbob(dims: tuple[int, ...], functions: tuple[int, ...] = tuple(FUNCTION_NAMES)) -> tuple:
    return tuple(f"bbob-f{function:02d}-{dim}d" for dim in dims for function in functions)


MODEL_PROBLEMS = ("svc-digits", "hgb-breast_cancer", "mlp-wine", "rf-diabetes", "sgd-digits")
CURVE_PROBLEMS = ("torch-mlp-digits", "mlp-partial_fit-digits", "sgd-partial_fit-digits")
CHEAP_SEARCH_METHODS = (
    "fastune tpe",
    "fastune cma-es",
    "fastune qmc",
    "fastune random",
    "fastune grid",
    "optuna random",
    "optuna tpe",
    "optuna cma-es",
    "hyperopt tpe",
)
GP_METHODS = ("fastune gp", "fastune auto", "optuna gp")
MODEL_METHODS = (
    # Model tuning is expensive: fastune's default (auto) and TPE, beside every peer.
    "fastune auto",
    *(method for method in CHEAP_SEARCH_METHODS if method not in ("fastune cma-es", "fastune qmc")),
    "optuna gp",
    "sklearn random search",
    "sklearn halving search",
)
CURVE_METHODS = (
    # Every fastune pruner with fastune's TPESampler, beside Optuna's pruners.
    "fastune tpe+adaptive",
    "fastune tpe+median",
    "fastune tpe+asha",
    "fastune tpe+hyperband",
    "fastune tpe",
    "optuna tpe+median",
    "optuna tpe+hyperband",
    "optuna tpe",
)
# fastune's n_jobs runs worker processes (its default); "<method> threads" runs threads.
THROUGHPUT_METHODS = ("fastune random", "fastune random threads", "optuna random")
OVERHEAD_METHODS = (
    "fastune tpe",
    "fastune cma-es",
    "fastune qmc",
    "fastune gp",
    "fastune random",
    "fastune grid",
    "optuna random",
    "optuna tpe",
    "optuna cma-es",
    "optuna gp",
)
# The overhead target: TPE on 10 floats, per trial at trial 1,000 and 10,000.
MARGINAL_OVERHEAD_METHODS = ("fastune tpe", "optuna tpe", "fastune random")

FULL = Suite(
    name="full",
    quality=(
        QualityPlan(_bbob((2, 5, 10)), CHEAP_SEARCH_METHODS, n_seeds=10, budget=200),
        # GPSampler costs ~0.1-0.7 s per trial here: fewer seeds and trials, no 10-D.
        QualityPlan(_bbob((2, 5)), ("optuna gp",), n_seeds=5, budget=100),
        # fastune's GP costs more per trial still: a subset (sphere, Rastrigin), 3 seeds.
        QualityPlan(_bbob((2, 5), (1, 15)), GP_METHODS, n_seeds=3, budget=100),
        QualityPlan(MODEL_PROBLEMS, MODEL_METHODS, n_seeds=5, budget=100),
        # The pruning target: 30 trials, >= 5 seeds.
        QualityPlan(CURVE_PROBLEMS, CURVE_METHODS, n_seeds=5, budget=30),
    ),
    checkpoints=(25, 50, 100, 200),
    overhead=OverheadPlan(
        repeats_by_n_trials={100: 5, 1000: 3, 2000: 1, 10000: 1},
        methods=OVERHEAD_METHODS,
        # Optuna's TPE needs minutes for 10,000 trials, GP much longer.
        max_n_trials={"optuna tpe": 2000, "optuna gp": 100, "fastune gp": 100},
    ),
    marginal_overhead=MarginalOverheadPlan(
        MARGINAL_OVERHEAD_METHODS,
        checkpoints=(1000, 2000, 10000),
        window=100,
        n_params=10,
        max_n_trials={"optuna tpe": 2000},
    ),
    # About 12 s per study on one core: starting worker processes (0.25 s) weighs little.
    throughput=ThroughputPlan(THROUGHPUT_METHODS, n_jobs=(1, 2), n_trials=600, repeats=3),
)

QUICK = Suite(
    name="quick",
    quality=(
        QualityPlan(_bbob((2, 5), (1, 15)), CHEAP_SEARCH_METHODS, n_seeds=3, budget=50),
        QualityPlan(_bbob((2,), (1,)), GP_METHODS, n_seeds=2, budget=20),
        QualityPlan(MODEL_PROBLEMS, MODEL_METHODS, n_seeds=2, budget=20),
        QualityPlan(CURVE_PROBLEMS, CURVE_METHODS, n_seeds=2, budget=10),
    ),
    checkpoints=(10, 20, 50),
    overhead=OverheadPlan(
        repeats_by_n_trials={100: 3, 1000: 1},
        methods=tuple(method for method in OVERHEAD_METHODS if not method.endswith(" gp")),
        max_n_trials={},
    ),
    marginal_overhead=MarginalOverheadPlan(
        MARGINAL_OVERHEAD_METHODS, checkpoints=(100, 200), window=20, n_params=10, max_n_trials={}
    ),
    throughput=ThroughputPlan(THROUGHPUT_METHODS, n_jobs=(1, 2), n_trials=20, repeats=1),
)

SUITES = {suite.name: suite for suite in (QUICK, FULL)}
