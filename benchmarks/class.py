"""A class on one live board: N students send at one moment, N projectors refresh, and how soon a run shows.

    python benchmarks/class.py [--students 40] [--views 40] [--seconds 60] [--store postgres|sqlite] [--spread]

Starts the page on a free loopback port with ``PLAYGROUND_DB`` set to a fresh store — a new Postgres schema
($PLAYGROUND_TEST_PG, or a throwaway cluster from Debian's binaries: tests/server/pgcluster.py), the default
when either is there, else a SQLite file — makes the class room directly in the store, and drives the page
with browser-less clients that speak Streamlit's websocket protocol as the browser does: a BackMsg
``rerun_script`` (the address bar's query, widget states, and the hashes of the big messages already held,
which the server then sends as references), then ForwardMsgs until ``script_finished``.

1. Sending at once. N students open ``?room=CODE&dataset=xor&epochs=300&lr=…&hidden=…`` (5 learning rates ×
   4 widths). Once every page is finished they all send, at one moment, the rerun a click sends: "Your name"
   (``_name``) set to "Student k" and "Send to class" (``_send``) fired (``trigger_value``). The widget ids
   come from the page's own deltas (a widget's ``id`` ends with its key); the other widgets' states are left
   out (the server keeps them). The room's board in the store must then hold exactly N entries, one per
   name, and every page the same "Train loss" as before. Timed from the send to the last finished page,
   against one student sending alone onto a copy of that board. (The students' own boards, on their
   pages, do not refresh here: part 2 is that load.)
   A lesson's two moments, each in a room of its own with a projector refreshing as a browser does. Votes: an
   open question (made in the store), N student pages choose an option and press "Vote" at one moment, the
   rerun a click in the banner's fragment sends (``fragment_id`` of the widgets' fragment, not an auto-rerun);
   the store must then hold N ballots, one a student, and the projector show "N votes". A round: a round
   running (made in the store), the N students send at one moment; the board must hold N entries of round 1,
   one a student, the projector show "Round 1: N runs from N students so far" and never a student's name.
   Both timed from the moment to the projector having it (promised: within SHOWN_WITHIN). And a task: N student
   pages open, each page's banner refreshing as its browser's timer asks, and the teacher sets a task (in the
   store, as a teacher on another server does); the time until every page shows "New task" (promised: within
   NOTICE_WITHIN).
2. Projectors refreshing. N sessions open ``?room=CODE&view=board``. The board is ``st.fragment(run_every=…)``:
   the server sends ``auto_rerun`` (interval, fragment id) and the browser then asks for a rerun of that
   fragment (``fragment_id``, ``is_auto_rerun``) every interval, whether or not the last one has finished.
   Each client does the same, at the interval asked for, from when its page arrived (--spread: at phases
   spread evenly over the interval, as pages opened at different moments). First a student sends
   LOAD_SENDS runs meanwhile: the time until each view shows each. Then --seconds of refreshing alone,
   measured: requests and runs (Streamlit ends a run early when a newer request of its session waits), the
   time from a request to an idle view to the end of its run (against one view alone), the server's CPU (its
   process tree: cores = CPU seconds / wall seconds), the bytes sent, and the database's work. On Postgres
   that is exact: pg_stat_user_tables (scans of the store's tables, one a query, and the rows and blocks
   they read) and pg_stat_database (transactions), before and after, the server idle long enough to have
   flushed its statistics. pg_stat_statements would need shared_preload_libraries, which the throwaway cluster
   does not set; SQLite keeps no counters another process can read, so there the database is not counted.
3. Time to the board. One projector on this server and one on a second server on the same store refresh
   as above while a student sends a run under a fresh name, PROBES times, at phases spread over the
   interval; timed until a ForwardMsg to the projector carries the name (the leaderboard's Arrow bytes hold
   it as UTF-8). Against the interval (on this server a send clears the process's board cache; on another,
   the cache may add up to its lifetime).

Prints every figure with what it is measured against, then PASS/MISS for the promises: every run sent (and every
ballot) arrives, none twice, a lesson's moment reaches the projector in time, no errors (an exception or an error
on a page, a warning on a board, a run that ended badly, a dropped connection, a run not on a board within
SEEN_TIMEOUT), and the send keeps the run on screen.
Exit 0 when all hold, 1 when one is missed, 2 when the set-up failed (one line says why). The servers, the
clients and any Postgres cluster are always stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import pytest  # pgcluster.postgres() reports a missing Postgres as pytest's skip (or fail, with PG_REQUIRED=1)
import websockets
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e"), str(ROOT / "tests" / "server")]
import pgcluster  # noqa: E402
from appserver import start_app, stop  # noqa: E402

from playground.state import CAST, NAME, SEND, ballot_key  # noqa: E402
from server import rooms  # noqa: E402
from server.boards import TTL  # noqa: E402
from server.lesson import Lessons  # noqa: E402
from server.store import Store, StoreError  # noqa: E402

OPEN_TIMEOUT = 180.0  # s for a page's first run (N pages opening at once on 2 cores)
RERUN_TIMEOUT = 60.0  # s for a send's or a refresh's run
SEEN_TIMEOUT = 60.0  # s for a sent run to show on a board
STATS_SETTLE = 11.0  # s: an idle Postgres backend flushes its statistics within 10 s
PROBES = 10  # sends timed to an idle board (a sender may send 20 in 10 minutes)
SHOWN_WITHIN = 3.0  # s: what a lesson's moment (N votes, a round's N sends) may take to reach the projector
NOTICE_WITHIN = 5.0  # s: what a new task may take to show on every open student page (the promise)
LOAD_SENDS = 3  # sends timed to the board views under load
GOOD_ENDS = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


class SetupError(Exception):
    """The benchmark could not be set up (exit 2)."""


# ----- one visitor's page over the websocket --------------------------------------------------------------------
@dataclass
class Script:
    """What one run of the page (or of one fragment) sent back."""

    started: float = 0.0
    ended: float | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # st.warning: a board's are errors, a run's are advice
    widget_ids: list[str] = field(default_factory=list)
    fragments: dict[str, str] = field(default_factory=dict)  # widget id → the fragment that drew it
    train_loss: str = ""
    auto_reruns: list[tuple[float, str]] = field(default_factory=list)  # (interval in s, fragment id), in order
    interrupted: bool = False  # ended early: a newer request came (Streamlit then runs that one)
    wire: int = 0  # bytes received
    content: int = 0  # bytes the page sent, references resolved

    @property
    def auto_rerun(self) -> tuple[float, str] | None:
        """The last fragment drawn that refreshes itself (a projector's board; a student's page has its banner
        first, then its Class tab's board)."""
        return self.auto_reruns[-1] if self.auto_reruns else None

    @property
    def seconds(self) -> float | None:
        """From the request (`Session.rerun`) to the end of the run."""
        return None if self.ended is None else self.ended - self.started

    def widget(self, key: str) -> str:
        """The id of the widget with this user key (Streamlit's ids end with ``-<key>``)."""
        found = [i for i in self.widget_ids if i.endswith(f"-{key}")]
        if len(found) != 1:
            raise SetupError(f"the page shows {len(found)} widgets with the key {key!r}, not one")
        return found[0]


class Session:
    """A browser's side of Streamlit's protocol. A request carries the address bar's query (which the page may
    change), the given widget states and the hashes of big messages already received; messages are read as
    they come, run by run, so `watch` (bytes → future) can time when some bytes first arrive."""

    def __init__(self, url: str, query: str) -> None:
        self.url, self.query = url, query
        self.watch: dict[bytes, asyncio.Future[float]] = {}
        self._cache: dict[str, bytes] = {}  # hash → a cacheable message, as the browser's ForwardMsgCache
        self._run = Script()  # the run whose messages are arriving
        self._runs: asyncio.Queue[Script] = asyncio.Queue()  # finished runs, in order
        self._closed = False
        self._running = False  # the server's last word: a run in progress
        self._status_at = self._asked_at = 0.0

    async def __aenter__(self) -> Session:
        ws_url = self.url.replace("http://", "ws://", 1) + "_stcore/stream"
        self._ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._reader.cancel()
        await self._ws.close()

    async def ask(self, widgets: dict[str, str | bool] | None = None, fragment_id: str = "", click: bool = False
                  ) -> float:
        """Send a rerun request (of the page, or of one fragment: as its timer does, or as a `click` on a widget
        inside it); returns when it was sent."""
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.context_info.url = f"{self.url}?{self.query}"
        rerun.context_info.timezone = "UTC"
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = bool(fragment_id) and not click
        rerun.cached_message_hashes.extend(self._cache)
        for widget_id, value in (widgets or {}).items():
            if isinstance(value, bool):  # a button: its trigger fires for this one run
                rerun.widget_states.widgets.add(id=widget_id, trigger_value=value)
            else:
                rerun.widget_states.widgets.add(id=widget_id, string_value=value)
        self._asked_at = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        return self._asked_at

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def idle(self) -> bool:
        """No run in progress, and none asked for since the server said so."""
        return not self._running and self._status_at > self._asked_at

    async def next_run(self, timeout: float | None = RERUN_TIMEOUT) -> Script:
        """The next run to finish; one with an error when none does within `timeout` or the connection ended."""
        if self._closed and self._runs.empty():
            return Script(errors=["connection closed by the server"])
        try:
            return await asyncio.wait_for(self._runs.get(), timeout)
        except TimeoutError:
            return Script(errors=[f"no finished run within {timeout:g} s"])

    def drop_finished(self) -> None:
        """Forget the runs that ended and were not taken (e.g. the late end of a run given up on)."""
        while not self._runs.empty():
            self._runs.get_nowait()

    async def rerun(self, widgets: dict[str, str | bool] | None = None, fragment_id: str = "",
                    timeout: float = RERUN_TIMEOUT, click: bool = False) -> Script:
        """Ask for a run and wait for it; its time counts from the request."""
        self.drop_finished()
        try:
            sent = await self.ask(widgets, fragment_id, click)
        except websockets.ConnectionClosed as exc:
            return Script(errors=[f"connection closed: {exc}"[:100]])
        self._run.started = sent
        return await self.next_run(timeout)

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                now = time.perf_counter()
                msg = ForwardMsg.FromString(raw)
                self._run.wire += len(raw)
                if msg.WhichOneof("type") == "ref_hash":
                    raw = self._cache.get(msg.ref_hash, b"")
                    if not raw:
                        self._run.errors.append("a reference to a message never received")
                        continue
                    msg = ForwardMsg.FromString(raw)
                elif msg.metadata.cacheable:
                    self._cache[msg.hash] = raw
                self._run.content += len(raw)
                for needle, seen in self.watch.items():
                    if not seen.done() and needle in raw:
                        seen.set_result(now)
                self._note(msg, now)
        except websockets.ConnectionClosed:
            pass
        self._closed = True
        self._run.errors.append("connection closed by the server")
        self._runs.put_nowait(self._run)

    def _note(self, msg: ForwardMsg, now: float) -> None:
        script, kind = self._run, msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            body = getattr(element, what)
            if what == "exception":
                script.errors.append(f"exception: {body.message[:80]}")
            elif what == "alert" and body.format == Alert.ERROR:
                script.errors.append(f"error: {body.body[:80]}")
            elif what == "alert" and body.format == Alert.WARNING:
                script.warnings.append(f"warning: {body.body[:80]}")
            elif what == "metric" and body.label == "Train loss":
                script.train_loss = body.body
            elif "id" in body.DESCRIPTOR.fields_by_name and body.id:
                script.widget_ids.append(body.id)
                if msg.delta.fragment_id:
                    script.fragments[body.id] = msg.delta.fragment_id
        elif kind == "session_status_changed":
            self._running, self._status_at = msg.session_status_changed.script_is_running, now
        elif kind == "auto_rerun":
            script.auto_reruns.append((msg.auto_rerun.interval, msg.auto_rerun.fragment_id))
        elif kind == "page_info_changed":  # the page wrote the address bar (e.g. its owner token)
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            script.interrupted = msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            if msg.script_finished not in GOOD_ENDS and not script.interrupted:
                script.errors.append(f"run ended: {ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)}")
            script.ended = now
            self._runs.put_nowait(script)
            self._run = Script(started=now)


async def open_pages(stack: AsyncExitStack, url: str, queries: list[str]) -> tuple[list[Session], list[Script]]:
    """Connect a session per query, then ask for every page at once; their first runs."""
    sessions = [await stack.enter_async_context(Session(url, q)) for q in queries]
    return sessions, list(await asyncio.gather(*(s.rerun(timeout=OPEN_TIMEOUT) for s in sessions)))


async def send_run(student: Session, page: Script, name: str, start: asyncio.Event | None = None) -> Script:
    """Type `name` into "Your name" and click "Send to class" in one rerun, as the browser sends a click."""
    widgets = {page.widget(NAME): name, page.widget(SEND): True}
    if start is not None:
        await start.wait()
    return await student.rerun(widgets)


@dataclass
class Watched:
    """A run sent under a fresh name, and when each view first received a message carrying the name."""

    name: bytes
    views: list[Session]
    sent: float
    seen: list[asyncio.Future[float]]
    send: Script

    def stop(self) -> None:
        """Stop watching: a view that has not had the name by now never will, here."""
        for view, future in zip(self.views, self.seen):
            view.watch.pop(self.name, None)
            future.cancel()

    def latencies(self) -> list[float | None]:
        """s from the send until each view had the name (None: not within SEEN_TIMEOUT)."""
        times = [f.result() - self.sent if f.done() and not f.cancelled() else None for f in self.seen]
        return [x if x is not None and x <= SEEN_TIMEOUT else None for x in times]


async def send_and_watch(student: Session, page: Script, views: list[Session], name: str) -> Watched:
    """Send the student's run under `name`; `seen` gets, for each view, when a message carrying the name
    (the leaderboard's Arrow bytes hold it as UTF-8) first reached it."""
    seen = [asyncio.get_running_loop().create_future() for _ in views]
    for view, future in zip(views, seen):
        view.watch[name.encode()] = future
    sent = time.perf_counter()
    return Watched(name.encode(), views, sent, seen, await send_run(student, page, name))


@dataclass
class Refreshes:
    """What board views' timers asked for and what came back while they ran."""

    ticks: int = 0
    runs: list[Script] = field(default_factory=list)  # runs of the fragment that ended
    waits: list[float] = field(default_factory=list)  # request → end of its run, for requests to an idle session
    refreshed: set[int] = field(default_factory=set)  # the views (ids) that got a run


async def refresh(view: Session, timer: tuple[float, str], first: float, out: Refreshes) -> None:
    """The browser's timer for one fragment of the page (``timer``: its interval and id), until cancelled: a rerun
    request every interval from `first`, sent whether or not the last run has finished. (Streamlit queues a
    request that comes during a run, merged with any other waiting, and ends the run early,
    FINISHED_EARLY_FOR_RERUN, to run it.)"""
    interval, fragment = timer
    timing: float | None = None  # a request that found the session idle: its run is the next to end

    async def collect() -> None:
        nonlocal timing
        while not view.closed:
            run = await view.next_run(timeout=None)
            out.runs.append(run)
            if run.ended is not None:
                out.refreshed.add(id(view))
            if timing is not None and run.ended is not None:
                out.waits.append(run.ended - timing)
                timing = None

    view.drop_finished()  # runs asked for before this timer
    collector = asyncio.create_task(collect())
    try:
        tick = first
        while not view.closed:
            await asyncio.sleep(max(0.0, tick - time.perf_counter()))
            idle = view.idle
            sent = await view.ask(fragment_id=fragment)
            if idle:
                timing = sent
            out.ticks += 1
            tick += interval
    except websockets.ConnectionClosed:
        pass
    finally:
        collector.cancel()


@asynccontextmanager
async def refreshing(pages: list[tuple[Session, Script]], firsts: list[float], which: int = -1
                     ) -> AsyncIterator[Refreshes]:
    """Every view's timer for the `which`-th fragment that refreshes itself (default: the last) runs, from its
    first tick, inside the block; afterwards, no request is sent."""
    out = Refreshes()
    timers = [asyncio.create_task(refresh(view, page.auto_reruns[which], first, out))
              for (view, page), first in zip(pages, firsts)]
    try:
        yield out
    finally:
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)


