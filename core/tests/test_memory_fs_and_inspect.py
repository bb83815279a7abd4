"""A logdir on fsspec's in-memory filesystem, and ``tbcore inspect``'s report."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import fsspec
import pytest
from eventfiles import event_file_name, file_version_event, scalar_event, write_records

from tbcore.data import LogdirDataProvider
from tbcore.inspect import inspect_logdir
from tbcore.io.filesystem import LocalFileSystem
from tbcore.io.records import frame_record


def test_memory_logdir_reads_and_grows() -> None:
    fs = fsspec.filesystem("memory")
    path = f"/unit/run1/{event_file_name()}"
    data = frame_record(file_version_event(1.0)) + frame_record(scalar_event("x", 0, 0.5))
    fs.pipe(path, data)
    provider = LogdirDataProvider("memory://unit")
    assert provider.reload().new_runs == ["run1"]
    fs.pipe(path, data + frame_record(scalar_event("x", 1, 1.5)))
    provider.reload()
    cols = provider.read_scalars(plugin_name="scalars")["run1"]["x"]
    assert cols.step.tolist() == [0, 1] and cols.value.tolist() == [0.5, 1.5]
    fs.rm("/unit", recursive=True)


def test_inspect_reports_tags_and_damage(tmp_path: Path) -> None:
    good = [frame_record(scalar_event("loss", s, 1.0)) for s in range(5)]
    damaged = good[0] + good[1][:-1] + b"X" + b"".join(good[2:]) + good[0][:7]
    write_records(tmp_path / "clean" / event_file_name(), [scalar_event("acc", s, 0.1) for s in range(3)])
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / event_file_name()).write_bytes(damaged)
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    out = io.StringIO()
    problems = inspect_logdir(provider, out)
    text = out.getvalue()
    assert problems == 2
    assert "run 'clean': 1 file(s)" in text
    assert "acc" in text and "scalars" in text and "0..2" in text
    assert "DAMAGE" in text and "payload CRC" in text
    assert "INCOMPLETE" in text and "7 bytes" in text
    # record 1 (step 1) was skipped: 4 points left, steps 0..4
    assert any(line.split() == ["loss", "scalars", "scalar", "4", "0..4"] for line in text.splitlines())


def test_inspect_command(tmp_path: Path) -> None:
    write_records(tmp_path / "r" / event_file_name(), [scalar_event("acc", s, 0.1) for s in range(3)])
    done = subprocess.run(
        [sys.executable, "-m", "tbcore.cli", "inspect", "--logdir", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    assert "run 'r'" in done.stdout and "acc" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "tbcore.cli", "inspect", "--logdir", str(tmp_path / "nope")],
        capture_output=True, text=True,
    )
    assert missing.returncode == 2 and "logdir not found" in missing.stderr


def test_inspect_counts_unreadable_files_and_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_records(tmp_path / "ok" / event_file_name(), [scalar_event("acc", 0, 0.1)])
    locked_file = tmp_path / "locked_file" / event_file_name()
    write_records(locked_file, [scalar_event("acc", 0, 0.1)])
    locked_folder = tmp_path / "locked_folder"
    write_records(locked_folder / event_file_name(), [scalar_event("acc", 0, 0.1)])
    (tmp_path / "loop").symlink_to(".")
    (tmp_path / "dangling").symlink_to("nowhere")
    locked_file.chmod(0)
    locked_folder.chmod(0)
    if os.access(locked_file, os.R_OK):  # root reads everything: fail those reads as a user would
        denied = PermissionError(13, "Permission denied")
        real_read, real_scandir = LocalFileSystem.read, os.scandir

        def read(self: LocalFileSystem, path: str, start: int, end: int | None = None) -> bytes:
            if path == str(locked_file):
                raise denied
            return real_read(self, path, start, end)

        def scandir(path: str) -> object:
            if str(path) == str(locked_folder):
                raise denied
            return real_scandir(path)

        monkeypatch.setattr(LocalFileSystem, "read", read)
        monkeypatch.setattr(os, "scandir", scandir)
    try:
        provider = LogdirDataProvider(str(tmp_path))
        provider.reload()
        out = io.StringIO()
        problems = inspect_logdir(provider, out)
    finally:
        locked_file.chmod(0o644)
        locked_folder.chmod(0o755)
    text = out.getvalue()
    assert problems == 4, text
    assert f"UNREADABLE {locked_folder}: cannot list folder: Permission denied" in text
    assert f"UNREADABLE {locked_file}: [Errno 13] Permission denied" in text
    assert f"UNREADABLE {tmp_path / 'loop'}: not followed: a folder already walked" in text
    assert f"UNREADABLE {tmp_path / 'dangling'}: cannot read: No such file or directory" in text
    assert "run 'ok'" in text
