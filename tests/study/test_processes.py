"""optimize(n_jobs=k): the objective in real worker processes (the default backend)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import traceback
from pathlib import Path

import pytest

import fastune
import fastune.study._processes
from fastune.exceptions import FastuneError, InvalidParameterError
from fastune.storages import RetryFailedTrialCallback, SQLiteStorage
from fastune.trial import TrialState


def _constant(trial: fastune.Trial) -> float:
    return 1.0


def _objective(trial: fastune.Trial) -> float:
    time.sleep(0.05)  # long enough that both workers get trials
    x = trial.suggest_float("x", -1, 1)
    n = trial.suggest_int("n", 0, 3)
    trial.set_user_attr("pid", os.getpid())
    trial.report(x * x, 0)
    if trial.should_prune():
        raise fastune.TrialPruned()
    if n == 3 and x > 0.9:
        raise ValueError("an objective error")
    return x * x + n


def test_trials_run_in_worker_processes_with_an_in_memory_study() -> None:
    study = fastune.create_study(sampler=fastune.samplers.RandomSampler(seed=0))
    finished = []
    study.optimize(
        _objective,
        n_trials=24,
        n_jobs=2,
        backend="processes",
        catch=(ValueError,),
        callbacks=[lambda s, t: finished.append(t.number)],
    )
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(24))  # n_trials for the study
    assert sorted(finished) == list(range(24))  # callbacks ran here, once per trial
    pids = {t.user_attrs["pid"] for t in trials}
    assert os.getpid() not in pids and len(pids) == 2
    assert all(t.state != TrialState.RUNNING for t in trials)
    assert all(t.intermediate_values for t in trials)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    assert all(t.value == t.params["x"] * t.params["x"] + t.params["n"] for t in complete)


def test_an_uncaught_error_fails_its_trial_and_is_raised_here() -> None:
    def failing(trial: fastune.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        raise KeyError("boom")

    study = fastune.create_study()
    with pytest.raises(KeyError, match="boom"):
        study.optimize(failing, n_trials=10, n_jobs=2, backend="processes")
    assert study.trials and all(t.state == TrialState.FAIL for t in study.trials)
    assert len(study.trials) <= 3  # each worker stops after its current trial


def test_errors_of_trial_calls_reach_the_objective() -> None:
    def bad_suggest(trial: fastune.Trial) -> float:
        return trial.suggest_float("x", 1.0, 0.0)  # low > high

    study = fastune.create_study()
    with pytest.raises(InvalidParameterError, match="low"):
        study.optimize(bad_suggest, n_trials=2, n_jobs=2, backend="processes")


def test_unknown_backend() -> None:
    with pytest.raises(InvalidParameterError, match="backend"):
        fastune.create_study().optimize(_objective, n_trials=1, backend="fibers")


def _pid_objective(trial: fastune.Trial) -> float:
    trial.set_user_attr("pid", os.getpid())
    trial.set_user_attr("blas_threads", os.environ.get("OPENBLAS_NUM_THREADS"))
    time.sleep(0.05)
    return trial.suggest_float("x", 0, 1)


def test_available_cores_follow_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    # A container that may use 6 cores of a 64-core machine: 6, not 64.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(6)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert fastune.study._processes._available_cores() == 6


def test_processes_are_the_default_for_n_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(fastune.study._processes, "_available_cores", lambda: 4)
    study = fastune.create_study()
    study.optimize(_pid_objective, n_trials=8, n_jobs=2)
    pids = {t.user_attrs["pid"] for t in study.trials}
    assert len(pids) == 2 and os.getpid() not in pids
    # Each of the two workers gets half the cores for BLAS, not all of them.
    assert {t.user_attrs["blas_threads"] for t in study.trials} == {"2"}


def test_the_users_thread_limits_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    study = fastune.create_study()
    study.optimize(_pid_objective, n_trials=2, n_jobs=2)
    assert {t.user_attrs["blas_threads"] for t in study.trials} == {"3"}


def _study_reading_objective(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    finished = trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    trial.set_user_attr("seen", len(finished))
    trial.set_user_attr("direction", trial.study.direction.name)
    return x


def test_trial_study_answers_from_the_parent_in_a_worker() -> None:
    study = fastune.create_study(direction="maximize")
    study.optimize(_study_reading_objective, n_trials=10, n_jobs=2)
    assert {t.user_attrs["direction"] for t in study.trials} == {"MAXIMIZE"}
    seen = sorted(t.user_attrs["seen"] for t in study.trials)
    assert seen[0] == 0 and seen[-1] >= 7  # late trials saw the earlier ones finish


def test_an_objective_that_cannot_be_pickled_runs_in_threads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lock = threading.Lock()  # cannot be pickled
    threads: set[int] = set()

    def objective(trial: fastune.Trial) -> float:
        with lock:
            threads.add(threading.get_ident())
        time.sleep(0.01)
        return trial.suggest_float("x", 0, 1)

    study = fastune.create_study()
    with caplog.at_level(logging.WARNING, logger="fastune"):
        study.optimize(objective, n_trials=10, n_jobs=2)
    assert len(study.trials) == 10 and len(threads) == 2
    assert "cannot be pickled" in caplog.text and "backend='threads'" in caplog.text
    with pytest.raises(FastuneError, match="backend='processes' needs an objective"):
        study.optimize(objective, n_trials=1, n_jobs=2, backend="processes")


def test_a_script_without_a_main_guard(tmp_path: Path) -> None:
    # Workers do not import the script: with multiprocessing's spawn, it would run again.
    script = tmp_path / "tune.py"
    script.write_text(
        textwrap.dedent(
            """
            import fastune

            def objective(trial):
                return trial.suggest_float("x", -1, 1) ** 2

            study = fastune.create_study()
            study.optimize(objective, n_trials=12, n_jobs=2)
            print("finished", len(study.trials), sorted({t.state.name for t in study.trials}))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.splitlines() == ["finished 12 ['COMPLETE']"]


