"""The ``fastune`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fastune.version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fastune", description="Hyperparameter optimization.")
    parser.add_argument("--version", action="version", version=f"fastune {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="tune a scikit-learn model on a bundled dataset and show the result"
    )
    demo.add_argument("--n-trials", type=int, default=50, help="trials to run (default 50)")
    demo.add_argument("--seed", type=int, default=0, help="sampler seed (default 0)")
    demo.add_argument(
        "--plot", default="pbt_demo.png", help="where to draw the PBT population (PNG)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fastune`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.n_trials < 1:
            parser.error(f"--n-trials must be a positive int. Got {args.n_trials} instead.")
        from fastune._demo import run_demo, run_pbt_demo

        run_demo(args.n_trials, args.seed, sys.stdout)
        run_pbt_demo(args.seed, sys.stdout, args.plot)
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
