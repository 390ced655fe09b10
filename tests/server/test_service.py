"""The training service: batched across requests, in real worker processes, with each request's numbers
bit for bit those of a lone run; deduplicated by key; a dead worker replaced and its chunk retried once;
nothing left running after close."""

from __future__ import annotations

import os
import re
import signal
import time

import numpy as np
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lab.curves import snapshot_every
from lab.experiment import Experiment
from lab.run import finish, new_run
from server.service import Request, TrainingService


def request(exp: Experiment, *, start_at: int = 0, target: int | None = None, key=None) -> tuple[Request, object]:
    """A request for ``exp`` (from epoch ``start_at`` of its own lone run), and that lone run trained to the target."""
    run = new_run(exp)
    if start_at:
        for _ in run.advance(start_at):
            pass
    start = run.state if start_at else None
    target = exp.epochs if target is None else target
    req = Request(exp, run.train, run.test, target, snapshot_every(exp.epochs), start=start, key=key)
    for _ in run.advance(target - run.epoch) if target > run.epoch and not run.diverged else ():
        pass
    return req, run


def same(job, run, start_at: int = 0) -> None:
    """The job's snapshots and final state are the lone run's, bit for bit (those after ``start_at``)."""
    want = [s for s in run.snapshots if s.epoch > start_at or (start_at == 0 and s.epoch == 0)]
    got = job.snapshots
    assert [s.epoch for s in got] == [s.epoch for s in want]
    for a, b in zip(got, want):
        assert (a.loss, a.accuracy, a.test_loss, a.test_accuracy, a.grad_norms) == (
            b.loss, b.accuracy, b.test_loss, b.test_accuracy, b.grad_norms), a.epoch
        assert a.status == ("running" if b.status == "done" and b.epoch < job.request.target else b.status)
        assert a.reason == b.reason
    np.testing.assert_array_equal(job.state.params, run.net.params)
    assert job.state.epoch == run.epoch


@pytest.fixture(scope="module")
def service():
    svc = TrainingService(2, chunk_seconds=0.03)  # short chunks: many joins and hand-overs in a small test
    yield svc
    svc.close()


FAILED = r"^Training failed \(error [0-9a-f]{6}\); try again"  # the page's words: a message with an id


