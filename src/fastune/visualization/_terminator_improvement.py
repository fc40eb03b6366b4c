"""The terminator's view of a study: the room left for improvement after each trial, and
optionally the objective's error, which the room must stay above for the study to go on."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from fastune._validation import check_int, invalid
from fastune.study import Study
from fastune.terminator import BaseErrorEvaluator, BaseImprovementEvaluator
from fastune.terminator.improvement.evaluator import DEFAULT_MIN_N_TRIALS
from fastune.terminator.terminator import with_defaults
from fastune.trial import FrozenTrial, TrialState
from fastune.visualization._matplotlib import pyplot
from fastune.visualization._utils import new_axes, note

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ImprovementCurve", "plot_terminator_improvement", "terminator_improvement_data"]


class ImprovementCurve(NamedTuple):
    """After each trial from the first complete one on: its number, the number of complete
    trials so far, the improvement evaluated on them and, when asked for, the error."""

    trial_numbers: list[int]
    n_complete: list[int]
    improvements: list[float]
    errors: list[float] | None


def terminator_improvement_data(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
) -> ImprovementCurve:
    """Gather the :class:`ImprovementCurve` of ``study`` (one evaluation per trial)."""
    if len(study.directions) > 1:
        allowed = "a study with one objective"
        raise invalid("study", "plot_terminator_improvement", allowed, study.directions)
    improvement, error = with_defaults(improvement_evaluator, error_evaluator)
    numbers: list[int] = []
    counts: list[int] = []
    improvements: list[float] = []
    errors: list[float] = []
    complete: list[FrozenTrial] = []
    for trial in study.get_trials(deepcopy=False):
        if trial.state == TrialState.COMPLETE:
            complete.append(trial)
        if not complete:
            continue
        numbers.append(trial.number)
        counts.append(len(complete))
        improvements.append(improvement.evaluate(list(complete), study.direction))
        if plot_error:
            errors.append(error.evaluate(list(complete), study.direction))
    return ImprovementCurve(numbers, counts, improvements, errors if plot_error else None)


def plot_terminator_improvement(
    study: Study,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = DEFAULT_MIN_N_TRIALS,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Plot the room for improvement that :class:`~fastune.terminator.Terminator` sees
    after each trial, and with ``plot_error`` the objective's error: the study would be
    stopped where the first falls below the second. Each point re-evaluates the
    improvement on the complete trials so far, so a long study takes a while (the default
    regret bound fits a GP per point).

    Args:
        study: A single-objective study.
        plot_error: Also plot the error.
        improvement_evaluator: As in ``Terminator`` (the regret bound by default).
        error_evaluator: As in ``Terminator`` (the cross-validation error by default,
            0 after a :class:`~fastune.terminator.BestValueStagnationEvaluator`).
        min_n_trials: Points with fewer complete trials, where a terminator would not
            stop the study yet, are drawn lighter; >= 1.
        ax: Draw into this matplotlib Axes (a new figure by default).

    Returns:
        The matplotlib ``Axes``.

    Raises:
        InvalidParameterError: a study with several objectives, ``min_n_trials`` < 1, or
            (from the evaluators) trials they cannot evaluate, such as the default error
            without reported cross-validation scores.

    Example:
        >>> import fastune
        >>> from fastune.terminator import BestValueStagnationEvaluator
        >>> from fastune.visualization import plot_terminator_improvement
        >>> study = fastune.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=30)
        >>> figure = plot_terminator_improvement(
        ...     study, plot_error=True, improvement_evaluator=BestValueStagnationEvaluator(10)
        ... )
    """
    owner = "plot_terminator_improvement"
    min_n_trials = int(check_int(min_n_trials, "min_n_trials", owner, low=1) or 1)
    pyplot()  # before the evaluations, which take a while: is matplotlib there?
    curve = terminator_improvement_data(study, plot_error, improvement_evaluator, error_evaluator)
    ax = new_axes(ax)
    ax.set_title("Terminator Improvement Plot")
    ax.set_xlabel("Trial")
    ax.set_ylabel("Terminator Improvement")
    if not curve.trial_numbers:
        note(ax, "no complete trial yet")
        return ax
    early = sum(count < min_n_trials for count in curve.n_complete)
    numbers, improvements = curve.trial_numbers, curve.improvements
    if early:  # joined to the first full-colour point
        ax.plot(numbers[: early + 1], improvements[: early + 1], "o-", color="C0", alpha=0.3)
    ax.plot(numbers[early:], improvements[early:], "o-", color="C0", label="Improvement")
    if curve.errors is not None:
        ax.plot(numbers, curve.errors, "o-", color="C3", label="Error")
    ax.legend(loc="best", fontsize="small")
    return ax
