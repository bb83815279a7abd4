"""``run(argv, ...)``: ``subprocess.run`` for the tests' writer scripts, without paying for
the frameworks' import in every one of them.

Every real writer the tests run (torch.utils.tensorboard, tf.summary, Keras, tensorboardX) is
a fresh ``python`` process, and each one imports TensorFlow (torch's ``SummaryWriter`` does
too, through TensorBoard's ``compat`` module): 6-10 s of CPU before the first event is
written, dozens of times per session. Here one interpreter per test process imports those
frameworks once and waits; each script then runs in a fork of it, a new process with its own
arguments, environment, working directory and output files, which exits as ``python`` would
(threads joined, ``atexit`` handlers and the script's finalizers run, the exit status comes
back). The scripts and the files they write are the same; only the import is shared.

A call that the fork could not reproduce runs as a plain subprocess instead: ``-m`` or other
interpreter options, input on stdin, or an environment that differs from the warm
interpreter's in a variable read when a framework is imported (``KERAS_BACKEND``,
``XLA_FLAGS``, ``TF_*``...), or a script that uses ``torch.profiler`` or JAX. So does every
call when the warm interpreter cannot start, and a script whose fork a signal killed is run
again that way.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Read when a framework is imported, so a fork cannot take another value of them.
IMPORT_TIME_PREFIXES = ("KERAS_", "TF_", "XLA_", "JAX_", "CUDA_", "OMP_", "MKL_", "PYTORCH_", "TORCH_", "PYTHON")
# Python's own variables the fork applies itself.
APPLIED_IN_FORK = {"PYTHONPATH", "PYTHONWARNINGS", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED"}
# Scripts that name these run as plain subprocesses: torch.profiler's native code crashes in
# a fork of an interpreter that imported the frameworks, and JAX's profiler shares process-wide
# state with TensorFlow's (its traces then miss ops). Neither is ours to fix.
NOT_IN_A_FORK = ("torch.profiler", "import jax", "from jax")
# Only how much TensorFlow's C++ code logs to stderr.
LOG_LEVELS = {"TF_CPP_MIN_LOG_LEVEL"}
DEFAULTS = {"KERAS_BACKEND": "tensorflow"}
WARM_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
START_TIMEOUT_S = 180

# The warm interpreter: imports the frameworks, then forks one child per request read from
# its protocol pipe. The child leaves the loop and runs the script as ``__main__``.
_SERVER = r"""
import json, os, sys
proto_in, proto_out = os.dup(0), os.dup(1)
devnull = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1):
    os.dup2(devnull, fd)
import importlib, warnings
warnings.simplefilter("ignore")
for name in ("numpy", "tensorflow", "keras", "torch", "torch.utils.tensorboard", "tensorboardX"):
    try:
        importlib.import_module(name)
    except Exception:
        pass
warnings.resetwarnings()
sys.stdout.flush()
reader = os.fdopen(proto_in, "r")
os.write(proto_out, b'{"ready": true}\n')

def serve():
    for line in reader:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            reader.close()
            os.close(proto_out)
            return request
        os.write(proto_out, (json.dumps({"pid": pid}) + "\n").encode())
        _, status = os.waitpid(pid, 0)
        os.write(proto_out, (json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n").encode())
    sys.exit(0)

request = serve()
os.setpgid(0, 0)
for fd, path, mode in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY), (2, request["stderr"], os.O_WRONLY)):
    target = os.open(path, mode)
    os.dup2(target, fd)
    os.close(target)
os.chdir(request["cwd"])
os.environ.clear()
os.environ.update(request["env"])
paths = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
args = request["argv"][1:]
if args[0] == "-c":
    sys.argv = ["-c", *args[2:]]
    sys.path[0:1] = ["", *paths]
else:
    sys.argv = list(args)
    sys.path[0:1] = [os.path.dirname(os.path.abspath(args[0])), *paths]
if request["env"].get("PYTHONWARNINGS"):
    warnings.simplefilter(request["env"]["PYTHONWARNINGS"])
del request, paths, reader, proto_in, proto_out, devnull, serve, name
# Run as ``python`` would, then exit as it does (threads joined, ``atexit`` handlers, the
# script's objects finalized) but without tearing the frameworks' modules down: that takes
# seconds, and the warm interpreter's copy of them is the one left to do it.
import gc, runpy, threading, traceback, types
main = types.ModuleType("__main__")
sys.modules["__main__"] = main
namespace = main.__dict__
try:
    if args[0] == "-c":
        exec(compile(args[1], "<string>", "exec"), namespace)
    else:
        namespace = runpy.run_path(args[0], run_name="__main__")
    status = 0
