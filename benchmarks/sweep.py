"""Time sweeps trained batched against the same runs one by one, in one run.

    python benchmarks/sweep.py [--epochs 2000] [--every 10] [--repeats 3]

The report's default problem (sigmoid, MSE, plain GD, summed gradients, 100 linear points, full
batch). Sweep 1, the target: learning rate 0.1, 0.3, 0.9 × hidden layers 2×1, 9×4, 20×14 (9 runs).
"one by one" is ``mlp.train`` per run; "batched" is ``lab.sweep.run_experiments``: the 9 nets of
three widths in one call (the numbers of one by one, bit for bit). Sweep 2: 9 learning rates at 9×4,
one batched call.
The best of ``repeats`` is kept, the modes interleaved. Prints seconds, the ratio batched /
one-by-one (target ≤ 0.5) and the largest relative difference between the final losses.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lab.experiment import Experiment  # noqa: E402
from lab.sweep import run_experiments  # noqa: E402


def scenario(title: str, exps: list[Experiment], modes: dict[str, dict], every: int, repeats: int) -> None:
    best = dict.fromkeys(modes, float("inf"))
    final: dict[str, np.ndarray] = {}
    for _ in range(repeats):
        for name, kw in modes.items():
            t = time.perf_counter()
            results = run_experiments(exps, every, **kw)
            best[name] = min(best[name], time.perf_counter() - t)
            final[name] = np.array([r.last.loss for r in results])
    ref = "one by one"
    print(title)
    for name in modes:
        line = f"  {name:32} {best[name]:6.2f} s"
        if name != ref:
            rel = np.max(np.abs(final[name] - final[ref]) / final[ref])
            line += f"   ratio {best[name] / best[ref]:.2f} (target <= 0.5)   final losses differ by {rel:.1e}"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2000)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    base = Experiment(epochs=a.epochs)
    grid = [base.with_(lr=lr, hidden=h) for h in ((2, 1), (9, 4), (20, 14)) for lr in (0.1, 0.3, 0.9)]
    modes = {"one by one": dict(batch=False), "batched (1 call)": dict(batch=True)}
    head = f"{a.epochs} epochs, snapshot every {a.every}"
    scenario(f"Sweep 1: lr 0.1, 0.3, 0.9 × hidden 2×1, 9×4, 20×14 (9 runs), {head}", grid, modes, a.every, a.repeats)
    lrs = [base.with_(lr=lr) for lr in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9)]
    modes = {"one by one": dict(batch=False), "batched (1 call)": dict(batch=True)}
    scenario(f"Sweep 2: 9 learning rates at 9×4, {head}", lrs, modes, a.every, a.repeats)


if __name__ == "__main__":
    main()
