#!/usr/bin/env python3
"""Time Series dashboard speed in headless Chromium (Debian's /usr/bin/chromium, via Playwright),
on the ``scalars`` bench workload (50 runs × 20 tags × 10,000 steps, from
``../shared/bench/gen_logdir.py``) served by a real ``tbcore serve`` that has finished loading.

As ``scalars_browser.py`` measures the scalars tab: the time from navigation start until the
first card of the time series tab has drawn (a ``MutationObserver`` installed before the
page's scripts notes when the first card is marked ``data-loaded``), how many cards are drawn
then, and when every card rendered so far holds every point; then the card area is scrolled
to the bottom in steps of 300 px every 150 ms and the long tasks (> 50 ms) during the scroll
and until every card is complete are reported.

    python benchmarks/timeseries_browser.py [--bench-dir /tmp/tbcore-bench] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scalars_browser import CHROMIUM_ARGS, measure_workload


def main() -> None:
    """Run the measurement and print it as JSON lines."""
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bench-dir", default="/tmp/tbcore-bench")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    bench = Path(a.bench_dir) / "scalars"
    if not (bench / "bench_manifest.json").exists():
        sys.exit(f"no {bench}: generate it with ../shared/bench/gen_logdir.py scalars {bench}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        measure_workload(browser, bench, a.repeat, tab="timeseries")
        browser.close()


if __name__ == "__main__":
    main()
