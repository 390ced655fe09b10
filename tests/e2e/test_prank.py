"""A prankster against the real page server, through Streamlit's own websocket protocol (tests/e2e/wsvisit.py):
forty heavy links opened and closed at once are let go within 2 s and leave the workers idle for the next
student; workers stopped with SIGSTOP mid-run are replaced, the run ends within 60 s, the next visitor is
served. (How long the student waits against a lone visit is a figure: benchmarks/prank.py prints it.)

The module runs its own server: its service starts clean, and what the pranks do stays out of the other
browser tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Iterator

import psutil
import pytest
from conftest import Server, serving
from wsvisit import idle, run, visit, workers

pytestmark = pytest.mark.e2e

# the heaviest a link may ask in optimizer steps (2,000 epochs × 100 single-point batches): seconds of training
# each, which the service cannot batch; forty of them are minutes of work for two workers
HEAVY = "batch_size=1&epochs=2000&weight_seed={}"
PRANKS = 40
LET_GO_S = 2.0  # the bound: a closed tab's training is cancelled within this
ANSWER_S = 60.0  # the bound: a run whose workers hang finishes or says it failed within this
STUDENT = "dataset=xor&epochs=500&weight_seed={}"


@pytest.fixture(scope="module")
def server(artifacts) -> Iterator[Server]:  # noqa: ANN001
    with serving(artifacts / "server-prank.log") as running:
        first = run(visit(running.url, STUDENT.format(0)))  # the service and its workers are up
        assert not first.error, first
        yield running


def cpu_seconds(procs: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in procs)


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def prank(url: str, seeds: range) -> None:
    """Open a heavy link in each of many tabs at once, and close them all 0.3 s later."""
    await asyncio.gather(*(visit(url, HEAVY.format(seed), close_after=0.3) for seed in seeds))


def test_forty_heavy_links_opened_and_closed_leave_the_workers_idle_for_a_student(server):
    procs = workers(server.url)
    before = cpu_seconds(procs)
    run(prank(server.url, range(1000, 1000 + PRANKS)))
    closed = time.monotonic()
    assert cpu_seconds(procs) > before + 0.05  # the pranks' runs did reach the workers
    time.sleep(max(0.0, closed + LET_GO_S - time.monotonic()))
    # 2 s after the tabs closed no worker trains any more: every prank's job was cancelled (a queued one left
    # the queue, a running one stopped at its chunk's end); before, they trained on for minutes
    assert idle(procs), "the workers still train for pages that were closed"
    student = run(visit(server.url, STUDENT.format(1), timeout=ANSWER_S))
    assert not student.error, student
    assert not any(re.match(r"Queued: \d", text) for text in student.progress), student.progress  # none ahead
    assert student.metrics["Epoch"] == "500" and any(a.startswith("Trained 500 epochs") for a in student.alerts)


def test_workers_stopped_mid_run_are_replaced_and_the_next_visitor_is_served(server):
    procs = workers(server.url)
    stopped: list[int] = []

    def stop_the_workers(text: str) -> None:  # once the run trains, every worker is stopped where it stands
        if not stopped and re.search(r"epoch [1-9]", text):
            for p in procs:
                os.kill(p.pid, signal.SIGSTOP)
                stopped.append(p.pid)

    try:
        heavy = run(visit(server.url, "hidden=20,14&epochs=30000&activation=tanh", timeout=ANSWER_S,
                          on_progress=stop_the_workers))  # the deadline: an answer, or a timeout error
        assert stopped, heavy.progress
        assert not heavy.error, heavy
        final = heavy.progress[-1]
        failed = [a for a in heavy.alerts if a.startswith("Training failed")]
        assert final == "Done: epoch 30,000." or (
            failed and re.fullmatch(r"Training failed \(error [0-9a-f]{6}\); try again in a moment, or with fewer "
                                    r"epochs\.", failed[0])), (final, heavy.alerts)
        # the next visitor is served, even by the worker that was stopped while idle (it misses its deadline)
        student = run(visit(server.url, STUDENT.format(2), timeout=ANSWER_S))
        assert not student.error and student.metrics["Epoch"] == "500", student
        now = {p.pid for p in workers(server.url)}
        assert len(now) == len(procs) and not now >= set(stopped)  # the stopped worker that trained was replaced
        assert any(not alive(pid) for pid in stopped)  # killed: SIGKILL ends a stopped process
    finally:
        for pid in stopped:  # never leave a stopped process behind, whatever failed above
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
