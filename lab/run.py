"""A run of one experiment being trained: its data, its resumable trainer and its snapshots.

Pure Python + numpy (no Streamlit): the page keeps a `Run` in the session, advances it live, and
shares finished runs between visitors. What the run did is `Run.record()`, the frozen `Record` that
boards and stores carry.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Hashable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import numpy as np

import mlp
from lab.curves import snapshot_every
from lab.experiment import Experiment
from lab.record import Record, columns
from mlp.data import Dataset

PLATEAU = 0.2494  # XOR's best constant prediction (10/21) has this MSE: the plateau students see


@dataclass
class Run:
    """One experiment being trained: data, trainer (network + optimizer state) and its snapshots."""

    exp: Experiment
    data: Dataset
    train: Dataset
    test: Dataset
    trainer: mlp.Trainer
    snapshots: list[mlp.Snapshot] = field(default_factory=list)
    elapsed: float = 0.0  # seconds spent training
    # what names this run's numbers exactly while it still equals a shared finished run (its
    # experiment, and its points when they are not the experiment's own): what is drawn from it can be
    # shared between visitors. Training clears it.
    origin: Hashable | None = None

    def copy(self) -> Run:
        """An independent copy that shares only what nobody changes: the data sets and the snapshots."""
        shared: dict[int, object] = {}
        for d in (self.data, self.train, self.test):
            shared.update({id(d): d, id(d.X): d.X, id(d.y): d.y})
        shared.update((id(s), s) for s in self.snapshots)
        return copy.deepcopy(self, shared)

    def add(self, snap: mlp.Snapshot) -> None:
        """Record a snapshot (a resumed run repeats the epoch it stopped at: that one is skipped)."""
        if not self.snapshots or snap.epoch > self.snapshots[-1].epoch:
            self.snapshots.append(snap)

    @property
    def last(self) -> mlp.Snapshot:
        return self.snapshots[-1]

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

    def columns(self) -> dict[str, np.ndarray]:
        """The snapshots as arrays (see `lab.record.columns`)."""
        return columns(self.snapshots)

    def record(self) -> Record:
        """What this run did so far, as a frozen record (with its predictions and decision grid)."""
        return Record.of(self.exp, self.snapshots, seconds=self.elapsed, net=self.net, X=self.train.X)

    def advance(self, epochs: int, gate: AbstractContextManager | None = None) -> Iterator[mlp.Snapshot]:
        """Train ``epochs`` more epochs, recording every snapshot; yields them as they come.

        Each stretch between two snapshots is computed inside ``gate`` (a lock shared by the process's
        trainings): trainings then take turns a few milliseconds at a time instead of fighting over the
        GIL around every BLAS call. ``elapsed`` counts the computing, not the waiting.
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
            self.add(snap)
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
    run = Run(exp, data, train, test, trainer)
    run.add(trainer.snapshot())  # epoch 0, before any training
    return run


def finish(run: Run, gate: AbstractContextManager | None = None) -> Run:
    """Train to the experiment's epochs (or divergence) without pausing (``gate``: see `Run.advance`)."""
    if not run.finished:
        for _ in run.advance(run.exp.epochs - run.epoch, gate):
            pass
    return run
