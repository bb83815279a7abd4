"""What event names mean to the analyses: profiler steps, data loading, optimizer steps,
collectives. Evaluated once per distinct name (the string table), then looked up by index."""

from __future__ import annotations

import re

import numpy as np

from tbcore_profile.model import Trace

PROFILER_STEP = re.compile(r"^ProfilerStep#(\d+)$")
"""``torch.profiler.profile.step()`` marks each step with a ``ProfilerStep#<n>`` range."""
COLLECTIVES = frozenset(
    f"{lib}:{op}"
    for lib in ("nccl", "gloo")
    for op in ("broadcast", "reduce", "all_reduce", "all_gather", "reduce_scatter")
)
"""Host ranges of ``torch.distributed`` collectives, as torch-tb-profiler recognizes them."""
NOT_OPERATORS = frozenset({"DataParallel.forward", "DistributedDataParallel.forward"})
"""Operator ranges that wrap a whole forward pass: not shown as operators."""


TF_INPUT_OPS = frozenset({"IteratorGetNext", "IteratorGetNextSync", "IteratorGetNextAsOptional",
                          "MultiDeviceIteratorGetNextFromShard"})
"""TensorFlow op types that hand the next element of a ``tf.data`` iterator to the model."""


def is_input_wait(name: str) -> bool:
    """The model waiting for its next batch from ``tf.data``: the root iterator's ``GetNext``
    (the TraceMe ``Iterator::Root``, on the thread that asked for the batch; the pipeline's own
    work on its background threads is named ``Iterator::Root::...``) or a TensorFlow
    ``<name>:IteratorGetNext`` op."""
    if name == "Iterator::Root":
        return True
    op, colon, op_type = name.rpartition(":")
    return bool(colon) and bool(op) and not op.endswith(":") and op_type in TF_INPUT_OPS


def is_data_loading(name: str) -> bool:
    """A DataLoader (or DataPipe) fetching a batch."""
    return (name.startswith("enumerate(DataLoader)#") and name.endswith(".__next__")) or name.startswith(
        "enumerate(DataPipe)#"
    )


class NameFlags:
    """Boolean arrays over a trace's string table: ``flags.step[events.name]`` says which
    events are profiler steps, and so on."""

    def __init__(self, trace: Trace) -> None:
        values = trace.strings.values
        self.step = np.fromiter((PROFILER_STEP.match(v) is not None for v in values), bool, len(values))
        self.data_loading = np.fromiter((is_data_loading(v) for v in values), bool, len(values))
        # waits for tf.data: data loading in the breakdown, but TensorFlow's ops stay operators
        self.input_wait = np.fromiter((is_input_wait(v) for v in values), bool, len(values))
        self.collective = np.fromiter((v in COLLECTIVES for v in values), bool, len(values))
        self.optimizer = np.fromiter((v.startswith("Optimizer.") for v in values), bool, len(values))
        self.not_operator = np.fromiter((v in NOT_OPERATORS for v in values), bool, len(values))


def step_number(name: str) -> int:
    """``n`` of ``ProfilerStep#<n>``."""
    match = PROFILER_STEP.match(name)
    if match is None:
        raise ValueError(f"not a profiler step: {name!r}")
    return int(match.group(1))
