import logging
import os
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from eventfiles import (
    event_file_name,
    file_version_event,
    image_event,
    scalar_event,
    tensor_event,
    write_records,
)

from tbcore.data import DataClass, LogdirDataProvider, RunAsset, RunTagFilter
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.io.records import frame_record


def _scalars(provider: LogdirDataProvider, run: str, tag: str) -> list[tuple[int, float]]:
    cols = provider.read_scalars(plugin_name="scalars")[run][tag]
    return list(zip(cols.step.tolist(), cols.value.tolist()))


def test_runs_are_directories_with_event_files(tmp_path: Path) -> None:
    write_records(tmp_path / event_file_name(), [file_version_event(5.0), scalar_event("x", 0, 1.0)])
    write_records(tmp_path / "a" / "b" / event_file_name(), [scalar_event("y", 0, 2.0)])
    (tmp_path / "empty").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.txt").write_text("not an event file")
    provider = LogdirDataProvider(str(tmp_path))
    report = provider.reload()
    assert sorted(report.new_runs) == [".", "a/b"]
    runs = provider.list_runs()
    assert [r.run_name for r in runs] == [".", "a/b"]
    assert runs[0].start_time == 5.0
    assert provider.list_plugins() == ["scalars"]
    assert provider.experiment_metadata().data_location == str(tmp_path)


def test_several_named_logdirs(tmp_path: Path) -> None:
    write_records(tmp_path / "one" / event_file_name(), [scalar_event("x", 0, 1.0)])
    write_records(tmp_path / "two" / "sub" / event_file_name(), [scalar_event("x", 0, 2.0)])
    provider = LogdirDataProvider(f"first:{tmp_path / 'one'},second:{tmp_path / 'two'}")
    provider.reload()
    assert [r.run_name for r in provider.list_runs()] == ["first", "second/sub"]


def test_filters_and_downsampling(tmp_path: Path) -> None:
    events = [scalar_event(tag, step, float(step)) for step in range(1000) for tag in ("a", "b")]
    write_records(tmp_path / "r1" / event_file_name(), events)
    write_records(tmp_path / "r2" / event_file_name(), events[:10])
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    every = provider.read_scalars(plugin_name="scalars")
    assert len(every["r1"]["a"]) == 1000 and len(every["r2"]["b"]) == 5
    only = provider.read_scalars(
        plugin_name="scalars", run_tag_filter=RunTagFilter.of(runs=["r1"], tags=["b"])
    )
    assert list(only) == ["r1"] and list(only["r1"]) == ["b"]
    few = provider.read_scalars(plugin_name="scalars", downsample=10)["r1"]["a"]
    assert len(few) == 10 and few.step[-1] == 999
    listing = provider.list_scalars(plugin_name="scalars")["r1"]["a"]
    assert (listing.max_step, listing.length) == (999, 1000)
    last = provider.read_last_scalars(plugin_name="scalars")["r1"]["a"]
    assert (last.step, last.value) == (999, 999.0)
    with pytest.raises(InvalidArgumentError):
        provider.read_scalars(plugin_name="scalars", downsample=-1)


def test_tensor_scalars_and_other_plugins(tmp_path: Path) -> None:
    path = tmp_path / "run" / event_file_name()
    write_records(
        path,
        [
            tensor_event("loss", 0, np.float32(0.5), "scalars"),
            tensor_event("loss", 1, np.float64(0.25), "scalars"),
            tensor_event("loss", 2, np.int64(7), "scalars"),
            tensor_event("txt", 0, np.array([b"hello"]), "text"),
            image_event("img", 3, b"\x89PNG fake"),
        ],
    )
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert _scalars(provider, "run", "loss") == [(0, 0.5), (1, 0.25), (2, 7.0)]
    text = provider.read_tensors(plugin_name="text")["run"]["txt"]
    assert text[0].numpy.tolist() == [b"hello"]
    seq = provider.read_blob_sequences(plugin_name="images")["run"]["img"]
    assert seq[0].step == 3
    blobs = [provider.read_blob(blob_key=ref.blob_key) for ref in seq[0].values]
    assert blobs == [b"1", b"1", b"\x89PNG fake"]
    assert provider.list_blob_sequences(plugin_name="images")["run"]["img"].length == 1
    run = provider.runs()[0]
    assert run.series["img"].info.data_class == DataClass.BLOB_SEQUENCE