experiments = st.builds(
    Experiment,
    dataset=st.sampled_from(["xor", "linear", "circle"]),
    n=st.sampled_from([30, 60]),
    test=st.sampled_from([0.0, 0.2]),
    hidden=st.sampled_from([(2, 1), (9, 4), (5,), (20, 14)]),
    activation=st.sampled_from(["sigmoid", "tanh", "relu"]),
    optimizer=st.sampled_from(["gd", "momentum", "adam"]),
    lr=st.sampled_from([0.01, 0.1, 0.3, 0.9, 3.0]),
    weight_seed=st.integers(0, 3),
    epochs=st.sampled_from([60, 150, 400]),
    batch_size=st.sampled_from([0, 0, 0, 16]),
    reduction=st.sampled_from(["sum", "mean"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(st.tuples(experiments, st.sampled_from([0, 0, 0, 20])), min_size=1, max_size=8))
def test_a_mix_of_requests_gives_each_the_numbers_of_its_lone_run(service, mix):
    made = [request(exp, start_at=min(start, exp.epochs - 1)) for exp, start in mix]
    jobs = [service.submit(req) for req, _ in made]
    for job, (req, run) in zip(jobs, made):
        job.result(120)
        assert job.status == "done"
        same(job, run, req.start.epoch if req.start else 0)


def test_compatible_requests_train_together_and_one_link_trains_once(service):
    before = (service.chunks, service.batched)
    exps = [Experiment(dataset="xor", epochs=2000, lr=lr, hidden=h, weight_seed=7) for lr in (0.1, 0.3) for h in
            ((9, 4), (2, 1))]
    made = [request(e, key=("once", e)) for e in exps]
    jobs = [service.submit(req) for req, _ in made]
    again = service.submit(made[0][0])
    assert again is jobs[0]  # the same link: the same job
    for job, (_, run) in zip(jobs, made):
        same(job.result(60), run)
    assert service.batched > before[1]  # some chunks trained several requests at once
    chunks = service.chunks
    assert service.submit(made[1][0]) is jobs[1] and service.chunks == chunks  # finished: kept, not retrained


def test_a_run_that_arrives_late_catches_up_and_then_trains_in_one_batch():
    svc = TrainingService(1, chunk_seconds=0.03)
    try:
        first, late = (request(Experiment(dataset="xor", epochs=30_000, lr=lr, weight_seed=3)) for lr in (0.3, 0.9))
        job = svc.submit(first[0])
        _wait(lambda: job.state is not None and job.state.epoch >= 3000)  # the first has trained a few chunks
        assert svc.batched == 0
        other = svc.submit(late[0])
        same(job.result(60), first[1])
        same(other.result(60), late[1])
        assert svc.batched > 0  # the late run caught up at the first's epoch; from there they were one batch
    finally:
        svc.close()


def test_a_batch_shared_between_the_workers_trains_in_step():
    """Sixteen runs of one family at once on two workers: two halves, chunks of one length, which meet again
    after every chunk, so every chunk holds eight. (Halves once planned different lengths and drifted apart:
    one then waited for the other, and chunks of 16 alternated with catch-up chunks.)"""
    svc = TrainingService(2, chunk_seconds=0.03, window=1.0)  # all sixteen are in before the first chunk
    try:
        made = [request(Experiment(epochs=3000, weight_seed=seed)) for seed in range(16)]
        jobs = [svc.submit(req) for req, _ in made]
        for job, (_, run) in zip(jobs, made):
            same(job.result(60), run)
        assert set(svc.sizes) == {8} and svc.chunks > 2
    finally:
        svc.close()


def test_a_live_run_can_be_cancelled_between_chunks(service):
    req, _ = request(Experiment(dataset="linear", epochs=100_000, hidden=(20, 14)), target=100)
    job = service.submit(Request(req.exp, req.train, req.test, 100_000, req.every))
    job.wait(30, seen=1)
    job.cancel()
    job.result(30)
    assert job.status == "cancelled" and 0 < job.state.epoch < 100_000
    assert job.snapshots[-1].epoch <= job.state.epoch


def test_queued_jobs_know_how_many_are_ahead():
    svc = TrainingService(1, chunk_seconds=0.05)
    try:
        exps = [Experiment(dataset="linear", epochs=3000, activation=a) for a in ("sigmoid", "tanh", "relu")]
        requests = [request(e, target=3000)[0] for e in exps]
        jobs = [svc.submit(r) for r in requests]  # three families: they cannot share a chunk
        assert [j.ahead for j in jobs] == [0, 1, 2]
        for j in jobs:
            j.result(60)
        assert all(j.status == "done" for j in jobs) and svc.queued() == 0
    finally:
        svc.close()


def test_a_dead_worker_is_replaced_and_its_chunk_retried_once_then_reported(caplog):
    svc = TrainingService(1, chunk_seconds=0.5)
    try:
        req, run = request(Experiment(dataset="linear", epochs=20_000, hidden=(20, 14), weight_seed=3))
        job = svc.submit(req)
        for _ in range(2):  # kill the worker while it trains this job: once is retried
            first = svc.worker_pids()[0]
            _wait(lambda: job.status == "running")
            time.sleep(0.1)
            os.kill(first, signal.SIGKILL)
            _wait(lambda killed=first: svc.worker_pids() and svc.worker_pids()[0] != killed)
            if job.status == "failed":
                break
        job_failed = job
        with pytest.raises(RuntimeError, match=FAILED):
            job_failed.result(60)
        # the page gets an id; the log has what happened under it, and the page never sees those words
        ref = re.search(r"error ([0-9a-f]{6})", job_failed.error)[1]
        logged = [r.getMessage() for r in caplog.records if ref in r.getMessage()]
        assert logged and "stopped or hung twice" in logged[0] and "stopped" not in job_failed.error
        # the replacement worker trains the next request to the right numbers
        req, run = request(Experiment(dataset="xor", epochs=500))
        same(svc.submit(req).result(60), run)
    finally:
        svc.close()


def test_one_death_is_retried_to_the_right_numbers():
    svc = TrainingService(1, chunk_seconds=0.3)
    try:
        req, run = request(Experiment(dataset="linear", epochs=8000, hidden=(20, 14), weight_seed=5))
        job = svc.submit(req)
        first = svc.worker_pids()[0]
        _wait(lambda: job.status == "running")
        os.kill(first, signal.SIGKILL)
        same(job.result(60), run)
        assert job.retries == 1
    finally:
        svc.close()


def test_close_leaves_no_worker_process():
    svc = TrainingService(2)
    pids = svc.worker_pids()
    req, run = request(Experiment(dataset="xor", epochs=300))
    same(svc.submit(req).result(60), run)
    svc.close()
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_without_workers_it_trains_in_a_thread_to_the_same_numbers():
    svc = TrainingService(0)
    try:
        assert svc.worker_pids() == []
        req, run = request(Experiment(dataset="xor", epochs=700, optimizer="adam", lr=0.05))
        same(svc.submit(req).result(60), run)
    finally:
        svc.close()


def _wait(condition, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("condition not reached")
        time.sleep(0.01)


def test_a_finished_run_is_the_lone_run():
    # the page's own use: finish(new_run(exp)) here equals the service's job
    exp = Experiment(dataset="xor", epochs=400, test=0.2)
    svc = TrainingService(0)
    try:
        req, _ = request(exp)
        same(svc.submit(req).result(60), finish(new_run(exp)))
    finally:
        svc.close()
