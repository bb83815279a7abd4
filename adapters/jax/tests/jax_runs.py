"""Scenarios for the tests, run in an interpreter of their own with four virtual CPU devices
and TensorFlow blocked (importing it raises): ``python jax_runs.py SCENARIO LOGDIR [SCENARIO
LOGDIR ...]``, one after the other (JAX is imported once for all of them).

Each writes into its LOGDIR; the last line printed is one JSON object with what each scenario
tells its test (or ``{"error": traceback}`` where it failed) and ``tensorflow_imported``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")
for _blocked in ("tensorflow", "tensorboard"):
    sys.modules[_blocked] = None  # type: ignore[assignment]  # as if not installed

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import tbcore_jax  # noqa: E402


def values(step: int) -> dict[str, Any]:
    """What every scenario logs at ``step``: the same numbers, eagerly or traced."""
    rng = np.random.default_rng(step)
    return {
        "loss": np.float32(1.0 / (step + 1)),
        "weights": rng.normal(size=(16, 4)).astype(np.float32),
        "image": rng.random((6, 5, 3)).astype(np.float32),
    }


def log_step(log: tbcore_jax.Logger, v: dict, step: object) -> None:
    log.scalar("loss", v["loss"], step)
    log.scalars("pair", {"a": v["loss"] * 2, "b": v["loss"] * 3}, step)
    log.histogram("weights", v["weights"], step)
    log.pytree_histograms("params", {"dense": {"kernel": v["weights"], "bias": v["weights"][0]}}, step)
    log.image("image", v["image"], step)
    log.text("notes", "step *notes*", step)


def jit(logdir: str) -> dict:
    """Every kind under jit with a traced step, then a scan and a fori_loop."""
    with tbcore_jax.Logger(logdir) as log:
        step_fn = jax.jit(lambda v, step: log_step(log, v, step))
        for step in range(4):
            step_fn({k: jnp.asarray(a) for k, a in values(step).items()}, step)

        def body(carry: jax.Array, i: jax.Array) -> tuple[jax.Array, None]:
            log.scalar("scan", carry, i + 10)
            return carry * 2, None

        jax.jit(lambda: jax.lax.scan(body, jnp.float32(1), jnp.arange(5)))()
        jax.jit(lambda: jax.lax.fori_loop(20, 23, lambda i, c: (log.scalar("fori", c, i), c + 1)[1], 0.5))()
    return {}


def eager(logdir: str) -> dict:
    """The same values as ``jit``, written eagerly by tbcore.summary (the reference)."""
    from tbcore.summary import SummaryWriter

    with SummaryWriter(logdir) as w:
        for step in range(4):
            v = values(step)
            w.add_scalar("loss", float(v["loss"]), step)
            w.add_scalars("pair", {"a": float(v["loss"] * 2), "b": float(v["loss"] * 3)}, step)
            w.add_histogram("weights", v["weights"], step)
            w.add_histogram("params/dense/kernel", v["weights"], step)
            w.add_histogram("params/dense/bias", v["weights"][0], step)
            w.add_image("image", v["image"], step, dataformats="HWC")
            w.add_text("notes", "step *notes*", step)
    return {}


def mapped(logdir: str) -> dict:
    """pmap and shard_map over 4 devices; device 0 only, then every device."""
    from jax.sharding import Mesh, PartitionSpec

    shard_map: Any = getattr(jax, "shard_map", None)
    if shard_map is None:  # older JAX
        from jax.experimental.shard_map import shard_map
    mesh = Mesh(np.array(jax.devices()), ("d",))
    for per_device, folder in ((False, "first"), (True, "all")):
        with tbcore_jax.Logger(os.path.join(logdir, folder), per_device=per_device) as log:

            def per_shard(x: jax.Array, step: jax.Array, name: str) -> jax.Array:
                log.scalar(name, jnp.sum(x), step)
                return x

            pm = jax.pmap(lambda x, s: per_shard(x, s, "pmap"), in_axes=(0, None))
            sm = jax.jit(
                shard_map(
                    lambda x, s: per_shard(x, s, "shard_map"),
                    mesh=mesh,
                    in_specs=(PartitionSpec("d"), PartitionSpec()),
                    out_specs=PartitionSpec("d"),
                )
            )
            for step in range(3):
                pm(jnp.arange(4.0) + step, step)
                sm(jnp.arange(8.0) + step, jnp.asarray(step))
    return {"devices": jax.device_count()}


def jaxprs(logdir: str) -> dict:
    """How many callbacks a step compiles: enabled, every=3, disabled."""

    def callbacks(jaxpr: Any) -> int:
        """``debug_callback`` equations in ``jaxpr`` and the jaxprs inside it (cond branches)."""
        found = 0
        for eqn in jaxpr.eqns:
            found += eqn.primitive.name == "debug_callback"
            for param in eqn.params.values():
                for sub in param if isinstance(param, (list, tuple)) else [param]:
                    inner = getattr(sub, "jaxpr", None)
                    if inner is not None and hasattr(inner, "eqns"):
                        found += callbacks(inner)
        return found

    def count(log: tbcore_jax.Logger) -> int:
        return callbacks(jax.make_jaxpr(lambda x, s: log.scalar("loss", x, s))(jnp.float32(1), 0).jaxpr)

    out = {}
    for name, kwargs in (("enabled", {}), ("every", {"every": 3}), ("disabled", {"enabled": False})):
        with tbcore_jax.Logger(os.path.join(logdir, name), **kwargs) as log:
            out[name] = count(log)
            if name == "every":
                step_fn = jax.jit(lambda x, s: log.scalar("loss", x, s))
                for step in range(10):
                    step_fn(jnp.float32(step), step)
    out["cond"] = "cond" in str(
        jax.make_jaxpr(lambda x, s: tbcore_jax.Logger(os.path.join(logdir, "x"), every=3).scalar("l", x, s))(
            jnp.float32(1), 0
        )
    )
    return out


def jitted(logdir: str) -> dict:
    """Logger.jit: calls at the top level of the function become outputs (no callback), a
    ``scan`` body inside still uses one; with every=3 the other calls run a version without
    logging; called while an outer ``jax.jit`` traces, it logs through the outer trace."""
    with tbcore_jax.Logger(logdir) as log:

        def step_fn(x: jax.Array, step: jax.Array) -> jax.Array:
            log.scalar("loss", x, step)
            log.histogram("x", jnp.stack([x, x + 1]), step)
            return x + 1

        stepped = log.jit(step_fn, every=3)
        x = jnp.float32(0)
        for step in range(10):
            x = stepped(x, step)

        def scanning(x: jax.Array, step: jax.Array) -> jax.Array:
            def body(carry: jax.Array, i: jax.Array) -> tuple[jax.Array, None]:
                log.scalar("inner", carry, 100 + i)
                return carry * 2, None

            carry, _ = jax.lax.scan(body, x, jnp.arange(3))
            log.scalar("outer", carry, step)
            return carry

        scanned = log.jit(scanning)
        scanned(jnp.float32(1), 50)
        nested = log.jit(lambda x, step: (log.scalar("nested", x, step), x)[1])
        outer = jax.jit(lambda x, step: nested(x, step) * 2)
        for step in (200, 201):
            outer(jnp.float32(step), step)
        args = (jnp.float32(0), 0)
        jaxprs = {
            name: str(jax.make_jaxpr(version)(*args))
            for name, version in (
                ("logging", stepped.logging_version), ("silent", stepped.silent_version),
                ("scanned", scanned.logging_version), ("outer", outer),
            )
        }
    return {
        **{f"{name}_callbacks": text.count("debug_callback[") for name, text in jaxprs.items()},
        "result": float(x),
    }


def packed(logdir: str) -> dict:
    """``log_step`` under ``Logger.jit``, its step three ways: a positional argument read back
    on the host ("arg"), computed inside the step ("computed": the packed steps vector), and
    a donated array argument ("donated": an output of its own). Also a bad scalar (two
    numbers) that must cost only itself, and how many arrays each version returns."""
    import warnings

    warnings.filterwarnings("ignore", message="Some donated buffers were not usable")
    ways: dict[str, Any] = {
        "arg": ({}, lambda step: step, lambda step: step),
        "computed": ({}, lambda step: step, lambda step: step * 1),
        "donated": ({"donate_argnums": 1}, lambda step: jnp.asarray(step), lambda step: step),
    }
    outputs = {}
    for name, (jit_kwargs, as_arg, inside) in ways.items():
        with tbcore_jax.Logger(os.path.join(logdir, name)) as log:

            def step_fn(v: dict, step: Any, inside: Any = inside) -> None:
                log_step(log, v, inside(step))
                log.scalar("bad", jnp.ones(2), inside(step))

            stepped = log.jit(step_fn, **jit_kwargs)
            for step in range(4):
                stepped({k: jnp.asarray(a) for k, a in values(step).items()}, as_arg(step))
            example = ({k: jnp.asarray(a) for k, a in values(0).items()}, as_arg(0))
            outputs[name] = len(jax.make_jaxpr(stepped.logging_version)(*example).out_avals)
    return outputs


def scalar_steps(logdir: str) -> dict:
    """Logger.jit steps that log only scalars (the writer's fast path: many steps at once),
    their steps read back from the argument, computed in the step, constant, or thinned by
    ``every``; and the same values written eagerly by tbcore.summary next to them."""
    from tbcore.summary import SummaryWriter
    from tbcore_jax.host_writer import HostWriter

    general = []  # steps the writer wrote one by one instead (none should be)
    one_by_one = HostWriter._write_packed

    def counted(self: HostWriter, item: Any) -> None:
        general.append(item)
        one_by_one(self, item)

    HostWriter._write_packed = counted  # type: ignore[method-assign]

    def metrics(step: int) -> tuple[Any, ...]:
        return np.float32(1.0 / (step + 1)), np.float32(step * 0.37), np.int32(step * 3)

    ways: dict[str, Any] = {
        "arg": ({}, lambda step: step),
        "computed": ({}, lambda step: step * 1),
        "constant": ({}, lambda step: 7),
        "every": ({"every": 3}, lambda step: step),
    }
    for name, (kwargs, inside) in ways.items():
        with tbcore_jax.Logger(os.path.join(logdir, name), **kwargs) as log:

            def step_fn(v: tuple[jax.Array, ...], step: Any, inside: Any = inside) -> None:
                log.scalar("loss", v[0], inside(step))
                log.scalar("scaled", v[1] * 2, inside(step))
                log.scalar("count", v[2], inside(step))

            stepped = log.jit(step_fn)
            for step in range(150):
                stepped(tuple(jnp.asarray(x) for x in metrics(step)), step)
                if step == 70:
                    log.flush()
        with SummaryWriter(os.path.join(logdir, f"eager_{name}")) as w:
            for step in range(150):
                loss, scaled, count = metrics(step)
                if step % kwargs.get("every", 1) == 0:
                    w.add_scalar("loss", float(loss), inside(step))
                    w.add_scalar("scaled", float(scaled * 2), inside(step))
                    w.add_scalar("count", float(count), inside(step))
    return {"steps_written_one_by_one": len(general)}


def profiled(logdir: str) -> dict:
    """tbcore_jax.profile over steps 2 and 3 of a loop."""
    f = jax.jit(lambda x: jnp.tanh(x @ x.T).sum())
    x = jnp.ones((64, 64))
    with tbcore_jax.Logger(logdir) as log, tbcore_jax.profile(logdir, steps=range(2, 4)) as profiler:
        for step in range(6):
            with profiler.step(step):
                log.scalar("loss", f(x + step), step)
    return {}


def main(args: list[str]) -> dict[str, Any]:
    """Run each ``SCENARIO LOGDIR`` pair of ``args``; a failing one costs only its own answer."""
    results: dict[str, Any] = {}
    for scenario, logdir in zip(args[::2], args[1::2]):
        try:
            results[scenario] = globals()[scenario](logdir)
        except Exception:  # noqa: BLE001 - its test fails with the traceback
            results[scenario] = {"error": traceback.format_exc()}
    results["tensorflow_imported"] = sys.modules.get("tensorflow") is not None
    return results


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
