"""Time ``mlp.train`` on the report's default problem against a textbook numpy loop, in one run.

    python benchmarks/engine.py [--epochs 3000] [--repeats 5]

Problem: 2-9-4-1 sigmoid network, MSE, plain GD, lr 0.1, 100 linear points, full batch, summed
gradients — the report's setting. The reference is the loop most lab solutions write (fresh arrays
for every intermediate). Both start from the same weights; the best of ``repeats`` runs is kept, the two taken in turn.
Prints microseconds per epoch for each and the ratio mlp / reference (target ≤ 0.7).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import mlp  # noqa: E402


def reference(X: np.ndarray, y: np.ndarray, weights: list[np.ndarray], epochs: int, lr: float) -> float:
    """The textbook loop: forward, MSE, backward with σ' = a(1 − a), update — one array per step."""
    W1, W2, W3 = (w.copy() for w in weights)
    b1, b2, b3 = np.zeros(9), np.zeros(4), np.zeros(1)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    loss = 0.0
    for _ in range(epochs):
        a1 = sigmoid(X @ W1 + b1)
        a2 = sigmoid(a1 @ W2 + b2)
        p = sigmoid(a2 @ W3 + b3)
        loss = np.mean((p - y) ** 2)
        d3 = 2 * (p - y) * p * (1 - p)
        d2 = (d3 @ W3.T) * a2 * (1 - a2)
        d1 = (d2 @ W2.T) * a1 * (1 - a1)
        W3 -= lr * (a2.T @ d3)
        b3 -= lr * d3.sum(axis=0)
        W2 -= lr * (a1.T @ d2)
        b2 -= lr * d2.sum(axis=0)
        W1 -= lr * (X.T @ d1)
        b1 -= lr * d1.sum(axis=0)
    return float(loss)


def engine(X: np.ndarray, y: np.ndarray, epochs: int, lr: float) -> float:
    net = mlp.MLP((2, 9, 4, 1), seed=0)
    *_, last = mlp.train(net, X, y, epochs=epochs, lr=lr, every=epochs)
    return last.loss


def best_times(fns, repeats: int) -> list[float]:
    """Each function's best time of ``repeats``, taken in turn (ABAB…), so that a slow spell of a shared
    machine falls on both rather than on one."""
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, got in zip(fns, times):
            t = time.perf_counter()
            fn()
            got.append(time.perf_counter() - t)
    return [min(got) for got in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=9)
    a = ap.parse_args()
    d = mlp.make_dataset("linear", 100, seed=0)
    weights = [w.copy() for w in mlp.MLP((2, 9, 4, 1), seed=0).weights]
    # same start, same arithmetic: the two losses agree (up to rounding) after a few epochs
    # (the reference's loss in its 51st epoch is that of the weights after 50 updates)
    l_ref, l_eng = reference(d.X, d.y, weights, 51, 0.1), engine(d.X, d.y, 50, 0.1)
    print(f"check: loss after 50 epochs  reference {l_ref:.10f}  mlp {l_eng:.10f}")
    t_ref, t_eng = best_times([lambda: reference(d.X, d.y, weights, a.epochs, 0.1),
                               lambda: engine(d.X, d.y, a.epochs, 0.1)], a.repeats)
    us_ref, us_eng = t_ref / a.epochs * 1e6, t_eng / a.epochs * 1e6
    print(f"reference (textbook loop): {us_ref:7.1f} us/epoch")
    print(f"mlp.train:                 {us_eng:7.1f} us/epoch")
    print(f"ratio mlp/reference:       {us_eng / us_ref:7.2f}  (target <= 0.7)")


if __name__ == "__main__":
    main()
