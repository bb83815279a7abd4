"""Serve a tbcore app with the example dashboard and the test-only dashboards of ``plugins/``.

The browser tests start this as a subprocess (the dashboards are registered in-process with
``create_app(..., plugins=[...], autoload=False)``, not installed)::

    python tests/browser/serve_test_app.py --logdir DIR --port PORT [--path-prefix /tb]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).parent / "plugins"))

import broken_dashboards
import chart_dashboard
import lifecycle_dashboard

import tbcore_example_dashboard
from tbcore.config import ServeConfig
from tbcore.server.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path-prefix", default="")
    parser.add_argument("--reload-interval", type=float, default=0.5)
    args = parser.parse_args()
    config = ServeConfig(
        logdir=args.logdir,
        port=args.port,
        path_prefix=args.path_prefix,
        reload_interval=args.reload_interval,
        window_title="Browser tests",
    )
    plugins = [tbcore_example_dashboard, chart_dashboard, broken_dashboards, lifecycle_dashboard]
    app = create_app(config, plugins=plugins, autoload=False)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
