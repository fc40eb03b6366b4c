"""fastune's own pruner: a bar from the top performers at the same step, widened by the
noise the curves show, and a projection of each curve's trend to the end of the run."""

from __future__ import annotations

import itertools
import math
import threading
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from fastune._transient import Transient
from fastune._validation import check_int, check_number, invalid
from fastune.pruners._base import BasePruner
from fastune.pruners._curves import checked_schedule, is_check_step, sign, value_at
from fastune.trial._state import TrialState

if TYPE_CHECKING:
    from fastune.study import Study
    from fastune.trial import FrozenTrial

__all__ = ["AdaptivePruner"]


# The columns of a trial's facts at one check step, values oriented so that lower is
# better; NaN where a fact does not exist.
_VALUE = 0  # its value at the step; NaN if it never got there
_SPREAD = 1  # the noise of its recent changes; NaN with too few reports
_RATIO = 2  # complete trials: realized / projected change from the step
_N_FACTS = 3
# Reports a trend fit needs, and how many of its standard errors a trial is given.
_MIN_TREND_REPORTS = 4
_TREND_ERRORS = 2.0
# The most the complete curves' pace may stretch a projection: a curve that keeps falling
# steadily for long (boosting at a small learning rate) realizes more than the 1 / step
# rule projects, and its late bloomers must not be cut at the start; a cap keeps a few
# complete curves from stretching every projection without bound.
_MAX_PACE = 2.0


class _FinishedRows:
    """The facts of a study's finished trials at one step, one row per trial: finished
    trials no longer change, so a check computes each row once however many checks
    there are, and reads the rows it needs as one array."""

    def __init__(self) -> None:
        self.where: dict[int, tuple[Any, int]] = {}  # trial number -> (stamp, row)
        self.rows: list[np.ndarray] = []
        self._array: np.ndarray | None = None

    def put(self, number: int, stamp: Any, facts: np.ndarray) -> int:
        kept = self.where.get(number)
        if kept is None:
            self.rows.append(facts)
            row = len(self.rows) - 1
        else:
            row = kept[1]
            self.rows[row] = facts
        self.where[number] = (stamp, row)
        self._array = None
        return row

    def array(self) -> np.ndarray:
        if self._array is None:
            self._array = np.array(self.rows, dtype=float).reshape(-1, _N_FACTS)
        return self._array


