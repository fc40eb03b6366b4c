"""A study's trials as a pandas DataFrame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastune._imports import import_optional
from fastune._validation import invalid

if TYPE_CHECKING:
    from fastune.study.study import Study
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
_ALLOWED = (
    *DATAFRAME_ATTRS,
    "values",
    "intermediate_values",
    "distributions",
    "trial_id",
    "_trial_id",
)


def _columns(
    trial: FrozenTrial, attr: str, n_objectives: int, metric_names: list[str] | None
) -> dict[tuple[str, Any], Any]:
    """One trial's cells of one attribute, keyed by (column, sub-column) as Optuna's: a
    nested attribute by its keys, values by objective index or metric name."""
    column = attr.lstrip("_")  # _trial_id gives trial_id, as in Optuna
    if attr in ("trial_id", "_trial_id"):
        return {(column, ""): trial._trial_id}
    if attr == "state":
        return {(column, ""): trial.state.name}
    if attr == "value":
        value = None if trial.values is None else trial.values[0]
        return {(column, "" if metric_names is None else metric_names[0]): value}
    if attr == "values":
        values: list[float | None] = (
            [None] * n_objectives if trial.values is None else [*trial.values]
        )
        keys: list[Any] = list(range(n_objectives)) if metric_names is None else metric_names
        return {(column, key): v for key, v in zip(keys, values, strict=True)}
    if attr in _NESTED:
        return {(column, key): value for key, value in getattr(trial, attr).items()}
    return {(column, ""): getattr(trial, attr)}


def _sorted(keys: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    try:
        return sorted(keys)
    except TypeError:  # sub-columns of mixed types: keep the order they came in
        return keys


def trials_dataframe(
    study: Study, attrs: Sequence[str] = DATAFRAME_ATTRS, multi_index: bool = False
) -> Any:
    """Return one row per trial and one column per attribute (nested ones spread out),
    as Optuna's: columns in the order of ``attrs``, the sub-columns of each sorted
    (parameters by name), objectives named by ``Study.set_metric_names`` when set;
    ``"value"`` gives the values of a study with several objectives.

    Raises:
        MissingDependencyError: pandas is not installed (``pip install fastune[pandas]``).
        InvalidParameterError: an unknown attribute name in ``attrs``.
    """
    pandas = import_optional("pandas", "pandas")
    for attr in attrs:
        if attr not in _ALLOWED:
            raise invalid("attrs", "trials_dataframe", f"names among {list(_ALLOWED)}", attr)
    n_objectives = len(study.directions)
    if n_objectives > 1:
        attrs = ["values" if attr == "value" else attr for attr in attrs]
    attrs = list(dict.fromkeys(attrs))
    metric_names = study.metric_names
    rows = []
    found: dict[str, dict[tuple[str, Any], None]] = {attr: {} for attr in attrs}
    for trial in study.get_trials(deepcopy=False):
        row: dict[tuple[str, Any], Any] = {}
        for attr in attrs:
            cells = _columns(trial, attr, n_objectives, metric_names)
            found[attr].update(dict.fromkeys(cells))
            row.update(cells)
        rows.append(row)
    if not rows:
        return pandas.DataFrame()
    columns = []
    for attr in attrs:
        keys = list(found[attr])
        columns.extend(keys if attr == "values" and metric_names else _sorted(keys))
    frame = pandas.DataFrame(rows, columns=pandas.MultiIndex.from_tuples(columns))
    if multi_index:
        return frame
    frame.columns = ["_".join(str(part) for part in key if part != "") for key in columns]
    return frame
