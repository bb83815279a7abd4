#!/usr/bin/env python3
"""Writer benchmark: ``add_scalar`` in a tight loop, tbcore against torch.utils.tensorboard.

Both writers get the same calls (one tag, increasing steps, Python floats) in the same
process. Two rates are printed per writer: the loop alone (what the training loop pays) and
the loop plus ``close()`` (every record on disk). The best of ``--repeat`` runs counts.

    python benchmarks/writer.py --calls 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from typing import Any


def measure(make_writer: Callable[[str], Any], calls: int) -> tuple[float, float]:
    """Seconds for ``calls`` add_scalar calls, and for those plus close()."""
    with tempfile.TemporaryDirectory() as logdir:
        writer = make_writer(logdir)
        start = time.perf_counter()
        for step in range(calls):
            writer.add_scalar("loss", step * 0.001, step)
        loop = time.perf_counter() - start
        writer.close()
        total = time.perf_counter() - start
    return loop, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from tbcore.summary import SummaryWriter

    writers: dict[str, Callable[[str], Any]] = {
        "tbcore.summary": SummaryWriter,
        "torch.utils.tensorboard": TorchWriter,
    }
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for name, make in writers.items():
            loop, total = measure(make, args.calls)
            old = best.get(name, (float("inf"), float("inf")))
            best[name] = (min(old[0], loop), min(old[1], total))

    print(f"add_scalar x {args.calls:,}, best of {args.repeat}")
    print(f"{'writer':<26}{'calls/s (loop)':>16}{'calls/s (+close)':>18}")
    for name, (loop, total) in best.items():
        print(f"{name:<26}{args.calls / loop:>16,.0f}{args.calls / total:>18,.0f}")
    ours, theirs = best["tbcore.summary"], best["torch.utils.tensorboard"]
    print(f"speed-up: {theirs[0] / ours[0]:.1f}x (loop), {theirs[1] / ours[1]:.1f}x (+close)")


if __name__ == "__main__":
    main()
