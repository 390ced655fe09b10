"""The training service: every training the page asks for, queued, batched across visitors, run in worker processes.

A visitor's page *submits* a `Request` (an experiment, its points, where to start, where to stop) and
gets a `Job` it can watch: how many runs are ahead of it, the snapshots as they arrive, the state
reached, done or failed. Requests with the same ``key`` (a link's finished run) share one job, and a
finished keyed job is kept for a while, so a class opening one link trains once.

Dynamic batching, as inference servers do it (Triton's dynamic batcher): a scheduler thread takes what
has arrived within a few milliseconds and, whenever a worker is free, trains the oldest waiting job
together with every waiting job it can share a `mlp.batched.BatchedTrainer` with — the same points,
`lab.sweep.family_key` (depth, activations, loss, optimizer, reduction, penalties, epochs; any widths,
learning rates and seeds), the same epoch, full batch — for one *chunk* of about `CHUNK_SECONDS` (up to
`BUSY_CHUNKS` times longer while more jobs wait than there are workers). A job that is not done goes back
to the queue, where it can be joined by others at its epoch; one that is done leaves the batch. Jobs of a
family that arrived later catch up first, to the epoch where the others wait, and from there train with
them (`_next`). A batch larger than one worker's share is split evenly between the free workers, every
part to the same end epoch, so the parts meet again and stay one batch (`_schedule`). Each job's numbers
are bit for bit those of a lone ``mlp.train`` run (tests/server/test_service.py draws mixes of requests
with hypothesis).

Worker processes (`server.processes`: ``python -m server.worker`` children, one per slot, never forked
from the threaded server) do the arithmetic, so the server's GIL is left to rendering and websockets;
results come back as plain arrays (`server.worker`). A worker that dies is replaced and its chunk retried
once; a second death fails the job with a message the page shows. `close()` stops everything, and no
worker process outlives the service (nor the server process: a worker exits when its pipe closes).
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import os
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np

import mlp
from lab.experiment import Experiment
from lab.sweep import family_key
from mlp.data import Dataset
from server import worker
from server.processes import WorkerDied, WorkerProcess

CHUNK_SECONDS = 0.15  # a chunk's compute: short enough for Stop and for streaming, long enough to batch
BUSY_CHUNKS = 3.0  # ... and up to this many times longer while more jobs wait than there are workers
WINDOW = 0.004  # s to let simultaneous arrivals gather before the first of them is trained
MAX_BATCH = 64  # runs in one chunk
ENDED = frozenset({"done", "failed", "cancelled"})  # a job in one of these changes no more
KEPT = 128  # finished keyed jobs kept (a link opened again trains nothing)
FAILED = "Training failed: the worker process training it stopped twice. Try again, or with fewer epochs."


@dataclass(frozen=True)
class Request:
    """One training: ``exp`` on ``train``/``test`` (``test is train`` when testing on the training points),
    from ``start`` (None: the experiment's initial weights at epoch 0) to epoch ``target``, a snapshot every
    ``every`` epochs. Requests with the same non-None ``key`` are one job."""

    exp: Experiment
    train: Dataset
    test: Dataset
    target: int
    every: int
    start: mlp.TrainState | None = None
    key: Hashable | None = None


@dataclass(eq=False)
class Job:
    """A request on its way: watch it with `wait` and `progress`; `cancel` stops it at the next chunk's end."""

    request: Request
    seq: int
    status: str = "queued"  # queued, running, done, failed, cancelled
    snapshots: list[mlp.Snapshot] = field(default_factory=list)
    state: mlp.TrainState | None = None
    seconds: float = 0.0  # compute spent on this job (its share of each chunk)
    error: str = ""
    retries: int = 0
    ahead: int = 0  # jobs waiting or training that came before this one (kept up to date while queued)
    until: int = 0  # while it trains: the epoch its chunk ends at
    queued_at: float = field(default_factory=time.monotonic)
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _cancelled: bool = False

    @property
    def epoch(self) -> int:
        return self.state.epoch if self.state is not None else (self.request.start.epoch if self.request.start else 0)

    @property
    def finished(self) -> bool:
        return self.status in ENDED

    def progress(self, seen: int = 0) -> tuple[list[mlp.Snapshot], mlp.TrainState | None, str]:
        """(snapshots after the first ``seen``, the state they lead to, status), read together."""
        with self._changed:
            return self.snapshots[seen:], self.state, self.status

    def wait(self, timeout: float, seen: int = 0) -> bool:
        """Wait until there are more than ``seen`` snapshots, the job ends, or ``timeout`` passes."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.snapshots) > seen or self.finished, timeout)

    def result(self, timeout: float | None = None) -> Job:
        """Wait for the end; raises TimeoutError, or RuntimeError with the job's error when it failed."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.finished, timeout):
                raise TimeoutError(f"job {self.seq} still {self.status} after {timeout} s")
        if self.status == "failed":
            raise RuntimeError(self.error)
        return self

    def cancel(self) -> None:
        self._cancelled = True

    def _update(self, **changes) -> None:
        with self._changed:
            for k, v in changes.items():
                setattr(self, k, v)
            self._changed.notify_all()


def _digest(train: Dataset, test: Dataset) -> str:
    h = hashlib.sha1()
    for a in (train.X, train.y) + (() if test is train else (test.X, test.y)):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


class TrainingService:
    """The queue, the scheduler and the worker slots (``workers`` processes; 0 trains in a thread here)."""

    def __init__(self, workers: int | None = None, *, chunk_seconds: float = CHUNK_SECONDS, window: float = WINDOW):
        self.workers = default_workers() if workers is None else workers
        self.chunk_seconds, self.window = chunk_seconds, window
        self._lock = threading.Condition()
        self._queue: list[Job] = []  # waiting, in arrival order
        self._running: set[Job] = set()
        self._active: dict[Hashable, Job] = {}
        self._done: OrderedDict[Hashable, Job] = OrderedDict()
        self._seq = itertools.count()
        self._families: dict[int, Hashable] = {}
        self._speed = 1.0  # measured / estimated chunk time, smoothed
        self._closed = False
        self.sizes: Counter[int] = Counter()  # chunks trained, by how many runs they held (benchmarks, tests)
        slots = max(1, self.workers)
        self._procs: list[WorkerProcess | None] = [self._process() for _ in range(slots)]
        self._busy = [False] * slots
        self._scheduler = threading.Thread(target=self._schedule, name="training-scheduler", daemon=True)
        self._scheduler.start()
        atexit.register(self.close)

    @property
    def chunks(self) -> int:
        """Chunks trained."""
        return sum(self.sizes.values())

    @property
    def batched(self) -> int:
        """Chunks that trained several runs at once."""
        return sum(count for size, count in self.sizes.items() if size > 1)

    # ----- the page's side ----------------------------------------------------------------------
    def submit(self, request: Request) -> Job:
        """Queue a request, or join the job of an equal key (running, or finished a moment ago)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the training service is closed")
            key = request.key
            if key is not None:
                job = self._active.get(key) or self._done.get(key)
                if job is not None and job.status != "failed":
                    if key in self._done:
                        self._done.move_to_end(key)
                    return job
            job = Job(request, next(self._seq))
            job.ahead = len(self._queue) + len(self._running)
            if key is not None:
                self._active[key] = job
            self._queue.append(job)
            self._lock.notify_all()
            return job

    def queued(self) -> int:
        """Jobs waiting or training now."""
        with self._lock:
            return len(self._queue) + len(self._running)

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (for tests and benchmarks)."""
        return [p.pid for p in self._procs if p is not None]

    def close(self) -> None:
        """Stop the scheduler, fail what is left, stop the workers (waiting for them to exit)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            left = self._queue[:]
            self._queue.clear()
            self._lock.notify_all()
        for job in left:
            job._update(status="cancelled")
        self._scheduler.join(timeout=5)
        for proc in self._procs:
            if proc is not None:
                proc.close()

    # ----- the scheduler --------------------------------------------------------------------------
    def _process(self) -> WorkerProcess | None:
        """A new worker process (started now, not with the first visitor), or None to train in a thread."""
        return None if self.workers == 0 else WorkerProcess()

    def _schedule(self) -> None:
        while True:
            with self._lock:
                while not self._closed:
                    self._drop_cancelled()
                    free = [i for i, busy in enumerate(self._busy) if not busy]
                    if free and self._next() is not None:
                        break
                    self._lock.wait()
                if self._closed:
                    return
                # let simultaneous arrivals gather before the oldest of them is trained
                waited = time.monotonic() - self._queue[0].queued_at
                if waited < self.window:
                    self._lock.wait(self.window - waited)
                self._drop_cancelled()
                chosen = self._next(len(free))
                if chosen is None:
                    continue
                group, meet = chosen
                # a batch is shared evenly between the free workers, all its parts to one end epoch: they
                # meet again after it (at the same time, give or take) and are one batch from there
                size = -(-len(group) // len(free))
                parts = [group[i : i + size] for i in range(0, len(group), size)]
                seconds = self._chunk_seconds(len(self._queue) + len(self._running) - len(parts[0]))
                tasks = [self._task(parts[0], meet, seconds)]
                tasks += [self._task(part, tasks[0].end, seconds) for part in parts[1:]]
                for slot, part, task in zip(free, parts, tasks):
                    for job in part:
                        self._queue.remove(job)
                        self._running.add(job)
                        job.until = task.end
                    self._busy[slot] = True
                self._refresh_ahead()
            for slot, part, task in zip(free, parts, tasks):
                for job in part:
                    job._update(status="running")
                self._run(slot, part, task)

    def _drop_cancelled(self) -> None:
        for job in [j for j in self._queue if j._cancelled]:
            self._queue.remove(job)
            self._forget(job)
            job._update(status="cancelled")

    def _refresh_ahead(self) -> None:
        earlier = len(self._running)
        for job in self._queue:
            job.ahead = earlier
            earlier += 1

    def _family(self, job: Job) -> Hashable:
        """What jobs must share to be trained in one batch, besides their epoch (worked out once a job)."""
        family = self._families.get(job.seq)
        if family is None:
            req = job.request
            if req.exp.batch_size and req.exp.batch_size < len(req.train):
                family = ("alone", job.seq)  # mini-batches: each run shuffles its own
            else:
                family = (_digest(req.train, req.test), family_key(req.exp), req.every)
            self._families[job.seq] = family
        return family

    def _batch_key(self, job: Job) -> Hashable:
        return (self._family(job), job.epoch, job.state is None and job.request.start is None)

    def _next(self, free: int = 1) -> tuple[list[Job], int | None] | None:
        """The jobs to train next, and the epoch their chunk must stop at (None: no such bound); None when
        no waiting job may go now.

        Usually the oldest waiting job and every waiting job it can share a batch with. But when jobs of
        its family wait at earlier epochs (a class sends its runs over a second or two, and the first to
        arrive has trained a chunk by the time the others do), the furthest behind go first, up to the
        next epoch where others of the family wait or where a chunk of the family in training ends: from
        there they are one batch. Meanwhile the family's leaders wait for them (other families go on), and
        so do runs waiting at or beyond where a training chunk of the family will end, so a class's runs of
        one family train as one batch after a few catch-up chunks instead of side by side all the way. A
        catch-up chunk ends on a snapshot epoch, so every run's stream stays the one of an uninterrupted run.

        Up to `MAX_BATCH` runs per free worker: the scheduler shares the batch evenly between the ``free``
        workers (a run-epoch of the default link costs 10.8 µs in a batch of 32 and 12.4 µs in one of 16, so
        two workers on 16 each finish well before one on 32)."""
        held: set[Hashable] = set()
        for first in self._queue:
            family = self._family(first)
            if family in held:
                continue
            kin = [j for j in self._queue if self._family(j) == family]
            low = min(j.epoch for j in kin)
            training = [j for j in self._running if self._family(j) == family]
            if any(j.until <= low for j in training):
                held.add(family)  # some of the family are catching up: the others wait for them
                continue
            key = self._batch_key(next(j for j in kin if j.epoch == low))
            group = [j for j in kin if self._batch_key(j) == key][: MAX_BATCH * max(1, free)]
            every = first.request.every
            ahead = [j.epoch for j in kin if j.epoch > low and j.epoch % every == 0]
            ahead += [j.until for j in training if j.until % every == 0 and j.until < j.request.target]
            return group, min(ahead, default=None)
        return None

    def _chunk_seconds(self, waiting: int) -> float:
        """A chunk's planned compute. Short while few wait: the stream is smooth and a worker is soon free.
        Longer when more jobs wait than there are workers (a class at once): every chunk costs a fixed
        setting-up of the batch in the worker and a round trip, and the fewer chunks, the more training
        (benchmarks/load.py --scenarios mix: 32 runs of a class's mix train in 3.9 s with chunks of 0.4 s
        against 5.1 s with 0.15 s). Stop still answers at once: the page stops following the job, and the
        worker drops it at the chunk's end."""
        return self.chunk_seconds * min(BUSY_CHUNKS, max(1.0, waiting / len(self._busy)))

    def _task(self, group: list[Job], meet: int | None, seconds: float) -> worker.Task:
        first = group[0].request
        start = group[0].epoch
        stop = min([j.request.target for j in group] + ([meet] if meet is not None else []))
        est = self._estimate(group)
        end = min(stop, start + max(1, round(seconds / est)))
        if end < stop:  # a chunk ends on a snapshot, so that the stream is the one of an uninterrupted run
            end = min(stop, max(end // first.every * first.every, (start // first.every + 1) * first.every))
        states = [j.state or j.request.start for j in group]
        tested = first.test is not first.train
        return worker.Task(
            tuple(j.request.exp for j in group), None if states[0] is None else tuple(states), start, end,
            first.every, first.train.X, first.train.y, first.test.X if tested else None,
            first.test.y if tested else None,
        )

    def _estimate(self, group: list[Job]) -> float:
        """Seconds per epoch for the group: per-call overhead plus arithmetic, corrected by what was measured."""
        n = len(group[0].request.train)
        work = sum(n * j.request.exp.n_params for j in group)
        return self._speed * (25e-6 + 4e-6 * (len(group) - 1) + 3e-9 * work)

    def _run(self, slot: int, group: list[Job], task: worker.Task) -> None:
        """Train the chunk in the slot's process (in a thread that waits for it), or here without workers."""
        proc = self._procs[slot]

        def call() -> None:
            try:
                reply = ("ok", worker.train(task)) if proc is None else proc.call(task)
            except WorkerDied as exc:
                self._failed_chunk(slot, group, exc, died=True)
                return
            except Exception as exc:  # noqa: BLE001 (a bug while training here: reported on the jobs)
                reply = ("error", f"{type(exc).__name__}: {exc}")
            if reply[0] == "ok":
                self._finish(slot, group, task, reply[1])
            else:
                self._failed_chunk(slot, group, RuntimeError(reply[1]), died=False)

        if proc is None:
            call()
        else:
            threading.Thread(target=call, name=f"training-slot-{slot}", daemon=True).start()

    def _finish(self, slot: int, group: list[Job], task: worker.Task, result: worker.Result) -> None:
        epochs = task.end - task.start
        estimate = self._estimate(group) / self._speed * epochs
        with self._lock:
            self.sizes[len(group)] += 1
            if estimate > 0 and epochs >= 10:
                self._speed = 0.7 * self._speed + 0.3 * max(0.05, min(20.0, result.seconds / estimate))
        tested = task.X_test is not None
        for job, cols, state in zip(group, result.columns, result.states):
            snaps = worker.unpack(cols, tested)
            target = job.request.target
            # a chunk's last snapshot says "done"; the run is done only at its target (or diverged)
            snaps = [s if s.status != "done" or s.epoch >= target else _running(s) for s in snaps]
            ended = (snaps and snaps[-1].status == "diverged") or state.epoch >= target
            status = "done" if ended else ("cancelled" if job._cancelled else "queued")
            with job._changed:
                job.snapshots.extend(snaps)
                job.state = state
                job.seconds += result.seconds / len(group)
                job.status = status
                job._changed.notify_all()
        with self._lock:
            self._busy[slot] = False
            for job in group:
                self._running.discard(job)
                if job.status == "queued":
                    self._queue.insert(self._position(job), job)
                else:
                    self._forget(job)
            self._refresh_ahead()
            self._lock.notify_all()

    def _failed_chunk(self, slot: int, group: list[Job], exc: BaseException, died: bool) -> None:
        """A dead worker is replaced and its chunk retried once; a failure while training fails the jobs."""
        if died:
            old = self._procs[slot]
            if old is not None:
                old.close(timeout=1.0)
            self._procs[slot] = None if self._closed else self._process()
        with self._lock:
            self._busy[slot] = False
            for job in group:
                self._running.discard(job)
                job.retries += died
                if not died or job.retries > 1 or self._closed:
                    job._update(status="failed", error=FAILED if died else f"Training failed: {exc}")
                    self._forget(job)
                else:
                    job._update(status="queued")
                    self._queue.insert(self._position(job), job)
            self._refresh_ahead()
            self._lock.notify_all()

    def _position(self, job: Job) -> int:
        """Where a job goes back into the queue: by arrival (the oldest trains first)."""
        return next((i for i, other in enumerate(self._queue) if other.seq > job.seq), len(self._queue))

    def _forget(self, job: Job) -> None:
        """A job that ended leaves the active set; a finished keyed job is kept for the next visitor."""
        self._families.pop(job.seq, None)
        key = job.request.key
        if key is not None and self._active.get(key) is job:
            del self._active[key]
            if job.status == "done":
                self._done[key] = job
                while len(self._done) > KEPT:
                    self._done.popitem(last=False)


def _running(s: mlp.Snapshot) -> mlp.Snapshot:
    return mlp.Snapshot(s.epoch, s.loss, s.accuracy, s.test_loss, s.test_accuracy, s.grad_norms)


def default_workers() -> int:
    """``PLAYGROUND_WORKERS`` if set (0: train in a thread of the server), else one per core."""
    text = os.environ.get("PLAYGROUND_WORKERS", "")
    if text.strip().isdigit():
        return int(text)
    return os.cpu_count() or 1
