"""How the training service plans a chunk: which waiting jobs train together, how many epochs fit in its
time, and the `server.worker.Task` that carries it. Functions of the queue as the service holds it (under
its lock): no threads, no processes here.

Jobs train together when they share a *family* — the same points, networks of one `mlp.train.family`
(input features, depth, activations, loss, bias; any widths and initial weights), the trainer's shared
options (`server.worker.SHARED`: optimizer, reduction, penalties, task; any learning rates), the same
snapshot interval, full batch (`mlp.train.full_batch`) — and stand at the same epoch. A mini-batch run
shuffles its own batches, so it is a family of its own. Replays, whose snapshots keep their parameters
(`server.jobs.Request.keep_params`), train only with replays. `next_group` picks the group, `task` how far
it goes; `cost` is the a-priori time an epoch takes, which the service corrects by what it measures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable

import numpy as np

from lab.experiment import Experiment
from lab.run import new_run
from mlp.data import Dataset
from mlp.train import family as network_family
from mlp.train import full_batch
from server import worker
from server.jobs import Job, Request

MAX_BATCH = 64  # runs in one chunk
REFERENCE_EPOCHS = 100  # of the default network, timed once to calibrate `cost` on this machine


def digest(train: Dataset, test: Dataset) -> str:
    h = hashlib.sha1()
    for a in (train.X, train.y) + (() if test is train else (test.X, test.y)):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def mini_batches(request: Request) -> bool:
    """Whether each epoch takes several optimizer steps (each run then shuffles its own batches)."""
    return not full_batch(request.exp.batch_size, len(request.train))


def steps(request: Request) -> int:
    """Optimizer steps per epoch."""
    return -(-len(request.train) // request.exp.batch_size) if mini_batches(request) else 1


def cost(n: int, steps: int, params: list[int]) -> float:
    """A priori seconds per epoch for runs of ``params`` parameters each on ``n`` points, trained together: a
    fixed cost per optimizer step (one per mini-batch, one a full-batch epoch; a little more per run in the
    batch) plus the arithmetic."""
    return steps * (25e-6 + 4e-6 * (len(params) - 1)) + 3e-9 * n * sum(params)


def group_cost(group: list[Job]) -> float:
    """`cost` of an epoch of the group."""
    req = group[0].request
    return cost(len(req.train), steps(req), [j.request.exp.n_params for j in group])


def clamp(speed: float) -> float:
    """A measured / estimated ratio, kept within reason (one odd chunk must not plan the next absurdly)."""
    return max(0.05, min(20.0, speed))


def calibrate() -> float:
    """This machine against `cost`, from a short reference run here (twice: the first warms up), so that even
    the first chunks are planned to about their length; the service corrects it by each chunk's measure."""
    run = new_run(Experiment(epochs=REFERENCE_EPOCHS))
    task = worker.Task((run.exp,), None, 0, REFERENCE_EPOCHS, REFERENCE_EPOCHS, run.train.X, run.train.y)
    seconds = min(worker.train(task).seconds for _ in range(2))
    return clamp(seconds / (REFERENCE_EPOCHS * cost(len(run.train), 1, [run.exp.n_params])))


class Families:
    """What jobs must share to be trained in one batch, besides their epoch (worked out once a job)."""

    def __init__(self) -> None:
        self._known: dict[int, Hashable] = {}

    def __call__(self, job: Job) -> Hashable:
        known = self._known.get(job.seq)
        if known is None:
            req = job.request
            if mini_batches(req):
                known = ("alone", job.seq)  # mini-batches: each run shuffles its own
            else:
                shared = tuple(req.exp.train_kwargs()[name] for name in worker.SHARED)
                nets = network_family(req.exp.network(req.train.X))
                known = (digest(req.train, req.test), nets, shared, req.every, req.keep_params)
            self._known[job.seq] = known
        return known

    def forget(self, job: Job) -> None:
        self._known.pop(job.seq, None)

    def batch_key(self, job: Job) -> Hashable:
        return (self(job), job.epoch, job.state is None and job.request.start is None)


def next_group(queue: list[Job], running: Iterable[Job], family: Families,
               free: int = 1) -> tuple[list[Job], int | None] | None:
    """The jobs to train next, and the epoch their chunk must stop at (None: no such bound); None when no
    waiting job may go now.

    Usually the oldest waiting job and every waiting job it can share a batch with. But when jobs of its
    family wait at earlier epochs (a class sends its runs over a second or two, and the first to arrive has
    trained a chunk by the time the others do), the furthest behind go first, up to the next epoch where
    others of the family wait or where a chunk of the family in training ends: from there they are one
    batch. Meanwhile the family's leaders wait for them (other families go on), and so do runs waiting at
    or beyond where a training chunk of the family will end, so a class's runs of one family train as one
    batch after a few catch-up chunks instead of side by side all the way. A catch-up chunk ends on a
    snapshot epoch, so every run's stream stays the one of an uninterrupted run.

    Up to `MAX_BATCH` runs per free worker: the service shares the batch evenly between the ``free``
    workers (two workers on half a batch each finish well before one on all of it)."""
    held: set[Hashable] = set()
    for first in queue:
        fam = family(first)
        if fam in held:
            continue
        kin = [j for j in queue if family(j) == fam]
        low = min(j.epoch for j in kin)
        training = [j for j in running if family(j) == fam]
        if any(j.until <= low for j in training):
            held.add(fam)  # some of the family are catching up: the others wait for them
            continue
        key = family.batch_key(next(j for j in kin if j.epoch == low))
        group = [j for j in kin if family.batch_key(j) == key][: MAX_BATCH * max(1, free)]
        every = first.request.every
        ahead = [j.epoch for j in kin if j.epoch > low and j.epoch % every == 0]
        ahead += [j.until for j in training if j.until % every == 0 and j.until < j.request.target]
        return group, min(ahead, default=None)
    return None


def task(group: list[Job], meet: int | None, seconds: float, per_epoch: float) -> worker.Task:
    """The chunk for ``group``: about ``seconds`` of training at ``per_epoch`` seconds an epoch, at least one
    epoch, never past a run's target or the epoch ``meet`` where it must meet others of its family."""
    first = group[0].request
    start = group[0].epoch
    stop = min([j.request.target for j in group] + ([meet] if meet is not None else []))
    end = min(stop, start + max(1, round(seconds / per_epoch)))
    if end < stop:  # a chunk ends on a snapshot, so that the stream is the one of an uninterrupted run
        end = min(stop, max(end // first.every * first.every, (start // first.every + 1) * first.every))
    states = [j.state or j.request.start for j in group]
    tested = first.test is not first.train
    return worker.Task(
        tuple(j.request.exp for j in group), None if states[0] is None else tuple(states), start, end,
        first.every, first.train.X, first.train.y, first.test.X if tested else None,
        first.test.y if tested else None, first.keep_params,
    )
