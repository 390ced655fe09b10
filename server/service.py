"""The training service: every training the page asks for, queued, batched across visitors, run in worker processes.

A visitor's page *submits* a `Request` (an experiment, its points, where to start, where to stop, who asks)
and gets a `Job` it can watch (`server.jobs`): how many runs are ahead of it, the snapshots as they arrive,
the state reached, done or failed. Requests with the same ``key`` (a link's finished run) share one job,
and a finished keyed job is kept for a while, so a class opening one link trains once.

Dynamic batching, as inference servers do it (Triton's dynamic batcher): a scheduler thread takes what
has arrived within a few milliseconds and, whenever a worker is free, trains the oldest waiting job
together with every waiting job it can share a `mlp.batched.BatchedTrainer` with — one *family*
(`server.plan`: the same points, depth, activations, loss, optimizer and so on; any widths, learning rates
and seeds; full batch) at the same epoch — for one *chunk* of about `CHUNK_SECONDS` (up to
`BUSY_CHUNKS` times longer while more jobs wait than there are workers). A job that is not done goes back
to the queue, where it can be joined by others at its epoch; one that is done leaves the batch. Jobs of a
family that arrived later catch up first, to the epoch where the others wait, and from there train with
them (`server.plan.next_group`). A batch larger than one worker's share is split evenly between the free workers, every
part to the same end epoch, so the parts meet again and stay one batch (`_plan`). Each job's numbers
are bit for bit those of a lone ``mlp.train`` run (tests/server/test_service.py draws mixes of requests
with hypothesis).

What a public link may ask of it is bounded before any work (docs/reliability.md):

- at most ``max_queue`` jobs waiting or training, and at most ``per_visitor`` of them followed by one
  visitor; beyond either, `submit` raises `server.jobs.Busy` (a notice for the page) and creates nothing;
- a job that no page follows any more (`server.jobs`: Stop, new settings, a closed tab, a page that stopped
  renewing its lease) is cancelled: it leaves the queue, or frees its worker at its chunk's end;
- every chunk has a deadline (`DEADLINE_FACTOR` times its planned compute, at least ``min_deadline``): a
  worker past it — hung, stopped, swapped out — is killed and replaced, and its chunk retried once; a second
  failure fails the jobs. A slot is always released, whatever happens to its chunk.

Worker processes (`server.processes`: ``python -m server.worker`` children, one per slot, never forked
from the threaded server) do the arithmetic, so the server's GIL is left to rendering and websockets;
results come back as plain arrays (`server.worker`). A failed training reaches the page as a short message
with an id; what happened goes to this module's logger under that id. `close()` stops everything, and no
worker process outlives the service (nor the server process: a worker exits when its pipe closes).
"""

from __future__ import annotations

import atexit
import itertools
import logging
import math
import os
import secrets
import threading
import time
import traceback
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable

import mlp
from server import plan, worker
from server.cores import usable_cores
from server.jobs import ENDED, Busy, Job, Request
from server.processes import WorkerDied, WorkerProcess

__all__ = ["ENDED", "Busy", "Job", "Request", "TrainingService", "default_workers"]

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.15  # a chunk's compute: short enough for Stop and for streaming, long enough to batch
BUSY_CHUNKS = 3.0  # ... and up to this many times longer while more jobs wait than there are workers
WINDOW = 0.004  # s to let simultaneous arrivals gather before the first of them is trained
KEPT = 128  # finished keyed jobs kept (a link opened again trains nothing)
MAX_QUEUE = 256  # jobs waiting or training at once; more are refused (Busy) until some end
# trainings one visitor may follow at once: a page needs at most 13 (its live run, and a free sweep of 6
# values on both data sets opened from a link while that run trains)
PER_VISITOR = 16
# s a follower stays without renewing. A watching page renews every 0.1 s, but drawing a big network's
# charts on a loaded server can hold it for seconds; a closed tab is let go at once (``present``), Stop and
# new settings leave at once, so the lease only catches a page that stopped watching without a word
LEASE = 10.0
LEASE_CHECK = 0.25  # s between the scheduler's looks at who still follows what
DEADLINE_FACTOR = 20.0  # a chunk may take this many times its planned compute ...
MIN_DEADLINE = 10.0  # ... and at least this many seconds, before its worker counts as hung


def _failure(detail: str) -> str:
    """The page's words for a failed training: a short message with an id; the details go to the log under it."""
    ref = secrets.token_hex(3)
    log.error("training failed (error %s): %s", ref, detail)
    return f"Training failed (error {ref}); try again in a moment, or with fewer epochs."


