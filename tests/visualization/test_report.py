"""The HTML report and the trials table: what they contain, and that the report opens
in a real browser without console errors."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.visualization.studies import multi_objective, pruned

import fastune
from fastune.exceptions import MissingDependencyError
from fastune.importance import FanovaImportanceEvaluator
from fastune.visualization import write_report, write_trials
from fastune.visualization._report import _plots


def _study() -> fastune.Study:
    def objective(trial: fastune.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1, log=True)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        for step in range(3):
            trial.report(lr * (3 - step), step)
        return lr + (0.5 if kind == "b" else 0.0)

    study = fastune.create_study(
        study_name="report <study>", sampler=fastune.samplers.RandomSampler(seed=0)
    )
    study.optimize(objective, n_trials=15)
    return study


def _images(page: str) -> list[bytes]:
    encoded = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    return [base64.b64decode(text) for text in encoded]


def test_report_embeds_the_plots_best_trials_and_importances(tmp_path: Path) -> None:
    study = _study()
    path = tmp_path / "report.html"
    write_report(study, path, evaluator=FanovaImportanceEvaluator(seed=0), n_best=3)
    page = path.read_text(encoding="utf-8")
    assert "<title>fastune report: report &lt;study&gt;</title>" in page  # escaped
    images = _images(page)
    assert len(images) == 8  # every single-objective plot applies to this study
    assert all(image.startswith(b"\x89PNG") for image in images)
    best = study.best_trial
    assert f"<td>{best.number}</td><td>{best.value:.6g}</td>" in page
    assert "Best trials (top 3)" in page
    assert re.search(r'<td class="text">lr</td><td>0\.\d+</td>', page)
    # Self-contained: no script, and nothing fetched from elsewhere.
    assert "<script" not in page
    assert not re.search(r'(src|href)="(?!data:)', page)


def test_report_of_several_objectives_shows_the_front(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_report(multi_objective(), path)
    page = path.read_text(encoding="utf-8")
    assert "Best trials (Pareto front)" in page and 'alt="Pareto front"' in page
    assert "importance for Objective 1" in page
    assert len(_images(page)) == 9
    # Parallel coordinates draw both objectives, not only the first.
    plots = dict(_plots(multi_objective(), FanovaImportanceEvaluator(seed=0)))
    labels = [t.get_text() for t in plots["Parallel coordinates"]().get_xticklabels()]
    assert labels[:2] == ["Objective 0", "Objective 1"]


def test_report_names_the_plots_that_do_not_apply(tmp_path: Path) -> None:
    study = fastune.create_study(study_name="one-param")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    path = tmp_path / "report.html"
    write_report(study, path)
    page = path.read_text(encoding="utf-8")
    assert "Contour: not drawn. It pairs parameters, and the study has fewer than 2." in page
    assert len(_images(page)) == 7


def test_report_opens_in_a_browser_without_console_errors(tmp_path: Path, chromium: str) -> None:
    report = tmp_path / "report.html"
    write_report(pruned(), report)
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('boom'); nope();</script></body></html>")

    def open_page(path: Path) -> tuple[str, list[str]]:
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--enable-logging=stderr",
                "--v=0",
                "--dump-dom",
                path.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
        return result.stdout, console

    # The check sees errors where there are some...
    _, console = open_page(broken)
    assert any("Uncaught ReferenceError" in line for line in console), console
    # ...and the report has none, and its content reached the page.
    dom, console = open_page(report)
    assert console == []
    assert "Best trials (top 2)" in dom and dom.count("<img") == 8


def test_trials_to_csv_and_excel(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    study = pruned()
    write_trials(study, tmp_path / "trials.csv")
    write_trials(study, tmp_path / "trials.xlsx")
    from_csv = pandas.read_csv(tmp_path / "trials.csv")
    from_excel = pandas.read_excel(tmp_path / "trials.xlsx", sheet_name="trials")
    for frame in (from_csv, from_excel):
        assert frame["number"].tolist() == [0, 1, 2]
        assert frame["state"].tolist() == ["COMPLETE", "PRUNED", "COMPLETE"]
        assert frame["params_lr"].tolist() == [0.1, 0.001, 0.01]


def test_trials_errors_name_the_path_and_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pandas")
    with pytest.raises(ValueError, match=r"'path' parameter of write_trials must be a file path"):
        write_trials(pruned(), tmp_path / "trials.json")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'fastune\[pandas\]'"):
        write_trials(pruned(), tmp_path / "trials.xlsx")


def test_an_evaluator_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    study = fastune.create_study()
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    with pytest.raises(TypeError, match="'evaluator' parameter of write_report"):
        write_report(study, tmp_path / "r.html", evaluator="fanova")  # type: ignore[arg-type]
