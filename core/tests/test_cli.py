"""The command line as a user meets it: help, version, exit codes, pipes, signals."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from eventfiles import event_file_name, scalar_event, write_records

from tbcore import __version__
from tbcore.io.records import frame_record

TBCORE = [sys.executable, "-m", "tbcore.cli"]


def _run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TBCORE, *args], capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload, no-any-return]


def test_version_and_help_describe_every_command() -> None:
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"tbcore {__version__}"
    top = _run("--help").stdout
    for command in ("serve", "demo", "plugins", "inspect"):
        assert re.search(rf"^\s+{command}\s+\S", top, re.M), command  # listed with a summary
        text = _run(command, "--help").stdout
        description = text.split("\n\n")[1]
        assert len(description) > 40 and not description.startswith(("options", "-")), command


def test_inspect_says_when_it_found_no_damage_and_fails_when_it_did(tmp_path: Path) -> None:
    write_records(tmp_path / "clean" / event_file_name(), [scalar_event("acc", s, 0.1) for s in range(3)])
    clean = _run("inspect", "--logdir", str(tmp_path))
    assert clean.returncode == 0 and "No damage found" in clean.stdout
    record = frame_record(scalar_event("loss", 1, 1.0))
    (tmp_path / "torn").mkdir()
    (tmp_path / "torn" / event_file_name()).write_bytes(record + record[:-3] + b"XYZ")
    damaged = _run("inspect", "--logdir", str(tmp_path))
    assert damaged.returncode == 1 and "1 problem(s) found." in damaged.stdout
    assert "No damage found" not in damaged.stdout


def test_inspect_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    # More lines than a pipe holds (64 KiB): the writer must meet the closed end.
    for run in range(2000):
        write_records(tmp_path / f"run{run:04d}" / event_file_name(), [scalar_event("acc", 0, 0.1)])
    inspect = subprocess.Popen(
        [*TBCORE, "inspect", "--logdir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert inspect.stdout is not None and inspect.stderr is not None
    first = inspect.stdout.readline()  # `| head -1`
    inspect.stdout.close()
    stderr = inspect.stderr.read().decode()
    inspect.stderr.close()
    assert inspect.wait(60) == 141
    assert first.startswith(b"run 'run0000'")
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_demo_removes_its_temporary_logdir_on_sigterm_and_ctrl_c() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        demo = subprocess.Popen(
            [*TBCORE, "demo", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert demo.stdout is not None
        folder = None
        for line in demo.stdout:
            if line.startswith("tbcore demo serving "):
                folder = Path(line.split("serving ", 1)[1].strip())
            if "loaded" in line:
                break
        assert folder is not None and folder.is_dir()
        demo.send_signal(sig)
        demo.communicate(timeout=60)
        deadline = time.monotonic() + 5
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not folder.exists(), sig