FAKE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
"""Bytes standing for an image: larger than the blobs kept inline (width, height)."""


def test_bad_blob_keys(tmp_path: Path) -> None:
    write_records(tmp_path / "run" / event_file_name(), [image_event("img", 0, b"\x89PNG fake")])
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    key = provider.read_blob_sequences(plugin_name="images")["run"]["img"][0].values[2].blob_key
    assert provider.read_blob(blob_key=key) == b"\x89PNG fake"
    body, signature = key.rsplit(".", 1)
    part, file_index, offset, length, index, whole, generation, _inline = body.split(".")
    forged = [
        "not-base64-json!",
        "",
        "." * 5000,
        "[" * 2000,  # would be a RecursionError in a JSON parser
        f"{part}.0.0.{10**13}.0.0.{generation}.{signature}",  # a byte range of the client's choice
        f"{part}.0.{2**70}.4.0.0.{generation}.{signature}",
        ".".join([part, file_index, offset, length, index, whole, generation, "", "x" * len(signature)]),
        f"{part}.0.0.0.1.0.{generation}.iQUFBQQ.{signature}",  # other inline bytes
        key + "A",
        "W1siW1siW1si" * 700 + f".0.0.0.0.0.0.{signature}",
    ]
    for bad in forged:
        with pytest.raises(NotFoundError, match="unknown blob key"):
            provider.read_blob(blob_key=bad)
    # Another provider (a restarted server) issues other keys: this one is unknown to it.
    other = LogdirDataProvider(str(tmp_path))
    other.reload()
    with pytest.raises(NotFoundError, match="unknown blob key"):
        other.read_blob(blob_key=key)


def test_a_replaced_file_is_read_again_and_its_old_blob_keys_stop_resolving(tmp_path: Path) -> None:
    path = tmp_path / "run" / event_file_name()
    old_records = [file_version_event(1.0), image_event("img", 0, b"OLD-PNG!"), scalar_event("x", 0, 1.0)]
    new_records = [file_version_event(2.0), image_event("img", 0, b"NEW-PNG!"), scalar_event("x", 0, 2.0)]
    write_records(path, old_records)
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    old_key = provider.read_blob_sequences(plugin_name="images")["run"]["img"][0].values[2].blob_key
    # Same path, same size, another file (a re-run experiment copied over the old one).
    staged = tmp_path / "staged"
    write_records(staged, new_records)
    assert staged.stat().st_size == path.stat().st_size
    os.replace(staged, path)
    report = provider.reload()
    assert report.changed == {"run": {"img", "x"}}
    assert provider.read_scalars(plugin_name="scalars")["run"]["x"].value.tolist() == [2.0]
    with pytest.raises(NotFoundError, match="replaced"):
        provider.read_blob(blob_key=old_key)
    new_key = provider.read_blob_sequences(plugin_name="images")["run"]["img"][0].values[2].blob_key
    assert provider.read_blob(blob_key=new_key) == b"NEW-PNG!"
    # Rewritten in place (same inode), bigger: the old values must not mix with the new ones.
    with open(path, "wb") as f:
        for record in [file_version_event(3.0), scalar_event("x", 5, 3.0), scalar_event("x", 6, 4.0)]:
            f.write(frame_record(record))
    provider.reload()
    cols = provider.read_scalars(plugin_name="scalars")["run"]["x"]
    assert cols.step.tolist() == [5, 6] and cols.value.tolist() == [3.0, 4.0]
    # Growing as a writer appends keeps what was read and adds the rest.
    write_records(path, [scalar_event("x", 7, 5.0)])
    assert provider.reload().changed == {"run": {"x"}}
    assert provider.read_scalars(plugin_name="scalars")["run"]["x"].step.tolist() == [5, 6, 7]


