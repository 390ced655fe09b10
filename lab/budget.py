"""What one link may ask of a shared server: bounds on the work of a run or a sweep.

A hosted page trains whatever a link asks for, on one small machine shared by a class, so a run is
bounded by its arithmetic (epochs × training points × parameters) and by its optimizer steps (epochs ×
mini-batches, whose fixed cost dominates tiny batches). The report's default is 10,000 × 100 × 72 =
7.2e7 units of work; the bound is about 28 times that, seconds rather than minutes. The CLI, on the
user's own machine, is not bounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from lab.experiment import Experiment

MAX_WORK = 2_000_000_000
MAX_STEPS = 200_000


def work(exp: Experiment, n_train: int | None = None) -> int:
    """epochs × training points × parameters (``n_train``: the training points, when not the experiment's own)."""
    return exp.epochs * (exp.train_size() if n_train is None else n_train) * exp.n_params


def steps(exp: Experiment, n_train: int | None = None) -> int:
    """Optimizer steps: epochs × mini-batches per epoch."""
    n = exp.train_size() if n_train is None else n_train
    return exp.epochs * (-(-n // exp.batch_size) if exp.batch_size else 1)


def error(exp: Experiment, n_train: int | None = None) -> str:
    """'' when the run is within MAX_WORK and MAX_STEPS, else a message saying what to reduce."""
    w, s = work(exp, n_train), steps(exp, n_train)
    if w > MAX_WORK:
        most = max(1, math.floor(exp.epochs * MAX_WORK / w))
        return (f"This run asks for {w:.2g} units of work (epochs × points × parameters); the limit is "
                f"{MAX_WORK:.0e}. Use at most {most:,} epochs with this data and network, or fewer points or units.")
    if s > MAX_STEPS:
        most = max(1, math.floor(exp.epochs * MAX_STEPS / s))
        return (f"This run makes {s:,} optimizer steps (epochs × mini-batches per epoch); the limit is "
                f"{MAX_STEPS:,}. Use at most {most:,} epochs with this batch size, or a larger batch.")
    return ""


def sweep_error(experiments: Iterable[Experiment]) -> str:
    """'' when a sweep's runs together are within MAX_WORK, else a message saying what to reduce."""
    total = sum(work(e) for e in experiments)
    if total > MAX_WORK:
        return (f"This sweep asks for {total:.2g} units of work (epochs × points × parameters over its runs); "
                f"the limit is {MAX_WORK:.0e}. Use fewer epochs or values.")
    return ""
