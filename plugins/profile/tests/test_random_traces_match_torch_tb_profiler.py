"""The call tree, step breakdown, kernel tables and tensor-core columns (computed with array
operations) against torch-tb-profiler 0.4.3's on random Kineto documents that hold what its
rules are about: operators nested several deep on two threads (some eligible for tensor
cores), chains of same-name operators that merge, ranges that overlap their parent's end
(dropped), zero-length and tied ranges, runtime calls with and without an External id (0, or
one no operator has), kernels (some on tensor cores), copies and memsets launched from them,
and kernels no runtime call launched. In the category names 0.4.3 reads (``cpu_op``,
``Runtime``)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from typing import Any

import pytest

from tbcore_profile.breakdown import find_steps
from tbcore_profile.nesting import DROPPED, ROOT, nest, walk

pytest.importorskip("torch_tb_profiler.profiler.data", reason="torch-tb-profiler 0.4.3 is a dev test dependency")
_spec = importlib.util.spec_from_file_location("profile_reference", Path(__file__).with_name("tb_profiler_reference.py"))
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)

NAMES = ["aten::add", "aten::mm", "aten::linear", "aten::copy_", "aten::to"]


class _Random:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.next_id = 1
        self.correlation = 1000
        self.gpu_now = 0.0

    def ranges(self, tid: int, start: float, end: float, depth: int) -> None:
        """Operators filling ``[start, end)`` on thread ``tid``, each holding more of them."""
        rng, now = self.rng, start
        while now < end - 1:
            length = rng.choice([0.0, 1.0, 2.0, rng.uniform(1, end - now)])
            length = round(min(length, end - now), 1)
            external = self.next_id if rng.random() < 0.9 else rng.randint(1, self.next_id)  # some ids repeat
            self.next_id += 1
            over = round(rng.uniform(0.5, 3), 1) if rng.random() < 0.04 else 0.0  # outlives its parent
            name = rng.choice(NAMES)
            self.op(name, tid, now, length + over, external)
            if rng.random() < 0.15 and length > 2:  # the same operator inside itself, alone: merged
                self.op(name, tid, now + 0.5, round(length - 1, 1), self.next_id)
                self.next_id += 1
                if depth < 4:
                    self.ranges(tid, now + 1, round(now + length - 1.5, 1), depth + 1)
            elif depth < 4 and length > 3:
                self.ranges(tid, now + 0.5, round(now + length - 0.5, 1), depth + 1)
            if length > 1 and rng.random() < 0.7:
                self.launch(tid, now + length / 2, external if rng.random() < 0.9 else rng.choice([0, 99_999]))
            if rng.random() < 0.3:
                now = round(now + length, 1)  # the next one starts where this one ends
            else:
                now = round(now + length + rng.choice([0.0, 0.5, 2.0]), 1)

    def op(self, name: str, tid: int, start: float, dur: float, external: int) -> None:
        self.events.append({"ph": "X", "cat": "cpu_op", "name": name, "pid": 1, "tid": tid, "ts": round(start, 1),
                            "dur": round(dur, 1), "args": {"External id": external, "Input Dims": [[4, 4]]}})

    def launch(self, tid: int, at: float, external: int) -> None:
        self.correlation += 1
        kind = self.rng.choice(["kernel", "kernel", "kernel", "gpu_memcpy", "gpu_memset"])
        self.events.append({"ph": "X", "cat": "Runtime", "name": "cudaLaunchKernel", "pid": 1, "tid": tid,
                            "ts": round(at, 1), "dur": 0.3, "args": {"External id": external, "correlation": self.correlation}})
        self.gpu_now = max(self.gpu_now, at + 2)
        dur = round(self.rng.uniform(0.5, 20), 1)
        args: dict[str, Any] = {"device": 0, "stream": 7, "correlation": self.correlation, "External id": external}
        if kind == "kernel":
            args.update({"grid": [self.rng.randint(1, 200), 1, 1], "block": [128, 1, 1], "registers per thread": 32,
                         "shared memory": 0, "blocks per SM": round(self.rng.uniform(0, 3), 2),
                         "est. achieved occupancy %": self.rng.randint(0, 100)})
        kernels = ["k_gemm", "k_add", "k_copy", "volta_h884gemm_64x64_nn"]  # the last one on tensor cores
        name = self.rng.choice(kernels) if kind == "kernel" else f"{kind} work"
        self.events.append({"ph": "X", "cat": kind, "name": name, "pid": 0, "tid": 7, "ts": round(self.gpu_now, 1),
                            "dur": dur, "args": args})
        self.gpu_now += dur


def random_document(seed: int) -> dict[str, Any]:
    """A document of three profiler steps on thread 1, operators on threads 1 and 2."""
    gen = _Random(seed)
    for step, start in enumerate((0.0, 300.0, 600.0)):
        gen.events.append({"ph": "X", "cat": "cpu_op", "name": f"ProfilerStep#{step + 1}", "pid": 1, "tid": 1,
                           "ts": start, "dur": 290.0, "args": {"External id": gen.next_id}})
        gen.next_id += 1
        gen.ranges(1, start + 1, start + 289, 0)
    gen.ranges(2, 50.0, 800.0, 1)
    gen.events.append({"ph": "X", "cat": "kernel", "name": "k_orphan", "pid": 0, "tid": 7, "ts": 100.0, "dur": 3.0,
                       "args": {"device": 0, "stream": 7, "correlation": 5, "grid": [1, 1, 1], "block": [32, 1, 1],
                                "registers per thread": 16, "shared memory": 0, "blocks per SM": 0.01,
                                "est. achieved occupancy %": 3}})
    return {"schemaVersion": 1, "traceEvents": gen.events}


@pytest.mark.parametrize("seed", range(24))
def test_random_documents_give_their_numbers(seed: int) -> None:
    document = random_document(seed)
    mine = reference.ours(document)
    assert len(find_steps(mine.trace, mine.flags, mine.links).names) >= 2
    reference.assert_same_numbers(document, mine)


def test_the_random_documents_meet_every_rule() -> None:
    """The generator makes what the rules are about: dropped ranges, merged chains, runtime
    calls hung on the root or on nothing."""
    dropped = merged = on_root = 0
    for seed in range(24):
        mine = reference.ours(random_document(seed))
        trace = mine.trace
        events = trace.events
        for lane in range(len(trace.lanes)):
            ops = [i for i in range(len(events)) if events.lane[i] == lane and events.kind[i] == 1]
            ops.sort(key=lambda i: (events.start[i], -(events.start[i] + events.dur[i])))
            parents = walk([float(events.start[i]) for i in ops], [float(events.start[i] + events.dur[i]) for i in ops])
            dropped += parents.count(DROPPED)
            names = [int(events.name[i]) for i in ops]
            counts: dict[int, int] = {}
            for p in parents:
                counts[p] = counts.get(p, 0) + 1
            merged += sum(1 for c, p in enumerate(parents) if p >= 0 and counts[p] == 1 and names[p] == names[c])
        on_root += int((mine.tree.runtime_node == ROOT).sum())
    assert dropped > 5 and merged > 5 and on_root > 5


@pytest.mark.parametrize("seed", range(200))
def test_nesting_with_arrays_equals_the_walk(seed: int) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 80))
    begin = rng.integers(0, 40, count).astype(float)
    end = begin + rng.choice([0, 1, 2, 5, 20], count) * (rng.random(count) < 0.95)
    if seed % 2:  # properly nested: ranges inside the previous range or after it
        begin, end = np.sort(begin), np.sort(begin) + 0.0
        for i in range(1, count):
            begin[i] = max(begin[i], begin[i - 1])
            end[i] = min(begin[i] + float(rng.integers(0, 5)), end[i - 1]) if begin[i] < end[i - 1] else begin[i] + 3
    order = np.lexsort((-end, begin))
    begin, end = begin[order], end[order]
    assert nest(begin, end).tolist() == walk(begin.tolist(), end.tolist())
