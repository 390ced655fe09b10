"""What a prankster can make the service do, with real worker processes: a job no page follows any more is
cancelled at the end of the chunk it is in, trains no further, and frees its worker (how soon, in seconds, is a
figure: benchmarks/prank.py); a visitor over its cap and a full queue are refused before any work, with a notice
and no job created; a failure reaches the caller as a message with an id."""

from __future__ import annotations

import re
import threading
import time

import numpy as np
import pytest
from test_service import request, same

from lab.experiment import Experiment
from lab.run import new_run
from mlp.data import Dataset
from server.jobs import Busy
from server.service import Request, TrainingService

HEAVY = Experiment(batch_size=1, epochs=2000)  # 200,000 optimizer steps, the most a link may ask: seconds alone
WAIT = 60.0  # s a test waits for jobs to end: a deadline for the wait, never a measure of speed


def heavy(i: int, who: str | None) -> Request:
    """A heavy link of its own (a seed each: 40 of them are 40 jobs), asked for by ``who``."""
    run = new_run(HEAVY.with_(weight_seed=i))
    return Request(run.exp, run.train, run.test, run.exp.epochs, run.every, key=("link", i), who=who)


def warm(svc: TrainingService) -> TrainingService:
    """The service as a page finds it: its workers started and trained once."""
    reqs = [request(Experiment(dataset="xor", epochs=100, activation=a))[0] for a in ("tanh", "relu")]
    for job in [svc.submit(r) for r in reqs]:
        job.result(60)
    return svc


def ended(jobs) -> bool:  # noqa: ANN001
    """Every job ended (done, failed or cancelled) before `WAIT`; what it ended as, each test asserts."""
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if all(j.finished for j in jobs):
            return True
        time.sleep(0.02)
    return all(j.finished for j in jobs)


def test_forty_closed_visitors_let_go_of_their_jobs_and_a_student_is_served():
    gone: set[str] = set()
    svc = warm(TrainingService(2, present=lambda who: who not in gone))
    try:
        jobs = [svc.submit(heavy(i, f"prank-{i}")) for i in range(40)]
        time.sleep(0.3)  # the pranksters' pages watch for a moment (renewing) ...
        for i in range(40):
            svc.renew(f"prank-{i}")
        assert any(j.status == "running" for j in jobs) and svc.queued() == 40
        with svc._lock:  # the chunks in training now: a cancelled job ends with its chunk, no later
            until = {j.seq: j.until if j.status == "running" else j.epoch for j in jobs}
            gone.update(f"prank-{i}" for i in range(40))  # ... and their tabs close
        assert ended(jobs), [(j.status, j.epoch, until[j.seq]) for j in jobs]
        assert {j.status for j in jobs} == {"cancelled"} and svc.queued() == 0
        assert all(j.epoch <= until[j.seq] for j in jobs)
        assert svc.training() == 0  # the workers are free
        req, run = request(Experiment(dataset="xor", epochs=500))
        job = svc.submit(Request(req.exp, req.train, req.test, req.target, req.every, who="student"))
        assert job.ahead == 0
        same(job.result(60), run)
    finally:
        svc.close()


def test_a_page_that_stops_renewing_lets_go_and_one_that_renews_keeps_its_job():
    svc = TrainingService(1, lease=2.0)
    try:
        watched, left = (svc.submit(heavy(i, who)) for i, who in ((1, "watching"), (2, "gone quiet")))
        stop = threading.Event()

        def watch() -> None:  # what a live page does every 0.1 s
            while not stop.wait(0.1):
                watched.renew("watching")

        threading.Thread(target=watch, daemon=True).start()
        try:
            assert ended([left]) and left.status == "cancelled"
            time.sleep(1.0)
            assert watched.status in ("queued", "running") and watched.epoch > 0  # renewed: it trains on
        finally:
            stop.set()
        assert ended([watched]) and watched.status == "cancelled"
    finally:
        svc.close()