def _killed_on_trial_3(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if trial.number == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.02)
    return x


def test_a_killed_worker_fails_its_trial_and_the_others_go_on() -> None:
    study = fastune.create_study()
    study.optimize(_killed_on_trial_3, n_trials=12, n_jobs=2)
    states = {t.number: t.state for t in study.trials}
    assert states[3] == TrialState.FAIL
    assert "worker process died (killed by SIGKILL" in study.trials[3].system_attrs["fail_reason"]
    assert [n for n, s in states.items() if s != TrialState.COMPLETE] == [3]
    assert len(states) == 12  # the surviving worker ran the rest


def _killed_on_trials_1_and_4(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if trial.number in (1, 4):
        os._exit(3)  # as a segfault or the out-of-memory killer
    return x


def test_dead_workers_are_replaced_and_the_budget_is_spent() -> None:
    study = fastune.create_study()
    study.optimize(_killed_on_trials_1_and_4, n_trials=10, n_jobs=2)
    states = {t.number: t.state for t in study.trials}
    assert len(states) == 10  # both first workers died; their replacements ran the rest
    assert [n for n, s in states.items() if s != TrialState.COMPLETE] == [1, 4]


class _LoadsOnlyHere:
    """Pickles fine; unpickling raises (as an objective whose module a worker lacks)."""

    def __call__(self, trial: fastune.Trial) -> float:
        return 0.0

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_refuse_to_load, ())


def _refuse_to_load() -> None:
    raise ImportError("no module named 'only_on_my_laptop'")


def test_a_worker_that_cannot_load_the_objective_says_why() -> None:
    study = fastune.create_study()
    with pytest.raises(
        FastuneError, match="could not load the objective.*only_on_my_laptop"
    ) as raised:
        study.optimize(_LoadsOnlyHere(), n_trials=4, n_jobs=2)
    assert study.trials == []  # no trial starts before a worker has the objective
    assert "in _refuse_to_load" in "".join(traceback.format_exception(raised.value))


def test_a_callback_calling_optimize_again_is_refused_with_processes() -> None:
    study = fastune.create_study()

    def again(study: fastune.Study, trial: fastune.trial.FrozenTrial) -> None:
        study.optimize(lambda t: 1.0, n_trials=1)

    with pytest.raises(RuntimeError, match="nested optimize"):
        study.optimize(_constant, n_trials=2, n_jobs=2, callbacks=[again])


def _ctrl_c_on_trial_2(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if trial.number == 2:
        # As Ctrl+C in a terminal: every process of the group gets SIGINT.
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getppid(), signal.SIGINT)
    if trial.number >= 2:
        time.sleep(20)  # only killing its worker ends this trial
    return x


def test_ctrl_c_kills_the_workers_and_fails_their_trials() -> None:
    study = fastune.create_study()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(_ctrl_c_on_trial_2, n_trials=50, n_jobs=2)
    assert time.monotonic() - start < 10
    trials = study.trials
    assert len(trials) <= 4  # no trial started after the interrupt
    assert trials[2].state == TrialState.FAIL
    assert "interrupted" in trials[2].system_attrs["fail_reason"]  # not by the worker
    assert all(t.state == TrialState.FAIL for t in trials[2:])
    assert all(t.state != TrialState.RUNNING for t in trials)
    time.sleep(0.2)
    assert len(study.trials) == len(trials)  # nothing goes on after optimize raised


