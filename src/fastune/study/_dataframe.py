"""A study's trials as a pandas DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune._validation import invalid

if TYPE_CHECKING:
    from fastune.study._study import Study
    from fastune.trial import FrozenTrial

__all__ = ["DATAFRAME_ATTRS", "trials_dataframe"]

DATAFRAME_ATTRS = (
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    "params",
    "user_attrs",
    "system_attrs",
    "state",
)
_NESTED = ("params", "user_attrs", "system_attrs", "intermediate_values", "distributions")
_ALLOWED = (*DATAFRAME_ATTRS, "values", "intermediate_values", "distributions", "trial_id")


def _columns(study: Study, trial: FrozenTrial, attr: str) -> dict[tuple[str, str], Any]:
    if attr == "trial_id":
        return {(attr, ""): trial._trial_id}
    if attr == "state":
        return {(attr, ""): trial.state.name}
    if attr in ("value", "values"):
        if len(study.directions) == 1:
            return {("value", ""): None if trial.values is None else trial.values[0]}
        n_objectives = len(study.directions)
        values: list[float | None] = (
            [None] * n_objectives if trial.values is None else [*trial.values]
        )
        return {("values", str(i)): v for i, v in enumerate(values)}
    if attr in _NESTED:
        return {(attr, str(key)): value for key, value in getattr(trial, attr).items()}
    return {(attr, ""): getattr(trial, attr)}


def trials_dataframe(
    study: Study, attrs: Sequence[str] = DATAFRAME_ATTRS, multi_index: bool = False
) -> Any:
    """Return one row per trial and one column per attribute (nested ones spread out).

    Raises:
        MissingDependencyError: pandas is not installed (``pip install fastune[pandas]``).
        InvalidParameterError: an unknown attribute name in ``attrs``.
    """
    pandas = import_optional("pandas", "pandas")
    for attr in attrs:
        if attr not in _ALLOWED:
            raise invalid("attrs", "trials_dataframe", f"names among {list(_ALLOWED)}", attr)
    rows = []
    for trial in study.get_trials(deepcopy=False):
        row: dict[tuple[str, str], Any] = {}
        for attr in attrs:
            row.update(_columns(study, trial, attr))
        rows.append(row)
    if not rows:
        return pandas.DataFrame()
    columns = list(dict.fromkeys(key for row in rows for key in row))
    frame = pandas.DataFrame(rows, columns=pandas.MultiIndex.from_tuples(columns))
    if multi_index:
        return frame
    frame.columns = ["_".join(part for part in key if part) for key in frame.columns]
    return frame
