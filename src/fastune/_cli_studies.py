"""The study commands of the ``fastune`` command line: ``studies``, ``trials``,
``best-trial`` and ``delete-study``, with table, JSON or CSV output."""

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