def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    write_records(tmp_path / "run" / event_file_name(), [scalar_event("x", 0, 1.0)])
    (tmp_path / "a").symlink_to(".")
    (tmp_path / "b").symlink_to(".")
    (tmp_path / "run" / "up").symlink_to("..")
    (tmp_path / "other").mkdir()
    write_records(tmp_path / "other" / event_file_name(), [scalar_event("y", 0, 1.0)])
    (tmp_path / "alias").symlink_to("other")  # a second name for a folder: one run, not two
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    # Folders are walked in name order: "alias" reaches other/ first.
    assert [r.run_name for r in provider.list_runs()] == ["alias", "run"]
    assert any("already walked" in reason for reason in provider.unreadable.values())


def test_blob_of_a_deleted_file_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "run" / event_file_name()
    write_records(path, [image_event("img", 0, FAKE_PNG)])
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    key = provider.read_blob_sequences(plugin_name="images")["run"]["img"][0].values[2].blob_key
    assert provider.read_blob(blob_key=key) == FAKE_PNG
    path.unlink()  # the experiment is re-run: its old files go
    with pytest.raises(NotFoundError, match="gone"):
        provider.read_blob(blob_key=key)


def test_record_still_being_written_is_never_half_read(tmp_path: Path) -> None:
    path = tmp_path / event_file_name()
    provider = LogdirDataProvider(str(tmp_path))
    whole = b"".join(frame_record(scalar_event("x", s, float(s))) for s in range(50))
    seen: list[int] = []
    with open(path, "wb") as f:
        for i in range(0, len(whole), 7):  # odd-sized pieces split headers and payloads
            f.write(whole[i : i + 7])
            f.flush()
            provider.reload()
            if provider.list_runs():
                cols = provider.read_scalars(plugin_name="scalars").get(".", {}).get("x")
                if cols is not None:
                    assert cols.step.tolist() == list(range(len(cols)))
                    seen.append(len(cols))
    assert seen[-1] == 50
    assert provider.runs()[0].readers[str(path)].damage == []


def test_live_append_two_files_growing_at_once(tmp_path: Path) -> None:
    """Two writers append to one run while the provider reloads: nothing lost or doubled."""
    run_dir = tmp_path / "run"
    paths = [run_dir / event_file_name(".a"), run_dir / event_file_name(".b")]
    for p in paths:
        write_records(p, [file_version_event()], mode="wb")
    provider = LogdirDataProvider(str(tmp_path))
    steps = 3000

    def writer(path: Path, tag: str) -> None:
        with open(path, "ab") as f:
            for s in range(steps):
                f.write(frame_record(scalar_event(tag, s, s * 0.5)))
                if s % 97 == 0:
                    f.flush()

    threads = [threading.Thread(target=writer, args=(p, t)) for p, t in zip(paths, ("a", "b"))]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        provider.reload()
    for t in threads:
        t.join()
    provider.reload()
    for tag in ("a", "b"):
        points = _scalars(provider, "run", tag)
        assert points == [(s, s * 0.5) for s in range(steps)]


def test_background_reload_and_listeners(tmp_path: Path) -> None:
    path = tmp_path / "run" / event_file_name()
    write_records(path, [scalar_event("x", 0, 0.0)])
    provider = LogdirDataProvider(str(tmp_path), reload_interval=0.05)
    reports = []
    remove = provider.add_listener(reports.append)
    provider.start()
    try:
        assert provider.loaded.wait(10)
        write_records(path, [scalar_event("x", 1, 1.0)])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(_scalars(provider, "run", "x")) < 2:
            time.sleep(0.02)
        assert _scalars(provider, "run", "x") == [(0, 0.0), (1, 1.0)]
    finally:
        provider.stop()
        remove()
    assert reports[0].new_runs == ["run"]
    assert any("x" in r.changed.get("run", ()) for r in reports[1:])


def _damaged_file(tmp_path: Path, damage: bytes, position: int) -> tuple[Path, int]:
    """A file of 20 good scalar records with ``damage`` inserted before record ``position``."""
    records = [frame_record(scalar_event("x", s, float(s))) for s in range(20)]
    path = tmp_path / event_file_name()
    path.write_bytes(b"".join(records[:position]) + damage + b"".join(records[position:]))
    return path, len(records)


