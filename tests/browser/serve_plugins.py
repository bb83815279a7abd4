"""Serve a tbcore app with only the named test-only dashboards of ``plugins/`` (no entry
points), for tests that need a dashboard of their own beside nothing else::

    python tests/browser/serve_plugins.py --logdir DIR --port PORT --plugin live_fetch_dashboard
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).parent / "plugins"))

from tbcore.config import ServeConfig
from tbcore.server.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--plugin", action="append", required=True, help="a module of plugins/")
    parser.add_argument("--reload-interval", type=float, default=0.3)
    args = parser.parse_args()
    config = ServeConfig(logdir=args.logdir, port=args.port, reload_interval=args.reload_interval)
    plugins = [importlib.import_module(name) for name in args.plugin]
    app = create_app(config, plugins=plugins, autoload=False)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