except SystemExit as stop:
    status = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
    if not isinstance(stop.code, (int, type(None))):
        print(stop.code, file=sys.stderr)
except BaseException:
    traceback.print_exc()
    status = 1
threading._shutdown()
import atexit
atexit._run_exitfuncs()
namespace.clear()
gc.collect()
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
"""


class _WarmInterpreter:
    """One warm interpreter, started on first use; requests are answered one at a time."""

    def __init__(self) -> None:
        self.env = dict(os.environ, **WARM_ENV)
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env,
        )
        self._buffer = b""
        try:
            self.ready = bool(self._read(START_TIMEOUT_S).get("ready", False))
        except (EOFError, TimeoutError, ValueError):
            self.process.kill()
            raise

    def _read(self, timeout: float | None) -> dict[str, Any]:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                raise EOFError("the warm interpreter exited")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return dict(json.loads(line))

    def accepts(self, env: Mapping[str, str]) -> bool:
        """Whether a fork of this interpreter can stand for a process started with ``env``."""
        for key in set(env) | set(self.env):
            if key.startswith(IMPORT_TIME_PREFIXES) and key not in APPLIED_IN_FORK | LOG_LEVELS:
                if env.get(key, DEFAULTS.get(key)) != self.env.get(key, DEFAULTS.get(key)):
                    return False
        return True

    def run(self, argv: Sequence[str], env: Mapping[str, str], cwd: str, timeout: float | None) -> tuple[int, bytes, bytes]:
        """Run ``argv`` in a fork: its exit status, stdout and stderr."""
        assert self.process.stdin is not None
        with tempfile.TemporaryDirectory(prefix="warm_python_") as tmp:
            out, err = Path(tmp, "out"), Path(tmp, "err")
            out.touch()
            err.touch()
            request = {"argv": list(argv), "env": dict(env), "cwd": cwd, "stdout": str(out), "stderr": str(err)}
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
            pid = int(self._read(30)["pid"])
            try:
                returncode = int(self._read(timeout)["returncode"])
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                self._read(30)
                raise subprocess.TimeoutExpired(list(argv), timeout or 0, out.read_bytes(), err.read_bytes()) from None
            return returncode, out.read_bytes(), err.read_bytes()

    def close(self) -> None:
        """Stop the interpreter (its stdin closes, it exits)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


_lock = threading.Lock()
_warm: _WarmInterpreter | None = None
_failed = False


def _interpreter() -> _WarmInterpreter | None:
    global _warm, _failed
    if _warm is None and not _failed:
        try:
            _warm = _WarmInterpreter()
            atexit.register(_warm.close)
            _failed = not _warm.ready
        except (OSError, EOFError, TimeoutError, ValueError):
            _failed = True
    return None if _failed else _warm


def _forkable(argv: Sequence[str]) -> bool:
    if len(argv) < 2 or os.path.realpath(argv[0]) != os.path.realpath(sys.executable):
        return False
    if argv[1] == "-c":
        return len(argv) >= 3 and not any(name in argv[2] for name in NOT_IN_A_FORK)
    if argv[1].startswith("-"):
        return False
    source = Path(argv[1]).read_text(errors="replace")
    return not any(name in source for name in NOT_IN_A_FORK)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    check: bool = False,
    capture_output: bool = False,
    text: bool = False,
    **plain: Any,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(argv, ...)`` with the same arguments and answer, the script run in a
    fork of the warm interpreter when ``argv`` is ``[sys.executable, "-c", code, *args]`` or
    ``[sys.executable, script, *args]`` (see the module's docstring for when it is not).
    Output not captured is written to this process's stdout and stderr, where pytest shows it."""
    environment = dict(os.environ if env is None else env)
    warm = None if plain or not _forkable(argv) else _interpreter()
    if warm is None or not warm.accepts(environment):
        return subprocess.run(
            list(argv), env=env, cwd=cwd, timeout=timeout, check=check,
            capture_output=capture_output, text=text, **plain,
        )
    with _lock:
        returncode, out, err = warm.run(argv, environment, os.fspath(cwd or os.getcwd()), timeout)
    if returncode < 0:  # killed by a signal: native code that cannot run in a fork
        return subprocess.run(
            list(argv), env=env, cwd=cwd, timeout=timeout, check=check, capture_output=capture_output, text=text,
        )
    if not capture_output:
        sys.stdout.write(out.decode(errors="replace"))
        sys.stderr.write(err.decode(errors="replace"))
    stdout: Any = (out.decode(errors="replace") if text else out) if capture_output else None
    stderr: Any = (err.decode(errors="replace") if text else err) if capture_output else None
    result = subprocess.CompletedProcess(list(argv), returncode, stdout, stderr)
    if check:
        result.check_returncode()
    return result
