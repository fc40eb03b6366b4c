from __future__ import annotations

import logging
import math
import os
import re
import signal
import threading
import time

import numpy as np
import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.trial import TrialState


def test_conditional_and_dynamic_spaces() -> None:
    def objective(trial: fastune.Trial) -> float:
        model = trial.suggest_categorical("model", ["linear", "tree"])
        if model == "linear":
            return trial.suggest_float("alpha", 1e-4, 1.0, log=True)
        depth = trial.suggest_int("depth", 1, 4)
        return sum(trial.suggest_float(f"w{i}", 0, 1) for i in range(depth))

    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=3))
    study.optimize(objective, n_trials=40)
    for trial in study.trials:
        if trial.params["model"] == "linear":
            assert set(trial.params) == {"model", "alpha"}
        else:
            assert set(trial.params) == {"model", "depth"} | {
                f"w{i}" for i in range(trial.params["depth"])
            }
    assert {t.params["model"] for t in study.trials} == {"linear", "tree"}


def test_exception_fails_trial_and_propagates() -> None:
    study = fastune.create_study()

    def objective(trial: fastune.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom"):
        study.optimize(objective, n_trials=5)
    assert len(study.trials) == 1
    assert study.trials[0].state == TrialState.FAIL
    assert "boom" in study.trials[0].system_attrs["fail_reason"]


def test_caught_exception_keeps_going() -> None:
    study = fastune.create_study()

    def objective(trial: fastune.Trial) -> float:
        if trial.number % 2:
            raise ValueError("odd")
        return 1.0

    study.optimize(objective, n_trials=6, catch=(ValueError,))
    states = [t.state for t in study.trials]
    assert states == [TrialState.COMPLETE, TrialState.FAIL] * 3
    study.optimize(objective, n_trials=2, catch=ValueError)  # a bare class is accepted too
    assert len(study.trials) == 8


@pytest.mark.parametrize("returned", [float("nan"), "abc", None, [1.0, 2.0]])
def test_unusable_return_fails_trial_with_warning(
    returned: object, caplog: pytest.LogCaptureFixture
) -> None:
    study = fastune.create_study()
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        study.optimize(lambda t: returned, n_trials=1)  # type: ignore[arg-type,return-value]
    finally:
        logger.removeHandler(caplog.handler)
    assert study.trials[0].state == TrialState.FAIL
    assert any(
        r.levelno == logging.WARNING and "Trial 0 failed" in r.message for r in caplog.records
    )


def test_numpy_scalars_and_arrays_are_accepted() -> None:
    study = fastune.create_study(directions=["minimize", "maximize"])
    study.optimize(lambda t: np.array([1.0, 2.0]), n_trials=1)
    single = fastune.create_study()
    single.optimize(lambda t: np.float32(0.5), n_trials=1)
    assert study.trials[0].values == [1.0, 2.0]
    assert single.best_value == 0.5


def test_pruned_trials() -> None:
    def objective(trial: fastune.Trial) -> float:
        for step in range(5):
            trial.report(float(step), step)
            if step == 2 and trial.number % 2 == 0:
                raise fastune.TrialPruned()
        return 10.0

    study = fastune.create_study()
    study.optimize(objective, n_trials=4)
    assert [t.state for t in study.trials] == [TrialState.PRUNED, TrialState.COMPLETE] * 2
    assert study.trials[0].intermediate_values == {0: 0.0, 1: 1.0, 2: 2.0}


def test_callbacks_receive_finished_trials_and_can_stop() -> None:
    seen: list[tuple[int, TrialState]] = []

    def callback(study: fastune.Study, trial: fastune.trial.FrozenTrial) -> None:
        seen.append((trial.number, trial.state))
        if trial.number == 3:
            study.stop()

    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=50, callbacks=[callback])
    assert seen == [(i, TrialState.COMPLETE) for i in range(4)]
    study.optimize(lambda t: 1.0, n_trials=2)  # a stop does not stick to later runs
    assert len(study.trials) == 6


def test_max_trials_callback_counts_the_whole_study() -> None:
    study = fastune.create_study()
    study.optimize(lambda t: 1.0, n_trials=2)
    callback = fastune.study.MaxTrialsCallback(5)
    study.optimize(lambda t: 1.0, n_trials=100, callbacks=[callback])
    assert len(study.trials) == 5


def test_timeout_stops_starting_trials() -> None:
    study = fastune.create_study()
    start = time.monotonic()
    study.optimize(lambda t: time.sleep(0.05) or 1.0, timeout=0.3)
    elapsed = time.monotonic() - start
    assert 2 <= len(study.trials) <= 8
    assert elapsed < 2.0


def test_n_jobs_runs_n_trials_in_total_across_threads() -> None:
    threads: set[int] = set()

    def objective(trial: fastune.Trial) -> float:
        threads.add(threading.get_ident())
        time.sleep(0.01)
        return trial.suggest_float("x", 0, 1)

    study = fastune.create_study()
    study.optimize(objective, n_trials=20, n_jobs=2, backend="threads")
    assert len(study.trials) == 20
    assert sorted(t.number for t in study.trials) == list(range(20))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)
    assert len(threads) == 2


