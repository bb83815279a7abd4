"""The images and audio queries as pure functions of a provider, on the demo logdir (written by
tbcore's own writer) and on event files with odd contents."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from tbcore.data import LogdirDataProvider
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.io.filesystem import LocalFileSystem
from tbcore.io.records import frame_record
from tbcore.io.tensors import from_numpy
from tbcore.proto import event_pb2, plugin_audio_pb2, summary_pb2
from tbcore_media import demo, queries, text
from tbcore_media.sample_counts import SampleCounts

IMAGES_RUN, AUDIO_RUN, TEXT_RUN = "media_demo/images", "media_demo/audio", "media_demo/text"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> LogdirDataProvider:
    logdir = tmp_path_factory.mktemp("media_demo")
    demo.write_images_demo(logdir)
    demo.write_audio_demo(logdir)
    demo.write_text_demo(logdir)
    provider = LogdirDataProvider(str(logdir))
    provider.reload()
    return provider


def test_image_tags(provider: LogdirDataProvider) -> None:
    tags = queries.image_tags(provider)
    assert tags[IMAGES_RUN]["samples/waves"]["samples"] == demo.IMAGE_SAMPLES
    assert tags[IMAGES_RUN]["blob/moving"] == {
        "displayName": "blob/moving",
        "description": "",
        "samples": 1,
    }


def test_image_index(provider: LogdirDataProvider) -> None:
    index = queries.image_index(provider, IMAGES_RUN, "samples/waves")
    assert (index["samples"], index["width"], index["height"]) == (3, demo.WIDTH, demo.HEIGHT)
    assert [s["step"] for s in index["steps"]] == list(range(demo.IMAGE_STEPS))
    assert all(len(s["blob_keys"]) == 3 for s in index["steps"])
    first = index["steps"][0]["blob_keys"]
    data, mime = queries.individual_image(provider, first[2])
    assert mime == "image/png" and data.startswith(b"\x89PNG")
    assert (
        len({queries.individual_image(provider, k)[0] for k in first}) == 3
    )  # three different images
    moving = queries.image_index(provider, IMAGES_RUN, "blob/moving")
    frames = {
        queries.individual_image(provider, s["blob_keys"][0])[0] for s in moving["steps"][:20]
    }
    assert len(frames) == 20  # the image changes from step to step


def test_image_entries(provider: LogdirDataProvider) -> None:
    entries = queries.image_entries(provider, IMAGES_RUN, "samples/waves", 1)
    assert len(entries) == demo.IMAGE_STEPS
    key = urllib.parse.parse_qs(entries[5]["query"])["blob_key"][0]
    assert (
        key
        == queries.image_index(provider, IMAGES_RUN, "samples/waves")["steps"][5]["blob_keys"][1]
    )
    assert queries.image_entries(provider, IMAGES_RUN, "samples/waves", 3) == []


def test_audio(provider: LogdirDataProvider) -> None:
    assert queries.audio_tags(provider)[AUDIO_RUN]["sweeps"]["samples"] == 3
    entries = queries.audio_entries(provider, AUDIO_RUN, "sweeps", 2)
    assert [e["step"] for e in entries] == [0, 100, 200, 300, 400]
    assert {(e["contentType"], e["label"]) for e in entries} == {("audio/wav", "")}
    query = urllib.parse.parse_qs(entries[0]["query"])
    assert query["content_type"] == ["audio/wav"]
    clip = queries.individual_audio(provider, query["blob_key"][0], "audio/wav")
    assert clip[:4] == b"RIFF" and clip[8:12] == b"WAVE"
    with pytest.raises(InvalidArgumentError, match="content_type"):
        queries.individual_audio(provider, query["blob_key"][0], "text/html")


def test_text_demo(provider: LogdirDataProvider) -> None:
    assert sorted(text.text_tags(provider)[TEXT_RUN]) == ["notes/text_summary", "per_class"]
    notes = text.text_entries(provider, TEXT_RUN, "notes/text_summary", True)
    assert len(notes) == 10
    assert (
        "<table>" in notes[0]["text"]
        and "<pre><code>" in notes[0]["text"]
        and "<li>" in notes[0]["text"]
    )
    table = text.text_entries(provider, TEXT_RUN, "per_class", True)[-1]["text"]
    assert table.count("<tr>") == 4
    assert text.text_entries(provider, TEXT_RUN, "nope", True) == []


def test_errors(provider: LogdirDataProvider) -> None:
    with pytest.raises(InvalidArgumentError, match="run"):
        queries.image_entries(provider, "", "samples/waves", 0)
    with pytest.raises(InvalidArgumentError, match="tag"):
        queries.image_index(provider, IMAGES_RUN, "")
    with pytest.raises(NotFoundError):
        queries.image_index(provider, IMAGES_RUN, "nope")
    with pytest.raises(NotFoundError):
        queries.audio_entries(provider, IMAGES_RUN, "samples/waves", 0)  # an image tag
    with pytest.raises(InvalidArgumentError, match="sample"):
        queries.image_entries(provider, IMAGES_RUN, "samples/waves", -1)
    with pytest.raises(InvalidArgumentError, match="blob_key"):
        queries.individual_image(provider, "")
    with pytest.raises(NotFoundError, match="unknown blob key"):
        queries.individual_image(provider, "not-a-key")
    with pytest.raises(InvalidArgumentError):
        text.text_entries(provider, TEXT_RUN, "", True)


def _write(run_dir: Path, events: list[event_pb2.Event]) -> None:
    run_dir.mkdir(parents=True)
    records = [event_pb2.Event(wall_time=1.0, file_version="brain.Event:2"), *events]
    data = b"".join(frame_record(e.SerializeToString()) for e in records)
    (run_dir / "events.out.tfevents.1.host.1.0").write_bytes(data)


def _value(
    tag: str, plugin: str, blobs: list[bytes], content: bytes = b""
) -> summary_pb2.Summary.Value:
    array = np.empty(len(blobs), dtype=object)
    array[:] = blobs
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin, content=content),
        data_class=summary_pb2.DATA_CLASS_BLOB_SEQUENCE,
    )
    return summary_pb2.Summary.Value(tag=tag, tensor=from_numpy(array), metadata=metadata)


def test_odd_series(tmp_path: Path) -> None:
    """A step without images, an image that is not an image, audio of unknown encoding."""
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    unknown = plugin_audio_pb2.AudioPluginData(encoding=plugin_audio_pb2.AudioPluginData.UNKNOWN)
    events = [
        event_pb2.Event(
            step=0,
            wall_time=2.0,
            summary=summary_pb2.Summary(value=[_value("img", "images", [b"1", b"1"])]),
        ),
        event_pb2.Event(
            step=1,
            wall_time=3.0,
            summary=summary_pb2.Summary(value=[_value("img", "images", [b"1", b"1", svg])]),
        ),
        event_pb2.Event(
            step=0,
            wall_time=2.0,
            summary=summary_pb2.Summary(
                value=[_value("snd", "audio", [b"raw"], unknown.SerializeToString())]
            ),
        ),
        event_pb2.Event(
            step=0,
            wall_time=2.0,
            summary=summary_pb2.Summary(value=[_value("bad", "audio", [b"x"], b"\xff\xff")]),
        ),
    ]
    _write(tmp_path / "odd", events)
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    index = queries.image_index(provider, "odd", "img")
    assert [len(s["blob_keys"]) for s in index["steps"]] == [0, 1]
    # The size the summary declares (its first two blobs), whatever the bytes turn out to be.
    assert (index["samples"], index["width"], index["height"]) == (1, 1, 1)
    assert queries.individual_image(provider, index["steps"][1]["blob_keys"][0]) == (
        svg,
        "application/octet-stream",
    )
    assert [e["step"] for e in queries.image_entries(provider, "odd", "img", 0)] == [1]
    assert (
        queries.audio_entries(provider, "odd", "snd", 0)[0]["contentType"]
        == "application/octet-stream"
    )
    assert (
        queries.audio_entries(provider, "odd", "bad", 0)[0]["contentType"]
        == "application/octet-stream"
    )
    assert index["steps"][0] == {"step": 0, "wall_time": 2.0, "blob_keys": []}


def test_sample_counts_follow_new_data(tmp_path: Path) -> None:
    def images(step: int, count: int) -> event_pb2.Event:
        value = _value("img", "images", [b"1", b"1", *[b"\x89PNG\r\n\x1a\n"] * count])
        return event_pb2.Event(
            step=step, wall_time=2.0 + step, summary=summary_pb2.Summary(value=[value])
        )

    _write(tmp_path / "live", [images(0, 1), images(1, 2)])
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    counts = SampleCounts()
    assert queries.image_tags(provider, counts)["live"]["img"]["samples"] == 2
    assert queries.image_tags(provider, counts)["live"]["img"]["samples"] == 2  # remembered
    more = [frame_record(images(2, 5).SerializeToString())]
    with open(next((tmp_path / "live").iterdir()), "ab") as f:
        f.write(b"".join(more))
    provider.reload()
    assert queries.image_tags(provider, counts)["live"]["img"]["samples"] == 5
    assert queries.image_tags(provider)["live"]["img"]["samples"] == 5


def test_images_index_reads_no_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its size comes from the width and height the summary declares (kept in memory), not
    from the image, however large (five 200 MB images at once took 3.2 GB)."""
    big = b"\x89PNG\r\n\x1a\n" + bytes(5 << 20)
    image = summary_pb2.Summary.Image(height=480, width=640, colorspace=3, encoded_image_string=big)
    _write(
        tmp_path / "big",
        [
            event_pb2.Event(
                step=0,
                wall_time=2.0,
                summary=summary_pb2.Summary(
                    value=[summary_pb2.Summary.Value(tag="img", image=image)]
                ),
            )
        ],
    )
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    read: list[int] = []
    real_read = LocalFileSystem.read

    def counting_read(
        self: LocalFileSystem, path: str, start: int, end: int | None = None
    ) -> bytes:
        data = real_read(self, path, start, end)
        read.append(len(data))
        return data

    monkeypatch.setattr(LocalFileSystem, "read", counting_read)
    index = queries.image_index(provider, "big", "img")
    assert (index["width"], index["height"], index["samples"]) == (640, 480, 1)
    assert read == []
    assert queries.individual_image(provider, index["steps"][0]["blob_keys"][0])[0] == big
    assert sum(read) >= len(big)  # the image itself is read when asked for