def test_a_tensor_reported_returned_or_stored_crosses_from_a_worker() -> None:
    pytest.importorskip("torch")
    study = fastune.create_study()
    study.optimize(_torch_objective, n_trials=2, n_jobs=2)
    for trial in study.trials:
        assert trial.state == TrialState.COMPLETE
        assert trial.intermediate_values == {0: trial.value}
        assert type(trial.user_attrs["loss"]) is float  # the number, not a tensor
        assert trial.user_attrs["weights"].tolist() == [1.0, 1.0]


def _torch_objective(trial: fastune.Trial) -> object:
    import torch

    loss = torch.tensor(trial.suggest_float("x", -1, 1)) ** 2
    trial.report(loss, 0)
    trial.set_user_attr("loss", loss)
    trial.set_user_attr("weights", torch.ones(2))
    return loss


def test_an_error_class_of_the_users_script_comes_back_as_itself() -> None:
    class DivergedError(Exception):  # as a class of __main__, it travels by value
        pass

    def objective(trial: fastune.Trial) -> float:
        trial.suggest_float("x", 0, 1)
        if trial.number % 2 == 0:
            raise DivergedError("loss diverged")
        return 1.0

    study = fastune.create_study()
    study.optimize(objective, n_trials=4, n_jobs=2, catch=(DivergedError,))
    assert sorted(t.state.name for t in study.trials) == ["COMPLETE"] * 2 + ["FAIL"] * 2
    with pytest.raises(DivergedError, match="loss diverged"):
        fastune.create_study().optimize(objective, n_trials=2, n_jobs=2)


