"""Workers that hang, with real processes: stopped with SIGSTOP mid-run or while idle, a worker misses its chunk's
deadline, is killed and replaced, and the chunk is retried once; the run finishes with the numbers of a lone run
(or says it failed), and the next visitor is served. A slot is released even when no replacement can start."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from test_service import request, same

from lab.experiment import Experiment
from server import service as service_module
from server.service import MIN_DEADLINE, TrainingService, default_min_deadline

ANSWER_S = 60.0  # the bound: a run whose workers hang finishes or says it failed within this


def stop(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_workers_stopped_mid_run_are_replaced_and_the_run_ends_right():
    svc = TrainingService(2)
    try:
        # two runs of different families, one per worker, each long enough to be stopped in the middle
        made = [request(Experiment(dataset="linear", epochs=6000, hidden=(20, 14), activation=a, weight_seed=2))
                for a in ("tanh", "relu")]
        jobs = [svc.submit(req) for req, _ in made]
        for job in jobs:
            job.wait(60, seen=1)  # both train
        stopped = svc.worker_pids()
        stop(stopped)
        began = time.monotonic()
        for job in jobs:
            try:
                job.result(ANSWER_S)
            except RuntimeError:
                pass  # "Training failed (error …)" is an answer too
        assert time.monotonic() - began < ANSWER_S
        for job, (_, run) in zip(jobs, made):
            assert job.status in ("done", "failed")
            if job.status == "done":
                same(job, run)  # retried from where it stood: the numbers of an uninterrupted run
        assert svc.hung >= 1 and all(gone(pid) for pid in stopped)  # killed (SIGKILL ends a stopped process)
        assert not set(svc.worker_pids()) & set(stopped) and svc.training() == 0
        req, run = request(Experiment(dataset="xor", epochs=400))
        same(svc.submit(req).result(ANSWER_S), run)  # the next visitor is served
    finally:
        svc.close()


def test_a_stopped_idle_worker_does_not_swallow_the_next_job():
    svc = TrainingService(1)
    try:
        req, run = request(Experiment(dataset="xor", epochs=300))
        same(svc.submit(req).result(60), run)  # the worker is up and idle
        (idle,) = svc.worker_pids()
        stop([idle])
        req, run = request(Experiment(dataset="xor", epochs=500, lr=0.3))
        job = svc.submit(req)
        same(job.result(MIN_DEADLINE + ANSWER_S), run)
        assert job.retries == 1 and svc.hung == 1 and gone(idle)
    finally:
        svc.close()


def test_a_slot_is_released_when_no_replacement_can_start(monkeypatch):
    svc = TrainingService(1, chunk_seconds=0.3)
    try:
        req, _ = request(Experiment(dataset="linear", epochs=20_000, hidden=(20, 14)))
        job = svc.submit(req)
        job.wait(60, seen=1)

        def no_process():
            raise OSError("Resource temporarily unavailable (a prankster's fork bomb)")

        monkeypatch.setattr(service_module, "WorkerProcess", no_process)
        os.kill(svc.worker_pids()[0], signal.SIGKILL)
        with pytest.raises(RuntimeError, match=r"^Training failed \(error [0-9a-f]{6}\)"):
            job.result(60)  # the retry finds no worker either: the second failure is reported
        assert svc.training() == 0 and svc.worker_pids() == []
        monkeypatch.undo()  # processes can start again: the slot starts one for its next chunk
        req, run = request(Experiment(dataset="xor", epochs=300))
        same(svc.submit(req).result(60), run)
        assert len(svc.worker_pids()) == 1
    finally:
        svc.close()


def test_a_host_sets_how_long_a_chunk_may_take_before_its_worker_counts_as_hung(monkeypatch, caplog):
    monkeypatch.delenv("PLAYGROUND_HUNG_AFTER", raising=False)
    assert default_min_deadline() == MIN_DEADLINE == 10.0
    monkeypatch.setenv("PLAYGROUND_HUNG_AFTER", " 120 ")
    assert default_min_deadline() == 120.0
    for svc, least in ((TrainingService(0), 120.0), (TrainingService(0, min_deadline=3.0), 3.0)):  # an argument wins
        try:
            assert svc.min_deadline == least
        finally:
            svc.close()
    for bad in ("0", "0.5", "3601", "-4", "nan", "inf", "ten", "1e9"):
        monkeypatch.setenv("PLAYGROUND_HUNG_AFTER", bad)
        caplog.clear()
        assert default_min_deadline() == MIN_DEADLINE, bad
        assert f"PLAYGROUND_HUNG_AFTER={bad!r} is not a number of seconds from 1 to 3600" in caplog.text
