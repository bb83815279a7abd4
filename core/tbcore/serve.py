"""Running the server: binding a port, loading progress, and the ``plugins`` listing."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time

import uvicorn

from tbcore.config import ServeConfig
from tbcore.data.logdir_provider import LogdirDataProvider
from tbcore.errors import CommandError
from tbcore.server.app import create_app

PORT_SEARCH = 100
"""How many ports after the default one are tried when it is taken."""


class PortBusyError(Exception):
    """No port could be bound."""


def bind(host: str, port: int, search: bool) -> socket.socket:
    """A listening socket on ``host:port``, or the next free port when ``search`` is true."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    last = port + (PORT_SEARCH if search and port else 0)
    for candidate in range(port, last + 1):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as e:
            sock.close()
            if e.errno in (errno.EADDRINUSE, errno.EACCES) and candidate < last:
                continue
            if e.errno == errno.EADDRINUSE:
                raise PortBusyError(f"port {candidate} on {host} is busy") from e
            raise PortBusyError(f"cannot listen on {host}:{candidate}: {e.strerror}") from e
        sock.listen(2048)
        sock.set_inheritable(True)
        return sock
    raise PortBusyError(f"no free port in {port}..{last} on {host}")


def serve(config: ServeConfig, *, port_given: bool, demo: bool = False) -> None:
    """Serve ``config`` until interrupted, printing the URL and loading progress."""
    try:
        sock = bind(config.host, config.port, search=not port_given)
    except PortBusyError as e:
        raise CommandError(str(e)) from e
    app = create_app(config)
    state = app.state.tbcore
    if demo:
        from tbcore.demo import write_demo_data

        write_demo_data(config.logdir, state.registry.working())
    port = sock.getsockname()[1]
    shown_host = f"[{config.host}]" if ":" in config.host else config.host
    print(f"tbcore {'demo ' if demo else ''}serving {config.logdir}")
    print(f"  open http://{shown_host}:{port}{config.path_prefix}/   (Ctrl+C to quit)", flush=True)
    if not config.loopback:
        sys.stderr.write(
            f"WARNING: listening on {config.host}, not only on this machine: anyone who can reach "
            f"port {port} of it can read every log under {config.logdir}, with no password. "
            "Put tbcore behind a proxy that asks for one (see docs/security.md).\n"
        )
    provider = state.provider
    if isinstance(provider, LogdirDataProvider):
        _report_loading(provider)
        provider.start()  # the first load overlaps the server's own start-up
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    )
    server.run(sockets=[sock])


def _report_loading(provider: LogdirDataProvider) -> None:
    """Print progress of the first load (when it takes more than a moment), then what it
    loaded and how long it took."""
    started = time.perf_counter()

    def report() -> None:
        while not provider.loaded.wait(2.0):
            mb = provider.bytes_loaded / 1e6
            print(f"  loading... {mb:,.0f} MB read, {time.perf_counter() - started:.0f} s", flush=True)
        seconds = time.perf_counter() - started
        print(
            f"  loaded {len(provider.list_runs()):,} run(s), {provider.point_count():,} points "
            f"({provider.bytes_loaded / 1e6:,.1f} MB of event files) in {seconds:.2f} s",
            flush=True,
        )

    threading.Thread(target=report, daemon=True, name="tbcore-progress").start()


def installed_plugins() -> list[tuple[str, str, str]]:
    """``(name, source, status)`` of every installed dashboard, working or broken."""
    from tbcore.data.provider import DataProvider
    from tbcore.plugin import PluginContext
    from tbcore.plugin_manager import (
        PluginRegistry,
        collect_plugins,
        new_plugin_manager,
        register_sources,
    )

    manager = new_plugin_manager()
    registry = PluginRegistry(manager, log_errors=False)
    register_sources(manager, registry)
    provider: DataProvider = LogdirDataProvider(".")
    collect_plugins(manager, registry, PluginContext(provider, ServeConfig(logdir=".")))
    rows = []
    for record in registry.ordered_records():
        version = record.plugin.version if record.plugin else ""
        status = "broken" if record.broken else "ok"
        source = record.source + (f" ({record.error})" if record.error else "")
        rows.append((record.name + (f" {version}" if version else ""), source, status))
    return rows
