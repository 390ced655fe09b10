"""Curves: snapshot intervals, and downsampling that keeps every swing (for charts and stored records)."""

from __future__ import annotations

import numpy as np
import pytest

from lab.curves import downsample, log_every, snapshot_every


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_snapshot_and_log_intervals():
    assert snapshot_every(10_000) == 25 and 10_000 // snapshot_every(10_000) == 400
    assert snapshot_every(100) == 1 and log_every(10_000) == 500  # the report's "Epoch: 500" lines
    assert log_every(300) % snapshot_every(300) == 0  # every log line is a snapshot



def test_downsample_leaves_short_runs_alone() -> None:
    x = np.arange(50)
    xd, ys = downsample(x, {"a": np.sin(x)}, max_points=600)
    assert np.array_equal(xd, x) and np.array_equal(ys["a"], np.sin(x))


def test_downsample_keeps_ends_and_extremes_within_budget(rng: np.random.Generator) -> None:
    n = 100_000
    x = np.arange(n)
    a = np.sin(x / 7.0) + rng.normal(0, 0.1, n)  # fast oscillation: a stride would alias it away
    b = np.exp(-x / 20_000)
    xd, ys = downsample(x, {"a": a, "b": b}, max_points=600)
    assert len(xd) <= 600 and len(xd) > 300
    assert xd[0] == 0 and xd[-1] == n - 1
    assert np.all(np.diff(xd) > 0)  # one shared, increasing index set
    assert ys["a"].max() == a.max() and ys["a"].min() == a.min()
    assert ys["b"][0] == b[0] and ys["b"][-1] == b[-1]
    np.testing.assert_array_equal(ys["a"], a[xd])  # values are the inputs' own, not averages
    # every 1/100 of the run still shows most of the swing
    for chunk in np.array_split(np.arange(len(xd)), 100):
        assert np.ptp(ys["a"][chunk]) > 1.5


def test_downsample_ignores_nans_when_picking_extremes() -> None:
    y = np.linspace(0, 1, 10_000)
    y[2000:3000] = np.nan
    y[5000] = 7.0
    xd, ys = downsample(np.arange(y.size), {"loss": y}, max_points=100)
    assert np.nanmax(ys["loss"]) == 7.0 and 5000 in xd
    assert len(xd) <= 100


def test_downsample_rejects_curves_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        downsample(np.arange(10), {"a": np.arange(9)})


# --- curves over epochs --------------------------------------------------------------------------------