class AdaptivePruner(Transient, BasePruner):
    """Prune a trial that is neither among the top performers at its step nor on a
    course to end better than the best complete trial.

    At each check step ``s`` of a trial (values oriented so that lower is better):

    1. **Peers.** The other trials (complete, pruned or running) that reached step
       ``s``, each with its value at ``s`` (its last report before ``s`` if it skipped
       it). With fewer than ``n_min_trials`` peers, or fewer than ``n_startup_trials``
       complete trials in the study, nothing is pruned; nor at a step as long as the
       longest complete run (the horizon ``T``): stopping there saves no step and
       throws the whole run away.
    2. **Value.** The trial is judged by its latest report, not by its best so far: the
       objective is the value at the end of the run, and a curve that overfits climbs
       back up from its best.
    3. **Noise.** ``sigma``, the step-to-step noise of the curves: for each trial, the
       standard deviation of the changes between its last ``window`` reports up to
       ``s`` (divided by sqrt(2): a change holds the noise of two reports), and the
       median of that over the trials. The tolerance is ``noise_tolerance * sigma``.
    4. **Projection.** The least-squares slope of the trial's last ``window`` reports,
       counted only when it is more than two standard errors away from zero. If the
       rate faded like ``1 / step``, the change still to come by the horizon ``T`` (the
       longest complete run) would be ``slope * s * (1 - s / T)``. That change is scaled
       by the **pace** of the study's curves: for each complete trial, what it really
       changed from ``s`` to its end divided by what the same rule projected for it at
       ``s``; the median of that, within [0, 2] (1 while no complete trial had a clear
       slope at ``s``). Curves that flatten fast thus project little; curves that keep
       falling steadily for long (gradient boosting at a small learning rate) project up
       to twice the rule. The projected final value is the
       latest value plus the scaled change; the target is the best value of the
       complete trials.
    5. **A rising curve** (a clear positive slope: the trial overfits or diverges) is
       pruned if its projection, less the tolerance, ends above the target, even when
       it is among the top performers now.
    6. **Otherwise the trial is kept** if its latest value is within the ``top_fraction``
       quantile of the peers' values (the value the best ``top_fraction`` of them
       reach: 0.25, the top quarter, not the median of everyone as
       :class:`MedianPruner`) plus the tolerance, while ``s`` is within the first
       ``top_until`` of the horizon (a third: early on, curves still cross); or if it
       is speeding up (its last change improves on the one before by more than the
       tolerance: a slow starter whose rate is not known yet); or if its projection,
       less the tolerance, reaches the target: a late bloomer survives.
    7. **Past the first** ``top_until`` **of the horizon**, a trial is also kept if its
       **trend** can reach the target: a least-squares fit of ``a + b / (step + 1)``
       to its reports from step ``s // 3`` to ``s`` (at least four): its value at the
       horizon, less two standard errors (the fit's own and the scatter of the reports
       about it, since the final value is one more noisy report). A noisy
       curve that keeps falling slowly shows no clear slope over ``window`` reports;
       over the longer span it does, and it is completed.
    8. Otherwise it is **pruned**. A NaN value is pruned at once.

    A flat loser is pruned at the first check past the warm-up; a curve that turned up
    is pruned once it heads above the best; a steep learner that is behind is kept while
    its slope, at the pace the complete curves showed, can still carry it to the best;
    past the first third of the run, a trial near the top that cannot end better than
    the best is stopped instead of completed.

    Args:
        top_fraction: In (0, 1), the share of peers that sets the bar.
        top_until: In (0, 1], the share of the horizon during which the bar alone
            keeps a trial; 1 keeps it for the whole run.
        noise_tolerance: >= 0, how many noise standard deviations the bar and the
            projection are given.
        window: >= 2, reports used for the noise and the slope.
        n_startup_trials: No pruning until this many trials are complete.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check once every this many steps after the warm-up.
        n_min_trials: No pruning at a step fewer peers reached, >= 1.

    Raises:
        InvalidParameterError: a parameter outside the ranges above.

    Example:
        >>> import fastune
        >>> study = fastune.create_study(pruner=fastune.pruners.AdaptivePruner())
    """

    # The rows of finished trials are rebuilt where they are used; checks of trials in
    # threads share them under the lock.
    _transient: ClassVar[dict[str, Any]] = {"_finished": dict, "_lock": threading.Lock}

    def __init__(
        self,
        top_fraction: float = 0.25,
        top_until: float = 1.0 / 3.0,
        noise_tolerance: float = 1.0,
        window: int = 5,
        n_startup_trials: int = 3,
        n_warmup_steps: int = 3,
        interval_steps: int = 1,
        n_min_trials: int = 3,
    ) -> None:
        owner = "AdaptivePruner"
        self._top_fraction = float(check_number(top_fraction, "top_fraction", owner) or 0.0)
        if not 0.0 < self._top_fraction < 1.0:
            raise invalid("top_fraction", owner, "a number in (0, 1)", top_fraction)
        self._top_until = float(
            check_number(top_until, "top_until", owner, low=0.0, high=1.0, low_inclusive=False)
            or 1.0
        )
        self._noise_tolerance = float(
            check_number(noise_tolerance, "noise_tolerance", owner, low=0.0) or 0.0
        )
        self._window = int(check_int(window, "window", owner, low=2) or 2)
        self._n_startup_trials = int(
            check_int(n_startup_trials, "n_startup_trials", owner, low=0) or 0
        )
        self._n_warmup_steps, self._interval_steps = checked_schedule(
            n_warmup_steps, interval_steps, owner
        )
        self._n_min_trials = int(check_int(n_min_trials, "n_min_trials", owner, low=1) or 1)
        self._finished: dict[tuple[Any, ...], _FinishedRows] = {}
        self._lock = threading.Lock()  # checks of trials in threads share the rows

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or not is_check_step(trial, self._n_warmup_steps, self._interval_steps):
            return False
        if math.isnan(trial.intermediate_values[step]):
            return True
        trials = study.get_trials(deepcopy=False)
        complete = [t for t in trials if t.state == TrialState.COMPLETE]
        if len(complete) < max(self._n_startup_trials, 1):
            return False
        horizon = max(t.last_step or 0 for t in complete)  # the longest complete run
        if step >= horizon:  # as long as a complete run: stopping saves nothing
            return False
        s = sign(study.direction)
        peers = [
            t
            for t in trials
            if t.number != trial.number
            and t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
        ]
        finished = [t for t in peers if t.state != TrialState.RUNNING]
        running = [self._facts(t, step, s) for t in peers if t.state == TrialState.RUNNING]
        facts = np.vstack([self._finished_facts(study, finished, step, s), *running])
        values = facts[:, _VALUE][~np.isnan(facts[:, _VALUE])]
        if len(values) < self._n_min_trials:
            return False
        current = trial.intermediate_values[step] * s
        spreads = np.append(facts[:, _SPREAD], self._facts(trial, step, s)[_SPREAD])
        spreads = spreads[~np.isnan(spreads)]
        noise = float(np.median(spreads)) if len(spreads) else 0.0
        tolerance = self._noise_tolerance * noise
        finals = [t.value * s for t in complete if t.value is not None and not math.isnan(t.value)]
        target = min(finals, default=math.inf)
        steps, recent = self._recent(trial, step, s)
        slope = self._clear_slope(steps, recent)
        # The pace: how much of their own projection at this step the complete trials
        # went on to realize; 1 while none had a clear slope here.
        ratios = facts[:, _RATIO][~np.isnan(facts[:, _RATIO])]
        pace = float(np.clip(np.median(ratios), 0.0, _MAX_PACE)) if len(ratios) else 1.0
        projected = current + pace * self._still_to_come(slope, step, horizon)
        if slope > 0.0:
            return projected - tolerance > target
        bar = float(np.quantile(values, self._top_fraction))
        early = step <= self._top_until * horizon  # the bar still keeps trials
        near_top = early and current <= bar + tolerance
        if near_top or self._speeding_up(recent, tolerance):
            return False
        if projected - tolerance <= target:
            return False
        if early:
            return True
        trend = self._trend(trial, step, s, horizon)  # rule 7, past the first third
        return trend is None or trend[0] - _TREND_ERRORS * trend[1] > target

    @staticmethod
    def _trend(trial: FrozenTrial, step: int, s: float, horizon: int) -> tuple[float, float] | None:
        """A least-squares fit of ``a + b / (k + 1)`` to the trial's oriented reports at
        steps ``k`` from ``step // 3`` to ``step``: its value at ``horizon`` and the
        standard error of a report there (the fit's error and the residual scatter);
        None with fewer than four finite reports or an infinite one at ``step``."""
        reports = trial.intermediate_values
        kept = [k for k in reports if step // 3 <= k <= step and math.isfinite(reports[k])]
        if len(kept) < _MIN_TREND_REPORTS or not math.isfinite(reports[step]):
            return None
        x = 1.0 / (np.array(kept, dtype=float) + 1.0)
        y = np.array([reports[k] * s for k in kept])
        x_mean, y_mean = x.mean(), y.mean()
        spread = float(((x - x_mean) ** 2).sum())  # > 0: four distinct steps
        b = float(((x - x_mean) * (y - y_mean)).sum()) / spread
        residuals = y - y_mean - b * (x - x_mean)
        variance = float(residuals @ residuals) / (len(kept) - 2)
        at = 1.0 / (max(horizon, step) + 1.0) - x_mean
        predicted = float(y_mean + b * at)
        error = math.sqrt(variance * (1.0 + 1.0 / len(kept) + at * at / spread))
        return predicted, error

    def _recent(self, trial: FrozenTrial, step: int, s: float) -> tuple[list[int], list[float]]:
        """The trial's last ``window`` steps up to ``step`` and their oriented values, NaN
        reports left out (plain lists: a window is a handful of numbers)."""
        reports = trial.intermediate_values
        steps = sorted(k for k in reports if k <= step)[-self._window :]
        kept = [k for k in steps if not math.isnan(reports[k])]
        return kept, [reports[k] * s for k in kept]

    def _finished_facts(
        self, study: Study, finished: list[FrozenTrial], step: int, s: float
    ) -> np.ndarray:
        """The facts of the finished trials at ``step``, one row each, computed once per
        trial and step (a trial is known again by its state, value and start)."""
        with self._lock:
            rows = self._finished.setdefault((study._cache_key, step, s), _FinishedRows())
            index = []
            for trial in finished:
                stamp = (trial.state, trial.value, trial.datetime_start)
                kept = rows.where.get(trial.number)
                if kept is not None and kept[0] == stamp:
                    index.append(kept[1])
                else:
                    index.append(rows.put(trial.number, stamp, self._facts(trial, step, s)))
            return rows.array()[index]

    def _facts(self, trial: FrozenTrial, step: int, s: float) -> np.ndarray:
        """What a check at ``step`` needs from ``trial`` (the columns named above)."""
        at_step = value_at(trial, step)
        value = math.nan if at_step is None else at_step * s
        # The noise: the spread of the recent step-to-step changes (the trend, their
        # mean, is taken out by the standard deviation; a change holds two reports' noise).
        steps, recent = self._recent(trial, step, s)
        differences = [b - a for a, b in itertools.pairwise(recent)]
        spread = math.nan
        if len(differences) >= 2:
            mean = sum(differences) / len(differences)
            variance = sum((d - mean) ** 2 for d in differences) / len(differences)
            spread = math.sqrt(variance / 2.0)
        last = trial.last_step or 0
        ratio = math.nan
        final = trial.value if trial.state == TrialState.COMPLETE else None
        if final is not None and not math.isnan(final) and not math.isnan(value) and last > step:
            expected = self._still_to_come(self._clear_slope(steps, recent), step, last)
            if expected < 0.0:
                ratio = (final * s - value) / expected
        return np.array([value, spread, ratio])

    @staticmethod
    def _clear_slope(steps: list[int], values: list[float]) -> float:
        """The least-squares slope of recent reports (from :meth:`_recent`); 0 when it is
        within two standard errors of zero."""
        n = len(steps)
        if n < 3:
            return 0.0
        mean_step, mean_value = sum(steps) / n, sum(values) / n
        centred = [k - mean_step for k in steps]
        spread = sum(c * c for c in centred)
        slope = sum(c * (v - mean_value) for c, v in zip(centred, values, strict=True)) / spread
        residuals = sum(
            (v - mean_value - slope * c) ** 2 for c, v in zip(centred, values, strict=True)
        )
        stderr = math.sqrt(residuals / (n - 2) / spread)
        return slope if abs(slope) > 2.0 * stderr else 0.0

    @staticmethod
    def _still_to_come(slope: float, step: int, horizon: int) -> float:
        """The change by ``horizon`` of a curve that approaches its limit like 1 / step."""
        if horizon <= 0 or step >= horizon:
            return 0.0
        return slope * step * (1.0 - step / horizon)

    @staticmethod
    def _speeding_up(values: list[float], tolerance: float) -> bool:
        """Whether the last change of recent values (from :meth:`_recent`) improves on the
        one before by more than ``tolerance``."""
        if len(values) < 3:
            return False
        earlier, last = values[-3] - values[-2], values[-2] - values[-1]
        return last > earlier > 0.0 and last - earlier > tolerance
