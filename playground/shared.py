"""What one page process shares between its visitors (``st.cache_resource``, created once per process).

- The training service (`server.service`): every training the page asks for — a link's finished run, a
  live run, a sweep — goes through its queue, is batched with compatible ones from other visitors, and
  runs in worker processes. A link's finished run is one job for everyone who opens it (its key is the
  frozen `Experiment`, and the points when they are not the experiment's own), kept when done. Each
  request names the visitor (the session id), who follows the job while the page watches or waits for it
  (`Following`); the service asks Streamlit whether that visitor's tab is still open
  (`internals.connected`), so a closed tab's trainings are let go.
- The store of boards and class rooms (`server.store`), and a reader that caches what pages read of it
  for about a second (`server.boards`): forty open class boards cost one database read a second.
- Chart skeletons and what is drawn from shared runs (``playground.render``).
- Turns for the checks of uploaded gradient files (`companion.checkrun.Slots`): one child process per core at once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import streamlit as st

import mlp
from companion.checkrun import Slots
from lab import frames
from lab.experiment import Experiment
from lab.run import Run, new_run
from mlp.data import Dataset
from playground import internals, render
from playground.charts import Figure
from server.boards import BoardReader
from server.jobs import ENDED, Busy, Job, Request
from server.lesson import LessonReader, Lessons
from server.purge import Purger
from server.service import TrainingService
from server.store import Store, StoreError, StoreUnavailable

log = logging.getLogger(__name__)

CACHE_ENTRIES = 64  # shared runs whose drawings are kept per process
RENEW_PERIOD = 0.1  # s between a waiting page's renewals of what it follows (see server.service.LEASE)
REPLAY_TIMEOUT = 120.0  # s a page waits for a replay of a run's training (the hidden space's frames)


@st.cache_resource(show_spinner=False)
def service() -> TrainingService:
    """The process's training service (its worker processes start now and stop with the process); it asks
    Streamlit whether a visitor's tab is still open."""
    return TrainingService(present=internals.connected)


@st.cache_resource(show_spinner=False)
def _store() -> Store:
    store = Store.open()  # PLAYGROUND_DB, the secrets file, or data/playground.db (see docs/hosting.md)
    Purger(store).start()  # expired rooms and idle boards go on a timer (it ends when this store is dropped)
    return store


def store() -> Store:
    """The process's store; StoreUnavailable (a StoreError, in plain words) when it cannot be opened."""
    try:
        return _store()
    except ValueError as exc:  # a store URL that cannot be used: the page goes on without boards
        log.error("the store cannot be opened: %s", exc)
        raise StoreUnavailable(str(exc)) from exc


def restart_store() -> None:
    """Close the process's store and forget it and its readers: the next page opens them again (from
    PLAYGROUND_DB), as a restarted process would. The page's tests start each class on a fresh store with it."""
    try:
        store().close()
    except StoreError:
        pass
    for cached in (_store, reader, lesson_reader):
        cached.clear()


@st.cache_resource(show_spinner=False)
def reader() -> BoardReader:
    """Board and room reads, cached for a second for every page of the process."""
    return BoardReader(store)


def lessons() -> Lessons:
    """A class's lesson in the process's store (rounds, votes, checks); StoreUnavailable as `store`."""
    return Lessons(store())


@st.cache_resource(show_spinner=False)
def lesson_reader() -> LessonReader:
    """Each class's lesson as pages read it: again only when its board's version moved (see `reader`)."""
    return LessonReader(reader, lessons)


@st.cache_resource(show_spinner=False)
def specs() -> render.SpecCache:
    """Chart skeletons for the whole process: they hold no visitor's data."""
    return render.SpecCache(256)


@st.cache_resource(show_spinner=False)
def memo() -> render.RenderMemo:
    """What is drawn from shared finished runs, once for the whole process."""
    return render.RenderMemo(CACHE_ENTRIES)


@st.cache_resource(show_spinner=False)
def pace() -> render.Pace:
    """How many visitors of the process watch a run at once (live updates are spread out by it)."""
    return render.Pace()


@st.cache_resource(show_spinner=False)
def check_slots() -> Slots:
    """Turns for "Check my backprop": the process runs one check child per core at once."""
    return Slots()


per_run = render.per_run(memo)  # a section's builder, computed once per shared finished run


def spec(builder, *args, **kwargs) -> dict:  # noqa: ANN001 (any chart builder returning a Figure)
    """The chart's Vega-Lite spec, its datasets as Arrow bytes (built once per structure, see render)."""
    full = specs().spec(builder, *args, **kwargs)
    return {**full, "datasets": {name: render.arrow_bytes(df) for name, df in full["datasets"].items()}}


def figure_spec(figure: Figure) -> dict:
    """A one-off figure's spec (not kept), its datasets as Arrow bytes."""
    full = figure.spec()
    return {**full, "datasets": {name: render.arrow_bytes(df) for name, df in full["datasets"].items()}}


def run_key(exp: Experiment, data: Dataset | None = None) -> Hashable:
    """What names a finished run of ``exp``: the experiment, and the points when they are not its own."""
    if data is None:
        return exp
    return exp, hashlib.sha256(data.X.tobytes() + data.y.tobytes()).hexdigest()


