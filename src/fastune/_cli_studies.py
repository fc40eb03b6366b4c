"""The study commands of the ``fastune`` command line, with Optuna's names: ``studies``,
``study-names``, ``create-study``, ``delete-study``, ``trials``, ``best-trial``,
``best-trials``, ``ask``, ``tell``, ``study set-user-attr`` and ``storage upgrade``,
with table, JSON, YAML, value (Optuna's fields separated by spaces) or CSV output. The
trial commands print the fields of Optuna's CLI: ``number``, ``value`` (``values`` with
several objectives), ``datetime_start``, ``datetime_complete``, ``duration``,
``params``, ``user_attrs`` and ``state``, with ``params`` and ``user_attrs`` nested
unless ``--flatten`` is given."""

from __future__ import annotations

import csv
import datetime
import importlib
import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

from fastune.exceptions import MissingDependencyError
from fastune.logging import get_logger
from fastune.storages import BaseStorage
from fastune.storages._url import redact
from fastune.study import Study, delete_study, get_all_study_summaries, load_study
from fastune.study._dataframe import DATAFRAME_ATTRS
from fastune.trial import FrozenTrial

__all__ = [
    "FORMATS",
    "Rows",
    "best_trial_row",
    "best_trial_rows",
    "redact",
    "study_rows",
    "trial_rows",
    "write_rows",
]

FORMATS = ("table", "json", "yaml", "csv", "value")

# The fields of a trial, in the order Optuna's CLI prints them (``value`` is ``values``
# in a study with several objectives), and its date format.
TRIAL_FIELDS = tuple(attr for attr in DATAFRAME_ATTRS if attr != "system_attrs")
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def study_rows(storage: BaseStorage, flatten: bool) -> Rows:
    """The studies of the storage with the fields of Optuna's ``studies`` command:
    ``name``, ``direction`` (the names of the objectives' directions), ``n_trials``,
    ``datetime_start`` and ``user_attrs`` (when a study has one); then fastune's
    ``complete`` (complete trials) and ``best_value`` (one objective). Flattened,
    ``direction`` is one column per objective."""
    summaries = get_all_study_summaries(storage)
    with_attrs = any(summary.user_attrs for summary in summaries)
    rows = []
    for summary in summaries:
        best = summary.best_trial
        row: dict[str, Any] = {
            "name": summary.study_name,
            "direction": tuple(d.name for d in summary.directions),
            "n_trials": summary.n_trials,
            "datetime_start": _time(summary.datetime_start),
        }
        if with_attrs:
            row["user_attrs"] = _plain(summary.user_attrs)
        row["complete"] = summary.n_trials_by_state.get("COMPLETE", 0)
        row["best_value"] = None if best is None or len(summary.directions) > 1 else best.value
        rows.append(row)
    if not flatten:
        return Rows(rows)
    width = max((len(row["direction"]) for row in rows), default=0)
    flat = []
    for row in rows:
        directions = {f"direction_{i}": d for i, d in enumerate(row.pop("direction"))}
        flat.append({"name": row.pop("name"), **directions, **row})
    columns = ["name", *(f"direction_{i}" for i in range(width))]
    return Rows(flat, columns + [c for c in rows[0] if c != "name"] if rows else columns)


class Rows:
    """Rows to print, their columns in order, and whether they are one record (printed as
    one JSON or YAML object rather than a list)."""

    def __init__(
        self, rows: list[dict[str, Any]], columns: list[str] | None = None, single: bool = False
    ) -> None:
        self.rows = rows
        self.columns = columns
        self.single = single


def trial_rows(storage: BaseStorage, study_name: str, flatten: bool) -> Rows:
    """Every trial of the study, as Optuna's ``trials`` command prints them."""
    study = load_study(study_name=study_name, storage=storage)
    return _trial_table(study, None, flatten)


def best_trial_rows(storage: BaseStorage, study_name: str, flatten: bool) -> Rows:
    """The trials on the Pareto front (the best trial with one objective), as Optuna's
    ``best-trials`` command prints them."""
    study = load_study(study_name=study_name, storage=storage)
    return _trial_table(study, {t.number for t in study.best_trials}, flatten)


def best_trial_row(storage: BaseStorage, study_name: str, flatten: bool) -> Rows:
    """The best trial of a study with one objective, as Optuna's ``best-trial`` command
    prints it: one record.

    Raises:
        InvalidParameterError: the study has several objectives.
        ValueError: no trial of the study is complete.
    """
    from fastune.exceptions import InvalidParameterError

    study = load_study(study_name=study_name, storage=storage)
    if len(study.directions) > 1:
        raise InvalidParameterError(
            f"The '--study' parameter of fastune best-trial must be a study with one "
            f"objective. Got {study_name!r}, which has {len(study.directions)} objectives, "
            f"instead (best-trials shows its Pareto front)."
        )
    try:
        best = study.best_trial
    except ValueError:  # no complete trial
        message = f"Study {study_name!r} has no complete trial: no best trial yet."
        raise ValueError(message) from None
    table = _trial_table(study, {best.number}, flatten)
    table.single = True
    return table


