"""The ``run_hparams`` route's data: each run's hparams, read from real torch ``add_hparams``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import installed
import pytest
import warm_python

from tbcore.data import LogdirDataProvider
from tbcore.io.records import frame_record
from tbcore.proto import event_pb2
from tbcore_scalars.run_hparams import SESSION_START_INFO_TAG, run_hparams

WRITERS = Path(__file__).with_name("writers.py")
sys.path.insert(0, str(WRITERS.parent))
from writers import HPARAM_RUNS  # noqa: E402 - next to this test, not a package


def write(kind: str, logdir: Path) -> None:
    """Write ``kind`` (a key of ``writers.WRITERS``) with the real writer in a subprocess."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore", CUDA_VISIBLE_DEVICES="")
    warm_python.run([sys.executable, str(WRITERS), kind, str(logdir)], check=True, env=env, timeout=240)


@pytest.fixture(scope="module")
def hparams_logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    installed.require("torch")
    root = tmp_path_factory.mktemp("hparams_logs")
    write("torch_hparams", root)
    return root


def test_each_run_gets_the_hparams_of_its_torch_session(hparams_logdir: Path) -> None:
    provider = LogdirDataProvider(str(hparams_logdir))
    provider.reload()
    answer = run_hparams(provider)
    assert answer["hparams"] == ["lr", "optimizer", "seed"]
    runs = answer["runs"]
    assert isinstance(runs, dict)
    for run, (lr, seed) in HPARAM_RUNS.items():
        assert runs[run] == {"lr": lr, "seed": seed, "optimizer": "adam"}
        (child,) = [r for r in runs if r.startswith(run + "/")]  # torch's timestamped session run
        assert runs[child] == runs[run]


def test_malformed_session_info_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    event = event_pb2.Event(wall_time=1.0, step=0)
    value = event.summary.value.add(tag=SESSION_START_INFO_TAG)
    value.metadata.plugin_data.plugin_name = "hparams"
    value.metadata.plugin_data.content = b"\xff\xff\xff"
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "events.out.tfevents.1.x").write_bytes(frame_record(event.SerializeToString()))
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    assert run_hparams(provider) == {"hparams": [], "runs": {}}
    assert "malformed hparams" in caplog.text