def test_a_shared_job_trains_on_while_anyone_follows_it():
    svc = TrainingService(1)
    try:
        first = svc.submit(heavy(3, "a"))
        assert svc.submit(heavy(3, "b")) is first and first.followers == {"a", "b"}
        first.leave("a")  # one of two pages stops: the link's job trains on for the other
        time.sleep(0.6)
        assert first.status in ("queued", "running")
        first.leave("b")  # nobody follows it: cancelled at its chunk's end
        assert ended([first]) and first.status == "cancelled"
        again = svc.submit(heavy(3, "c"))  # the link opened again: a new job, not the cancelled one
        assert again is not first and again.status in ("queued", "running")
        again.leave("c")
    finally:
        svc.close()


def test_a_queued_job_left_leaves_the_queue_at_once():
    svc = TrainingService(1)
    try:
        busy = svc.submit(heavy(4, None))  # takes the only worker
        waiting = svc.submit(heavy(5, "v"))
        assert waiting.status == "queued" and waiting.ahead == 1
        waiting.leave("v")
        assert ended([waiting]) and waiting.status == "cancelled" and waiting.epoch == 0
        assert svc.queued() == 1
        busy.cancel()
        assert ended([busy]) and busy.status == "cancelled"
    finally:
        svc.close()


def test_a_visitor_over_its_cap_is_refused_and_no_job_is_made():
    svc = TrainingService(1, per_visitor=3)
    try:
        mine = [svc.submit(heavy(i, "v")) for i in range(3)]
        before = (svc.queued(), svc.made)
        with pytest.raises(Busy, match=r"busy — 3 runs ahead; try again in a moment \(this page already has 3"):
            svc.submit(heavy(10, "v"))
        assert svc.queued() == before[0] and svc.made == before[1]  # nothing was created
        assert svc.submit(heavy(0, "v")) is mine[0]  # a job it follows already: no new one, not refused
        other = svc.submit(heavy(10, "w"))  # another visitor is not held back
        assert other.followers == {"w"}
        with pytest.raises(Busy):
            svc.submit(heavy(11, "v"))
        mine[0].leave("v")  # Stop: one fewer in progress ...
        assert ended([mine[0]]) and mine[0].status == "cancelled"
        svc.submit(heavy(11, "v")).leave("v")  # ... and one more may start
    finally:
        svc.close()


def test_a_full_queue_refuses_new_jobs_but_lets_pages_join_running_ones():
    svc = TrainingService(1, max_queue=5)
    try:
        jobs = [svc.submit(heavy(i, f"v{i}")) for i in range(5)]
        made = svc.made
        with pytest.raises(Busy, match="The server is busy — 5 runs ahead; try again in a moment.") as refused:
            svc.submit(heavy(20, "late"))
        assert refused.value.ahead == 5 and svc.queued() == 5 and svc.made == made
        assert svc.submit(heavy(2, "late")) is jobs[2]  # an open link's job: joining it costs nothing
        for i, job in enumerate(jobs):
            job.leave(f"v{i}")
        jobs[2].leave("late")
        assert ended(jobs) and {j.status for j in jobs} == {"cancelled"}
        svc.submit(heavy(20, "late")).leave("late")  # room again
    finally:
        svc.close()


def test_a_training_that_raises_reaches_the_caller_as_an_id_and_the_log_as_its_traceback(caplog):
    svc = TrainingService(1)
    try:
        run = new_run(Experiment(dataset="xor", epochs=50))
        bad = Dataset("bad", np.zeros((len(run.train), 3)), run.train.y)  # 3 features for a 2-input network
        job = svc.submit(Request(run.exp, bad, bad, 50, run.every))
        with pytest.raises(RuntimeError, match=r"^Training failed \(error [0-9a-f]{6}\); try again"):
            job.result(60)
        ref = re.search(r"error ([0-9a-f]{6})", job.error)[1]
        logged = "\n".join(r.getMessage() for r in caplog.records if ref in r.getMessage())
        assert "Traceback" in logged and "Error" in logged  # the worker's traceback, in the log only
        assert "Traceback" not in job.error and len(job.error) < 100
        req, lone = request(Experiment(dataset="xor", epochs=300))
        same(svc.submit(req).result(60), lone)  # the worker goes on serving
    finally:
        svc.close()
