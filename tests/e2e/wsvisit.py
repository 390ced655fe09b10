"""A visitor without a browser: Streamlit's own websocket protocol (what the browser sends, what the page sends
back), and the page server's worker processes as the operating system sees them. Shared by the prankster
tests (tests/e2e/test_prank.py) and benchmarks/prank.py; no pytest here.

A visit sends one BackMsg ``rerun_script`` with the link's query string, then reads ForwardMsgs until
``script_finished`` — or closes the websocket after ``close_after`` seconds, as a closed tab does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psutil

T = TypeVar("T")


@dataclass
class Visit:
    """One session as the page answered it: seconds to the finished page, what it said, or why it failed."""

    seconds: float | None = None
    error: str = ""
    progress: list[str] = field(default_factory=list)  # the progress bar's texts, in order
    alerts: list[str] = field(default_factory=list)  # st.error / st.warning / st.info / st.success bodies
    metrics: dict[str, str] = field(default_factory=dict)  # label → value, the last drawn


async def visit(url: str, query: str, *, close_after: float | None = None, timeout: float = 120.0,
                on_progress: Callable[[str], object] | None = None, start: asyncio.Event | None = None) -> Visit:
    """Open the page at ``url`` with ``query`` and read it to the finished script (or close it after
    ``close_after`` s). ``on_progress(text)`` is called with each progress text as it arrives. With ``start``,
    the websocket connects first and the page is asked for once ``start`` is set (many visitors at once); the
    time counts from then."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = url.replace("http://", "ws://", 1) + "_stcore/stream"
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.context_info.url = f"{url}?{query}"
    msg.rerun_script.context_info.timezone = "UTC"
    result = Visit()
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=30) as ws:
            if start is not None:
                await start.wait()
            t0 = time.perf_counter()
            await ws.send(msg.SerializeToString())
            if close_after is not None:
                await asyncio.sleep(close_after)
                return result  # leaving the block closes the websocket: the tab is gone
            async with asyncio.timeout(timeout):
                while True:
                    reply = ForwardMsg()
                    reply.ParseFromString(await ws.recv())
                    kind = reply.WhichOneof("type")
                    if kind == "delta" and reply.delta.WhichOneof("type") == "new_element":
                        _read(reply.delta.new_element, result, on_progress)
                    elif kind == "script_finished":
                        if reply.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                            result.error = result.error or f"script ended: {reply.script_finished}"
                        result.seconds = time.perf_counter() - t0
                        return result
    except TimeoutError:
        result.error = f"starved: no finished page within {timeout:g} s"
    except Exception as exc:  # a refused or dropped connection is a result here, not a crash
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    return result


def _read(element, result: Visit, on_progress: Callable[[str], object] | None) -> None:  # noqa: ANN001
    kind = element.WhichOneof("type")
    if kind == "exception":
        result.error = f"exception: {element.exception.message[:120]}"
    elif kind == "progress":
        result.progress.append(element.progress.text)
        if on_progress is not None:
            on_progress(element.progress.text)
    elif kind == "alert":
        result.alerts.append(element.alert.body)
    elif kind == "metric":
        result.metrics[element.metric.label] = element.metric.body


# ----- the server's worker processes --------------------------------------------------------------------
def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a thread of its own: in a pytest session where Playwright's sync API already runs an
    event loop in this thread, asyncio.run here would refuse."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def workers(url: str) -> list[psutil.Process]:
    """The training worker processes of the page server listening at ``url`` (started by its service)."""
    port = str(urlsplit(url).port)
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if "streamlit" in " ".join(cmd) and port in cmd:
            return [c for c in proc.children(recursive=True) if "server.worker" in " ".join(_cmdline(c))]
    raise LookupError(f"no streamlit server on port {port}")


# A server whose workers a test may hold (`hung`) for up to HOLD_S: a chunk may take that long before its worker
# counts as hung (`server.service.default_min_deadline`; 10 s by default, which a loaded machine can exceed)
HOLD_S = 300
HOLDABLE = {"PLAYGROUND_HUNG_AFTER": str(HOLD_S)}


@contextmanager
def hung(procs: list[psutil.Process]) -> Iterator[None]:
    """The workers hang inside the block (SIGSTOP: to the service, a worker that does not answer) and go on after
    it, whatever happened inside; then every one of them must still be there. A run that cannot finish while a
    test does something in its middle, on any machine, as long as the block ends within a chunk's deadline (a
    server started with HOLDABLE: HOLD_S): past it the service kills the worker and retries its chunk."""
    began = time.monotonic()
    for proc in procs:
        proc.suspend()
    try:
        yield
    finally:
        for proc in procs:
            try:
                proc.resume()
            except psutil.NoSuchProcess:
                pass
    held = time.monotonic() - began
    assert all(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in procs), \
        f"the workers hung {held:.1f} s, past their chunk's deadline, and were replaced: the test is void"


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def idle(procs: list[psutil.Process], window: float = 1.0) -> bool:
    """No worker trained during ``window`` s: none was seen running or waiting to run, none used CPU time.
    (An idle worker sleeps in its pipe's read; a training one is running, or runnable on a busy machine.)"""

    def cpu() -> float:
        total = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def running() -> bool:
        for p in procs:
            try:
                if p.status() == psutil.STATUS_RUNNING:
                    return True
            except psutil.NoSuchProcess:
                pass
        return False

    before, end = cpu(), time.monotonic() + window
    while time.monotonic() < end:
        if running():
            return False
        time.sleep(0.02)
    return cpu() - before < 0.02
