"""The study commands of the ``fastune`` command line, with Optuna's names: ``studies``,
``study-names``, ``create-study``, ``delete-study``, ``trials``, ``best-trial``,
``best-trials``, ``ask``, ``tell``, ``study set-user-attr`` and ``storage upgrade``,
with table, JSON or CSV output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, TextIO

from fastune.storages import BaseStorage, get_storage
from fastune.storages._url import redact
from fastune.study import delete_study, get_all_study_summaries, load_study
from fastune.trial import FrozenTrial

__all__ = ["FORMATS", "best_trial_rows", "redact", "study_rows", "trial_rows", "write_rows"]

FORMATS = ("table", "json", "csv")


def open_storage(url: str) -> BaseStorage:
    return get_storage(url)


def study_rows(storage: BaseStorage) -> list[dict[str, Any]]:
    rows = []
    for summary in get_all_study_summaries(storage):
        best = summary.best_trial
        rows.append(
            {
                "name": summary.study_name,
                "directions": ",".join(d.name.lower() for d in summary.directions),
                "n_trials": summary.n_trials,
                "complete": summary.n_trials_by_state.get("COMPLETE", 0),
                "best_value": None if best is None else best.value,
                "datetime_start": _time(summary.datetime_start),
            }
        )
    return rows


def trial_rows(storage: BaseStorage, study_name: str) -> list[dict[str, Any]]:
    study = load_study(study_name=study_name, storage=storage)
    return [_trial_row(trial) for trial in study.get_trials(deepcopy=False)]


def best_trial_rows(storage: BaseStorage, study_name: str) -> list[dict[str, Any]]:
    study = load_study(study_name=study_name, storage=storage)
    return [_trial_row(trial) for trial in study.best_trials]


def delete(storage: BaseStorage, study_name: str) -> None:
    delete_study(study_name=study_name, storage=storage)


def _trial_row(trial: FrozenTrial) -> dict[str, Any]:
    row: dict[str, Any] = {"number": trial.number, "state": trial.state.name}
    values = trial.values or []
    if len(values) <= 1:
        row["value"] = values[0] if values else None
    else:
        row.update({f"value_{i}": v for i, v in enumerate(values)})
    row.update({f"params_{name}": value for name, value in trial.params.items()})
    row["datetime_start"] = _time(trial.datetime_start)
    row["datetime_complete"] = _time(trial.datetime_complete)
    return row


def _time(moment: Any) -> str | None:
    return None if moment is None else moment.isoformat(sep=" ", timespec="seconds")


def write_rows(rows: Sequence[dict[str, Any]], output_format: str, out: TextIO) -> None:
    """Write ``rows`` as an aligned table, a JSON list, or CSV with a header."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if output_format == "json":
        out.write(json.dumps(list(rows), indent=1, default=str) + "\n")
        return
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        out.write(buffer.getvalue())
        return
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for line in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


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
    study_name: str,
    sampler_name: str | None,
    sampler_kwargs: str | None,
    search_space: str | None,
) -> dict[str, Any]:
    """Start a trial of the study, suggest the ``search_space`` (JSON of
    ``distribution_to_json`` outputs by name), and return its number and parameters."""
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
    return {"number": trial.number, "params": trial.params}


def tell(
    storage: BaseStorage,
    study_name: str,
    number: int,
    values: list[float] | None,
    state: str | None,
    skip_if_finished: bool,
) -> FrozenTrial:
    from fastune.trial import TrialState

    study = load_study(study_name=study_name, storage=storage)
    chosen = None if state is None else TrialState[state.upper()]
    return study.tell(number, values, state=chosen, skip_if_finished=skip_if_finished)


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
