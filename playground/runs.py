"""A run of one experiment: its data, its resumable trainer and the history of snapshots.

Pure Python + numpy (no Streamlit): the page keeps a `Run` in the session, advances it live, and
caches finished runs per experiment. Everything the sections draw is computed here from the run.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

import mlp
from mlp.config import Experiment
from mlp.data import Dataset

NICE = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
PLATEAU = 0.2494  # XOR's best constant prediction (10/21) has this MSE: the plateau students see


def snapshot_every(epochs: int, points: int = 400) -> int:
    """The largest 'nice' interval that still gives about ``points`` snapshots (it divides 500)."""
    return max([k for k in NICE if k * points <= epochs] or [1])


def log_every(epochs: int) -> int:
    """The training log's interval: the report's 500 for long runs, ~20 lines for short ones."""
    every = snapshot_every(epochs)
    target = 500 if epochs >= 5000 else max(NICE[0], epochs // 20)
    nice = max([k for k in NICE if k <= target] or [1])
    return max(every, nice - nice % every)


@dataclass
class History:
    """Snapshots in arrival order, as lists; ``arrays()`` gives numpy views for the charts."""

    snaps: list[mlp.Snapshot] = field(default_factory=list)

    def add(self, snap: mlp.Snapshot) -> None:
        if self.snaps and snap.epoch <= self.snaps[-1].epoch:
            return  # a resumed run repeats the epoch it stopped at
        self.snaps.append(snap)

    @property
    def last(self) -> mlp.Snapshot:
        return self.snaps[-1]

    def arrays(self) -> dict[str, np.ndarray]:
        s = self.snaps

        def col(name: str) -> np.ndarray:
            return np.array([math.nan if getattr(x, name) is None else getattr(x, name) for x in s], float)

        return {
            "epoch": np.array([x.epoch for x in s], float),
            "loss": col("loss"),
            "accuracy": col("accuracy"),
            "test_loss": col("test_loss"),
            "test_accuracy": col("test_accuracy"),
            "grad_norms": np.array([x.grad_norms for x in s], float).reshape(len(s), -1),
        }

    def epochs_to_100(self) -> int | None:
        """The first snapshot epoch with 100% training accuracy, or None."""
        return next((x.epoch for x in self.snaps if x.accuracy == 1.0), None)


@dataclass
class Run:
    """One experiment being trained: data, trainer (network + optimizer state) and history."""

    exp: Experiment
    data: Dataset
    train: Dataset
    test: Dataset
    trainer: mlp.Trainer
    history: History
    elapsed: float = 0.0  # seconds spent training
    # the shared finished-run cache's key while this run still equals that cached run (see
    # playground/memo.py): what is drawn from it can be shared between visitors. Training clears it.
    origin: str | None = None

    def copy(self) -> Run:
        """An independent copy that shares only what nobody changes: the data sets and the snapshots."""
        shared: dict[int, object] = {}
        for d in (self.data, self.train, self.test):
            shared.update({id(d): d, id(d.X): d.X, id(d.y): d.y})
        shared.update((id(s), s) for s in self.history.snaps)
        return copy.deepcopy(self, shared)

    @property
    def net(self) -> mlp.MLP:
        return self.trainer.net

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def has_test(self) -> bool:
        return self.test is not self.train

    @property
    def diverged(self) -> bool:
        return self.trainer.status == "diverged"

    @property
    def finished(self) -> bool:
        return self.diverged or self.epoch >= self.exp.epochs

    @property
    def every(self) -> int:
        return snapshot_every(self.exp.epochs)

    def advance(self, epochs: int, gate: AbstractContextManager | None = None) -> Iterator[mlp.Snapshot]:
        """Train ``epochs`` more epochs, recording every snapshot; yields them as they come.

        Each stretch between two snapshots is computed inside ``gate`` (a lock shared by the process's
        trainings, see ``session.training_gate``): trainings then take turns a few milliseconds at a
        time instead of fighting over the GIL around every BLAS call, which made 4 at once 3× slower
        than one after another. ``elapsed`` counts the computing, not the waiting.
        """
        self.origin = None
        gate = gate if gate is not None else nullcontext()
        steps = self.trainer.run(epochs, self.every)
        while True:
            with gate:
                t = time.perf_counter()
                snap = next(steps, None)
                self.elapsed += time.perf_counter() - t
            if snap is None:
                return
            self.history.add(snap)
            yield snap


def new_run(exp: Experiment, data: Dataset | None = None) -> Run:
    """An untrained run (epoch 0 recorded) of ``exp``, on ``data`` or the experiment's own data set."""
    data = exp.data() if data is None else data
    train, test = exp.split(data)
    kw = exp.train_kwargs()
    kw.pop("epochs")
    if test is not train:
        kw.update(X_test=test.X, y_test=test.y)
    trainer = mlp.Trainer(exp.network(), train.X, train.y, **kw)
    run = Run(exp, data, train, test, trainer, History())
    run.history.add(trainer.snapshot())  # epoch 0, before any training
    return run


def finish(run: Run, gate: AbstractContextManager | None = None) -> Run:
    """Train to the experiment's epochs (or divergence) without pausing (``gate``: see `Run.advance`)."""
    if not run.finished:
        for _ in run.advance(run.exp.epochs - run.epoch, gate):
            pass
    return run


# ----- what the sections draw -------------------------------------------------------------------
def domain(X: np.ndarray, pad: float = 0.1) -> tuple[float, float, float, float]:
    """A square (x0, x1, y0, y1) covering the points with a margin; the unit square for the lab's sets."""
    lo, hi = np.minimum(X.min(axis=0), 0.0), np.maximum(X.max(axis=0), 1.0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 + pad
    return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def grid(dom: tuple[float, float, float, float], res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell edges xs (res+1,), ys (res+1,) and the (res·res, 2) cell centres, row by row (y outer)."""
    xs, ys = np.linspace(dom[0], dom[1], res + 1), np.linspace(dom[2], dom[3], res + 1)
    cx, cy = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
    gx, gy = np.meshgrid(cx, cy)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def decision_grid(net: mlp.MLP, dom, res: int = 72) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, probs (res, res)): the network's P(class 1) over the square."""
    xs, ys, centres = grid(dom, res)
    return xs, ys, net.forward(centres).reshape(res, res)


def neuron_grids(net: mlp.MLP, dom, res: int = 24) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """(xs, ys, maps): maps[l] is (res, res, units) — hidden layer l's activations over the square."""
    xs, ys, centres = grid(dom, res)
    outputs = net.layer_outputs(centres)[:-1]
    return xs, ys, [a.reshape(res, res, -1) for a in outputs]


def plateau_hint(run: Run) -> str:
    """A hint when a run sits on the constant-prediction plateau (loss ≈ 0.25 for MSE)."""
    last = run.history.last
    if run.exp.loss != "mse" or not run.finished or run.diverged or last.accuracy > 0.8:
        return ""
    if abs(last.loss - PLATEAU) > 0.01:
        return ""
    return (
        f"The loss is stuck near {PLATEAU}: the network outputs nearly the same value everywhere — for XOR, "
        "the best constant guess, 10/21 ones, has exactly this MSE and 52% accuracy. Gradients through "
        "saturated sigmoids are tiny here (see Gradient flow). Try more epochs, a larger learning rate, "
        "momentum or Adam, tanh, or another weight seed."
    )
