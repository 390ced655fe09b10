"""What a training worker process does: train a few networks together for one stretch of epochs.

A `Task` is one *chunk*: K runs that can share a trainer (`server.plan`: one network family, the same
`SHARED` options, full batch) on the same points, all at the same epoch, trained together by
`mlp.train.BatchedTrainer` from their `mlp.TrainState` (or from their experiments' initial weights) to the
chunk's end. `train` is the one path by which the project trains a run for a page — a live run, a link's
run, a sweep, a board's — whether it is alone in its chunk or one of many. The result is plain numpy: each
run's snapshots as columns and its new state — never a pickled network. Runs in any process; imports mlp
and lab only, so a worker starts without Streamlit: ``python -m server.worker FD`` serves tasks over the
pipe FD (`serve`).
"""

from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass

import numpy as np

import mlp
from lab.experiment import Experiment
from lab.record import columns
from mlp.train import BatchedTrainer

# what one trainer takes once for all the runs it trains (each run brings its own network and learning
# rate); runs that differ in any of these never share a chunk
SHARED = ("optimizer", "reduction", "l1", "l2", "task")


@dataclass(frozen=True)
class Task:
    """K runs to train together from epoch ``start`` to ``end`` (snapshots every ``every`` epochs).

    ``states`` holds one state per run, or None when every run starts from its experiment's initial
    weights (epoch 0). The points: X, y, and the held-out X_test, y_test (None when testing on X).
    ``keep_params``: every snapshot carries its network's parameters (a replay's frames).
    """

    experiments: tuple[Experiment, ...]
    states: tuple[mlp.TrainState, ...] | None
    start: int
    end: int
    every: int
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    keep_params: bool = False


@dataclass(frozen=True)
class Result:
    """Per run: its snapshots as columns (epoch, loss, accuracy, test_loss, test_accuracy: (S,); NaN for no
    test set; grad_norms: (S, L); status and reason: (S,) text; params: (S, P), only when kept) and its state at
    the chunk's end."""

    columns: tuple[dict[str, np.ndarray], ...]
    states: tuple[mlp.TrainState, ...]
    seconds: float  # the chunk's compute time (shared by its runs)


def train(task: Task) -> Result:
    """Train the task's runs to its end (or divergence); the worker's whole job."""
    began = time.perf_counter()
    exps = task.experiments
    kw = exps[0].train_kwargs()
    nets = [e.network(task.X) for e in exps]  # the features' centre is the training points' (lab.experiment)
    # batch_size and seed are the first run's: a run of mini-batches trains alone, a full batch draws no shuffle
    trainer = BatchedTrainer(
        nets, task.X, task.y, lrs=[e.lr for e in exps], batch_size=kw["batch_size"], seed=kw["seed"],
        X_test=task.X_test, y_test=task.y_test, states=task.states, keep_params=task.keep_params,
        **{name: kw[name] for name in SHARED},
    )
    history: list[list[mlp.Snapshot]] = [[] for _ in exps]
    for snaps in trainer.run(task.end - task.start, task.every):
        for h, snap in zip(history, snaps):
            if not h or snap.epoch > h[-1].epoch:  # a frozen (diverged) net repeats its last snapshot
                h.append(snap)
    return Result(tuple(pack(h) for h in history), tuple(trainer.states()), time.perf_counter() - began)


def pack(snaps: list[mlp.Snapshot]) -> dict[str, np.ndarray]:
    """Snapshots as columns of plain arrays: `lab.record.columns`, with the epochs as integers, each snapshot's
    status and reason, and its parameters when they were kept (a replay's frames)."""
    cols = columns(snaps) | {
        "epoch": np.array([s.epoch for s in snaps], np.int64),
        "status": np.array([s.status for s in snaps]),
        "reason": np.array([s.reason for s in snaps]),
    }
    if snaps and snaps[0].params is not None:  # kept (a replay's frames)
        cols["params"] = np.array([s.params for s in snaps], float)
    return cols


def unpack(cols: dict[str, np.ndarray], tested: bool) -> list[mlp.Snapshot]:
    """The snapshots again (test metrics None when the run tests on its training points; accuracies None
    for a regression run, whose columns hold NaN: a classifier's accuracy is never NaN)."""
    out = []
    params = cols.get("params")
    for i, epoch in enumerate(cols["epoch"].tolist()):
        test_loss = float(cols["test_loss"][i]) if tested else None
        test_acc = _score(cols["test_accuracy"][i]) if tested else None
        out.append(mlp.Snapshot(epoch, float(cols["loss"][i]), _score(cols["accuracy"][i]), test_loss, test_acc,
                                tuple(cols["grad_norms"][i].tolist()), str(cols["status"][i]), str(cols["reason"][i]),
                                None if params is None else params[i]))
    return out


def _score(value: float) -> float | None:
    return None if value != value else float(value)


def warm_up() -> int:
    """Train a tiny network once, so that a fresh worker's first real task starts warm; returns the pid."""
    net = mlp.MLP((2, 2, 1))
    mlp.Trainer(net, np.zeros((2, 2)), np.array([[0.0], [1.0]]), lr=0.1).snapshot()
    return os.getpid()


def serve(conn) -> None:  # noqa: ANN001 (a multiprocessing.connection.Connection)
    """The worker's loop: a `Task` in, ("ok", `Result`) or ("error", traceback) out, until the pipe closes
    (the service closed it, or the server process is gone: a worker never outlives its server)."""
    try:
        conn.send(("ready", warm_up()))
    except (BrokenPipeError, OSError):
        return  # the service closed before this worker was ready
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", train(task))
        except Exception:  # noqa: BLE001 (sent back for the server's log: the service fails the job with an id)
            reply = ("error", traceback.format_exc())
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


if __name__ == "__main__":  # python -m server.worker FD: a training process of server.service
    import sys
    from multiprocessing.connection import Connection

    from server import worker  # this module under its own name, so results unpickle as server.worker.Result

    worker.serve(Connection(int(sys.argv[1])))
