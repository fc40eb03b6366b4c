"""What every side benchmark (GP time, memory, storages, pruner overhead, variants) shares:
where results go, its command line, and how its JSON and markdown are written."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REPOSITORY_ROOT = RESULTS_DIR.parents[1]

# What a side benchmark's run gives back: the file stem, the fields of its JSON, and the
# function that builds its markdown from the JSON.
SideRun = tuple[str, dict[str, Any], Callable[[dict[str, Any]], str]]
# The file stem of a side benchmark's results and the function that builds its markdown.
SideReport = tuple[str, Callable[[dict[str, Any]], str]]


def code_version() -> dict[str, Any]:
    """The commit the benchmark code is at (``git rev-parse HEAD``) and whether the working
    tree differs from it, results files aside; both None where git or the repository is
    not there. Read-only: git is told not to refresh its index."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", *arguments],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changes = git("status", "--porcelain", "--", ".", ":(exclude)benchmarks/results")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(changes.strip())}


def code_version_text(results: dict[str, Any]) -> str:
    """The code version of ``results`` in words, for a report header."""
    code = results.get("code")
    if code is None:
        return "not recorded (these results predate recording it)"
    if code["commit"] is None:
        return "unknown (git was not available)"
    return f"commit {code['commit'][:12]}" + (" with uncommitted changes" if code["dirty"] else "")


def run_side_benchmark(
    module: str,
    description: str | None,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], SideRun],
    argv: Sequence[str] | None,
    report_of: Callable[[argparse.Namespace], SideReport] | None = None,
) -> int:
    """The entry point of ``python -m benchmarks.<module>``: parse its arguments (those
    ``add_arguments`` adds, and ``--output-dir``), silence the searched libraries, call
    ``run`` and write ``<stem>.json`` and ``<stem>.md``: the fields with the command,
    start time, machine and code version, and the markdown built from them.

    With ``report_of`` there is also ``--report-only``: it rewrites ``<stem>.md`` from the
    ``<stem>.json`` already there (``report_of`` names the stem and the markdown builder)
    and runs nothing."""
    from benchmarks.quality import quiet_libraries

    command = f"python -m benchmarks.{module}"
    parser = argparse.ArgumentParser(prog=command, description=description)
    add_arguments(parser)
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    if report_of is not None:
        parser.add_argument(
            "--report-only",
            action="store_true",
            help="rebuild the markdown from the results JSON already in --output-dir",
        )
    given = list(sys.argv[1:] if argv is None else argv)
    options = parser.parse_args(given)
    if report_of is not None and options.report_only:
        stem, markdown = report_of(options)
        json_path = options.output_dir / f"{stem}.json"
        json_path.with_suffix(".md").write_text(markdown(json.loads(json_path.read_text())))
        print(f"rebuilt {json_path.with_suffix('.md')} from {json_path}")
        return 0
    quiet_libraries()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    stem, fields, markdown = run(options)
    results = {
        "command": " ".join([command, *given]),
        "started_at": started,
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        "code": code_version(),
        **fields,
    }
    output_dir: Path = options.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
    (output_dir / f"{stem}.md").write_text(markdown(results))
    print(f"wrote {output_dir / f'{stem}.md'}")
    return 0


def side_report_header(title: str, results: dict[str, Any]) -> list[str]:
    """The first lines of a side benchmark's report: its title, command, start, machine and
    code version (as :func:`run_side_benchmark` records them)."""
    return [
        f"# {title}",
        "",
        f"* Command: `{results['command']}`",
        f"* Started {results['started_at']}; machine: {results['machine']}.",
        f"* Code: {code_version_text(results)}.",
    ]
