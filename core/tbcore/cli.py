"""The ``tbcore`` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.logdir_spec import parse_logdir_spec
from tbcore.inspect import inspect_logdir
from tbcore.io.filesystem import filesystem_for


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tbcore`` with all its subcommands."""
    parser = argparse.ArgumentParser(
        prog="tbcore", description="A fast, TensorBoard-compatible experiment dashboard."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    inspect = sub.add_parser(
        "inspect", help="list the runs and tags of a logdir, with point counts and damage"
    )
    inspect.add_argument("--logdir", required=True, help="path, URL, or name:path,name2:path2")
    inspect.set_defaults(func=_run_inspect)
    return parser


def _run_inspect(args: argparse.Namespace) -> int:
    try:
        entries = parse_logdir_spec(args.logdir)
    except ValueError as e:
        sys.stderr.write(f"tbcore inspect: {e}\n")
        return 2
    for entry in entries:
        if not filesystem_for(entry.path).exists(entry.path):
            sys.stderr.write(f"tbcore inspect: logdir not found: {entry.path}\n")
            return 2
    provider = LogdirDataProvider(args.logdir)
    provider.reload()
    problems = inspect_logdir(provider, sys.stdout)
    if problems:
        sys.stdout.write(f"{problems} problem(s) found.\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tbcore`` command."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
