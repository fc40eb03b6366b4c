"""What every side benchmark (GP time, memory, storages, pruner overhead, variants) shares:
where results go, its command line, and how its JSON and markdown are written."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# What a side benchmark's run gives back: the file stem, the fields of its JSON, and the
# function that builds its markdown from the JSON.
SideRun = tuple[str, dict[str, Any], Callable[[dict[str, Any]], str]]


def run_side_benchmark(
    module: str,
    description: str | None,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], SideRun],
    argv: Sequence[str] | None,
) -> int:
    """The entry point of ``python -m benchmarks.<module>``: parse its arguments (those
    ``add_arguments`` adds, and ``--output-dir``), silence the searched libraries, call
    ``run`` and write ``<stem>.json`` and ``<stem>.md``: the fields with the command,
    start time and machine, and the markdown built from them."""
    from benchmarks.quality import quiet_libraries

    command = f"python -m benchmarks.{module}"
    parser = argparse.ArgumentParser(prog=command, description=description)
    add_arguments(parser)
    parser.add_argument("--output-dir", type=Path, default=RESULTS_DIR)
    given = list(sys.argv[1:] if argv is None else argv)
    options = parser.parse_args(given)
    quiet_libraries()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    stem, fields, markdown = run(options)
    results = {
        "command": " ".join([command, *given]),
        "started_at": started,
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, Python "
        f"{platform.python_version()}",
        **fields,
    }
    output_dir: Path = options.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
    (output_dir / f"{stem}.md").write_text(markdown(results))
    print(f"wrote {output_dir / f'{stem}.md'}")
    return 0


def side_report_header(title: str, results: dict[str, Any]) -> list[str]:
    """The first lines of a side benchmark's report: its title, command, start and machine
    (as :func:`run_side_benchmark` records them)."""
    return [
        f"# {title}",
        "",
        f"* Command: `{results['command']}`",
        f"* Started {results['started_at']}; machine: {results['machine']}.",
    ]
