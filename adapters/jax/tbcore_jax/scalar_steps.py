"""The writer's fast path for ``Logger.jit`` steps that log only scalars (``log.scalar`` of
numbers: losses, learning rates, metrics), the common case, many steps at a time.

The packed vectors of up to :data:`CHUNK` steps are concatenated on the device by one small
compiled computation and read with one transfer (reading each step's vector costs about twice
as much per step on the CPU, and a transfer each on an accelerator); the events are encoded
by ``tbcore.summary.scalars.scalar_event`` straight into the run's event file, the bytes
``SummaryWriter.add_scalar`` writes, without its per-call conversions (the values are float32
from the device; each tag is encoded once per layout).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from tbcore.summary.scalars import scalar_event, scalar_prefix
from tbcore_jax.packing import Layout

CHUNK = 64
"""Steps whose vectors one device computation concatenates (fewer are padded: one compiled
version per vector length and type)."""


@jax.jit
def concatenate(*vectors: jax.Array) -> jax.Array:
    """The vectors end to end, on their device (compiled once per count, length and type,
    for every logger)."""
    return jnp.concatenate(vectors)


@dataclass(frozen=True)
class ScalarPlan:
    """How to write one layout's steps: per call, the encoded tag, the value's position in
    the scalars vector, and where its step is (``("step", i)`` in the steps vector,
    ``("arg", i)`` among the arguments read back, ``("constant", value)``)."""

    events: tuple[tuple[bytes, int, tuple[str, Any]], ...]


def scalar_plan(layout: Layout) -> ScalarPlan | None:
    """The fast path's plan for ``layout``, or ``None`` when it logs anything but packed
    scalars (those steps take the general path)."""
    if not layout.calls or not layout.n_scalars:
        return None
    step_base, arg_base = layout.n_scalars, layout.n_scalars + layout.n_steps
    constant_base = arg_base + len(layout.step_args)
    end = constant_base + len(layout.constants)
    events = []
    for kind, tags, step, values in layout.calls:
        if kind != "scalar" or any(v >= layout.n_scalars for v in values) or not step_base <= step < end:
            return None
        if step < arg_base:
            where: tuple[str, Any] = ("step", step - step_base)
        elif step < constant_base:
            where = ("arg", step - arg_base)
        else:
            where = ("constant", layout.constants[step - constant_base])
            if not isinstance(where[1], int | np.integer):
                return None
        events += [(scalar_prefix(tag), value, where) for tag, value in zip(tags, values)]
    return ScalarPlan(tuple(events))


class ScalarSteps:
    """Writes runs of consecutive steps that share a layout with a :class:`ScalarPlan`."""

    def __init__(self) -> None:
        self._plans: dict[Layout, ScalarPlan | None] = {}

    def plan(self, layout: Layout) -> ScalarPlan | None:
        """``layout``'s plan (made once per layout)."""
        if layout not in self._plans:
            self._plans[layout] = scalar_plan(layout)
        return self._plans[layout]

    def encode(self, plan: ScalarPlan, items: Sequence[tuple[Any, ...]]) -> list[bytes]:
        """The serialized events of ``items`` (:data:`~tbcore_jax.host_writer.Packed` tuples
        of one layout), in order; steps that are not multiples of their ``every`` left out.
        Raises what fetching raises (a deleted buffer, arrays on different devices)."""
        layout = items[0][0]
        values = self.fetch([item[1][0] for item in items]).reshape(len(items), -1).tolist()
        steps = self.fetch([item[1][1] for item in items]).reshape(len(items), -1).tolist() if layout.n_steps else None
        payloads = []
        for i, (_, _, step_args, walltime, every) in enumerate(items):
            row = values[i]
            for prefix, value, (where, index) in plan.events:
                if where == "step":
                    step = int(steps[i][index])  # type: ignore[index]
                elif where == "arg":
                    step = int(step_args[index])
                else:
                    step = int(index)
                if not step % every:
                    payloads.append(scalar_event(prefix, row[value], step, walltime))
        return payloads

    def fetch(self, vectors: list[Any]) -> np.ndarray:
        """``vectors`` (of one length and type) concatenated, on the host: :data:`CHUNK` at
        a time on the device, one transfer each."""
        parts = []
        for start in range(0, len(vectors), CHUNK):
            chunk = vectors[start : start + CHUNK]
            if len(chunk) == 1:
                parts.append(np.asarray(chunk[0]))
                continue
            padded = chunk + [chunk[-1]] * (CHUNK - len(chunk))
            parts.append(np.asarray(concatenate(*padded))[: len(chunk) * chunk[0].shape[0]])
        return np.concatenate(parts)


def write_runs(
    items: Sequence[tuple[Any, ...]], steps: ScalarSteps, add_records: Callable[[list[bytes]], None], general: Callable[[Any], None]
) -> None:
    """Write ``items`` in order: runs of consecutive steps with a plan through ``steps``
    (``add_records`` takes their events), the others (and a run whose arrays cannot be
    fetched) one by one through ``general``."""
    start = 0
    while start < len(items):
        layout = items[start][0]
        end = start + 1
        while end < len(items) and items[end][0] is layout:
            end += 1
        plan = steps.plan(layout)
        run = items[start:end]
        start = end
        if plan is not None:
            try:
                payloads = steps.encode(plan, run)
            except Exception:  # noqa: BLE001 - the general path writes them, or logs what fails
                pass
            else:
                add_records(payloads)
                continue
        for item in run:
            general(item)
