"""A training request, the job that carries it through the service, and who follows it.

A page *submits* a `Request` and watches the `Job` it gets back. Every job knows its *followers*: the
visitors (Streamlit session ids, given by the page in ``Request.who``) whose pages watch it or wait for it.
A link's shared job has one follower per open page; a private run, one. A follower keeps its place by
renewing a lease — pages renew every 0.1 s while they watch or wait (`TrainingService.renew`) — and
loses it when it says so (`Job.leave`: Stop, new settings), when the service is told it is gone (the tab
closed), or when its lease runs out (`server.service.LEASE` without a renewal: the page stopped watching
without a word). A job that no one
follows any more is cancelled: a queued job leaves the queue, a running one frees its worker at the end of
its chunk. A request without ``who`` (tests, benchmarks, the service's own callers) is followed by its
caller until the job ends or is cancelled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Protocol

import mlp
from lab.experiment import Experiment
from mlp.data import Dataset

ENDED = frozenset({"done", "failed", "cancelled"})  # a job in one of these changes no more


class Busy(RuntimeError):
    """A training refused before any work: the queue is full, or the visitor has its most trainings in
    progress. str() is the page's notice; ``ahead`` the runs waiting or training."""

    def __init__(self, ahead: int, held: int = 0):
        why = (f" (this page already has {held} training{'s' if held != 1 else ''} in progress, the most one "
               "page may have)" if held else "")
        super().__init__(f"The server is busy — {ahead:,} run{'s' if ahead != 1 else ''} ahead; "
                         f"try again in a moment{why}.")
        self.ahead, self.held = ahead, held


@dataclass(frozen=True)
class Request:
    """One training: ``exp`` on ``train``/``test`` (``test is train`` when testing on the training points),
    from ``start`` (None: the experiment's initial weights at epoch 0) to epoch ``target``, a snapshot every
    ``every`` epochs. Requests with the same non-None ``key`` are one job. ``who`` asked for it (a visitor's
    session id; None: a caller that follows the job until it ends or cancels it). ``keep_params``: every
    snapshot carries the network's parameters (a replay's frames; normal runs carry none)."""

    exp: Experiment
    train: Dataset
    test: Dataset
    target: int
    every: int
    start: mlp.TrainState | None = None
    key: Hashable | None = None
    who: Hashable | None = field(default=None, compare=False)
    keep_params: bool = False


class Owner(Protocol):
    """What a job asks of the service that made it (`server.service.TrainingService`)."""

    def renew(self, who: Hashable | None) -> None: ...

    def leave(self, job: Job, who: Hashable | None) -> None: ...

    def wake(self) -> None: ...


@dataclass(eq=False)
class Job:
    """A request on its way: watch it with `wait` and `progress`; `leave` when no longer watching; `cancel`
    stops it for everyone at the next chunk's end."""

    request: Request
    seq: int
    status: str = "queued"  # queued, running, done, failed, cancelled
    snapshots: list[mlp.Snapshot] = field(default_factory=list)
    state: mlp.TrainState | None = None
    seconds: float = 0.0  # compute spent on this job (its share of each chunk)
    error: str = ""  # why it failed, in the page's words (the details are in the server's log)
    retries: int = 0
    ahead: int = 0  # jobs waiting or training that came before this one (kept up to date while queued)
    until: int = 0  # while it trains: the epoch its chunk ends at
    queued_at: float = field(default_factory=time.monotonic)
    followers: set[Hashable | None] = field(default_factory=set)  # who follows it (the service's lock guards it)
    # asked to stop (`cancel`, or no follower left): it trains no further chunk, and its status becomes "cancelled"
    cancelled: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _owner: Owner | None = field(default=None, repr=False)

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

    def result(self, timeout: float) -> Job:
        """Wait for the end; raises TimeoutError, or RuntimeError with the job's error when it failed."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.finished, timeout):
                raise TimeoutError(f"job {self.seq} still {self.status} after {timeout} s")
        if self.status == "failed":
            raise RuntimeError(self.error)
        return self

    def renew(self, who: Hashable | None) -> None:
        """``who`` is still watching: its lease on this job (and on every job it follows) runs on."""
        if self._owner is not None:
            self._owner.renew(who)

    def leave(self, who: Hashable | None) -> None:
        """``who`` no longer follows the job; with no follower left, the job is cancelled."""
        if self._owner is not None:
            self._owner.leave(self, who)
        else:
            self.followers.discard(who)
            self.cancelled = self.cancelled or not self.followers

    def cancel(self) -> None:
        """Stop the job for everyone: a queued job leaves the queue, a running one stops at its chunk's end."""
        self.cancelled = True
        if self._owner is not None:
            self._owner.wake()

    def update(self, **changes) -> None:
        """Set fields (the service's way to move a job on), waking whoever waits for it."""
        with self._changed:
            for k, v in changes.items():
                setattr(self, k, v)
            self._changed.notify_all()

    def add(self, snapshots: list[mlp.Snapshot], state: mlp.TrainState, seconds: float, status: str) -> None:
        """Take a chunk's result: its snapshots, the state they lead to, its share of the compute; wakes the waiting."""
        with self._changed:
            self.snapshots.extend(snapshots)
            self.state = state
            self.seconds += seconds
            self.status = status
            self._changed.notify_all()
