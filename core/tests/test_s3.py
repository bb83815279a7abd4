"""Logdirs on S3, read through fsspec from moto's S3 server on 127.0.0.1."""

from collections.abc import Iterator

import pytest
from eventfiles import event_file_name, file_version_event, image_event, scalar_event

from tbcore.data import LogdirDataProvider
from tbcore.io.records import frame_record

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # What a user sets to point tbcore (through s3fs/botocore) at an S3-compatible store.
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket="logs")
    return client


def test_s3_logdir_loads_and_grows(s3) -> None:  # type: ignore[no-untyped-def]
    name = event_file_name()
    first = frame_record(file_version_event(3.0)) + b"".join(
        frame_record(scalar_event("loss", s, 1.0 / (s + 1))) for s in range(100)
    )
    s3.put_object(Bucket="logs", Key=f"exp/run1/{name}", Body=first)
    s3.put_object(Bucket="logs", Key=f"exp/run2/{name}", Body=frame_record(image_event("img", 0, b"PNGDATA")))
    s3.put_object(Bucket="logs", Key="exp/README.txt", Body=b"ignored")

    provider = LogdirDataProvider("s3://logs/exp")
    report = provider.reload()
    assert report.new_runs == ["run1", "run2"]
    cols = provider.read_scalars(plugin_name="scalars")["run1"]["loss"]
    assert cols.step.tolist() == list(range(100))
    assert provider.list_runs()[0].start_time == 3.0
    refs = provider.read_blob_sequences(plugin_name="images")["run2"]["img"][0].values
    assert provider.read_blob(blob_key=refs[2].blob_key) == b"PNGDATA"

    # S3 objects are replaced whole; the reader picks up only the new records.
    grown = first + b"".join(frame_record(scalar_event("loss", s, 0.0)) for s in range(100, 150))
    s3.put_object(Bucket="logs", Key=f"exp/run1/{name}", Body=grown)
    report = provider.reload()
    assert report.changed == {"run1": {"loss"}}
    assert provider.read_scalars(plugin_name="scalars")["run1"]["loss"].step.tolist() == list(range(150))


def test_named_s3_and_missing_prefix(s3) -> None:  # type: ignore[no-untyped-def]
    s3.put_object(Bucket="logs", Key=f"b/{event_file_name()}", Body=frame_record(scalar_event("x", 0, 1.0)))
    provider = LogdirDataProvider("remote:s3://logs/b,none:s3://logs/does-not-exist")
    provider.reload()
    assert [r.run_name for r in provider.list_runs()] == ["remote"]
