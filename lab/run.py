"""A run of one experiment being trained: its data, its network, where training stands, and its snapshots.

Pure Python + numpy (no Streamlit). Where training stands is a `mlp.TrainState` (epoch, parameters,
optimizer state, shuffle), so a run can be advanced here (`Run.advance`) or anywhere else — a worker
process of the page's training service trains from the state and sends back snapshots and the new
state (`Run.apply`); both give the numbers of one uninterrupted `mlp.train`. What the run did is
`Run.record()`, the frozen `Record` that boards and stores carry.

Weights edited by hand (`Run.edit`, see `lab.edits`) make a new training state at the run's epoch; the run
keeps the list of its edits, and its record carries them.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

import mlp
from lab import edits as by_hand
from lab.curves import snapshot_every
from lab.experiment import Experiment
from lab.record import Record, columns
from mlp.data import Dataset

# XOR's best constant guess, 10 ones of 21, has this MSE (10/21 · 11/21): the plateau students see on the lab's XOR,
# named with its figure by the page. (A student's log of any data set is read around 0.25 instead:
# companion.studentlog.STUCK_AT_HALF.)
PLATEAU = 0.2494


def trainer(exp: Experiment, net: mlp.MLP, train: Dataset, test: Dataset,
            state: mlp.TrainState | None = None, **options: object) -> mlp.Trainer:
    """The experiment's trainer for ``net`` on these points, resuming ``state`` when given (``options``: more
    of `mlp.Trainer`'s, e.g. keep_params)."""
    kw = exp.train_kwargs() | options
    kw.pop("epochs")
    if test is not train:
        kw.update(X_test=test.X, y_test=test.y)
    return mlp.Trainer(net, train.X, train.y, state=state, **kw)


@dataclass
class Run:
    """One experiment being trained: data, network, training state (`mlp.TrainState`) and snapshots."""

    exp: Experiment
    data: Dataset
    train: Dataset
    test: Dataset
    net: mlp.MLP
    state: mlp.TrainState
    snapshots: list[mlp.Snapshot] = field(default_factory=list)
    elapsed: float = 0.0  # seconds spent training
    # what names this run's numbers exactly while it still equals a shared finished run (its
    # experiment, and its points when they are not the experiment's own): what is drawn from it can be
    # shared between visitors. Training and edits clear it.
    origin: Hashable | None = None
    start: mlp.TrainState | None = None  # where the run began (epoch 0): a replay of its training starts here
    edits: list[by_hand.Edit] = field(default_factory=list)  # weights set by hand, in the order they were made

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

    def apply(self, snapshots: Sequence[mlp.Snapshot], state: mlp.TrainState, seconds: float = 0.0) -> None:
        """Take what was trained elsewhere: the snapshots up to ``state``, and the state itself."""
        self.origin = None
        for snap in snapshots:
            self.add(snap)
        self.state = state
        self.net.params[...] = state.params
        self.elapsed += seconds

    @property
    def last(self) -> mlp.Snapshot:
        return self.snapshots[-1]

    @property
    def epoch(self) -> int:
        return self.state.epoch

    @property
    def has_test(self) -> bool:
        return self.test is not self.train

    @property
    def diverged(self) -> bool:
        return self.last.status == "diverged"

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
        """What this run did so far, as a frozen record (with its predictions, decision grid and edits)."""
        return Record.of(self.exp, self.snapshots, seconds=self.elapsed, net=self.net, X=self.train.X,
                         edits=tuple(self.edits))

    def edit(self, changes: Sequence[by_hand.Change]) -> list[by_hand.Edit]:
        """Set parameters by hand, at the run's epoch: each change is (layer, i, j, value), w[layer][i→j] or,
        i None, unit j's bias (numbered from 1). Every change is checked first (`lab.edits`): one bad change,
        or more edits than a run keeps (`lab.edits.MAX_EDITS`), raises ValueError and nothing changes. The edited parameters become the run's training state (the
        optimizer's state kept as it was), so training goes on from them; the snapshot at this epoch is
        measured again on the edited network, and the edits are added to ``edits``."""
        if self.diverged:
            raise ValueError("this run diverged: its weights are no longer numbers, so editing one cannot bring "
                             "it back; press Reset (and lower the learning rate)")
        if len(self.edits) + len(changes) > by_hand.MAX_EDITS:
            raise ValueError(f"a run keeps at most {by_hand.MAX_EDITS} edits and this one has {len(self.edits)}; "
                             "press Reset to start again")
        self.state, made = by_hand.apply(self.state, self.net.layer_sizes, changes, self.net.bias)
        self.net.params[...] = self.state.params
        self.origin = None
        self.edits += made
        measured = trainer(self.exp, self.net, self.train, self.test, self.state).snapshot()
        if self.last.epoch == self.epoch:  # the curve shows the network trained on from here
            self.snapshots[-1] = measured
        else:
            self.snapshots.append(measured)
        return made

    def advance(self, epochs: int) -> Iterator[mlp.Snapshot]:
        """Train ``epochs`` more epochs here, recording every snapshot; yields them as they come."""
        self.origin = None
        t = trainer(self.exp, self.net, self.train, self.test, self.state)
        steps = t.run(epochs, self.every)
        while True:
            start = time.perf_counter()
            snap = next(steps, None)
            self.elapsed += time.perf_counter() - start
            if snap is None:
                return
            self.add(snap)
            self.state = t.state()
            yield snap


def new_run(exp: Experiment, data: Dataset | None = None, params: np.ndarray | None = None) -> Run:
    """An untrained run (epoch 0 recorded) of ``exp``, on ``data`` or the experiment's own data set; from
    the experiment's initial weights, or from ``params`` (a network carried over to new points)."""
    data = exp.data() if data is None else data
    train, test = exp.split(data)
    net = exp.network(train.X)
    if params is not None:
        net.params[...] = params
    t = trainer(exp, net, train, test)
    state = t.state()
    run = Run(exp, data, train, test, net, state, start=state)
    run.add(t.snapshot())  # epoch 0, before any training
    return run


def finish(run: Run) -> Run:
    """Train to the experiment's epochs (or divergence) here, without pausing."""
    if not run.finished:
        for _ in run.advance(run.exp.epochs - run.epoch):
            pass
    return run
