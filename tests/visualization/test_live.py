"""The live view in a real Jupyter kernel: one output that updates, shown once."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("ipykernel")
manager = pytest.importorskip("jupyter_client.manager")

CELL = """
%matplotlib inline
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from fastune import PBTSearchCV
X, y = load_iris(return_X_y=True)
search = PBTSearchCV(SGDClassifier(), {"alpha": [1e-4, 1e-3, 1e-2]},
                     population_size=4, generations=3, cv=2, random_state=0)
search.visualize(live=True)
live = search._live  # let go when the fit ends
search.fit(X, y)
print("updates", live.updates)
"""


def _run_cell(code: str) -> list[dict[str, Any]]:
    """Run one cell in a fresh kernel of this interpreter; return its output messages."""
    kernel, client = manager.start_new_kernel(kernel_name="python3")
    try:
        msg_id = client.execute(code)
        messages = []
        while True:
            message = client.get_iopub_msg(timeout=120)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "status" and message["content"]["execution_state"] == "idle":
                return messages
            if kind in ("display_data", "update_display_data", "execute_result", "stream", "error"):
                messages.append(message)
    finally:
        client.stop_channels()
        kernel.shutdown_kernel(now=True)


def test_live_fit_in_a_notebook_updates_one_output() -> None:
    messages = _run_cell(CELL)
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert not errors, errors
    pictures = [m for m in messages if "image/png" in m["content"].get("data", {})]
    first, *rest = pictures
    assert first["msg_type"] == "display_data"
    display_id = first["content"]["transient"]["display_id"]
    # Every later picture replaces the first one in place; none is a second output.
    assert rest and all(m["msg_type"] == "update_display_data" for m in rest)
    assert {m["content"]["transient"]["display_id"] for m in rest} == {display_id}
    printed = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    assert f"updates {len(pictures)}" in printed  # one picture per generation, no extra
