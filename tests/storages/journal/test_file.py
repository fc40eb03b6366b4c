"""JournalFileBackend and its locks: lines cut short by a dead writer, readers in step,
locks held between processes, stale locks, Optuna's older name, and bad arguments."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import fastune
from fastune.exceptions import InvalidParameterError, InvalidParameterTypeError
from fastune.storages import JournalFileStorage, JournalStorage
from fastune.storages.journal import (
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
)

LOCKS = (JournalFileSymlinkLock, JournalFileOpenLock)


def test_entries_come_back_in_order_from_any_position(tmp_path: Path) -> None:
    backend = JournalFileBackend(str(tmp_path / "journal.log"))
    backend.append_logs([{"n": 0}, {"n": 1}])
    backend.append_logs([{"n": 2}])
    assert backend.read_logs(0) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert backend.read_logs(3) == []
    backend.append_logs([{"n": 3}])
    assert backend.read_logs(3) == [{"n": 3}]
    assert backend.read_logs(1) == [{"n": 1}, {"n": 2}, {"n": 3}]  # asked again: re-read
    other = JournalFileBackend(str(tmp_path / "journal.log"))
    assert other.read_logs(2) == [{"n": 2}, {"n": 3}]


def test_a_line_cut_short_by_a_dead_writer_is_skipped_by_every_reader(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    backend = JournalFileBackend(str(path))
    backend.append_logs([{"n": 0}])
    with open(path, "a") as file:
        file.write('{"n": 1, "cut sh')  # a writer died here
    assert backend.read_logs(0) == [{"n": 0}]  # an unfinished line waits
    JournalFileBackend(str(path)).append_logs([{"n": 2}])
    assert backend.read_logs(1) == [{"n": 2}]
    assert JournalFileBackend(str(path)).read_logs(0) == [{"n": 0}, {"n": 2}]
    assert path.read_text().count("\n") == 3  # the cut line ended before the next one


def test_a_study_survives_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    study = fastune.create_study(
        study_name="s", storage=JournalStorage(JournalFileBackend(str(path)))
    )
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    with open(path, "a") as file:
        file.write('{"op":"state","wor')
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    loaded = fastune.load_study(
        study_name="s", storage=JournalStorage(JournalFileBackend(str(path)))
    )
    assert [t.value for t in loaded.trials] == [t.value for t in study.trials]
    assert len(loaded.trials) == 4


@pytest.mark.parametrize("lock_class", LOCKS)
def test_a_held_lock_makes_others_wait(tmp_path: Path, lock_class: type) -> None:
    path = str(tmp_path / "journal.log")
    first, second = lock_class(path), lock_class(path)
    assert first.acquire()
    assert os.path.lexists(path + ".lock")
    acquired = threading.Event()

    def take() -> None:
        second.acquire()
        acquired.set()

    thread = threading.Thread(target=take)
    thread.start()
    assert not acquired.wait(0.2)  # waits while the first holds it
    first.release()
    assert acquired.wait(10)
    thread.join()
    second.release()
    assert not os.path.lexists(path + ".lock")


@pytest.mark.parametrize("lock_class", LOCKS)
def test_a_stale_lock_is_broken_after_the_grace_period(tmp_path: Path, lock_class: type) -> None:
    path = str(tmp_path / "journal.log")
    dead = lock_class(path, grace_period=0.3)
    dead.acquire()  # its holder stalls (or dies) without releasing
    waiting = lock_class(path, grace_period=0.3)
    start = time.monotonic()
    with pytest.warns(RuntimeWarning, match="taken to have died"):
        assert waiting.acquire()
    assert time.monotonic() - start >= 0.3  # the same holder stood for the grace period
    with pytest.warns(RuntimeWarning, match="no longer held"):
        dead.release()  # it comes back: the new holder's lock is left alone
    assert os.path.lexists(path + ".lock")
    waiting.release()
    assert not os.path.lexists(path + ".lock")


@pytest.mark.parametrize("lock_class", LOCKS)
def test_breaking_a_stale_lock_puts_back_a_fresh_one_taken_meanwhile(
    tmp_path: Path, lock_class: type
) -> None:
    path = str(tmp_path / "journal.log")
    fresh = lock_class(path)
    fresh.acquire()
    token = fresh._read_token(path + ".lock")
    # Another process judged an older holder's lock stale; by the time it breaks it, this
    # fresh lock stands there instead.
    lock_class(path)._break("token-of-the-dead-holder")
    assert fresh._read_token(path + ".lock") == token
    assert sorted(os.listdir(tmp_path)) == ["journal.log.lock"]  # nothing left aside
    fresh.release()


def test_appends_of_many_threads_never_interleave(tmp_path: Path) -> None:
    path = str(tmp_path / "journal.log")

    def write(worker: int) -> None:
        backend = JournalFileBackend(path, lock_obj=JournalFileOpenLock(path))
        for n in range(50):
            backend.append_logs([{"w": worker, "n": n, "pad": "x" * 500}] * 2)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    logs = JournalFileBackend(path).read_logs(0)
    assert len(logs) == 400
    assert all(logs[i] == logs[i + 1] for i in range(0, 400, 2))  # pairs stay together
    for worker in range(4):
        assert [log["n"] for log in logs if log["w"] == worker][::2] == list(range(50))


def test_asked_again_it_reads_from_that_entrys_line_on(tmp_path: Path) -> None:
    path = tmp_path / "journal.log"
    backend = JournalFileBackend(str(path))
    backend.append_logs([{"n": n} for n in range(100)])
    assert len(backend.read_logs(0)) == 100
    with open(path, "r+b") as file:  # the first line made unreadable, in place
        file.write(b"#" * len(b'{"n":0}'))
    # A second storage sharing this backend, behind the first: entry 98's line on only.
    assert backend.read_logs(98) == [{"n": 98}, {"n": 99}]
    assert len(JournalFileBackend(str(path)).read_logs(0)) == 99  # the file did change


def test_optunas_older_name_warns_and_works(tmp_path: Path) -> None:
    with pytest.warns(FutureWarning, match="JournalFileBackend"):
        backend = JournalFileStorage(str(tmp_path / "journal.log"))
    study = fastune.create_study(storage=JournalStorage(backend))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(study.trials) == 2


def test_errors_name_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterTypeError, match="file_path"):
        JournalFileBackend(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterTypeError, match="lock_obj"):
        JournalFileBackend(str(tmp_path / "j.log"), lock_obj="lock")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="grace_period"):
        JournalFileSymlinkLock(str(tmp_path / "j.log"), grace_period=0)
    with pytest.raises(InvalidParameterTypeError, match="filepath"):
        JournalFileOpenLock(None)  # type: ignore[arg-type]
