"""Writes profiler traces with the real ``torch.profiler`` (CPU), run as a script by the tests
(``python torch_traces.py LOGDIR``) so that torch never enters the pytest process.

``LOGDIR/train``: a loss curve and three traces of ``tbcore_torch.profiler.trace_handler``:
``worker0`` profiled twice (two spans, ``repeat=2``) and ``worker1`` once, gzipped; every trace
has ``record_shapes``, ``profile_memory`` and ``with_stack``, a ``DataLoader`` and an optimizer,
``ProfilerStep#N`` spans from ``schedule``. ``LOGDIR/native``: one trace of torch's own
``tensorboard_trace_handler``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from tbcore_torch.profiler import trace_handler
from torch.utils.data import DataLoader, TensorDataset

from tbcore.summary import SummaryWriter


def train(on_trace_ready, steps: int, active: int, repeat: int) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    data = DataLoader(TensorDataset(torch.randn(512, 32), torch.randint(0, 10, (512,))), batch_size=32)
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU],
        schedule=torch.profiler.schedule(wait=1, warmup=1, active=active, repeat=repeat),
        on_trace_ready=on_trace_ready,
        record_shapes=True,
        profile_memory=True,
        with_stack=True,
    ) as profiler:
        for step, (x, y) in enumerate(data):
            if step >= steps:
                break
            loss = torch.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            profiler.step()


def main(logdir: Path) -> None:
    run = logdir / "train"
    with SummaryWriter(run) as writer:
        for step in range(5):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
    train(trace_handler(run, worker_name="worker0"), steps=9, active=2, repeat=2)
    train(trace_handler(run, worker_name="worker1", use_gzip=True), steps=5, active=2, repeat=1)
    native = logdir / "native"
    with SummaryWriter(native) as writer:
        writer.add_scalar("loss", 1.0, 0)
    train(torch.profiler.tensorboard_trace_handler(str(native), worker_name="native"), steps=5, active=3, repeat=1)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