def _killed_on_trial_1(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if trial.number == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def test_a_dead_workers_trial_goes_to_the_failed_trial_callback(tmp_path: Path) -> None:
    storage = SQLiteStorage(
        str(tmp_path / "study.db"), failed_trial_callback=RetryFailedTrialCallback(max_retry=1)
    )
    study = fastune.create_study(storage=storage)
    study.optimize(_killed_on_trial_1, n_trials=6, n_jobs=2)
    retries = [t for t in study.trials if RetryFailedTrialCallback.retried_trial_number(t) == 1]
    assert study.trials[1].state == TrialState.FAIL
    # The retry is queued when the death is seen; whether it also ran before the budget
    # was spent depends on timing.
    assert len(retries) == 1 and retries[0].state in (TrialState.WAITING, TrialState.COMPLETE)
    assert retries[0].params == study.trials[1].params


def _helper_that_fails(key: str) -> float:
    return {"a": 1.0}[key]


def _failing_in_a_helper(trial: fastune.Trial) -> float:
    return _helper_that_fails(trial.suggest_categorical("key", ["b"]))


def test_an_error_shows_where_the_worker_raised_it(caplog: pytest.LogCaptureFixture) -> None:
    study = fastune.create_study()
    with pytest.raises(KeyError) as raised:
        study.optimize(_failing_in_a_helper, n_trials=1, n_jobs=2)
    shown = "".join(traceback.format_exception(raised.value))
    assert "in _helper_that_fails" in shown and 'return {"a": 1.0}[key]' in shown


class _StatusError(Exception):
    """As many HTTP clients' errors: a required keyword argument, so that pickle's
    ``cls(*args)`` cannot make it again."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _fails_with_status(trial: fastune.Trial) -> float:
    trial.suggest_float("x", 0, 1)
    if trial.number % 2 == 0:
        raise _StatusError("server said no", status=503)
    return 1.0


def test_an_error_that_cannot_be_made_again_from_its_args_is_caught_and_raised_as_itself() -> None:
    study = fastune.create_study()
    study.optimize(_fails_with_status, n_trials=4, n_jobs=2, catch=(_StatusError,))
    assert sorted(t.state.name for t in study.trials) == ["COMPLETE"] * 2 + ["FAIL"] * 2
    with pytest.raises(_StatusError, match="server said no") as raised:
        fastune.create_study().optimize(_fails_with_status, n_trials=2, n_jobs=2)
    assert raised.value.status == 503  # its attributes too


def _forks_a_helper_then_dies(trial: fastune.Trial) -> float:
    x = trial.suggest_float("x", 0, 1)
    if trial.number == 1:
        if os.fork() == 0:  # a helper (a data loader's) holds the worker's socket open
            time.sleep(60)
            os._exit(0)
        os._exit(1)
    return x


def test_a_dead_worker_is_noticed_while_a_process_it_forked_lives() -> None:
    study = fastune.create_study()
    start = time.monotonic()
    study.optimize(_forks_a_helper_then_dies, n_trials=6, n_jobs=2)
    assert time.monotonic() - start < 30  # was: until the helper ended
    assert study.trials[1].state == TrialState.FAIL
    assert "died (exit status 1)" in study.trials[1].system_attrs["fail_reason"]
    assert len(study.trials) == 6


class _DiesWhenLoaded:
    """Pickles fine; unpickling ends the process (as the out-of-memory killer would
    for a closure over a large dataset)."""

    def __call__(self, trial: fastune.Trial) -> float:
        return 0.0

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (os._exit, (9,))


def test_a_worker_dying_while_loading_the_objective_is_an_error_and_no_trial() -> None:
    study = fastune.create_study()
    with pytest.raises(FastuneError, match=r"died while loading the objective \(exit status 9"):
        study.optimize(_DiesWhenLoaded(), n_trials=50, n_jobs=2)
    assert study.trials == []  # was: a new worker, and a failed trial, per trial


def _optimizes_again(trial: fastune.Trial) -> float:
    trial.study.optimize(_constant, n_trials=1)
    return 1.0


def test_optimize_called_again_from_a_worker_is_refused() -> None:
    with pytest.raises(RuntimeError, match="nested optimize"):
        fastune.create_study().optimize(_optimizes_again, n_trials=2, n_jobs=2)


def _checks_types(trial: fastune.Trial) -> float:
    trial.set_user_attr("trial", isinstance(trial, fastune.Trial))
    trial.set_user_attr("base", isinstance(trial, fastune.trial.BaseTrial))
    trial.set_user_attr("study", isinstance(trial.study, fastune.Study))
    return 1.0


def test_the_trial_and_its_study_pass_type_checks_in_a_worker() -> None:
    study = fastune.create_study()
    study.optimize(_checks_types, n_trials=2, n_jobs=2)
    for trial in study.trials:  # as TorchDistributedTrial checks what it is given
        assert trial.user_attrs == {"trial": True, "base": True, "study": True}


def _run_to_be_stopped(tmp_path: Path, body: str) -> tuple[subprocess.Popen[str], list[int]]:
    """Start a script whose objective writes the pids of its worker (and of a process
    the worker starts) to tmp_path, and runs long; return it once both workers wrote."""
    script = tmp_path / "tune.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, subprocess, time
            import fastune

            def objective(trial):
                child = subprocess.Popen(["sleep", "60"])
                with open(os.path.join({str(tmp_path)!r}, f"{{trial.number}}.pids"), "w") as f:
                    f.write(f"{{os.getpid()}} {{child.pid}}")
                time.sleep(60)
                return 1.0

            {body}
            """
        )
    )
    process = subprocess.Popen([sys.executable, str(script)], text=True)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("*.pids"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)
    pids = [int(pid) for path in tmp_path.glob("*.pids") for pid in path.read_text().split()]
    assert len(pids) == 4
    return process, pids


def _gone(pids: list[int], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                continue
            with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone, not yet reaped
                if stat.read().split(") ")[1][0] != "Z":
                    alive.append(pid)
        if not alive:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_optimizing_process_is_killed(tmp_path: Path) -> None:
    process, pids = _run_to_be_stopped(
        tmp_path, "fastune.create_study().optimize(objective, n_trials=4, n_jobs=2)"
    )
    process.kill()  # as SIGKILL or an unhandled SIGTERM: no chance to stop them
    process.wait()
    assert _gone(pids, within=10)  # the workers and what they started


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_to_the_optimizing_process_alone_ends_what_the_objective_started(
    tmp_path: Path,
) -> None:
    process, pids = _run_to_be_stopped(
        tmp_path, "fastune.create_study().optimize(objective, n_trials=4, n_jobs=2)"
    )
    process.send_signal(signal.SIGINT)  # as a notebook's interrupt, not a terminal's
    assert process.wait(timeout=30) != 0
    assert _gone(pids, within=10)


def test_a_second_ctrl_c_waits_until_the_workers_are_stopped() -> None:
    from fastune.study._processes import _interrupts_held

    reached = []

    def stop_the_workers() -> None:
        with _interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)
            reached.append(True)  # the interrupt waits for the block's end

    with pytest.raises(KeyboardInterrupt):
        stop_the_workers()
    assert reached == [True]
