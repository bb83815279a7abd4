from pathlib import Path

import numpy as np
import pytest
from eventfiles import event_file_name, scalar_event, write_records

from tbcore.data import DataProvider, LogdirDataProvider, ScalarWindow
from tbcore.data.downsample import sample_indices, viewport_indices


@pytest.mark.parametrize("count", [None, 0])
def test_no_downsampling_by_default(count: int | None) -> None:
    assert sample_indices(12345, count).tolist() == list(range(12345))


def test_sample_is_deterministic_and_keeps_latest() -> None:
    for length in [1, 2, 7, 1000, 12345]:
        for count in [1, 2, 3, 10, 999]:
            idx = sample_indices(length, count)
            assert len(idx) == min(length, count)
            assert idx[-1] == length - 1
            assert np.all(np.diff(idx) > 0)
            assert idx.tolist() == sample_indices(length, count).tolist()


def test_viewport_keeps_spikes_and_nonfinite_points() -> None:
    x = np.arange(100_000)
    y = np.sin(x / 1000.0)
    y[31_337] = 50.0
    y[77_777] = -50.0
    y[50_000] = np.nan
    y[60_000] = np.inf
    idx = viewport_indices(x, y, 0, 99_999, buckets=200)
    assert len(idx) <= 200 * 4 + 4
    for must in (0, 99_999, 31_337, 77_777, 50_000, 60_000):
        assert must in idx
    assert np.all(np.diff(idx) > 0)


def test_viewport_window_keeps_neighbours_outside_edges() -> None:
    x = np.arange(0, 100_000, 10)
    y = np.cos(x / 500.0)
    idx = viewport_indices(x, y, 2_005, 80_005, buckets=50)
    assert x[idx[0]] < 2_005 and x[idx[-1]] > 80_005
    inside = idx[(x[idx] >= 2_005) & (x[idx] <= 80_005)]
    # Each bucket contributes its extremes: the global max/min inside the window survive.
    window = (x >= 2_005) & (x <= 80_005)
    assert y[inside].max() == y[window].max()
    assert y[inside].min() == y[window].min()


def test_viewport_small_window_returns_every_point() -> None:
    x = np.arange(100)
    idx = viewport_indices(x, x.astype(float), 10, 20, buckets=10)
    assert idx.tolist() == list(range(9, 22))


def test_window_read_under_the_lock_equals_thinning_a_full_read(tmp_path: Path) -> None:
    records = [scalar_event("loss", s, 1.0 / (s + 1) + (5.0 if s == 777 else 0.0)) for s in range(2000)]
    records.append(scalar_event("loss", 2000, float("nan")))
    write_records(tmp_path / "a" / event_file_name(), records)
    write_records(tmp_path / "b" / event_file_name(), records[:300])
    provider = LogdirDataProvider(str(tmp_path))
    provider.reload()
    for window in (ScalarWindow(buckets=20), ScalarWindow(buckets=8, x_min=100, x_max=900),
                   ScalarWindow(buckets=5, x="wall_time", x_min=1500.0)):
        ours = provider.read_scalars_window(plugin_name="scalars", window=window)
        # The interface's default: read every point, then thin.
        default = DataProvider.read_scalars_window(provider, plugin_name="scalars", window=window)
        assert set(ours) == set(default) == {"a", "b"}
        for run in ours:
            got, want = ours[run]["loss"], default[run]["loss"]
            assert got.total == want.total == (2001 if run == "a" else 300)
            for column in ("step", "wall_time", "value"):
                np.testing.assert_array_equal(getattr(got.columns, column), getattr(want.columns, column))
    thin = provider.read_scalars_window(plugin_name="scalars", window=ScalarWindow(buckets=20))["a"]["loss"]
    assert len(thin.columns) < 100
    assert 777 in thin.columns.step.tolist() and 2000 in thin.columns.step.tolist()  # spike and NaN kept
    with pytest.raises(ValueError, match="buckets"):
        ScalarWindow(buckets=0)
    with pytest.raises(ValueError, match="x must be"):
        ScalarWindow(buckets=3, x="epoch")
