"""Time a sweep trained the way the page trains it — through the training service, in real worker processes —
all at once (batched) against the same runs one at a time through the same service, in one run.

    python benchmarks/sweep.py [--epochs 2000] [--workers 2] [--repeats 3]

The report's default problem (sigmoid, MSE, plain GD, summed gradients, 100 linear points, full batch).
Sweep 1: learning rate 0.1, 0.3, 0.9 × hidden layers 2×1, 9×4, 20×14 (9 runs, three widths). Sweep 2: 9
learning rates at 9×4. "one at a time", the reference, submits a run and waits for it before the next (each
trains alone in its chunks); "batched" submits the 9 at once, as the Compare tab does, and the service trains
them together (`server.plan`), its batch shared between the workers. The best of ``repeats`` is kept, the
modes interleaved. Prints seconds, the ratio batched / one at a time, the chunks by how many runs they held,
and the largest difference between the two modes' final losses (0: the numbers of lone runs, bit for bit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lab.experiment import Experiment  # noqa: E402
from lab.run import new_run  # noqa: E402
from server.service import Request, TrainingService  # noqa: E402

REFERENCE = "one at a time"


def one_at_a_time(svc: TrainingService, requests: list[Request]) -> list[float]:
    return [svc.submit(req).result(600).snapshots[-1].loss for req in requests]


def batched(svc: TrainingService, requests: list[Request]) -> list[float]:
    jobs = [svc.submit(req) for req in requests]
    return [job.result(600).snapshots[-1].loss for job in jobs]


MODES = {REFERENCE: one_at_a_time, "batched": batched}


def scenario(title: str, exps: list[Experiment], workers: int, repeats: int) -> None:
    best = dict.fromkeys(MODES, float("inf"))
    final: dict[str, np.ndarray] = {}
    sizes: dict[str, dict[int, int]] = {}
    for _ in range(repeats):
        for name, mode in MODES.items():
            runs = [new_run(e) for e in exps]  # the page's requests: each run from its initial weights
            requests = [Request(r.exp, r.train, r.test, r.exp.epochs, r.every) for r in runs]
            svc = TrainingService(workers)
            try:
                time.sleep(1.0)  # the workers start and warm up before the clock does
                t = time.perf_counter()
                final[name] = np.array(mode(svc, requests))
                best[name] = min(best[name], time.perf_counter() - t)
                sizes[name] = dict(sorted(svc.sizes.items()))
            finally:
                svc.close()
    print(title)
    for name in MODES:
        line = f"  {name:14} {best[name]:6.2f} s   chunks by runs held {sizes[name]}"
        if name != REFERENCE:
            diff = np.max(np.abs(final[name] - final[REFERENCE]))
            line += f"   ratio {best[name] / best[REFERENCE]:.2f}   final losses differ by {diff:.1e}"
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    if a.epochs < 1 or a.workers < 1 or a.repeats < 1:
        ap.error("--epochs, --workers and --repeats take whole numbers ≥ 1")
    base = Experiment(epochs=a.epochs)
    head = f"{a.epochs} epochs, {a.workers} workers"
    grid = [base.with_(lr=lr, hidden=h) for h in ((2, 1), (9, 4), (20, 14)) for lr in (0.1, 0.3, 0.9)]
    scenario(f"Sweep 1: lr 0.1, 0.3, 0.9 × hidden 2×1, 9×4, 20×14 (9 runs), {head}", grid, a.workers, a.repeats)
    lrs = [base.with_(lr=lr) for lr in (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9)]
    scenario(f"Sweep 2: 9 learning rates at 9×4, {head}", lrs, a.workers, a.repeats)


if __name__ == "__main__":
    main()
