from __future__ import annotations

import logging

import pytest

import fastune


def _run_one(caplog: pytest.LogCaptureFixture) -> list[str]:
    logger = logging.getLogger("fastune")
    logger.addHandler(caplog.handler)
    try:
        fastune.create_study().optimize(lambda t: 1.0, n_trials=1)
    finally:
        logger.removeHandler(caplog.handler)
    return [record.message for record in caplog.records]


def test_verbosity_controls_trial_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fastune.logging.set_verbosity(fastune.logging.INFO)
    assert fastune.logging.get_verbosity() == fastune.logging.INFO
    assert any("Trial 0 finished" in m for m in _run_one(caplog))
    caplog.clear()
    fastune.logging.set_verbosity(fastune.logging.WARNING)
    assert _run_one(caplog) == []


def test_default_handler_writes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    fastune.logging.set_verbosity(fastune.logging.INFO)
    fastune.logging.disable_default_handler()
    fastune.create_study().optimize(lambda t: 1.0, n_trials=1)
    assert "Trial 0 finished" not in capsys.readouterr().err
    fastune.logging.enable_default_handler()
    fastune.create_study().optimize(lambda t: 1.0, n_trials=1)
    assert "Trial 0 finished" in capsys.readouterr().err


def test_propagation_switch() -> None:
    root = logging.getLogger("fastune")
    fastune.logging.enable_propagation()
    assert root.propagate
    fastune.logging.disable_propagation()
    assert not root.propagate


def test_optunas_logger_names_mean_fastunes(caplog: pytest.LogCaptureFixture) -> None:
    # Optuna's FAQ: a handler on get_logger("optuna") keeps the trial lines.
    assert fastune.logging.get_logger("optuna") is logging.getLogger("fastune")
    assert fastune.logging.get_logger("optuna.foo") is logging.getLogger("fastune.foo")
    assert fastune.logging.get_logger("optunax").name == "optunax"
    fastune.logging.set_verbosity(fastune.logging.INFO)
    handler = caplog.handler
    fastune.logging.get_logger("optuna").addHandler(handler)
    try:
        fastune.create_study().optimize(lambda t: 1.0, n_trials=1)
    finally:
        fastune.logging.get_logger("optuna").removeHandler(handler)
    assert any("Trial 0 finished" in record.message for record in caplog.records)


def test_the_default_formatter_is_the_default_handlers() -> None:
    import logging as std_logging

    record = std_logging.LogRecord("fastune", std_logging.INFO, __file__, 1, "hello", None, None)
    line = fastune.logging.create_default_formatter().format(record)
    assert line.startswith("[I ") and line.endswith("] hello")
