"""Writes the traces of a ``torch.distributed`` job with the real ``torch.profiler`` (CPU, gloo),
run as a script by the tests (``python torch_distributed_traces.py LOGDIR``) so that torch never
enters the pytest process.

``LOGDIR/ddp``: two processes (started with ``torch.multiprocessing``, ``init_process_group
("gloo")``), each profiling four steps of a small model whose gradients are averaged with
``all_reduce``, each writing ``worker<rank>.<span>.pt.trace.json``. Rank 1 does more work per
step than rank 0, so rank 0 waits for it in every collective.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from tbcore.summary import SummaryWriter


def worker(rank: int, run: str, port: int) -> None:
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=2)
    torch.manual_seed(rank)
    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    handler = torch.profiler.tensorboard_trace_handler(run, worker_name=f"worker{rank}")
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU],
        schedule=torch.profiler.schedule(wait=1, warmup=1, active=4, repeat=1),
        on_trace_ready=handler,
        record_shapes=True,
    ) as profiler:
        for _ in range(6):
            x = torch.randn(128 * (1 + 63 * rank), 64)  # rank 1: 64x the work, milliseconds more
            loss = model(x).square().mean()
            loss.backward()
            for parameter in model.parameters():
                dist.all_reduce(parameter.grad)
                parameter.grad /= 2
            profiler.step()
    dist.destroy_process_group()


def main(logdir: Path) -> None:
    run = logdir / "ddp"
    with SummaryWriter(run) as writer:
        writer.add_scalar("loss", 1.0, 0)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.start_processes(worker, args=(str(run), port), nprocs=2, start_method="fork")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
