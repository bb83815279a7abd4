"""Shared fixtures: logdirs written by the real writers (see ``tests/writers.py``).

Each logdir is written once per test session, by a subprocess running ``tests/writers.py``
with ``sys.executable``, so TensorFlow and PyTorch are never imported into the pytest process.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
import warm_python

WRITERS_PY = Path(__file__).with_name("writers.py")
WRITER_TIMEOUT_S = 240


def load_writers_module() -> ModuleType:
    """``tests/writers.py`` as a module (it imports no framework at import time)."""
    spec = importlib.util.spec_from_file_location("tbcore_tests_writers", WRITERS_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def writers() -> ModuleType:
    """The ``tests/writers.py`` module (kinds, constants of the restart fixture)."""
    return load_writers_module()


@pytest.fixture(scope="session")
def writer_logdir(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """``writer_logdir(kind)`` -> path of a logdir written by that writer (once per session)."""
    made: dict[str, str] = {}

    def get(kind: str) -> str:
        if kind not in made:
            out = tmp_path_factory.mktemp(f"logs_{kind}")
            env = dict(os.environ)
            env["TF_CPP_MIN_LOG_LEVEL"] = "3"
            env.setdefault("CUDA_VISIBLE_DEVICES", "")
            env["PYTHONWARNINGS"] = "ignore"
            proc = warm_python.run(
                [sys.executable, str(WRITERS_PY), kind, str(out)],
                check=False,
                env=env,
                capture_output=True,
                text=True,
                timeout=WRITER_TIMEOUT_S,
            )
            if proc.returncode != 0:
                pytest.fail(
                    f"writer {kind!r} failed (exit {proc.returncode}):\n"
                    f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}",
                    pytrace=False,
                )
            made[kind] = str(out)
        return made[kind]

    return get