@pytest.mark.parametrize(
    "name, damage",
    [
        ("random bytes", os.urandom(333)),
        ("bad length crc", struct.pack("<Q", 10) + b"\0\0\0\0" + b"x" * 14),
        ("huge length", struct.pack("<Q", 1 << 40) + struct.pack("<I", 0)),
        ("bad payload crc", frame_record(b"garbage!")[:-4] + b"\0\0\0\0"),
        ("not an event", frame_record(b"\xff\xff\xff\xff")),
    ],
)
def test_damage_costs_only_the_damaged_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str, damage: bytes
) -> None:
    if name == "huge length":
        from tbcore.io.records import masked_crc32c

        length = struct.pack("<Q", 1 << 40)
        damage = length + struct.pack("<I", masked_crc32c(length)) + b"y" * 30
    path, count = _damaged_file(tmp_path, damage, 10)
    provider = LogdirDataProvider(str(tmp_path))
    with caplog.at_level(logging.WARNING):
        provider.reload()
    assert _scalars(provider, ".", "x") == [(s, float(s)) for s in range(count)]
    damage_log = provider.runs()[0].readers[str(path)].damage
    assert damage_log, "the damage must be recorded"
    assert str(path) in caplog.text


def test_truncated_and_empty_files(tmp_path: Path) -> None:
    record = frame_record(scalar_event("x", 1, 1.0))
    write_records(tmp_path / "a" / event_file_name(), [scalar_event("x", 0, 0.0)])
    with open(tmp_path / "a" / event_file_name(), "ab") as f:
        f.write(record[:-3])
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / event_file_name()).write_bytes(b"")
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert _scalars(provider, "a", "x") == [(0, 0.0)]
    reader = next(iter(provider.runs()[0].readers.values()))
    assert reader.pending_bytes == len(record) - 3
    with open(tmp_path / "a" / event_file_name(), "ab") as f:
        f.write(record[-3:])
    provider.reload()
    assert _scalars(provider, "a", "x") == [(0, 0.0), (1, 1.0)]


def test_run_assets_are_listed_and_read_by_their_path(tmp_path: Path) -> None:
    write_records(tmp_path / "exp" / event_file_name(), [scalar_event("x", 0, 1.0)])
    write_records(tmp_path / "exp" / "train" / event_file_name(), [scalar_event("x", 0, 1.0)])
    (tmp_path / "exp" / "host_1.pt.trace.json").write_text('{"traceEvents": []}')
    profile = tmp_path / "exp" / "train" / "plugins" / "profile" / "2026_01_01"
    profile.mkdir(parents=True)
    (profile / "host.xplane.pb").write_bytes(b"\x0a\x00")
    (tmp_path / "outside.txt").write_text("not in any run")
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    # The assets of a run: its files besides events, without the folders of runs inside it.
    assert provider.list_run_assets(run="exp") == [RunAsset("host_1.pt.trace.json", 19)]
    assert provider.list_run_assets(run="exp/train") == [RunAsset("plugins/profile/2026_01_01/host.xplane.pb", 2)]
    assert provider.read_run_asset(run="exp/train", path="plugins/profile/2026_01_01/host.xplane.pb") == b"\x0a\x00"
    assert provider.list_run_assets(run="nope") == []
    for run, path in [("exp", "../outside.txt"), ("exp", "train/" + event_file_name()), ("exp", "/etc/passwd"), ("nope", "x")]:
        with pytest.raises(NotFoundError):
            provider.read_run_asset(run=run, path=path)
    # Written later (a profile at the end of training): listed at once, no reload needed.
    (tmp_path / "exp" / "host_2.pt.trace.json").write_text("{}")
    assert [a.path for a in provider.list_run_assets(run="exp")] == ["host_1.pt.trace.json", "host_2.pt.trace.json"]
    # The logdir itself is run "." though no event file lies there: its files outside every run.
    assert provider.list_run_assets(run=".") == [RunAsset("outside.txt", 14)]
    assert provider.read_run_asset(run=".", path="outside.txt") == b"not in any run"
    with pytest.raises(NotFoundError):
        provider.read_run_asset(run=".", path="exp/host_1.pt.trace.json")
    # A logdir of several named folders has no such folder.
    named = LogdirDataProvider(f"first:{tmp_path / 'exp'},second:{tmp_path / 'exp' / 'train'}")
    named.reload()
    assert named.list_run_assets(run=".") == []
