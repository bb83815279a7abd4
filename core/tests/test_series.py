import numpy as np

from tbcore.data.series import PointSeries, ScalarSeries, surviving


def _sequential(existing: list[int], new: list[int]) -> list[int]:
    out = list(existing)
    for s in new:
        out = [x for x in out if x < s] + [s]
    return out


def test_surviving_matches_sequential_rule() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        steps = rng.integers(0, 20, size=rng.integers(0, 30))
        mask = surviving(steps)
        kept = steps if mask is None else steps[mask]
        assert mask is not None or bool(np.all(np.diff(steps) > 0))
        assert kept.tolist() == _sequential([], steps.tolist())


def test_scalar_series_restart_replaces_later_steps() -> None:
    s = ScalarSeries()
    s.extend(np.arange(10), np.arange(10.0), np.arange(10, dtype=np.float32))
    s.extend(np.array([5, 6, 3, 4]), np.array([50.0, 60.0, 30.0, 40.0]), np.array([1, 2, 3, 4], np.float32))
    step, wall, value = s.columns()
    assert step.tolist() == [0, 1, 2, 3, 4]
    assert wall.tolist() == [0.0, 1.0, 2.0, 30.0, 40.0]
    assert value.tolist() == [0, 1, 2, 3, 4]


def test_scalar_series_random_batches_match_sequential_rule() -> None:
    rng = np.random.default_rng(1)
    for _ in range(100):
        s = ScalarSeries()
        expected: list[int] = []
        for _ in range(rng.integers(1, 6)):
            new = rng.integers(0, 50, size=rng.integers(0, 20))
            s.extend(new, new.astype(np.float64), new.astype(np.float32))
            expected = _sequential(expected, new.tolist())
        step, wall, value = s.columns()
        assert step.tolist() == expected
        assert value.tolist() == [float(x) for x in expected]


def test_scalar_series_keeps_float64_once_a_double_arrives() -> None:
    s = ScalarSeries()
    s.extend(np.array([0]), np.array([0.0]), np.array([0.1], np.float32))
    s.extend(np.array([1]), np.array([0.0]), np.array([0.1], np.float64))
    assert s.columns()[2].dtype == np.float64
    assert s.columns()[2][1] == 0.1


def test_live_growth_keeps_capacity_overhead_bounded() -> None:
    s = ScalarSeries()
    s.extend(np.arange(10_000), np.zeros(10_000), np.zeros(10_000, np.float32))
    assert s.nbytes() == 10_000 * 16  # exact on a first load: int32 steps
    for i in range(10_000, 12_000):
        s.extend(np.array([i]), np.array([0.0]), np.array([0.0], np.float32))
    assert len(s) == 12_000
    assert s.nbytes() <= 12_000 * 16 * 1.3


def test_steps_widen_to_int64_when_one_does_not_fit_int32() -> None:
    s = ScalarSeries()
    s.extend(np.arange(3), np.zeros(3), np.zeros(3, np.float32))
    assert s.views()[0].dtype == np.int32
    big = 2**40
    s.extend(np.array([big, big + 1]), np.zeros(2), np.ones(2, np.float32))
    step, _, value = s.columns()
    assert step.dtype == np.int64 and step.tolist() == [0, 1, 2, big, big + 1]
    s.extend(np.array([1], np.int32), np.zeros(1), np.full(1, 7, np.float32))  # a restart
    assert s.columns()[0].tolist() == [0, 1] and s.take(np.array([1]))[0].dtype == np.int64
    negative = ScalarSeries()
    negative.extend(np.array([-(2**35), 0]), np.zeros(2), np.zeros(2, np.float32))
    assert negative.columns()[0].tolist() == [-(2**35), 0]


def test_point_series_restart() -> None:
    p: PointSeries[str] = PointSeries()
    for step in [0, 1, 2, 3, 1, 2]:
        p.append(step, float(step), f"v{step}")
    assert p.steps == [0, 1, 2]
    assert p.values == ["v0", "v1", "v2"]
    assert p.min_step() == 0 and p.max_step() == 2
