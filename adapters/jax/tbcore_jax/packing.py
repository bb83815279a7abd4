"""How the logging calls at the top level of a ``Logger.jit`` function leave it: in as few
output arrays as possible, so that each step hands the host one or two small arrays.

While the function is traced, a :class:`Collector` gathers the calls and packs their values:

* every number logged by ``scalar`` / ``scalars`` is cast to float32 (what an event file
  stores of it: a ``simple_value``) and all of them become one vector;
* the steps become one integer vector (a step shared by several calls once), except a step
  that is one of the function's positional arguments (the wrapper takes it from the call, on
  the host) and a step known while tracing (kept as a constant, like any concrete value);
* anything else (a histogram's array, an image, a value that is not one real number) is an
  output of its own, written as the host path would write it.

The :class:`Layout` made while tracing stays with the compiled version (it is the key of the
one-entry dict the computation returns) and turns the outputs back into the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Call = tuple[str, tuple[str, ...], Any, tuple[Any, ...]]
"""One logging call: its kind, tags, step and values."""


@dataclass(frozen=True, eq=False)
class Layout:
    """Where each call's step and values are among the *slots*: the packed scalars, then the
    packed steps, the steps taken from arguments, the constants, and the other outputs (one
    slot each). Hashed by identity: it is a dict key in the computation's output tree."""

    calls: tuple[tuple[str, tuple[str, ...], int, tuple[int, ...]], ...]
    n_scalars: int
    n_steps: int
    step_args: tuple[int, ...]
    constants: tuple[Any, ...]

    def unpack(
        self, arrays: Sequence[Any], step_args: Sequence[Any], split: Callable[[Any], list[Any]], fetch: Callable[[Any], Any]
    ) -> list[Call]:
        """The calls, from the ``arrays`` the computation returned and the call's arguments
        at the positions :attr:`step_args`; ``split`` turns a packed vector into its
        elements, ``fetch`` takes one other output or argument (on the host: from the
        device; under an outer trace: as it is)."""
        slots: list[Any] = []
        position = 0
        if self.n_scalars:
            slots = split(arrays[0])
            position = 1
        if self.n_steps:
            slots += split(arrays[position])
            position += 1
        if step_args:
            slots += [fetch(step) for step in step_args]
        if self.constants:
            slots += self.constants
        if position < len(arrays):
            slots += [fetch(array) for array in arrays[position:]]
        return [(kind, tags, slots[step], tuple([slots[v] for v in values])) for kind, tags, step, values in self.calls]


class Collector:
    """The logging calls made at the top level of one trace of a ``Logger.jit`` function.

    ``args`` are the function's positional arguments as traced; ``step_args`` the positions
    whose values the wrapper may read back on the host (not donated ones)."""

    def __init__(self, trace: Any, args: Sequence[Any], step_args: Callable[[int], bool]) -> None:
        self.trace = trace
        self.arg_positions = {id(a): i for i, a in enumerate(args) if isinstance(a, jax.core.Tracer) and step_args(i)}
        self.calls: list[Call] = []

    def takes(self, trace: Any) -> bool:
        """Whether a call made under ``trace`` is at this trace's top level (its values can
        be outputs); calls in nested traces (``scan`` bodies, ``cond`` branches) are not."""
        return self.trace is not None and trace is self.trace

    def add(self, kind: str, tags: tuple[str, ...], step: Any, values: tuple[Any, ...]) -> None:
        """Keep one call."""
        self.calls.append((kind, tags, step, values))

    def outputs(self) -> dict[Layout, tuple[jax.Array, ...]]:
        """The calls as one more output of the computation: ``{layout: arrays}`` (empty when
        nothing was logged). A dict, not a class of ours, keeps the output's flattening in
        JAX's C++ code."""
        if not self.calls:
            return {}
        places = _Places(self.arg_positions)
        packed = [
            (kind, tags, places.step(step), tuple(places.value(v, kind in ("scalar", "scalars")) for v in values))
            for kind, tags, step, values in self.calls
        ]
        layout, arrays = places.layout(packed)
        return {layout: arrays}


class _Places:
    """Assigns each step and value its place while a :class:`Collector` packs its calls."""

    def __init__(self, arg_positions: dict[int, int]) -> None:
        self.arg_positions = arg_positions
        self.scalars: list[jax.Array] = []
        self.steps: list[jax.Array] = []
        self.step_index: dict[int, int] = {}
        self.step_args: list[int] = []
        self.constants: list[Any] = []
        self.others: list[Any] = []

    def step(self, step: Any) -> tuple[str, int]:
        """Where ``step`` goes: an argument's position, the steps vector, a constant or an
        output of its own (a step that is not one integer: the host then fails on it, as
        for an eager call)."""
        if not isinstance(step, jax.core.Tracer):
            return self._constant(step)
        if id(step) in self.arg_positions:
            position = self.arg_positions[id(step)]
            if position not in self.step_args:
                self.step_args.append(position)
            return ("arg", self.step_args.index(position))
        if step.shape == () and jnp.issubdtype(step.dtype, jnp.integer):
            if id(step) not in self.step_index:
                self.step_index[id(step)] = len(self.steps)
                self.steps.append(step)
            return ("step", self.step_index[id(step)])
        self.others.append(step)
        return ("other", len(self.others) - 1)

    def value(self, value: Any, scalar: bool) -> tuple[str, int]:
        """Where a logged value goes: the float32 vector (one real number logged as a
        scalar), a constant, or an output of its own."""
        if not isinstance(value, jax.core.Tracer):
            return self._constant(value)
        if scalar and np.prod(value.shape) == 1 and jnp.dtype(value.dtype).kind in "biuf":
            self.scalars.append(jnp.reshape(value, ()).astype(jnp.float32))
            return ("scalar", len(self.scalars) - 1)
        self.others.append(value)
        return ("other", len(self.others) - 1)

    def _constant(self, value: Any) -> tuple[str, int]:
        self.constants.append(value)
        return ("constant", len(self.constants) - 1)

    def layout(self, packed: list[tuple[str, tuple[str, ...], tuple[str, int], tuple[tuple[str, int], ...]]]) -> tuple[Layout, tuple[jax.Array, ...]]:
        """The layout of the calls placed, and the arrays to return."""
        base = {"scalar": 0}
        base["step"] = base["scalar"] + len(self.scalars)
        base["arg"] = base["step"] + len(self.steps)
        base["constant"] = base["arg"] + len(self.step_args)
        base["other"] = base["constant"] + len(self.constants)
        calls = tuple(
            (kind, tags, base[step[0]] + step[1], tuple(base[where] + i for where, i in values))
            for kind, tags, step, values in packed
        )
        arrays: list[jax.Array] = []
        if self.scalars:
            arrays.append(jnp.stack(self.scalars))
        if self.steps:
            arrays.append(jnp.stack(self.steps))
        arrays += self.others
        layout = Layout(calls, len(self.scalars), len(self.steps), tuple(self.step_args), tuple(self.constants))
        return layout, tuple(arrays)
