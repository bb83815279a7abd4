"""Profiles written by the real ``tf.profiler`` and ``jax.profiler`` (in subprocesses, once per
session) and the handmade GPU profile of ``tbcore_xplane.demo``."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from tbcore_xplane.demo import write_demo

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def tf_logdir(logdir_from_scripts: Callable[[str, Sequence[str]], Path]) -> Path:
    """What ``tf_profile.py`` writes (runs ``tf`` and ``tf_data``)."""
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    return logdir_from_scripts("xplane_tf", [(HERE / "tf_profile.py").read_text()])


@pytest.fixture(scope="session")
def tf_run(tf_logdir: Path) -> Path:
    """The ``tf`` run of ``tf_profile.py``."""
    return tf_logdir / "tf"


@pytest.fixture(scope="session")
def tf_data_run(tf_logdir: Path) -> Path:
    """The ``tf_data`` run of ``tf_profile.py``: the model fed by ``tf.data``."""
    return tf_logdir / "tf_data"


@pytest.fixture(scope="session")
def jax_run(logdir_from_scripts: Callable[[str, Sequence[str]], Path]) -> Path:
    """The ``jax`` run of ``jax_profile.py``."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    return logdir_from_scripts("xplane_jax", [(HERE / "jax_profile.py").read_text()]) / "jax"


@pytest.fixture(scope="session")
def gpu_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run of the handmade GPU profile (``tbcore_xplane.demo``), as tf.profiler lays it out."""
    return write_demo(tmp_path_factory.mktemp("xplane_gpu"))
