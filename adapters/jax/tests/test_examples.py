"""The Flax NNX and Linen examples, run with tiny sizes where importing TensorFlow fails:
their losses, parameter and gradient histograms (and the NNX profile) land in the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import installed

from tbcore.data import LogdirDataProvider

# Found, not imported: the frameworks run in the scripts' own processes, never in this one.
pytestmark = installed.needs("flax", "optax")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NO_TENSORFLOW = "import sys; sys.modules['tensorflow'] = sys.modules['tensorboard'] = None; "


def run_example(name: str, logdir: Path, *args: str) -> LogdirDataProvider:
    code = NO_TENSORFLOW + f"import runpy; sys.argv = {[name, str(logdir), *args]!r}; runpy.run_path({str(EXAMPLES / name)!r}, run_name='__main__')"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=300, capture_output=True)
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def _histogram_steps(provider: LogdirDataProvider) -> dict[str, list[int]]:
    return {tag: [d.step for d in data] for tag, data in provider.read_tensors(plugin_name="histograms")["."].items()}


def test_flax_nnx(tmp_path: Path) -> None:
    provider = run_example("flax_nnx.py", tmp_path, "--steps", "60")
    loss = provider.read_scalars(plugin_name="scalars")["."]["loss"]
    assert loss.step.tolist() == list(range(60)) and loss.value[-1] < loss.value[0] / 10
    histograms = _histogram_steps(provider)
    for prefix in ("params", "grads"):
        for name in ("hidden/kernel", "hidden/bias", "out/kernel", "out/bias"):
            assert histograms[f"{prefix}/{name}"] == [0, 20, 40]
    assets = [a.path for a in provider.list_run_assets(run=".")]
    assert any(p.endswith(".xplane.pb") for p in assets) and any(p.endswith(".trace.json.gz") for p in assets)


def test_flax_linen(tmp_path: Path) -> None:
    provider = run_example("flax_linen.py", tmp_path, "--epochs", "4")
    loss = provider.read_scalars(plugin_name="scalars")["."]["batch_loss"]
    assert loss.step.tolist() == list(range(32)) and loss.value[-1] < loss.value[0]
    histograms = _histogram_steps(provider)
    assert histograms["params/Dense_0/kernel"] == [0, 1, 2, 3] == histograms["grads/Dense_1/bias"]