class TrainingService:
    """The queue, the scheduler and the worker slots (``workers`` processes; 0 trains in a thread here, where
    no deadline can stop a chunk). ``present(who)`` says whether a follower's page is still open (the page
    asks Streamlit; without it, only leases tell)."""

    def __init__(self, workers: int | None = None, *, chunk_seconds: float = CHUNK_SECONDS, window: float = WINDOW,
                 max_queue: int = MAX_QUEUE, per_visitor: int = PER_VISITOR, lease: float = LEASE,
                 min_deadline: float | None = None, present: Callable[[Hashable], bool] | None = None):
        self.workers = default_workers() if workers is None else workers
        self.chunk_seconds, self.window = chunk_seconds, window
        self.max_queue, self.per_visitor, self.lease = max_queue, per_visitor, lease
        self.min_deadline = default_min_deadline() if min_deadline is None else min_deadline
        self._present = present or (lambda who: True)
        self._lock = threading.Condition()
        self._queue: list[Job] = []  # waiting, in arrival order
        self._running: set[Job] = set()
        self._active: dict[Hashable, Job] = {}
        self._done: OrderedDict[Hashable, Job] = OrderedDict()
        self._seen: dict[Hashable, float] = {}  # each follower's last renewal (monotonic s)
        self._looked = 0.0  # when the scheduler last looked at who follows what
        self.made = 0  # jobs created (each request that did not join one): their sequence numbers
        self._families = plan.Families()
        self._speed = plan.calibrate()  # measured / estimated chunk time, smoothed
        self._closed = False
        self.sizes: Counter[int] = Counter()  # chunks trained, by how many runs they held (benchmarks, tests)
        self.hung = 0  # workers killed past their chunk's deadline (tests)
        slots = max(1, self.workers)
        self._procs: list[WorkerProcess | None] = [self._process() for _ in range(slots)]  # None: start one
        self._busy = [False] * slots
        self._scheduler = threading.Thread(target=self._schedule, name="training-scheduler", daemon=True)
        self._scheduler.start()
        atexit.register(self.close)

    @property
    def chunks(self) -> int:
        """Chunks trained."""
        return sum(self.sizes.values())

    def training(self) -> int:
        """Worker slots training a chunk now."""
        with self._lock:
            return sum(self._busy)

    @property
    def batched(self) -> int:
        """Chunks that trained several runs at once."""
        return sum(count for size, count in self.sizes.items() if size > 1)

    # ----- the page's side ----------------------------------------------------------------------
    def submit(self, request: Request) -> Job:
        """Queue a request, or join the job of an equal key (running, or finished a moment ago); its ``who``
        follows the job from now on. Raises `Busy` (and creates nothing) when the queue is full or ``who``
        follows its most trainings already."""
        who = request.who
        with self._lock:
            if self._closed:
                raise RuntimeError("the training service is closed")
            job = self._joinable(request.key)
            if job is not None and job.finished:
                return job  # done a moment ago: nothing to follow
            if job is None or who not in job.followers:
                held = self._held(who)
                if held >= self.per_visitor:
                    raise Busy(self._load(), held)
            if job is None:
                if self._load() >= self.max_queue:
                    raise Busy(self._load())
                job = Job(request, self.made, ahead=self._load(), _owner=self)
                self.made += 1
                if request.key is not None:
                    self._active[request.key] = job
                self._queue.append(job)
                self._lock.notify_all()
            job.followers.add(who)
            if who is not None:
                self._seen[who] = time.monotonic()
            return job

    def renew(self, who: Hashable | None) -> None:
        """``who`` is still watching: its leases on every job it follows run another `LEASE`."""
        if who is not None:
            with self._lock:
                self._seen[who] = time.monotonic()

    def leave(self, job: Job, who: Hashable | None) -> None:
        """``who`` no longer follows ``job``; with no follower left, the job is cancelled."""
        with self._lock:
            job.followers.discard(who)
            if not job.followers and not job.finished:
                job.cancelled = True
                self._lock.notify_all()

    def wake(self) -> None:
        """Let the scheduler look again now (a job was cancelled)."""
        with self._lock:
            self._lock.notify_all()

    def queued(self) -> int:
        """Jobs waiting or training now."""
        with self._lock:
            return self._load()

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (for tests and benchmarks)."""
        return [p.pid for p in self._procs if p is not None]

    def close(self) -> None:
        """Stop the scheduler, cancel what is left, stop the workers (waiting for them to exit)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            left = self._queue[:]
            self._queue.clear()
            self._lock.notify_all()
        for job in left:
            job.update(status="cancelled")
        self._scheduler.join(timeout=5)
        for proc in self._procs:
            if proc is not None:
                proc.close()

    def _load(self) -> int:
        return len(self._queue) + len(self._running)

    def _joinable(self, key: Hashable | None) -> Job | None:
        """The job a request of ``key`` joins: one in progress that is still followed, or one done and kept."""
        if key is None:
            return None
        job = self._active.get(key)
        if job is not None and not job.cancelled and job.status != "failed":
            return job
        job = self._done.get(key)
        if job is not None:
            self._done.move_to_end(key)
        return job

    def _held(self, who: Hashable | None) -> int:
        """Jobs in progress that ``who`` follows (None: a caller outside any page, not bounded)."""
        if who is None:
            return 0
        return sum(who in job.followers for job in itertools.chain(self._queue, self._running))

    # ----- who still follows what -------------------------------------------------------------------
    def _follows(self, who: Hashable | None, now: float) -> bool:
        if who is None:
            return True
        if now - self._seen.get(who, -math.inf) > self.lease:
            return False
        try:
            return bool(self._present(who))
        except Exception:  # noqa: BLE001 (a page layer that cannot tell: the lease alone decides)
            log.exception("present(%r) failed", who)
            return True

    def _let_go(self) -> None:
        """Cancel the jobs no follower holds any more (every `LEASE_CHECK` s; under the lock)."""
        now = time.monotonic()
        if now - self._looked < LEASE_CHECK:
            return
        self._looked = now
        for job in itertools.chain(self._queue, self._running):
            if not job.cancelled and not any(self._follows(who, now) for who in job.followers):
                job.cancelled = True
        for who in [w for w, t in self._seen.items() if now - t > 10 * self.lease]:
            del self._seen[who]

    def _unfollowed(self, group: list[Job]) -> bool:
        """Cancel and drop the jobs of ``group`` that no follower holds now (looked at just before they would train
        a chunk, so a job let go between two `LEASE_CHECK`s starts none); True when there were any."""
        now = time.monotonic()
        gone = [job for job in group if not any(self._follows(who, now) for who in job.followers)]
        for job in gone:
            job.cancelled = True
        self._drop_cancelled()
        return bool(gone)

    def _drop_cancelled(self) -> None:
        for job in [j for j in self._queue if j.cancelled]:
            self._queue.remove(job)
            self._forget(job)
            job.update(status="cancelled")

    # ----- the scheduler --------------------------------------------------------------------------
    def _process(self) -> WorkerProcess | None:
        """A new worker process (started now, not with the first visitor), or None to train in a thread."""
        return None if self.workers == 0 else WorkerProcess()

    def _schedule(self) -> None:
        """The scheduler thread: whenever a worker is free and a waiting job may go, plan the chunk and hand it over."""
        while True:
            with self._lock:
                free = self._wait_for_work()
                if free is None:
                    return  # closed
                chunks = self._plan(free)
            for slot, part, task, deadline in chunks:
                for job in part:
                    job.update(status="running")
                self._run(slot, part, task, deadline)

    def _wait_for_work(self) -> list[int] | None:
        """The free slots, once a slot is free and a waiting job may go, and simultaneous arrivals had a moment to
        gather; None once the service is closed. Under the lock (which waiting lets go)."""
        while not self._closed:
            self._let_go()
            self._drop_cancelled()
            free = [i for i, busy in enumerate(self._busy) if not busy]
            if free and self._next() is not None:
                break
            self._lock.wait(LEASE_CHECK)
        if self._closed:
            return None
        waited = time.monotonic() - self._queue[0].queued_at
        if waited < self.window:
            self._lock.wait(self.window - waited)
        self._drop_cancelled()
        return free

    def _plan(self, free: list[int]) -> list[tuple[int, list[Job], worker.Task, float]]:
        """The next chunks as (slot, jobs, task, deadline), their jobs and slots marked as training; [] when no job
        may go now after all. Under the lock."""
        chosen = self._next(len(free))
        if chosen is None:
            return []
        group, meet = chosen
        if self._unfollowed(group):  # a tab closed since the last look: its job trains no further chunk
            return []
        # a batch is shared evenly between the free workers, all its parts to one end epoch: they meet again
        # after it (at the same time, give or take) and are one batch from there
        size = -(-len(group) // len(free))
        parts = [group[i : i + size] for i in range(0, len(group), size)]
        seconds = self._chunk_seconds(self._load() - len(parts[0]))
        tasks = [self._task(parts[0], meet, seconds)]
        tasks += [self._task(part, tasks[0].end, seconds) for part in parts[1:]]
        chunks = [(slot, part, task, self._deadline(part, task)) for slot, part, task in zip(free, parts, tasks)]
        for slot, part, task, _ in chunks:
            for job in part:
                self._queue.remove(job)
                self._running.add(job)
                job.until = task.end
            self._busy[slot] = True
        self._refresh_ahead()
        return chunks

    def _refresh_ahead(self) -> None:
        earlier = len(self._running)
        for job in self._queue:
            job.ahead = earlier
            earlier += 1

    def _next(self, free: int = 1) -> tuple[list[Job], int | None] | None:
        return plan.next_group(self._queue, self._running, self._families, free)

    def _chunk_seconds(self, waiting: int) -> float:
        """A chunk's planned compute. Short while few wait: the stream is smooth and a worker is soon free.
        Longer when more jobs wait than there are workers (a class at once): every chunk costs a fixed
        setting-up of the batch in the worker and a round trip, and the fewer chunks, the more training
        (benchmarks/load.py --scenarios mix measures it). Stop still answers at once: the page stops
        following the job, and the worker drops it at the chunk's end."""
        return self.chunk_seconds * min(BUSY_CHUNKS, max(1.0, waiting / len(self._busy)))

    def _task(self, group: list[Job], meet: int | None, seconds: float) -> worker.Task:
        return plan.task(group, meet, seconds, self._estimate(group))

    def _estimate(self, group: list[Job]) -> float:
        """Seconds per epoch for the group: `plan.cost`, corrected by what was measured on this machine."""
        return self._speed * plan.group_cost(group)

    def _deadline(self, group: list[Job], task: worker.Task) -> float:
        """Seconds the chunk may take before its worker counts as hung: a multiple of its planned compute."""
        return max(self.min_deadline, DEADLINE_FACTOR * self._estimate(group) * (task.end - task.start))

    def _run(self, slot: int, group: list[Job], task: worker.Task, deadline: float) -> None:
        """Train the chunk in the slot's process (in a thread that waits for it), or here without workers.
        The slot is released at the end whatever happened."""

        def call() -> None:
            try:
                self._train(slot, group, task, deadline)
            except Exception:  # noqa: BLE001 (a bug on the way: the chunk's jobs fail with an id, not hang as running)
                self._abandon(group, traceback.format_exc())
            finally:
                with self._lock:
                    self._busy[slot] = False
                    self._refresh_ahead()
                    self._lock.notify_all()

        if self.workers == 0:
            call()
        else:
            threading.Thread(target=call, name=f"training-slot-{slot}", daemon=True).start()

    def _train(self, slot: int, group: list[Job], task: worker.Task, deadline: float) -> None:
        try:
            reply = ("ok", worker.train(task)) if self.workers == 0 else self._worker(slot).call(task, deadline)
        except WorkerDied as exc:
            self._failed_chunk(slot, group, str(exc), died=True)
            return
        except Exception:  # noqa: BLE001 (a bug while training here: the jobs fail, the log keeps the traceback)
            reply = ("error", traceback.format_exc())
        if reply[0] == "ok":
            self._finish(group, task, reply[1])
        else:
            self._failed_chunk(slot, group, reply[1], died=False)

    def _worker(self, slot: int) -> WorkerProcess:
        """The slot's process, started now if its last one could not be replaced."""
        proc = self._procs[slot]
        if proc is None:
            try:
                proc = self._procs[slot] = WorkerProcess()
            except OSError as exc:
                raise WorkerDied(f"no worker process could be started: {exc}") from exc
        return proc

    def _abandon(self, group: list[Job], detail: str) -> None:
        """Fail the jobs of a chunk that are still marked as training (something raised on the way)."""
        with self._lock:
            stuck = [job for job in group if job in self._running]
            for job in stuck:
                self._running.discard(job)
                self._forget(job)
        if stuck:
            error = _failure(f"jobs {[j.seq for j in stuck]} abandoned: {detail}")
            for job in stuck:
                job.update(status="failed", error=error)

    def _finish(self, group: list[Job], task: worker.Task, result: worker.Result) -> None:
        epochs = task.end - task.start
        estimate = plan.group_cost(group) * epochs
        with self._lock:
            self.sizes[len(group)] += 1
            if estimate > 0 and epochs >= 10:
                self._speed = 0.7 * self._speed + 0.3 * plan.clamp(result.seconds / estimate)
        tested = task.X_test is not None
        for job, cols, state in zip(group, result.columns, result.states):
            snaps = worker.unpack(cols, tested)
            target = job.request.target
            # a chunk's last snapshot says "done"; the run is done only at its target (or diverged)
            snaps = [s if s.status != "done" or s.epoch >= target else _running(s) for s in snaps]
            ended = (snaps and snaps[-1].status == "diverged") or state.epoch >= target
            status = "done" if ended else ("cancelled" if job.cancelled else "queued")
            job.add(snaps, state, result.seconds / len(group), status)
        with self._lock:
            for job in group:
                self._running.discard(job)
                if job.status == "queued":
                    self._queue.insert(self._position(job), job)
                else:
                    self._forget(job)

    def _failed_chunk(self, slot: int, group: list[Job], detail: str, died: bool) -> None:
        """A dead or hung worker is replaced and its chunk retried once; a second failure, or a failure while
        training, fails the jobs (a message with an id for the page, the details in the log)."""
        if died:
            self._replace(slot)
        with self._lock:
            retry, failed, cancelled = [], [], []
            for job in group:
                self._running.discard(job)
                job.retries += died
                if self._closed or job.cancelled:
                    cancelled.append(job)
                elif died and job.retries <= 1:
                    retry.append(job)
                    self._queue.insert(self._position(job), job)
                else:
                    failed.append(job)
                if job not in retry:
                    self._forget(job)
        if failed:
            why = "its worker process stopped or hung twice" if died else "training raised"
            error = _failure(f"jobs {[j.seq for j in failed]}: {why}: {detail}")
            for job in failed:
                job.update(status="failed", error=error)
        elif retry:
            log.warning("retrying jobs %s once: %s", [j.seq for j in retry], detail)
        for job in retry:
            job.update(status="queued")
        for job in cancelled:
            job.update(status="cancelled")

    def _replace(self, slot: int) -> None:
        """Kill the slot's process (SIGKILL ends a stopped one too) and start another; when none can be started,
        the slot tries again at its next chunk."""
        old, self._procs[slot] = self._procs[slot], None
        if old is not None:
            self.hung += old.overdue
            old.kill()
        if not self._closed:
            try:
                self._procs[slot] = self._process()
            except OSError:
                log.exception("could not start a worker process for slot %d; it tries again at its next chunk", slot)

    def _position(self, job: Job) -> int:
        """Where a job goes back into the queue: by arrival (the oldest trains first)."""
        return next((i for i, other in enumerate(self._queue) if other.seq > job.seq), len(self._queue))

    def _forget(self, job: Job) -> None:
        """A job that ended leaves the active set; a finished keyed job is kept for the next visitor."""
        self._families.forget(job)
        key = job.request.key
        if key is not None and self._active.get(key) is job:
            del self._active[key]
            if job.status == "done":
                self._done[key] = job
                while len(self._done) > KEPT:
                    self._done.popitem(last=False)


def _running(s: mlp.Snapshot) -> mlp.Snapshot:
    return mlp.Snapshot(s.epoch, s.loss, s.accuracy, s.test_loss, s.test_accuracy, s.grad_norms, params=s.params)


def default_min_deadline() -> float:
    """``PLAYGROUND_HUNG_AFTER`` if set (seconds, 1 to 3600), else `MIN_DEADLINE`: the least time a chunk may take
    before its worker counts as hung. A host on slow or heavily shared CPUs may raise it; the browser tests raise
    it to hold the workers still (SIGSTOP) while they click. A value out of range is logged and not used."""
    text = os.environ.get("PLAYGROUND_HUNG_AFTER", "").strip()
    if not text:
        return MIN_DEADLINE
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 1 <= value <= 3600:
        log.warning("PLAYGROUND_HUNG_AFTER=%r is not a number of seconds from 1 to 3600; using %g s", text,
                    MIN_DEADLINE)
        return MIN_DEADLINE
    return value


def default_workers() -> int:
    """``PLAYGROUND_WORKERS`` if set (0: train in a thread of the server), else one per core this process may
    use (`server.cores`: its CPU affinity and its cgroup's quota, not the host's core count)."""
    text = os.environ.get("PLAYGROUND_WORKERS", "")
    if text.strip().isdigit():
        return int(text)
    return usable_cores()