async def until_idle(views: list[Session], timeout: float = RERUN_TIMEOUT) -> int:
    """Wait (bounded) until no view has a run in progress, so what was asked for before is done; returns how
    many views still have one."""
    deadline = time.perf_counter() + timeout
    while (busy := sum(not (v.idle or v.closed) for v in views)) and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    return busy


# ----- what the server and the database spent ----------------------------------------------------------------------
def server_use(pid: int) -> tuple[float, int]:
    """The server's process tree: CPU seconds (user + system) so far, children that ended included; and its
    resident memory now, in bytes."""
    root, cpu, rss = psutil.Process(pid), 0.0, 0
    for p in [root, *root.children(recursive=True)]:
        try:
            t, rss = p.cpu_times(), rss + p.memory_info().rss
        except psutil.Error:
            continue
        cpu += t.user + t.system + t.children_user + t.children_system
    return cpu, rss


class PgStats:
    """Cumulative counters of the store's Postgres schema: queries (scans) of its tables, the rows and blocks
    they read, and the database's transactions. Read on a connection of its own, which touches no table of the
    store; its transaction is counted among the database's (two in a before/after pair)."""

    def __init__(self, url: str) -> None:
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)

    def read(self) -> dict[str, int]:
        with psycopg.connect(self.conninfo) as conn:
            counts = dict(conn.execute(
                "SELECT 'queries on ' || t.relname, coalesce(t.seq_scan, 0) + coalesce(t.idx_scan, 0) "
                "FROM pg_stat_user_tables t WHERE t.schemaname = current_schema()").fetchall())
            counts["rows read"], counts["blocks read (cache hits included)"] = conn.execute(
                "SELECT sum(coalesce(t.seq_tup_read, 0) + coalesce(t.idx_tup_fetch, 0)), "
                "sum(coalesce(io.heap_blks_hit, 0) + coalesce(io.heap_blks_read, 0) + coalesce(io.idx_blks_hit, 0) "
                "+ coalesce(io.idx_blks_read, 0)) FROM pg_stat_user_tables t JOIN pg_statio_user_tables io "
                "USING (relid) WHERE t.schemaname = current_schema()").fetchone()
            counts["transactions"] = conn.execute(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0]
        return {k: int(v) for k, v in counts.items()}


