"""Curves over epochs: how often a run is sampled, and how a long curve is thinned for drawing or storing.

Pure numpy. A run of E epochs keeps a snapshot every `snapshot_every(E)` epochs (about 400 in all); a
chart or a stored record keeps a few hundred of those with `downsample`, which never loses a spike.
"""

from __future__ import annotations

import math

import numpy as np

NICE = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)


def snapshot_every(epochs: int, points: int = 400) -> int:
    """The largest 'nice' interval that still gives about ``points`` snapshots (it divides 500)."""
    return max([k for k in NICE if k * points <= epochs] or [1])


def log_every(epochs: int) -> int:
    """The training log's interval: the report's 500 for long runs, ~20 lines for short ones."""
    every = snapshot_every(epochs)
    target = 500 if epochs >= 5000 else max(NICE[0], epochs // 20)
    nice = max([k for k in NICE if k <= target] or [1])
    return max(every, nice - nice % every)


def keep_index(n: int, ys: dict[str, np.ndarray], max_points: int = 600) -> np.ndarray:
    """Which of n samples to keep so that about ``max_points`` remain, for curves ys (each (n,)).

    The samples are cut into equal buckets and each bucket keeps, for every curve, the index of its
    minimum and of its maximum, so a 100,000-epoch oscillation still shows its full swing; the first and
    the last sample are always kept. NaNs never win a bucket (a bucket of NaNs keeps its first index).
    """
    cols = {k: np.asarray(v, dtype=float).reshape(-1) for k, v in ys.items()}
    if any(v.size != n for v in cols.values()):
        raise ValueError(f"every curve needs {n} values, got {[v.size for v in cols.values()]}")
    if n <= max_points:
        return np.arange(n)
    per_bucket = 2 * max(len(cols), 1)
    size = math.ceil(n / max(1, (max_points - 2) // per_bucket))
    buckets = math.ceil(n / size)  # the last bucket holds at least one real sample
    starts, pad = np.arange(buckets) * size, buckets * size - n
    keep = [np.array([0, n - 1])]
    for v in cols.values():
        # padding with +inf/-inf never beats a real value; ties go to the first (real) index
        low = np.pad(np.where(np.isnan(v), np.inf, v), (0, pad), constant_values=np.inf)
        high = np.pad(np.where(np.isnan(v), -np.inf, v), (0, pad), constant_values=-np.inf)
        keep += [starts + low.reshape(buckets, size).argmin(1), starts + high.reshape(buckets, size).argmax(1)]
    if not cols:
        keep.append(starts)
    return np.unique(np.concatenate(keep))


def downsample(
    x: np.ndarray, ys: dict[str, np.ndarray], max_points: int = 600
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """x[idx] and {name: y[idx]} for the samples `keep_index` keeps (one index set for every curve)."""
    x = np.asarray(x).reshape(-1)
    idx = keep_index(x.size, ys, max_points)
    return x[idx], {k: np.asarray(v, dtype=float).reshape(-1)[idx] for k, v in ys.items()}
