#!/usr/bin/env python3
"""Writer benchmark: tbcore against torch.utils.tensorboard, in the same process.

``add_scalar`` in a tight loop: both writers get the same calls (one tag, increasing steps,
Python floats). Two rates are printed per writer: the loop alone (what the training loop
pays) and the loop plus ``close()`` (every record on disk).

``add_video`` (a batch of 4 clips of 16 RGB frames, 64×64, floats in [0, 1]) and
``add_embedding`` (5,000 points × 64 dimensions): ``tbcore_torch.SummaryWriter`` and
torch's writer get the same torch tensors, ``--media-calls`` calls each (one per step),
timed with ``close()``. torch encodes the GIF with moviepy, tbcore with Pillow.

The best of ``--repeat`` runs counts.

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


def measure_media(make_writer: Callable[[str], Any], kind: str, data: Any, calls: int) -> float:
    """Seconds per ``add_video`` or ``add_embedding`` call (``calls`` of them, then close())."""
    with tempfile.TemporaryDirectory() as logdir:
        writer = make_writer(logdir)
        start = time.perf_counter()
        for step in range(calls):
            if kind == "add_video":
                writer.add_video("clips", data, step, fps=4)
            else:
                writer.add_embedding(data, global_step=step, tag="points")
        writer.close()
        return (time.perf_counter() - start) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--media-calls", type=int, default=5, help="add_video/add_embedding calls")
    args = parser.parse_args()

    import torch
    from torch.utils.tensorboard import SummaryWriter as TorchWriter

    from tbcore.summary import SummaryWriter
    from tbcore_torch import SummaryWriter as TorchAdapterWriter

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

    generator = torch.Generator().manual_seed(0)
    media = {
        "add_video": torch.rand(4, 16, 3, 64, 64, generator=generator),
        "add_embedding": torch.randn(5000, 64, generator=generator),
    }
    media_writers: dict[str, Callable[[str], Any]] = {
        "tbcore_torch": TorchAdapterWriter,
        "torch.utils.tensorboard": TorchWriter,
    }
    per_call: dict[tuple[str, str], float] = {}
    for _ in range(args.repeat):
        for kind, data in media.items():
            for name, make in media_writers.items():
                seconds = measure_media(make, kind, data, args.media_calls)
                per_call[kind, name] = min(per_call.get((kind, name), float("inf")), seconds)

    print(f"\n{args.media_calls} calls each (+close), best of {args.repeat}")
    print(f"{'call':<16}{'writer':<26}{'ms/call':>10}")
    for (kind, name), seconds in per_call.items():
        print(f"{kind:<16}{name:<26}{seconds * 1000:>10.1f}")
    for kind in media:
        ratio = per_call[kind, "torch.utils.tensorboard"] / per_call[kind, "tbcore_torch"]
        print(f"{kind} speed-up: {ratio:.1f}x")


if __name__ == "__main__":
    main()