def test_n_jobs_error_propagates() -> None:
    def objective(trial: fastune.Trial) -> float:
        time.sleep(0.01)
        if trial.number == 3:
            raise KeyError("bad")
        return 1.0

    study = fastune.create_study()
    with pytest.raises(KeyError, match="bad"):
        study.optimize(objective, n_trials=50, n_jobs=2)
    assert len(study.trials) < 50


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"n_trials": -1}, InvalidParameterError, "'n_trials' parameter of Study.optimize"),
        ({"n_trials": 1.5}, InvalidParameterTypeError, "'n_trials'"),
        ({"timeout": -2.0}, InvalidParameterError, "'timeout'"),
        ({"n_jobs": 0}, InvalidParameterError, "'n_jobs'"),
        ({"n_trials": 1, "catch": (42,)}, InvalidParameterTypeError, "'catch'"),
    ],
)
def test_bad_optimize_arguments(kwargs: dict, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        fastune.create_study().optimize(lambda t: 1.0, **kwargs)


def test_progress_bar_and_gc(capsys: pytest.CaptureFixture[str]) -> None:
    study = fastune.create_study()
    study.optimize(lambda t: 1.0, n_trials=3, show_progress_bar=True, gc_after_trial=True)
    assert "3/3" in capsys.readouterr().err


def test_progress_bar_without_tqdm_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match=r"fastune\[progress\]"):
        fastune.create_study().optimize(lambda t: 1.0, n_trials=1, show_progress_bar=True)


def test_trial_log_line(caplog: pytest.LogCaptureFixture) -> None:
    fastune.logging.set_verbosity(fastune.logging.INFO)
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        fastune.create_study().optimize(lambda t: t.suggest_int("n", 4, 4) / 2, n_trials=1)
    finally:
        logger.removeHandler(caplog.handler)
    messages = [r.message for r in caplog.records]
    assert any(
        "Trial 0 finished with value: 2.0 and parameters: {'n': 4}. Best is trial 0" in m
        for m in messages
    )
    assert messages[0].startswith("A new study created in memory with name: ")  # Optuna's
    assert not math.isnan(2.0)


def test_optimize_inside_its_own_optimize_is_refused() -> None:
    study = fastune.create_study()
    with pytest.raises(RuntimeError, match="nested optimize"):
        study.optimize(lambda t: study.optimize(lambda u: 1.0, n_trials=1) or 1.0, n_trials=1)
    assert study.trials[0].state == TrialState.FAIL and len(study.trials) == 1
    with pytest.raises(RuntimeError, match="nested optimize"):
        study.optimize(
            lambda t: 1.0,
            n_trials=2,
            callbacks=[lambda s, t: s.optimize(lambda u: 1.0, n_trials=1)],
        )
    other = fastune.create_study()  # another study may be optimized from an objective
    study.optimize(lambda t: other.optimize(lambda u: 1.0, n_trials=1) or 1.0, n_trials=2)
    assert len(other.trials) == 2
    study.optimize(lambda t: 1.0, n_trials=1)  # and the study itself afterwards


def test_catch_none_and_an_infinite_timeout_as_optuna() -> None:
    study = fastune.create_study()
    study.optimize(lambda t: 1.0, n_trials=2, catch=None, timeout=math.inf)  # type: ignore[arg-type]
    assert len(study.trials) == 2

    def boom(trial: fastune.Trial) -> float:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):  # None catches nothing
        study.optimize(boom, n_trials=1, catch=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="'catch'"):
        study.optimize(lambda t: 1.0, n_trials=1, catch=3)  # type: ignore[arg-type]


def test_a_gc_after_a_trial_whose_objective_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    collected: list[int] = []
    monkeypatch.setattr("fastune.study._optimize.gc.collect", lambda: collected.append(1))

    def boom(trial: fastune.Trial) -> float:
        raise KeyError("x")

    with pytest.raises(KeyError):
        fastune.create_study().optimize(boom, n_trials=3, gc_after_trial=True)
    assert collected == [1]


def test_ctrl_c_stops_n_jobs_threads() -> None:
    def objective(trial: fastune.Trial) -> float:
        if trial.number == 2:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C: only the main thread gets it
        time.sleep(0.05)
        return 1.0

    study = fastune.create_study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(objective, n_trials=200, n_jobs=2, backend="threads")
    assert len(study.trials) < 10
    # The running trials finished, as in Optuna: a thread cannot be interrupted.
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_a_failed_trial_logs_the_objectives_traceback(caplog: pytest.LogCaptureFixture) -> None:
    def objective(trial: fastune.Trial) -> float:
        return {"a": 1.0}[trial.suggest_categorical("key", ["b"])]

    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        fastune.create_study().optimize(objective, n_trials=1, catch=(KeyError,))
    finally:
        logger.removeHandler(caplog.handler)
    assert "Trial 0 failed" in caplog.text
    assert 'return {"a": 1.0}[trial.suggest_categorical("key", ["b"])]' in caplog.text


def test_a_progress_bar_by_timeout_counts_whole_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    study = fastune.create_study()
    study.optimize(lambda t: time.sleep(0.02) or 1.0, timeout=0.2, show_progress_bar=True)
    shown = capsys.readouterr().err
    assert "00:00/00:00" in shown and not re.search(r"\d\.\d+/", shown)


def test_no_progress_bar_without_n_trials_or_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    study = fastune.create_study()
    with pytest.warns(UserWarning, match="No progress bar is shown"):
        study.optimize(lambda t: 1.0, callbacks=[lambda s, t: s.stop()], show_progress_bar=True)
    assert capsys.readouterr().err == ""


def test_log_lines_print_above_the_progress_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    tqdm = pytest.importorskip("tqdm.auto").tqdm
    written: list[str] = []
    monkeypatch.setattr(tqdm, "write", lambda line, file=None: written.append(line))
    fastune.logging.set_verbosity(fastune.logging.INFO)
    fastune.create_study().optimize(lambda t: 1.0, n_trials=2, show_progress_bar=True)
    assert any("Trial 1 finished" in line for line in written)
    shown = len(written)
    fastune.create_study().optimize(lambda t: 1.0, n_trials=1)  # no bar: to stderr again
    assert len(written) == shown
