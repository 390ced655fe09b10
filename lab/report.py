"""The lab's two text blocks, as its students print them (the CLI prints them; the page shows them).

    Epoch: 500, Loss: 0.02298729887447683
    ...
    Iter1 | Ground truth: 0 | prediction: 0.00012 |
    ...
    loss=0.00001 accuracy=100.00%

A regression run prints its real targets and predictions the same way, and the loss alone:

    Iter1 | Ground truth: -0.61830 | prediction: -0.60112 |
    loss=0.00012
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from mlp import Snapshot


def epoch_line(snap: Snapshot) -> str:
    """``Epoch: N, Loss: L`` with the loss at full precision, as the report prints it."""
    return f"Epoch: {snap.epoch}, Loss: {snap.loss!r}"


def training_log(snaps: Iterable[Snapshot], log_every: int) -> list[str]:
    """Lines for the snapshots at multiples of ``log_every`` (and a diverged run's last one)."""
    lines = []
    for s in snaps:
        if s.epoch % log_every == 0:
            lines.append(epoch_line(s))
        if s.status == "diverged":
            if s.epoch % log_every:
                lines.append(epoch_line(s))
            lines.append(f"Stopped: {s.reason}")
    return lines


def test_lines(y: np.ndarray, p: np.ndarray, task: str = "classification") -> list[str]:
    """One ``IterK | Ground truth: y | prediction: p |`` line per sample (K from 1), then
    ``loss=… accuracy=…%`` with the mean squared error and the accuracy (p ≥ 0.5 → 1), as the lab does;
    for ``task="regression"``, real targets to 5 decimals and ``loss=…`` alone (accuracy means nothing)."""
    y, p = np.asarray(y).reshape(-1), np.asarray(p).reshape(-1)
    labels = task == "classification"
    lines = [f"Iter{k} | Ground truth: {int(t) if labels else f'{t:.5f}'} | prediction: {q:.5f} |"
             for k, (t, q) in enumerate(zip(y, p), 1)]
    with np.errstate(all="ignore"):  # a diverged run prints loss=inf or nan, without warnings
        mse = float(np.mean((p - y) ** 2))
    if not labels:
        lines.append(f"loss={mse:.5f}")
        return lines
    acc = float(np.mean((p >= 0.5) == (y >= 0.5))) * 100
    lines.append(f"loss={mse:.5f} accuracy={acc:.2f}%")
    return lines
