"""Runs a script in a fresh interpreter where importing some packages fails.

The torch adapter writes its files without TensorBoard or TensorFlow, and without torch it
fails with a message that names the extra to install. Its tests check both in a subprocess
whose ``sys.meta_path`` starts with a finder that blocks those packages (and their
submodules), so the pytest process, where they are imported, is left as it is. A script
with nothing blocked (torch's own writer, the reference) runs in a fork of the tests' warm
interpreter (``tests/support/warm_python.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

import warm_python

TENSORBOARD_AND_TENSORFLOW = ("tensorboard", "tensorflow")

_RAISING_FINDER = '''
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Block())
'''

_FAILING_LOADER = '''
import importlib.abc
import importlib.machinery

class Block(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        raise ImportError(f"{spec.name} is blocked in this test")

    def exec_module(self, module):
        raise ImportError(f"{module.__name__} is blocked in this test")

sys.meta_path.insert(0, Block())
'''

_REPORT = '''
print("imported:", sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
'''
_NOTHING_BLOCKED_IMPORTED = "imported: []"
"""The line a script prints last when it imported none of the blocked packages."""


def _blocking(packages: Sequence[str], *, find_spec_answers: bool = False) -> str:
    """Python source that, run before anything imports them, makes importing ``packages``
    fail with ``ImportError``.

    By default ``importlib.util.find_spec`` raises too. With ``find_spec_answers``, it says
    the packages exist and only importing them fails: torch's profiler asks ``find_spec``
    whether tensorflow exists, and does not expect it to raise.
    """
    finder = _FAILING_LOADER if find_spec_answers else _RAISING_FINDER
    return f"import sys\n\nBLOCKED = {tuple(packages)!r}\n{finder if packages else ''}\n"


def run_script(
    script: str,
    *args: str,
    blocked: Sequence[str] = TENSORBOARD_AND_TENSORFLOW,
    find_spec_answers: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Runs ``python -c script *args`` with warnings ignored, ``env`` added to the environment
    and the ``blocked`` packages blocked (see :func:`_blocking`); with ``check``, asserts that
    it succeeded without importing any of them (its stdout ends with that check's line).
    """
    source = _blocking(blocked, find_spec_answers=find_spec_answers) + script + _REPORT
    environment = {**os.environ, "PYTHONWARNINGS": "ignore", **(env or {})}
    if blocked:  # a fresh interpreter: nothing imported before the blocking finder
        run = subprocess.run
    else:  # torch's own writer (it imports TensorFlow): a fork of the warm interpreter
        run = warm_python.run
        environment.setdefault("CUDA_VISIBLE_DEVICES", "")
    done = run(
        [sys.executable, "-c", source, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
        assert _NOTHING_BLOCKED_IMPORTED in done.stdout, done.stdout[-3000:]
    return done
