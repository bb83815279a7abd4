"""The ``tbcore`` command line: ``serve``, ``demo``, ``plugins``, ``inspect``."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from tbcore import __version__
from tbcore.config import ServeConfig
from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.data.logdir_spec import parse_logdir_spec
from tbcore.errors import CommandError
from tbcore.io.filesystem import filesystem_for
from tbcore.plugin_manager import PluginRegistry, new_plugin_manager, register_sources


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``tbcore`` with all its subcommands (and plugins' options)."""
    parser = argparse.ArgumentParser(
        prog="tbcore", description="A fast, TensorBoard-compatible experiment dashboard."
    )
    parser.add_argument("--version", action="version", version=f"tbcore {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        text = f"{summary[0].upper()}{summary[1:]}. {description}"
        return sub.add_parser(name, help=summary, description=text)

    serve = add_command(
        "serve",
        "serve the dashboard for a logdir",
        "Reads every event file under the logdir, keeps reading what training appends, and "
        "serves the dashboards on http://HOST:PORT/ (127.0.0.1 by default: only this machine).",
    )
    serve.add_argument("--logdir", required=True, help="path, URL, or name:path,name2:path2")
    _add_server_arguments(serve)
    serve.set_defaults(func=_run_serve)

    demo = add_command(
        "demo",
        "write a demo logdir for every installed dashboard and serve it",
        "Without --out the demo logdir is a temporary folder, removed when the server stops.",
    )
    demo.add_argument("--out", help="folder for the demo logdir (default: a new temporary folder)")
    _add_server_arguments(demo)
    demo.set_defaults(func=_run_demo)

    plugins = add_command(
        "plugins",
        "list installed dashboards, versions and status",
        "Exits with status 1 when a dashboard is broken (it names the error).",
    )
    plugins.set_defaults(func=_run_plugins)

    inspect = add_command(
        "inspect",
        "list the runs and tags of a logdir, with point counts and damage",
        "Damage is anything the server would skip or wait for: corrupt records, incomplete "
        "tails, values that cannot be decoded. Exits with status 1 when it found some.",
    )
    inspect.add_argument("--logdir", required=True, help="path, URL, or name:path,name2:path2")
    inspect.set_defaults(func=_run_inspect)

    manager = new_plugin_manager()
    register_sources(manager, PluginRegistry(manager, log_errors=False))
    for impl in manager.hook.tbcore_add_cli_arguments.get_hookimpls():
        for command, subparser in (("serve", serve), ("demo", demo)):
            try:
                impl.function(parser=subparser, command=command)
            except Exception as e:  # noqa: BLE001 - a broken plugin must not break the CLI
                logging.getLogger(__name__).error(
                    "tbcore_add_cli_arguments of %s raised %s", manager.get_name(impl.plugin), e
                )
    return parser


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=None, help="port (default 6006, or the next free one)"
    )
    parser.add_argument(
        "--reload-interval", type=float, default=1.0, help="seconds between logdir reloads (0: off)"
    )
    parser.add_argument("--plugins", help="comma-separated dashboards to load (default: all)")
    parser.add_argument(
        "--disable-plugin", action="append", default=[], metavar="NAME", help="do not load NAME"
    )
    parser.add_argument("--path-prefix", default="", help="serve under this URL path")
    parser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this host name (e.g. behind a proxy; repeatable)",
    )
    parser.add_argument("--window-title", default="", help="title of the browser tab")
    parser.add_argument(
        "--max-request-bytes",
        type=int,
        default=8 << 20,
        help="largest request body accepted (default 8 MiB; larger ones get 413)",
    )


_BASE_OPTIONS = {
    "command", "func", "logdir", "out", "host", "port", "reload_interval", "plugins",
    "disable_plugin", "path_prefix", "window_title", "allowed_host", "max_request_bytes",
}


def _config(args: argparse.Namespace, logdir: str) -> ServeConfig:
    extra = {k: v for k, v in vars(args).items() if k not in _BASE_OPTIONS}
    try:
        return ServeConfig(
            logdir=logdir,
            host=args.host,
            port=args.port if args.port is not None else 6006,
            reload_interval=args.reload_interval,
            plugins=[p.strip() for p in args.plugins.split(",") if p.strip()] if args.plugins else None,
            disabled_plugins=args.disable_plugin,
            path_prefix=args.path_prefix,
            window_title=args.window_title,
            allowed_hosts=args.allowed_host,
            max_request_bytes=args.max_request_bytes,
            plugin_options=extra,
        )
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "value"
        raise CommandError(f"invalid --{field.replace('_', '-')}: {first['msg']}") from e


def _check_logdir(logdir: str) -> None:
    try:
        entries = parse_logdir_spec(logdir)
    except ValueError as e:
        raise CommandError(f"bad --logdir: {e}") from e
    for entry in entries:
        try:
            exists = filesystem_for(entry.path).exists(entry.path)
        except Exception as e:  # e.g. a missing fsspec protocol package
            raise CommandError(f"cannot open logdir {entry.path}: {e}") from e
        if not exists:
            raise CommandError(f"logdir not found: {entry.path}")


def _run_serve(args: argparse.Namespace) -> int:
    from tbcore.serve import serve

    _check_logdir(args.logdir)
    serve(_config(args, args.logdir), port_given=args.port is not None)
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    from tbcore.demo import demo_logdir
    from tbcore.serve import serve

    logdir = demo_logdir(args.out)
    try:
        config = _config(args, str(logdir))
        serve(config, port_given=args.port is not None, demo=True)
    finally:
        if not args.out:
            shutil.rmtree(logdir, ignore_errors=True)
    return 0


def _run_plugins(args: argparse.Namespace) -> int:
    from tbcore.serve import installed_plugins

    rows = installed_plugins()
    if not rows:
        print("No dashboards installed. Install some, e.g. pip install 'tbcore[scalars]'.")
        return 0
    width = max(len(r[0]) for r in rows)
    for name, source, status in rows:
        print(f"{name.ljust(width)}  {status:<8}  {source}")
    return 1 if any(status == "broken" for _, _, status in rows) else 0


def _run_inspect(args: argparse.Namespace) -> int:
    from tbcore.inspect import inspect_logdir

    _check_logdir(args.logdir)
    provider = LogdirDataProvider(args.logdir)
    provider.reload()
    problems = inspect_logdir(provider, sys.stdout)
    if problems:
        print(f"{problems} problem(s) found.")
        return 1
    if provider.runs():
        print("No damage found: every record was read.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``tbcore`` command."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    # SIGTERM ends the command like Ctrl+C does, so `finally` blocks run (the demo removes
    # its temporary logdir). uvicorn restores this handler and re-raises the signal it got.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at exit
        return code
    except CommandError as e:
        sys.stderr.write(f"tbcore {args.command}: {e}\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 128 + signal.SIGTERM
    except BrokenPipeError:
        # The reader went away (`tbcore inspect | head`): stop quietly, as Unix tools do;
        # what is left in stdout's buffer goes to /dev/null instead of failing again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """The process got SIGTERM."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated


if __name__ == "__main__":
    raise SystemExit(main())