def train(run: Run, target: int, key: Hashable | None = None) -> Following:
    """Ask the service to train ``run`` from where it stands to epoch ``target``. With a ``key`` (a link's
    finished run, from the experiment's initial weights) every visitor asking for it shares one job. The
    visitor follows the job from now on. Raises `server.jobs.Busy` (nothing was started) when the server or
    this visitor has too much in progress."""
    start = None if key is not None else run.state
    who = internals.session_id()
    job = service().submit(Request(run.exp, run.train, run.test, target, run.every, start=start, key=key, who=who))
    return Following(job, who)


@dataclass
class Following:
    """A run's view of its job: how much of the job's progress it has taken already, and who follows it."""

    job: Job
    who: Hashable | None = None  # the visitor following the job (None: a caller outside any page)
    seen: int = 0  # the job's snapshots taken
    seconds: float = 0.0  # the job's compute taken
    status: str = "queued"  # the job's status when its progress was last taken

    def take(self, run: Run) -> None:
        """Apply what the job trained since the last call. A run that follows a shared job (a link's) is the
        same for every visitor at each epoch: it is named by (key, epoch), and by the key once done, so what
        is drawn from it is computed once for all of them."""
        snaps, state, status = self.job.progress(self.seen)  # read together: status says what these are
        self.status = status
        seconds = self.job.seconds
        if state is not None and (snaps or state.epoch != run.epoch):
            run.apply(snaps, state, seconds - self.seconds)
            self.seen += len(snaps)
            self.seconds = seconds
        key = self.job.request.key
        if key is not None:
            run.origin = key if status == "done" else (key, run.epoch)

    @property
    def finished(self) -> bool:
        """The job had ended when its progress was last taken, so the run holds all of it. (Not the job's
        status now: a job that ends between a take and this check still has snapshots to give.)"""
        return self.status in ENDED

    def renew(self) -> None:
        """The page still watches: the visitor keeps this job (and every job it follows) another lease."""
        self.job.renew(self.who)

    def leave(self) -> None:
        """The page stops following the job; the service cancels it unless another page follows it."""
        self.job.leave(self.who)


class Unfinished(RuntimeError):
    """Jobs a page waited for did not all end well; str() says why, in the page's words."""


def finish(followings: list[Following], timeout: float) -> None:
    """Wait until every job has ended, renewing the visitor's leases meanwhile (a sweep waits for its runs).
    Raises Unfinished when one failed, when ``timeout`` s pass, or when the visitor's tab closed; the jobs
    are left then (each trains on only if another page follows it)."""
    end = time.monotonic() + timeout
    try:
        for following in followings:
            while not following.job.finished:
                if time.monotonic() > end:
                    ahead = max((f.job.ahead for f in followings if f.job.status == "queued"), default=0)
                    raise Unfinished(f"The runs did not finish within {timeout:.0f} s (the server is busy: "
                                     f"{ahead:,} runs ahead); try again in a moment.")
                if not internals.connected():
                    raise Unfinished("The page was closed.")
                following.renew()
                following.job.wait(RENEW_PERIOD, len(following.job.snapshots))
        failed = next((f.job for f in followings if f.job.status != "done"), None)
        if failed is not None:
            raise Unfinished(failed.error or f"A run was {failed.status}; try again.")
    except BaseException:
        for following in followings:
            following.leave()
        raise


def finished_runs(exps: Iterable[Experiment], timeout: float) -> list[Run]:
    """The finished runs of ``exps`` (each its link's shared job; the service trains them together where it
    can), waited for up to ``timeout`` s while the visitor's leases are renewed. Raises `server.jobs.Busy` when
    the server or this visitor has too much in progress, `Unfinished` when a run failed or did not finish in
    time; the jobs asked for so far are left then."""
    runs = []
    try:
        for exp in exps:
            runs.append(finished_run(exp))
    except Busy:
        for _, following in runs:
            following.leave()
        raise
    finish([following for _, following in runs], timeout)
    for run, following in runs:
        following.take(run)
    return [run for run, _ in runs]


def finished_run(exp: Experiment, data: Dataset | None = None) -> tuple[Run, Following]:
    """A run of ``exp``, and the shared job that trains it to the end (done already when someone opened
    the link before: then the run is finished too)."""
    run = new_run(exp, data)
    following = train(run, exp.epochs, run_key(exp, data))
    following.take(run)
    return run, following


def replay(run: Run, timeout: float = REPLAY_TIMEOUT) -> frames.Frames:
    """The run's training done again to its epoch, keeping the parameters at the frames' epochs (`lab.frames`):
    one service job per segment (the run's edits cut it), each named by what it trains, so every visitor of a
    link shares one replay, and a replay asked for again is kept. Raises `server.jobs.Busy` or `Unfinished`."""
    who = internals.session_id()

    def train(plan: frames.Plan, segment: frames.Segment, start: mlp.TrainState):
        job = service().submit(Request(run.exp, run.train, run.test, segment.end, plan.every, start=start,
                                       key=plan.key(segment), who=who, keep_params=True))
        finish([Following(job, who)], timeout)
        return job.snapshots, job.state

    return frames.replay(run, train)
