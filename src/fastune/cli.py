"""The ``fastune`` command."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from fastune._cli_plots import PLOT_KINDS
from fastune._cli_storage import (
    ENVIRONMENT,
    STORAGE_CLASSES,
    open_storage,
    storage_class,
    storage_url,
)
from fastune._cli_studies import FORMATS
from fastune.version import __version__

__all__ = ["main"]


def _common_options(parser: argparse.ArgumentParser, *, main: bool) -> None:
    """Optuna's options of every command, taken before or after the command's name: on
    the command (``main=False``) they default to nothing, so as not to undo the same
    option given before the name."""
    unset: dict[str, Any] = {} if main else {"default": argparse.SUPPRESS}
    parser.add_argument(
        "--storage",
        **unset,
        help="storage URL: sqlite:///path.db, postgresql://..., redis://..., or the path of "
        "a journal file; default: the FASTUNE_STORAGE or OPTUNA_STORAGE environment variable",
    )
    parser.add_argument(
        "--storage-class",
        type=storage_class,
        metavar="CLASS",
        **unset,
        help="how to open --storage, as Optuna's hint: " + ", ".join(STORAGE_CLASSES[:3]),
    )
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-v",
        "--verbose",
        action="count",
        **({"default": 0} if main else unset),
        help="also log debug lines (to standard error)",
    )
    verbosity.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        **({"default": False} if main else unset),
        help="log only warnings and errors",
    )
    parser.add_argument("--log-file", **unset, help="also write the log lines to this file")
    parser.add_argument(
        "--debug",
        action="store_true",
        **({"default": False} if main else unset),
        help="show the traceback of an error",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastune", description="Hyperparameter optimization.")
    parser.add_argument("--version", action="version", version=f"fastune {__version__}")
    _common_options(parser, main=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, **options: Any) -> argparse.ArgumentParser:
        made = commands.add_parser(name, **options)
        _common_options(made, main=False)
        return made

    demo = commands.add_parser(
        "demo", help="tune a scikit-learn model on a bundled dataset and show the result"
    )
    demo.add_argument("--n-trials", type=int, default=50, help="trials to run (default 50)")
    demo.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    demo.add_argument(
        "--plot", default="pbt_demo.png", help="where to draw the PBT population (PNG)"
    )
    demo.add_argument(
        "--report", default="demo_report.html", help="where to write the study's HTML report"
    )
    worker = command(
        "worker",
        help="join a study in a shared storage and run trials of an objective",
        description="Join a study in a shared storage and run trials of an objective. As "
        "Study.optimize, an error in the objective fails its trial and stops the worker "
        "(exit status 1) unless --catch names its class. On SIGTERM (kill, docker stop, "
        "Kubernetes, SLURM) the running trial fails, as on Ctrl+C, or is queued again "
        "with --retry-failed-trials, and the worker exits with status 143. A worker "
        "killed outright (SIGKILL, out of memory) leaves its trial running: with "
        "--heartbeat-interval, the other workers fail it.",
    )
    worker.add_argument("objective", help="the objective as module:function (importable here)")
    worker.add_argument("--study", "--study-name", dest="study", required=True)
    worker.add_argument("--n-trials", type=int, default=None, help="trials for this worker")
    worker.add_argument("--timeout", type=float, default=None, help="seconds for this worker")
    worker.add_argument(
        "--heartbeat-interval",
        type=float,
        default=None,
        help="record a heartbeat of each running trial this often (seconds), so that the "
        "trials of a worker that died are failed by the others (SQL storages)",
    )
    worker.add_argument(
        "--grace-period", type=float, default=None, help="seconds without a heartbeat: dead"
    )
    worker.add_argument(
        "--retry-failed-trials",
        type=int,
        default=0,
        metavar="N",
        help="queue the trial of a dead worker or of one stopped by SIGTERM again, at most "
        "N times (with --heartbeat-interval)",
    )
    worker.add_argument(
        "--catch",
        action="append",
        default=None,
        metavar="CLASS[,CLASS...]",
        help="exception classes that fail a trial without stopping the worker, as "
        "optimize's catch=: a builtin name (ValueError) or module.Class, subclasses of "
        "Exception; repeat the option or separate names with commas. By default, as "
        "optimize, the first error stops the worker",
    )
    for name, text, needs_study in (
        ("studies", "list the studies of a storage", False),
        ("study-names", "list the names of the studies of a storage", False),
        ("create-study", "create a study (prints its name)", False),
        ("trials", "list the trials of a study", True),
        ("best-trial", "show the best trial of a study with one objective", True),
        ("best-trials", "show the trials on the Pareto front of a study", True),
        ("delete-study", "delete a study and its trials", True),
        ("ask", "start a trial, suggest a search space and show its parameters", False),
        ("tell", "finish a trial started by ask", False),
    ):
        sub = command(name, help=text)
        if needs_study:
            sub.add_argument(
                "--study", "--study-name", dest="study", required=True, help="study name"
            )
        if name in ("ask", "tell"):
            sub.add_argument(
                "--study",
                "--study-name",
                dest="study",
                help="study name (may be left out when the storage holds one study)",
            )
        if name in ("studies", "study-names"):
            default = "value" if name == "study-names" else "table"
            sub.add_argument(
                "-f",
                "--format",
                choices=FORMATS,
                default=default,
                help=f"output (default: {default}, as Optuna's)",
            )
        if name == "studies":
            sub.add_argument(
                "--flatten",
                action="store_true",
                help="one column per objective's direction (direction_0, direction_1...)",
            )
        if name in ("trials", "best-trial", "best-trials"):
            sub.add_argument(
                "-f",
                "--format",
                choices=FORMATS,
                default="table",
                help="output (default: table). Each trial has Optuna's fields: number, value "
                "(values with several objectives), datetime_start, datetime_complete, "
                "duration, params, user_attrs (when a trial has one) and state; csv is "
                "always flattened",
            )
            sub.add_argument(
                "--flatten",
                action="store_true",
                help="one column per parameter and user attribute (params_x, user_attrs_k, "
                "values_0) instead of nested params and user_attrs",
            )
        if name == "create-study":
            sub.add_argument("--study", "--study-name", dest="study", help="study name")
            way = sub.add_mutually_exclusive_group()
            way.add_argument("--direction", choices=("minimize", "maximize"))
            way.add_argument("--directions", nargs="+", choices=("minimize", "maximize"))
            sub.add_argument(
                "--skip-if-exists", action="store_true", help="no error if it exists already"
            )
        if name == "ask":
            sub.add_argument("--sampler", help="a sampler class of fastune.samplers")
            sub.add_argument("--sampler-kwargs", help="the sampler's arguments as JSON")
            sub.add_argument(
                "--search-space",
                help="JSON: parameter name -> distribution_to_json(...) of its distribution, "
                'or a short form such as {"type": "float", "low": 0, "high": 1}',
            )
            sub.add_argument(
                "-f", "--format", choices=FORMATS, default="json", help="output (default: json)"
            )
            sub.add_argument(
                "--flatten",
                action="store_true",
                help="one field per parameter (params_x) instead of nested params",
            )
        if name == "tell":
            sub.add_argument("--trial-number", type=int, required=True)
            sub.add_argument("--values", type=float, nargs="+", help="objective values")
            sub.add_argument("--state", choices=("complete", "pruned", "fail"))
            sub.add_argument(
                "--skip-if-finished", action="store_true", help="no error if it has finished"
            )
    study_commands = commands.add_parser("study", help="study set-user-attr")
    study_sub = study_commands.add_subparsers(dest="study_command", required=True)
    user_attr = study_sub.add_parser("set-user-attr", help="set a user attribute of a study")
    _common_options(user_attr, main=False)
    user_attr.add_argument("--study", "--study-name", dest="study", required=True)
    user_attr.add_argument("-k", "--key", required=True)
    user_attr.add_argument("--value", required=True)
    storage_commands = commands.add_parser("storage", help="storage upgrade")
    storage_sub = storage_commands.add_subparsers(dest="storage_command", required=True)
    upgrade = storage_sub.add_parser("upgrade", help="bring an SQL storage to the latest schema")
    _common_options(upgrade, main=False)
    plot = command("plot", help="draw a plot of a study into an image file (PNG, SVG or PDF)")
    plot.add_argument("kind", choices=PLOT_KINDS, metavar="KIND", help=", ".join(PLOT_KINDS))
    report = command("report", help="write a study's report: one self-contained HTML file")
    for sub, output in ((plot, None), (report, "report.html")):
        sub.add_argument("--study", "--study-name", dest="study", required=True, help="study name")
        sub.add_argument(
            "-o", "--output", required=output is None, default=output, help="file to write"
        )
    plot.add_argument(
        "--objective", type=int, default=None, help="the objective to plot (several objectives)"
    )
    report.add_argument("--trials", default=None, help="also write the trials (.csv or .xlsx)")
    commands.add_parser("help", help="show this help")
    return parser


def _set_logging(args: argparse.Namespace) -> None:
    """As Optuna's CLI: log lines on standard error at INFO, DEBUG with -v, WARNING with
    -q; --log-file writes them to a file too."""
    import logging

    from fastune.logging import create_default_formatter, get_logger, set_verbosity

    set_verbosity(
        logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    )
    if args.log_file is not None:
        handler = logging.FileHandler(args.log_file)
        handler.setFormatter(create_default_formatter())
        get_logger("fastune").addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fastune`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in (None, "help"):
        parser.print_help()
        return 0
    if args.command == "demo":
        if args.n_trials < 1:
            parser.error(f"--n-trials must be a positive int. Got {args.n_trials} instead.")
        from fastune._demo import run_demo, run_pbt_demo, write_demo_report

        study = run_demo(args.n_trials, args.seed, sys.stdout)
        write_demo_report(study, args.report, sys.stdout)
        run_pbt_demo(args.seed, sys.stdout, args.plot)
        return 0
    _set_logging(args)
    args.storage = storage_url(args.storage)
    if args.storage is None:
        parser.error(
            f"{args.command} needs --storage URL (before or after the command, or in the "
            f"{' or '.join(ENVIRONMENT)} environment variable)"
        )
    if args.command == "worker":
        if args.n_trials is not None and args.n_trials < 1:
            parser.error(f"--n-trials must be an int >= 1. Got {args.n_trials} instead.")
        if args.timeout is not None and not args.timeout >= 0:
            parser.error(f"--timeout must be a number of seconds >= 0. Got {args.timeout} instead.")
        if ":" not in args.objective:
            parser.error(f"the objective must be given as module:function. Got {args.objective!r}.")
        return _worker_command(args)
    if args.command in ("plot", "report"):
        return _plot_command(args)
    return _study_command(args)


def _worker_command(args: argparse.Namespace) -> int:
    """Load the study (it must exist) and run trials of ``module:function`` in it."""
    import importlib

    from fastune.exceptions import FastuneError
    from fastune.study import load_study

    module_name, _, function_name = args.objective.partition(":")
    try:
        objective = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError, ValueError) as error:
        print(
            f"fastune worker: cannot load the objective {args.objective!r} "
            f"(module:function): {error}",
            file=sys.stderr,
        )
        return 1
    from fastune.storages import sqlite_file

    try:
        catch = _exception_classes(args.catch or [])
        if args.storage.startswith("sqlite:///"):
            path, _ = sqlite_file(args.storage, "--storage", "fastune worker")
            if not os.path.exists(path):  # opening it would make an empty database
                raise FastuneError(f"No database file at {path} ({args.storage}).")
        storage: Any = None
        if args.heartbeat_interval is not None or args.grace_period is not None:
            from fastune.storages import RDBStorage, RetryFailedTrialCallback

            retry = args.retry_failed_trials
            storage = RDBStorage(
                args.storage,
                heartbeat_interval=args.heartbeat_interval,
                grace_period=args.grace_period,
                failed_trial_callback=RetryFailedTrialCallback(max_retry=retry) if retry else None,
            )
        elif args.retry_failed_trials:
            raise FastuneError("--retry-failed-trials needs --heartbeat-interval.")
        else:
            storage = open_storage(args.storage, args.storage_class, "worker")
        study = load_study(study_name=args.study, storage=storage)
    except (FastuneError, ValueError) as error:
        return _fail(args, error)
    return _optimize_until_sigterm(study, objective, args.n_trials, args.timeout, catch)


class WorkerTerminated(BaseException):
    """Raised in the objective of ``fastune worker`` when the worker gets SIGTERM: the
    trial fails as on Ctrl+C. Not an ``Exception``, so that no ``--catch`` (nor an
    ``except Exception`` in the objective) keeps the worker going."""


def _optimize_until_sigterm(
    study: Any,
    objective: Any,
    n_trials: int | None,
    timeout: float | None,
    catch: tuple[type[Exception], ...],
) -> int:
    """Run the worker's trials. On SIGTERM, the objective running is stopped with
    :class:`WorkerTerminated`, so its trial fails, and goes to the storage's
    ``failed_trial_callback`` (``--retry-failed-trials`` queues it again); a SIGTERM
    between two trials lets the trial being recorded finish. Then the worker stops,
    with exit status 143 (128 + SIGTERM), as a process that SIGTERM ended."""
    import signal
    import threading

    state: dict[str, Any] = {"sigterm": False, "in_objective": False, "stopped": None}

    def stoppable(trial: Any) -> Any:
        try:
            if state["sigterm"]:  # it came after the trial started, before the objective
                raise WorkerTerminated("the worker got SIGTERM")
            state["in_objective"] = True
            try:
                return objective(trial)
            finally:
                state["in_objective"] = False
        except WorkerTerminated:
            state["stopped"] = trial
            raise

    def on_sigterm(signum: int, frame: Any) -> None:
        state["sigterm"] = True
        study.stop()  # no new trial
        if state["in_objective"]:
            raise WorkerTerminated("the worker got SIGTERM")

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if main_thread else None
    try:
        study.optimize(stoppable, n_trials=n_trials, timeout=timeout, catch=catch)
    except WorkerTerminated:
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    if not state["sigterm"]:
        return 0
    stopped = state["stopped"]
    if stopped is None:
        print("fastune worker: stopped by SIGTERM; no trial was interrupted.", file=sys.stderr)
        return 128 + signal.SIGTERM
    storage = study._storage
    frozen = storage.get_trial(stopped._trial_id)
    n_trials_before = storage.get_n_trials(study._study_id)
    study._hand_to_failed_trial_callback(frozen)  # a retry adds a waiting trial
    queued = storage.get_n_trials(study._study_id) > n_trials_before
    again = " and was queued again" if queued else ""
    print(
        f"fastune worker: stopped by SIGTERM; trial {frozen.number} failed{again}.",
        file=sys.stderr,
    )
    return 128 + signal.SIGTERM


def _exception_classes(names: list[str]) -> tuple[type[Exception], ...]:
    """The classes named by ``--catch`` (each value: names separated by commas).

    Raises:
        InvalidParameterError: a name that is not an importable subclass of Exception.
    """
    import builtins
    import importlib

    from fastune._validation import invalid

    classes = []
    for name in (n.strip() for value in names for n in value.split(",")):
        if not name:
            continue
        module_name, _, class_name = name.rpartition(":" if ":" in name else ".")
        try:
            found = (
                getattr(importlib.import_module(module_name), class_name)
                if module_name
                else getattr(builtins, class_name)
            )
        except (ImportError, AttributeError, ValueError):
            found = None
        if not (isinstance(found, type) and issubclass(found, Exception)):
            allowed = (
                "exception class names, subclasses of Exception: a builtin such as "
                "ValueError, or module.Class"
            )
            raise invalid("--catch", "fastune worker", allowed, name)
        classes.append(found)
    return tuple(classes)


def _plot_command(args: argparse.Namespace) -> int:
    """Run ``plot`` or ``report``; errors name what is wrong, the password hidden."""
    from fastune import _cli_plots as plots
    from fastune.exceptions import FastuneError
    from fastune.study import load_study

    try:
        storage = open_storage(args.storage, args.storage_class, args.command)
        study = load_study(study_name=args.study, storage=storage)
        if args.command == "plot":
            plots.write_plot(study, args.kind, args.output, args.objective)
        else:
            plots.write_report(study, args.output, args.trials)
    except (FastuneError, ValueError, OSError, sqlite3.Error) as error:
        return _fail(args, error)
    print(f"Wrote {args.output}" + (f" and {args.trials}" if getattr(args, "trials", None) else ""))
    return 0


def _study_command(args: argparse.Namespace) -> int:
    """Run a study command: data on standard output, what was done in the log (standard
    error), as Optuna's CLI; errors name the storage with its password hidden."""
    from fastune import _cli_studies as studies
    from fastune.exceptions import FastuneError
    from fastune.logging import get_logger

    logger = get_logger("fastune.cli")  # __name__ is "__main__" under python -m
    try:
        storage = open_storage(args.storage, args.storage_class, args.command)
        if args.command == "delete-study":
            studies.delete(storage, args.study)
            logger.info(f"Deleted study {args.study!r}.")
            return 0
        if args.command == "create-study":
            directions = args.directions or [args.direction or "minimize"]
            print(studies.create(storage, args.study, directions, args.skip_if_exists))
            return 0
        if args.command == "tell":
            told = studies.tell(
                storage,
                args.study,
                args.trial_number,
                args.values,
                args.state,
                args.skip_if_finished,
            )
            logger.info(f"Told trial {told.number}: {told.state.name}, values {told.values}.")
            return 0
        if args.command == "study":
            studies.set_user_attr(storage, args.study, args.key, args.value)
            logger.info(f"Set the user attribute {args.key!r} of study {args.study!r}.")
            return 0
        if args.command == "storage":
            logger.info(studies.upgrade(storage))
            return 0
        if args.command == "ask":
            rows: Any = studies.ask_row(
                storage,
                args.study,
                args.sampler,
                args.sampler_kwargs,
                args.search_space,
                args.flatten,
            )
        elif args.command == "studies":
            rows = studies.study_rows(storage, args.flatten)
        elif args.command == "study-names":
            rows = studies.study_name_rows(storage)
        else:
            flatten = args.flatten or args.format == "csv"
            read = {
                "trials": studies.trial_rows,
                "best-trial": studies.best_trial_row,
                "best-trials": studies.best_trial_rows,
            }[args.command]
            rows = read(storage, args.study, flatten)
        studies.write_rows(rows, args.format, sys.stdout)
    except (FastuneError, ValueError, KeyError, sqlite3.Error) as error:
        return _fail(args, error)
    return 0


def _fail(args: argparse.Namespace, error: BaseException) -> int:
    """Print the one line of a failed command (with --debug, its traceback first); the
    exit status."""
    if args.debug:
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    print(f"fastune {args.command}: {_error_message(error, args.storage)}", file=sys.stderr)
    return 1


def _error_message(error: BaseException, storage: str) -> str:
    """The one line a command prints for ``error``, the storage's password hidden. An
    SQLite error met after the file was opened (a lock held past the timeout) names
    the storage."""
    from fastune.storages._url import redact

    message = str(error)
    if isinstance(error, sqlite3.Error):
        message = f"{storage}: {message}."
    return message.replace(storage, redact(storage))


if __name__ == "__main__":
    sys.exit(main())