def _trial_table(study: Study, numbers: set[int] | None, flatten: bool) -> Rows:
    """The trials of ``study`` whose number is in ``numbers`` (all: None), with the fields
    of Optuna's CLI. As there, the columns come from all the trials of the study: a
    ``user_attrs`` column when any trial has a user attribute, ``params_n`` (flattened)
    when any trial has the parameter ``n``; a flattened row leaves out what its trial
    lacks, a nested one holds its trial's own ``params``."""
    trials = study.get_trials(deepcopy=False)
    nested = [_nested_row(study, trial) for trial in trials]
    fields = [
        field
        for field in _fields(study)
        if field not in ("params", "user_attrs") or any(row[field] for row in nested)
    ]
    if not trials:  # no columns at all, as Optuna
        fields = []
    chosen = [
        {f: row[f] for f in fields}
        for trial, row in zip(trials, nested, strict=True)
        if numbers is None or trial.number in numbers
    ]
    if not flatten:
        return Rows(chosen, fields)
    columns: list[tuple[str, str, Any]] = []
    for field in fields:
        keys: list[Any] = []
        for row in nested:
            value = row[field]
            if isinstance(value, dict):
                keys += [k for k in value if k not in keys]
            elif isinstance(value, list):
                keys += [i for i in range(len(value)) if i not in keys]
        if field in ("params", "user_attrs"):
            keys.sort()
        columns += [(f"{field}_{k}", field, k) for k in keys] if keys else [(field, field, None)]
    rows = []
    for row in chosen:
        flat = {}
        for column, field, key in columns:
            value = row[field]
            if key is None:
                flat[column] = value
            elif key in (value.keys() if isinstance(value, dict) else range(len(value))):
                flat[column] = value[key]
        rows.append(flat)
    return Rows(rows, [column for column, _, _ in columns])


def _fields(study: Study) -> list[str]:
    several = len(study.directions) > 1
    return ["values" if several and f == "value" else f for f in TRIAL_FIELDS]


def _nested_row(study: Study, trial: FrozenTrial) -> dict[str, Any]:
    """One trial as Optuna's CLI prints it unflattened: the value named by the study's
    metric name if it has one, the values of several objectives as a list (a dict by
    metric name), ``params`` and ``user_attrs`` by name in sorted order."""
    names = study.metric_names
    values = trial.values if trial.values is not None else [None] * len(study.directions)
    row: dict[str, Any] = {"number": trial.number}
    if len(study.directions) > 1:
        row["values"] = list(values) if names is None else dict(zip(names, values, strict=True))
    else:
        row["value"] = trial.value if names is None else {names[0]: trial.value}
    row["datetime_start"] = trial.datetime_start
    row["datetime_complete"] = trial.datetime_complete
    row["duration"] = trial.duration
    row["params"] = dict(sorted(trial.params.items()))
    row["user_attrs"] = dict(sorted(trial.user_attrs.items()))
    row["state"] = trial.state.name
    return {field: _plain(value) for field, value in row.items()}


def _plain(value: Any) -> Any:
    """A value as Optuna's CLI prints it: dates in its format, durations as text, numbers,
    None, lists and dicts as they are, anything else as text."""
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return str(value)


def delete(storage: BaseStorage, study_name: str) -> None:
    delete_study(study_name=study_name, storage=storage)


