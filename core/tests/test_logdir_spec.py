import pytest

from tbcore.data.logdir_spec import LogdirEntry, parse_logdir_spec


def test_single_path() -> None:
    assert parse_logdir_spec("runs") == [LogdirEntry(None, "runs")]
    assert parse_logdir_spec("/abs/runs") == [LogdirEntry(None, "/abs/runs")]
    assert parse_logdir_spec("file:///abs/runs") == [LogdirEntry(None, "/abs/runs")]


def test_urls_and_drives_are_not_split() -> None:
    assert parse_logdir_spec("s3://bucket/runs") == [LogdirEntry(None, "s3://bucket/runs")]
    assert parse_logdir_spec("C:\\runs") == [LogdirEntry(None, "C:\\runs")]


def test_named_entries() -> None:
    assert parse_logdir_spec("a:runs/a,b:s3://bucket/b") == [
        LogdirEntry("a", "runs/a"),
        LogdirEntry("b", "s3://bucket/b"),
    ]
    assert parse_logdir_spec("base:runs") == [LogdirEntry("base", "runs")]


def test_run_names() -> None:
    assert LogdirEntry(None, "x").run_name(".") == "."
    assert LogdirEntry(None, "x").run_name("a/b") == "a/b"
    assert LogdirEntry("n", "x").run_name(".") == "n"
    assert LogdirEntry("n", "x").run_name("a") == "n/a"


@pytest.mark.parametrize(
    "spec, message",
    [("", "empty"), ("a:x,a:y", "used twice"), ("a:x,plain", "name:path"), ("a:x,", "name:path")],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_logdir_spec(spec)