def board_errors(scripts: list[Script]) -> list[str]:
    """A board view's errors: a warning there (the board cannot be read, no such class) is one too."""
    return [e for x in scripts for e in (*x.errors, *x.warnings)]


# ----- the three parts ---------------------------------------------------------------------------------------------
def student_query(code: str, k: int) -> str:
    """Student k's link: xor, 300 epochs, one of 5 learning rates × 4 widths, so the board has differences."""
    lr = (0.1, 0.2, 0.3, 0.5, 1.0)[k % 5]
    hidden = ("9,4", "8,8", "16,8", "4,4")[k // 5 % 4]
    return f"room={code}&dataset=xor&epochs=300&lr={lr}&hidden={hidden}"


@dataclass
class Sends:
    code: str  # the room's
    links: int  # different links among the students'
    opened: list[Script]
    sent: list[Script]
    kept: int  # pages whose "Train loss" is the same after the send
    last: float  # s from the send to the last finished page
    alone: Script  # one student sending alone onto a copy of the board (another room)
    names: list[str]  # on the room's board, as the store holds them


async def send_at_once(url: str, store: Store, n: int) -> Sends:
    """N students send at one moment; then, for reference, one student alone sends onto a copy of that board
    (in another room), so that both draw a board of about N runs after the send."""
    room = store.new_room(rooms.key_hash(rooms.new_key()))
    async with AsyncExitStack() as stack:
        queries = [student_query(room.code, k) for k in range(n)]
        students, opened = await open_pages(stack, url, queries)
        start = asyncio.Event()
        ready = [(k, s, p) for k, (s, p) in enumerate(zip(students, opened)) if not p.errors]
        tasks = [asyncio.create_task(send_run(s, p, f"Student {k + 1}", start)) for k, s, p in ready]
        await asyncio.sleep(0.1)  # every task waits on the event
        t0 = time.perf_counter()
        start.set()
        sent = list(await asyncio.gather(*tasks))
    entries = store.entries(room.board)
    other = store.new_room(rooms.key_hash(rooms.new_key()))
    for e in entries:  # a copy onto its board (not sends: the room's send bounds are not what is timed)
        store.add(other.board, e.name, e.record, e.owner)
    async with AsyncExitStack() as stack:
        (student,), (page,) = await open_pages(stack, url, [student_query(other.code, 0)])
        alone = await send_run(student, page, "Alone")
    kept = sum(x.train_loss == p.train_loss != "" for x, (_, _, p) in zip(sent, ready))
    last = max((s.ended for s in sent if s.ended is not None), default=t0) - t0
    return Sends(room.code, len(set(queries)), opened, sent, kept, last, alone, [e.name for e in entries])


@dataclass
class AtOnce:
    """A lesson's moment: N students doing one thing at once, and when the projector showed all of it."""

    what: str
    n: int
    clicks: list[Script]  # each student's run of the click
    arrived: int  # in the store afterwards
    twice: int  # more in the store than students, or a student counted twice
    last: float  # s from the moment to the last student's page done
    shown: float | None  # s from the moment until the projector had `needle` (None: not within SEEN_TIMEOUT)
    leaked: bool  # a message to the projector carried what it must not show (a name during a hidden round)
    projector: list[Script]  # the projector's refreshes meanwhile


@dataclass
class Moment:
    clicks: list[Script]
    last: float
    shown: float | None
    leaked: bool
    projector: list[Script]


async def at_once(url: str, code: str, n: int, what: str, click, needle: str, hidden: str | None = None) -> Moment:
    """N student pages open; a projector refreshes as a browser does; all N `click(session, page, k)` at one moment.
    Then: their runs, the time to the last, the time until the projector had `needle`, whether it ever had
    `hidden`, and its runs."""
    async with AsyncExitStack() as stack:
        students, opened = await open_pages(stack, url, [student_query(code, k) for k in range(n)])
        (projector,), (board,) = await open_pages(stack, url, [f"room={code}&view=board"])
        if board.auto_rerun is None:
            raise SetupError("the projector was not told to refresh (no auto_rerun message)")
        seen, leak = (asyncio.get_running_loop().create_future() for _ in range(2))
        projector.watch[needle.encode()] = seen
        if hidden:
            projector.watch[hidden.encode()] = leak
        start = asyncio.Event()
        ready = [(k, s, p) for k, (s, p) in enumerate(zip(students, opened)) if not p.errors]

        async def one(k: int, student: Session, page: Script) -> Script:
            await start.wait()
            return await click(student, page, k)

        tasks = [asyncio.create_task(one(k, s, p)) for k, s, p in ready]
        async with refreshing([(projector, board)], [time.perf_counter() + board.auto_rerun[0]]) as out:
            await asyncio.sleep(0.1)  # every task waits on the event
            t0 = time.perf_counter()
            start.set()
            clicks = list(await asyncio.gather(*tasks))
            await asyncio.wait([seen], timeout=SEEN_TIMEOUT)
        shown = seen.result() - t0 if seen.done() and seen.result() - t0 <= SEEN_TIMEOUT else None
        last = max((c.ended for c in clicks if c.ended is not None), default=t0) - t0
        errors = [e for p in opened for e in p.errors]
        if errors:
            clicks.append(Script(errors=errors))
    print(f"{what} at once: done", flush=True)
    return Moment(clicks, last, shown, leak.done(), out.runs)


async def vote_at_once(url: str, store: Store, n: int) -> AtOnce:
    """An open question; N students choose an option and press Vote at one moment (the banner's fragment rerun a
    click sends); the store must hold N ballots, one a student, and the projector show "N votes"."""
    lessons = Lessons(store)
    room = store.new_room(rooms.key_hash(rooms.new_key()))
    options = ("converge faster", "oscillate", "never learn")
    vote = lessons.ask(room.code, "What will lr 0.9 do on XOR?", options)

    async def cast(student: Session, page: Script, k: int) -> Script:
        radio, button = page.widget(ballot_key(vote.id)), page.widget(CAST)
        return await student.rerun({radio: options[k % len(options)], button: True},
                                   fragment_id=page.fragments.get(button, ""), click=True)

    moment = await at_once(url, room.code, n, "votes", cast, f"{n} votes")
    counted = lessons.view(room.code).vote
    return AtOnce("votes", n, moment.clicks, len(counted.ballots), max(0, counted.total - n), moment.last,
                  moment.shown, moment.leaked, moment.projector)


async def round_at_once(url: str, store: Store, n: int) -> AtOnce:
    """A round running; N students send at one moment; the board must hold N entries of round 1, one a student,
    and the projector show the round's count (and no names)."""
    room = store.new_room(rooms.key_hash(rooms.new_key()))
    Lessons(store).start_round(room.code, 600)
    async def send(student: Session, page: Script, k: int) -> Script:
        return await send_run(student, page, f"Student {k + 1}")

    moment = await at_once(url, room.code, n, "round", send, f"Round 1: {n} runs from {n} students so far",
                           hidden="Student ")
    entries = store.entries(room.board)
    owners = [e.owner for e in entries if e.round == 1]
    twice = len(owners) - len(set(owners)) + len(entries) - len(owners)
    return AtOnce("round", n, moment.clicks, len(set(owners)), twice, moment.last, moment.shown, moment.leaked,
                  moment.projector)


@dataclass
class Notices:
    """A task set while N student pages are open: when each page showed it."""

    n: int
    interval: float
    latencies: list[float | None]  # s from the moment the task was set (None: not within SEEN_TIMEOUT)
    errors: list[str]


async def task_reaches_pages(url: str, store: Store, n: int) -> Notices:
    """N student pages open, each page's banner refreshing as its browser's timer asks (from when the page
    arrived: at phases spread over the interval, as a class opens its pages over a while). The teacher then sets
    a task, in the store, as a teacher's page on another server does (this server's room cache may add up to its
    lifetime, TTL); the time until each page has "New task" (promised: within NOTICE_WITHIN). Only the banner
    refreshes here (a browser also refreshes the board on the page's Class tab)."""
    room = store.new_room(rooms.key_hash(rooms.new_key()))
    async with AsyncExitStack() as stack:
        students, opened = await open_pages(stack, url, [student_query(room.code, k) for k in range(n)])
        if any(p.auto_rerun is None for p in opened):
            raise SetupError("a student page was not told to refresh its banner (no auto_rerun message)")
        interval = opened[0].auto_rerun[0]
        now = time.perf_counter()
        firsts = [now + interval * (k + 1) / n for k in range(n)]
        seen = [asyncio.get_running_loop().create_future() for _ in students]
        for student, future in zip(students, seen):
            student.watch[b"New task"] = future
        async with refreshing(list(zip(students, opened)), firsts, which=0) as out:  # the banner's timer
            await asyncio.sleep(firsts[-1] + interval / 2 - time.perf_counter())  # every timer ticking
            t0 = time.perf_counter()
            await asyncio.to_thread(store.update_room, room.code, task="dataset=xor&epochs=300&lr=0.3",
                                    challenge="Reach 100% with the fewest epochs")
            await asyncio.wait(seen, timeout=SEEN_TIMEOUT)
        latencies = [f.result() - t0 if f.done() and f.result() - t0 <= SEEN_TIMEOUT else None for f in seen]
        errors = [e for p in opened for e in p.errors] + [e for r in out.runs for e in r.errors]
    print("a task: done", flush=True)
    return Notices(n, interval, latencies, errors)


@dataclass
class Views:
    opened: list[Script]
    alone: list[Script]  # one view's refreshes, alone, one after another
    interval: float
    loaded: list[Watched]  # runs sent while the views refreshed
    loaded_errors: list[str]  # those sends', the views' meanwhile, runs not shown, views not refreshed later
    behind: int  # views still running what was asked for then, RERUN_TIMEOUT later
    window: Refreshes  # the measured window: the views refreshing, nothing else
    wall: float
    cpu: float  # the server's CPU seconds over `wall`
    rss: tuple[int, int]  # the server's memory before and after, bytes
    db: dict[str, int] | None  # counter changes over `wall` (Postgres)


async def project(url: str, code: str, n: int, seconds: float, spread: bool, pid: int, pg: PgStats | None) -> Views:
    """N board views refresh as browsers do: first while a student sends a few runs (how long until each
    view shows them), then for `seconds` alone, measured."""
    async with AsyncExitStack() as stack:
        views, opened = await open_pages(stack, url, [f"room={code}&view=board"] * n)
        for page in opened:
            if page.auto_rerun is None and not page.errors:
                page.errors.append("no auto_rerun: this board would never refresh")
        live = [(v, p) for v, p in zip(views, opened) if p.auto_rerun]
        if not live:
            raise SetupError("no board view was told to refresh (no auto_rerun message)")
        (student,), (desk,) = await open_pages(stack, url, [student_query(code, 0)])
        view, page = live[0]
        alone = [await view.rerun(fragment_id=page.auto_rerun[1]) for _ in range(5)]
        interval = page.auto_rerun[0]
        arrived = min(p.ended for _, p in live)

        def phases() -> list[float]:  # each browser's timer ticks an interval after its page arrived
            now = time.perf_counter()
            if spread:  # as if the pages had arrived at moments spread evenly over an interval
                return [now + interval * i / len(live) for i in range(len(live))]
            return [now + (p.ended - arrived) % interval for _, p in live]

        watching = [v for v, _ in live]
        async with refreshing(live, phases()) as busy:
            loaded = []
            for k in range(LOAD_SENDS):
                await asyncio.sleep(interval * (2 + (k + 0.5) / LOAD_SENDS))  # at different phases of the timers
                loaded.append(await send_and_watch(student, desk, watching, f"Busy {k + 1} {secrets.token_hex(4)}"))
            await asyncio.wait([f for w in loaded for f in w.seen], timeout=SEEN_TIMEOUT)
            for w in loaded:
                w.stop()
        behind = await until_idle(watching)
        if pg:
            await asyncio.sleep(STATS_SETTLE)
            before = pg.read()
        (cpu0, rss0), t0 = server_use(pid), time.perf_counter()
        async with refreshing(live, phases()) as window:
            await asyncio.sleep(seconds)
            (cpu, rss), wall = server_use(pid), time.perf_counter() - t0
    db = None
    if pg:  # the sessions are closed: the server stopped their runs
        await asyncio.sleep(STATS_SETTLE)
        after = pg.read()
        db = {k: after[k] - before.get(k, 0) for k in after}
    unseen = sum(x is None for w in loaded for x in w.latencies())
    errors = desk.errors + [e for w in loaded for e in w.send.errors] + board_errors(busy.runs) + [
        f"a run not on a board within {SEEN_TIMEOUT:g} s"] * unseen + [
        f"a board not refreshed in {seconds:g} s"] * (len(live) - len(window.refreshed))
    return Views(opened, alone, interval, loaded, errors, behind, window, wall, cpu - cpu0, (rss0, rss), db)


@dataclass
class Probes:
    latency: dict[str, list[float]]  # projector → s from a send until it shows the name
    errors: list[str]
    interval: float


async def time_to_board(projectors: dict[str, str], code: str) -> Probes:
    """A student on the first server sends PROBES runs; each projector (one per server) refreshes as a browser
    does, their timers at different phases; the sends at phases of the first one's spread evenly over an
    interval (so over the others' too), each after the last was seen."""
    latency: dict[str, list[float]] = {label: [] for label in projectors}
    errors: list[str] = []
    async with AsyncExitStack() as stack:
        (student,), (desk,) = await open_pages(stack, list(projectors.values())[0], [student_query(code, 0)])
        views = [await stack.enter_async_context(Session(u, f"room={code}&view=board")) for u in projectors.values()]
        boards = await asyncio.gather(*(v.rerun(timeout=OPEN_TIMEOUT) for v in views))
        if any(b.auto_rerun is None for b in boards):
            raise SetupError("a projector was not told to refresh (no auto_rerun message)")
        interval = boards[0].auto_rerun[0]
        firsts = [time.perf_counter() + interval * (i + 1) / len(views) for i in range(len(views))]
        async with refreshing(list(zip(views, boards)), firsts) as out:
            for k in range(PROBES):
                await asyncio.sleep((firsts[0] + interval * (k + 0.5) / PROBES - time.perf_counter()) % interval)
                watched = await send_and_watch(student, desk, views, f"Probe {k + 1} {secrets.token_hex(4)}")
                errors += watched.send.errors
                await asyncio.wait(watched.seen, timeout=SEEN_TIMEOUT)
                watched.stop()
                for label, latency_s in zip(projectors, watched.latencies()):
                    if latency_s is None:
                        errors.append(f"a probe not on the {label}'s board within {SEEN_TIMEOUT:g} s")
                    else:
                        latency[label].append(latency_s)
    return Probes(latency, errors + desk.errors + board_errors([*boards, *out.runs]), interval)


# ----- the store, the report ---------------------------------------------------------------------------------------
@contextmanager
def database(kind: str) -> Iterator[tuple[str, str]]:
    """A fresh store's URL and where it is: a new Postgres schema, or a SQLite file in a temporary folder."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="playground-class-") as folder:
            yield f"sqlite:///{folder}/class.db", "a SQLite file"
        return
    where = "$PLAYGROUND_TEST_PG" if os.environ.get("PLAYGROUND_TEST_PG", "").strip() else "a throwaway cluster"
    with ExitStack() as stack:
        try:
            base = stack.enter_context(pgcluster.postgres())
        except (pytest.skip.Exception, pytest.fail.Exception) as exc:
            raise SetupError(str(exc)) from None
        yield stack.enter_context(pgcluster.fresh_schema(base)), f"a fresh schema of Postgres ({where})"


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def s(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def spread(xs: list[float]) -> str:
    return f"median {s(median(xs))}, max {s(max(xs) if xs else None)}"


def report(args: argparse.Namespace, sends: Sends, views: Views, probes: Probes, lesson: list[AtOnce],
           task: Notices, own: tuple[float, float]) -> int:
    """Print every figure with what it is measured against, then the promises; 1 if one is missed."""
    n, v = args.students, args.views
    alone = median([a.seconds for a in views.alone if a.seconds is not None])
    rows = [
        (f"{n} student pages opened at once", spread([p.seconds for p in sends.opened if p.seconds is not None]),
         f"{sends.links} different links, each trained once (300 epochs)"),
        (f"{n} sends at once: send → last page finished", s(sends.last),
         f"one student alone (same board): {s(sends.alone.seconds)}"),
        ("  each send's page", spread([x.seconds for x in sends.sent if x.seconds is not None]), ""),
        (f"{v} board views opened at once", spread([p.seconds for p in views.opened if p.seconds is not None]), ""),
    ]
    shown = [x for w in views.loaded for x in w.latencies()]
    late = sum(x is None for x in shown)
    rows.append(("  a run sent meanwhile → on each view", spread([x for x in shown if x is not None])
                 + (f"; {late} of {len(shown)} not in {SEEN_TIMEOUT:g} s" if late else f" ({len(shown)})"),
                 f"≤ the interval, {views.interval:g} s, + one refresh ({s(alone)} alone)"))
    if views.behind:
        rows.append((f"  views still busy {RERUN_TIMEOUT:g} s after that", str(views.behind), "0"))
    r = views.window
    early = sum(x.interrupted for x in r.runs)
    wire, content, runs = sum(x.wire for x in r.runs), sum(x.content for x in r.runs), max(len(r.runs), 1)
    rows += [
        (f"  refreshes asked for in {views.wall:.0f} s", str(r.ticks),
         f"{v} views every {views.interval:g} s: {v * views.wall / views.interval:.0f}"),
        ("  runs of the board", f"{len(r.runs)}, {early} of them ended early for a newer request",
         "one a request, none ended early, when the server keeps up"),
        ("  request to an idle view → end of run", f"{spread(r.waits)} ({len(r.waits)} requests)",
         f"one view alone: {s(alone)}"),
        ("  server CPU", f"{views.cpu / views.wall:.2f} cores", f"{os.cpu_count()} cores on the machine"),
        ("  server memory, window start → end", " → ".join(f"{b / 2**20:.0f} MB" for b in views.rss), ""),
        ("  sent to the views", f"{wire / runs / 1e3:.0f} kB a run, {wire / views.wall / 1e6:.2f} MB/s",
         f"{content / runs / 1e3:.0f} kB a run without the browser cache's references"),
    ]
    if views.db is None:
        rows.append(("  database reads", "— (needs --store postgres)", "SQLite keeps no counters across processes"))
    else:
        rate = {k: c / views.wall for k, c in views.db.items()}
        tables = {k.removeprefix("queries on "): c for k, c in rate.items() if k.startswith("queries on ") and c}
        queries = sum(tables.values())
        rows += [
            ("  database queries (the store's tables)", f"{queries:.2f} /s",
             f"server.boards: ≤ 1 board and ≤ 1 room read a second per process ({TTL:g} s cache)"),
            ("    by table", ", ".join(f"{k} {c:.2f}" for k, c in tables.items()) or "none", ""),
            ("    rows they read", f"{rate['rows read']:.1f} /s", ""),
            ("    blocks they read (cache hits included)", f"{rate['blocks read (cache hits included)']:.1f} /s", ""),
            ("  database transactions", f"{rate['transactions']:.2f} /s",
             f"{rate['transactions'] / max(queries, 1e-9):.1f} a query (this script's 2 included)"),
        ]
    for label, xs in probes.latency.items():
        cache = f" + the board cache's {TTL:g} s" if label != "same server" else ""
        rows.append((f"send → on a projector ({label})", f"{spread(xs)} ({len(xs)} sends)",
                     f"≤ the interval, {probes.interval:g} s{cache}"))
    for moment in lesson:
        rows += [
            (f"{moment.n} {'vote' if moment.what == 'votes' else 'send in a round'} at once: → last page finished",
             s(moment.last), "the pages' banner (a vote) or whole page (a send) rerun"),
            ("  → on the projector" + (" (its count, no names)" if moment.what == "round" else ""),
             s(moment.shown), f"≤ {SHOWN_WITHIN:g} s"),
        ]
    late = sum(x is None for x in task.latencies)
    rows.append((f"a task set → on each of {task.n} open student pages",
                 spread([x for x in task.latencies if x is not None])
                 + (f"; {late} not in {SEEN_TIMEOUT:g} s" if late else ""),
                 f"≤ {NOTICE_WITHIN:g} s (the banner's interval, {task.interval:g} s, + the room cache's {TTL:g} s "
                 "+ a run)"))
    rows.append(("this script's own CPU", f"{own[0]:.1f} s", f"in {own[1]:.0f} s of wall time"))
    width = [max(len(row[i]) for row in rows) for i in range(2)]
    print(f"\n{'figure':{width[0]}}  {'measured':{width[1]}}  against")
    print("-" * (width[0] + width[1] + 40))
    for figure, value, against in rows:
        print(f"{figure:{width[0]}}  {value:{width[1]}}  {against}")

    expected = {f"Student {k + 1}" for k in range(n)}
    arrived = expected & set(sends.names)
    twice = len(sends.names) - len(set(sends.names)) + len(set(sends.names) - expected)
    student_pages = (*sends.opened, sends.alone, *sends.sent)
    errors = {
        "sending at once": [e for x in student_pages for e in x.errors],
        "board views": board_errors([*views.opened, *views.alone, *views.window.runs]) + views.loaded_errors,
        "time to the board": probes.errors,
        **{f"{m.what} at once": [e for x in m.clicks for e in x.errors] + board_errors(m.projector) for m in lesson},
        "a task": task.errors,
    }
    every = [e for part in errors.values() for e in part]
    verdicts = [
        (len(arrived) == n == len(sends.names), f"{len(arrived)} of {n} runs arrived ({len(sends.names)} entries)"),
        (twice == 0, f"{twice} entries twice or unexpected"),
        (not every, f"{len(every)} errors (" + ", ".join(f"{part}: {len(e)}" for part, e in errors.items()) + ")"),
        (sends.kept == n, f"{sends.kept} of {n} pages kept their run on screen through the send"),
    ]
    for m in lesson:
        kind = "ballots" if m.what == "votes" else "runs of round 1"
        verdicts += [
            (m.arrived == m.n and not m.twice, f"{m.what} at once: {m.arrived} of {m.n} {kind} arrived, {m.twice} twice"),
            (m.shown is not None and m.shown <= SHOWN_WITHIN,
             f"{m.what} at once: on the projector in {s(m.shown)} (≤ {SHOWN_WITHIN:g} s)"),
        ]
        if m.what == "round":
            verdicts.append((not m.leaked, "round at once: no name reached the projector before the reveal"))
    slowest = max((x for x in task.latencies if x is not None), default=None)
    verdicts.append((None not in task.latencies and slowest is not None and slowest <= NOTICE_WITHIN,
                     f"a task: on all {task.n} open pages within {s(slowest)} (≤ {NOTICE_WITHIN:g} s)"))
    print()
    for good, text in verdicts:
        print(f"{'PASS' if good else 'MISS'} {text}")
    for e in sorted(set(every))[:5]:
        print(f"    error: {e} (×{every.count(e)})")
    for w in sorted({w for x in student_pages for w in x.warnings})[:3]:
        print(f"    (not an error: a student's page advises on its run: {w})")
    return 0 if all(good for good, _ in verdicts) else 1


async def benchmark(args: argparse.Namespace, stack: ExitStack, store: Store, db_url: str, pg: PgStats | None,
                    pid: int, url: str) -> tuple[Sends, Views, Probes, list[AtOnce], Notices]:
    sends = await send_at_once(url, store, args.students)
    print(f"sent: {len(sends.names)} entries on the board", flush=True)
    lesson = [await vote_at_once(url, store, args.students), await round_at_once(url, store, args.students)]
    task = await task_reaches_pages(url, store, args.students)
    views = await project(url, sends.code, args.views, args.seconds, args.spread, pid, pg)  # the N runs' board
    print(f"views: {views.window.ticks} refreshes asked for", flush=True)
    log2 = ROOT / "artifacts" / "class" / "server2.log"
    proc2, url2 = await asyncio.to_thread(start_app, ROOT, log2, {"PLAYGROUND_DB": db_url})
    stack.callback(stop, proc2)
    probes = await time_to_board({"same server": url, "second server": url2}, sends.code)
    return sends, views, probes, lesson, task


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=40, help="students sending at once (default 40)")
    ap.add_argument("--views", type=int, default=40, help="board views refreshing at once (default 40)")
    ap.add_argument("--seconds", type=float, default=60, help="how long the views refresh (default 60)")
    ap.add_argument("--spread", action="store_true", help="the views' timers spread evenly over the interval (as "
                    "pages opened at different moments), not from when their pages arrived (all at once)")
    ap.add_argument("--store", choices=("postgres", "sqlite"),
                    help="default: postgres when $PLAYGROUND_TEST_PG or Debian's binaries are there, else sqlite")
    args = ap.parse_args()
    most = rooms.ROOM_SEND_LIMIT - LOAD_SENDS - PROBES  # every send of the run lands in one room's send window
    if not (1 <= args.students <= most and args.views >= 1 and args.seconds > 0):
        ap.error(f"--students takes 1 to {most}, --views at least 1, --seconds more than 0")
    kind = args.store or ("postgres" if os.environ.get("PLAYGROUND_TEST_PG", "").strip() or pgcluster.binaries()
                          else "sqlite")
    own, began = psutil.Process(), time.perf_counter()
    cpu0 = sum(own.cpu_times()[:2])
    log = ROOT / "artifacts" / "class" / "server.log"
    with ExitStack() as stack:
        try:
            db_url, where = stack.enter_context(database(kind))
            store = stack.enter_context(Store.open(db_url))
            proc, url = start_app(ROOT, log, env={"PLAYGROUND_DB": db_url})
            stack.callback(stop, proc)
            print(f"store={kind} ({where}) cores={os.cpu_count()} load={os.getloadavg()[0]:.1f} server={url} "
                  f"log={log.relative_to(ROOT)}", flush=True)
            pg = PgStats(db_url) if kind == "postgres" else None
            figures = asyncio.run(benchmark(args, stack, store, db_url, pg, proc.pid, url))
        except (SetupError, StoreError, RuntimeError, OSError, psycopg.Error, SQLAlchemyError) as exc:
            print(f"SETUP FAILED: {' '.join(str(exc).split())[:300]}")
            return 2
    return report(args, *figures, own=(sum(own.cpu_times()[:2]) - cpu0, time.perf_counter() - began))


if __name__ == "__main__":
    sys.exit(main())