def _time(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat(sep=" ", timespec="seconds")


def write_rows(table: Rows | Sequence[dict[str, Any]], output_format: str, out: TextIO) -> None:
    """Write rows as an aligned table, JSON, YAML (Optuna's ``yaml.safe_dump``), or CSV
    with a header. One record (``best-trial``) is one JSON or YAML object, not a list.

    Raises:
        MissingDependencyError: YAML without PyYAML installed.
    """
    if not isinstance(table, Rows):
        table = Rows(list(table))
    rows = table.rows
    columns = table.columns or list(dict.fromkeys(key for row in rows for key in row))
    data: Any = rows[0] if table.single else rows
    if output_format == "json":
        out.write(json.dumps(data, default=str) + "\n")  # one line, as Optuna's
        return
    if output_format == "yaml":
        try:
            yaml = importlib.import_module("yaml")  # PyYAML, as Optuna's CLI
        except ImportError:
            raise MissingDependencyError(
                "--format yaml needs PyYAML, which is not installed. "
                "Install it with: pip install 'fastune[yaml]'"
            ) from None
        out.write(yaml.safe_dump(_plain(data)))
        return
    if output_format == "value":  # Optuna's: fields by spaces, a record per line
        lines = [
            " ".join("" if row.get(c) is None else str(row[c]) for c in columns) for row in rows
        ]
        out.write("\n".join(lines).strip() + "\n")
        return
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out.write(buffer.getvalue())
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for line in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any) -> str:
    """A table cell: empty for None, floats in full (as Optuna's table: a value ``ask``
    gives is used as it is), also inside ``params`` and the other nested fields, which
    read as Python's dicts and lists (``{'x': 0.5}``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _nested_cell(value)


def _nested_cell(value: Any) -> str:
    if isinstance(value, float):
        return repr(float(value))  # numpy's floats too, without numpy's wrapper
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_nested_cell(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_nested_cell(v) for v in value) + "]"
    return repr(value)


# -- Optuna's other study commands: create-study, study-names, best-trials, ask, tell,
# study set-user-attr, storage upgrade (their names and arguments).


def create(
    storage: BaseStorage, study_name: str | None, directions: list[str], skip_if_exists: bool
) -> str:
    """Create a study (or, with ``skip_if_exists``, find it); return its name."""
    from fastune.study import create_study

    study = create_study(
        storage=storage,
        study_name=study_name,
        directions=directions,
        load_if_exists=skip_if_exists,
    )
    return study.study_name


def study_name_rows(storage: BaseStorage) -> list[dict[str, Any]]:
    return [{"name": name} for name in storage.get_all_study_names()]


def ask_row(
    storage: BaseStorage,
    study_name: str | None,
    sampler_name: str | None,
    sampler_kwargs: str | None,
    search_space: str | None,
    flatten: bool,
) -> Rows:
    """Start a trial of the study, suggest the ``search_space`` (JSON of
    ``distribution_to_json`` outputs or Optuna's short forms by name), and return its
    number and parameters (nested, as Optuna's ``ask``, or ``params_x`` fields)."""
    from fastune import samplers
    from fastune._validation import invalid
    from fastune.distributions import json_to_distribution

    sampler = None
    if sampler_name is not None:
        sampler_class = getattr(samplers, sampler_name, None)
        if not (
            isinstance(sampler_class, type) and issubclass(sampler_class, samplers.BaseSampler)
        ):
            names = sorted(
                n for n in samplers.__all__ if n.endswith("Sampler") and n != "BaseSampler"
            )
            allowed = f"a sampler class name ({', '.join(names)})"
            raise invalid("--sampler", "fastune ask", allowed, sampler_name)
        sampler = sampler_class(**_json_object(sampler_kwargs, "--sampler-kwargs"))
    elif sampler_kwargs is not None:
        raise invalid("--sampler-kwargs", "fastune ask", "given with --sampler", sampler_kwargs)
    space = {
        name: json_to_distribution(json.dumps(spec))
        for name, spec in _json_object(search_space, "--search-space").items()
    }
    study = load_study(study_name=study_name, storage=storage, sampler=sampler)
    trial = study.ask(fixed_distributions=space)
    get_logger(__name__).info(f"Asked trial {trial.number} with parameters {trial.params}.")
    if flatten:
        row = {"number": trial.number, **{f"params_{k}": v for k, v in trial.params.items()}}
    else:
        row = {"number": trial.number, "params": trial.params}
    return Rows([row], single=True)


def tell(
    storage: BaseStorage,
    study_name: str | None,
    number: int,
    values: list[float] | None,
    state: str | None,
    skip_if_finished: bool,
) -> FrozenTrial:
    """Finish the trial ``number`` of the study, as ``Study.tell``.

    Raises:
        TrialNotFoundError: the study has no trial ``number``; the message names the
            study and its trial numbers.
    """
    from fastune.exceptions import TrialNotFoundError
    from fastune.trial import TrialState

    study = load_study(study_name=study_name, storage=storage)
    chosen = None if state is None else TrialState[state.upper()]
    try:
        return study.tell(number, values, state=chosen, skip_if_finished=skip_if_finished)
    except TrialNotFoundError:
        n_trials = storage.get_n_trials(study._study_id)
        numbers = f"numbered 0 to {n_trials - 1}" if n_trials else "none yet"
        raise TrialNotFoundError(
            f"Study {study.study_name!r} has no trial number {number} (its trials: {numbers})."
        ) from None


def set_user_attr(storage: BaseStorage, study_name: str, key: str, value: str) -> None:
    load_study(study_name=study_name, storage=storage).set_user_attr(key, value)


def upgrade(storage: BaseStorage) -> str:
    """Bring an SQL storage's schema to this fastune's version; say what was done."""
    from fastune._validation import invalid
    from fastune.storages._sql import SQLStorage

    if not isinstance(storage, SQLStorage):
        allowed = "an SQL storage (sqlite:/// or postgresql://)"
        raise invalid("--storage", "fastune storage upgrade", allowed, type(storage).__name__)
    storage.upgrade()
    return f"The storage is at schema version {storage.get_current_version()}, the latest."


def _json_object(text: str | None, option: str) -> dict[str, Any]:
    from fastune._validation import invalid

    if text is None:
        return {}
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise invalid(option, "fastune", "a JSON object", text)
    return parsed
