"""Live training: the page follows its job in the service; an interrupted run keeps what it trained, and
resuming gives the uninterrupted numbers; redraws are rate-bounded, for the whole process too; a queued run says where it stands."""

import time
from contextlib import ExitStack
from unittest.mock import MagicMock

import numpy as np
import pytest

from lab.experiment import Experiment
from lab.run import finish, new_run
from playground import render, shared
from playground.sections import Display, live
from playground.sections.live import Slots, stream
from server.service import Job, Request, TrainingService


class Interrupted(Exception):
    """Stands in for Streamlit's rerun request, raised at the next Streamlit call."""


def slots_that_interrupt(after: int, once=lambda: True) -> Slots:
    """Slots whose progress bar interrupts the script after ``after`` calls, once ``once()`` holds."""
    calls = {"n": 0}

    def progress(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after and once():
            raise Interrupted

    bar = MagicMock()
    bar.progress.side_effect = progress
    return Slots(metrics=MagicMock(), progress=bar, loss=MagicMock(), decision=MagicMock())


def test_interrupted_run_keeps_its_epochs_and_resumes_exactly(monkeypatch):
    monkeypatch.setattr(live, "PROGRESS_PERIOD", 0.02)  # a progress call (the interruption point) every 20 ms
    monkeypatch.setattr(live, "CHART_PERIOD", 1e9)  # no chart redraws
    exp = Experiment(dataset="linear", epochs=20_000, optimizer="adam", lr=0.01, hidden=(20, 14))
    run = new_run(exp)
    following = shared.train(run, exp.epochs)
    with pytest.raises(Interrupted):
        stream(run, following, slots_that_interrupt(after=3, once=lambda: run.epoch > 0), Display())
    following.leave()  # what Stop does
    stopped = run.epoch
    assert 0 < stopped < exp.epochs
    assert run.last.epoch == stopped  # the snapshots hold everything taken so far
    stream(run, shared.train(run, exp.epochs), slots_that_interrupt(after=10**9), Display())  # Train resumes
    whole = finish(new_run(exp))
    np.testing.assert_array_equal(run.net.params, whole.net.params)
    assert [s.loss for s in run.snapshots] == [s.loss for s in whole.snapshots]


def test_live_redraws_are_rate_bounded():
    exp = Experiment(dataset="linear", epochs=20_000)
    run = new_run(exp)
    slots = slots_that_interrupt(after=10**9)
    stream(run, shared.train(run, exp.epochs), slots, Display())
    snapshots = len(run.snapshots)
    # a progress update at most every 0.1 s and a chart redraw at most every 0.2 s, not every snapshot
    assert run.epoch == exp.epochs and slots.progress.progress.call_count < snapshots
    assert slots.decision.vega_lite_chart.call_count <= slots.progress.progress.call_count


def test_updates_are_spread_out_when_many_visitors_watch_at_once():
    pace = render.Pace()
    assert pace.period(0.2, 8) == 0.2 and pace.watching == 0
    with pace.watch():
        assert pace.period(0.2, 8) == 0.2  # one visitor: 5 redraws a second
        with ExitStack() as class_:
            for _ in range(39):
                class_.enter_context(pace.watch())
            assert pace.watching == 40 and pace.period(0.2, 8) == 40 / 8  # 40 watchers: 8 redraws a second in all
        with pytest.raises(RuntimeError), pace.watch():
            raise RuntimeError  # a session interrupted (Stop, a closed tab) stops counting
    assert pace.watching == 0 and pace.period(0.2, 8) == 0.2
    with pytest.raises(ValueError, match="rate"):
        pace.period(0.2, 0)


def test_a_busy_process_redraws_a_live_run_less_often(monkeypatch):
    exp = Experiment(dataset="linear", epochs=20_000)
    counts = []
    for watchers in (0, 40):
        pace = render.Pace()
        monkeypatch.setattr(shared, "pace", lambda pace=pace: pace)
        run, slots = new_run(exp), slots_that_interrupt(after=10**9)
        with ExitStack() as others:
            for _ in range(watchers):
                others.enter_context(pace.watch())
            stream(run, shared.train(run, exp.epochs), slots, Display())
        counts.append((slots.decision.vega_lite_chart.call_count, slots.progress.progress.call_count))
    assert counts[1][0] <= 1 < counts[0][0], counts  # a 1-2 s run: a frame every 5 s with 40 others watching
    assert counts[1][1] < counts[0][1], counts  # and fewer progress messages


def test_a_queued_run_says_how_many_runs_are_ahead():
    svc = TrainingService(1, chunk_seconds=0.05)
    try:
        exps = [Experiment(dataset="linear", epochs=4000, activation=a) for a in ("sigmoid", "tanh", "relu")]
        runs = [new_run(e) for e in exps]
        followings = [shared.Following(svc.submit(Request(r.exp, r.train, r.test, r.exp.epochs, r.every)))
                      for r in runs]
        texts = [live.progress_text(r, f, r.exp.epochs) for r, f in zip(runs, followings)]
        assert texts[2] == "Queued: 2 runs ahead of this one…" and texts[1] == "Queued: 1 run ahead of this one…"
        for r, f in zip(runs, followings):
            stream(r, f, slots_that_interrupt(after=10**9), Display())
            assert r.epoch == 4000
    finally:
        svc.close()


def test_a_job_that_ends_between_two_looks_is_taken_whole():
    # the race a class of 64 found: the page took the job's progress while it ran, the job ended, and the
    # page saw "finished" and stopped following with the last snapshots never taken
    exp = Experiment(dataset="xor", epochs=300)
    whole = finish(new_run(exp))
    run = new_run(exp)
    job = Job(Request(exp, run.train, run.test, exp.epochs, run.every), seq=0, status="running")
    following = shared.Following(job)
    following.take(run)  # nothing yet
    job.update(snapshots=list(whole.snapshots), state=whole.state, status="done")  # the job ends now
    assert job.finished and not following.finished  # not until what it made is on the run
    following.take(run)
    assert following.finished and run.epoch == exp.epochs and run.last.loss == whole.last.loss


def test_a_waiting_page_lets_a_click_in_every_tenth_of_a_second_without_sending_anything(monkeypatch):
    # Streamlit interrupts a script (Stop, a new setting) only at a yield point; a page waiting behind a queue
    # whose text does not change sends nothing, so it must yield by itself (tests/playground/test_internals.py
    # shows that internals.yield_point is one)
    calls = []

    def yield_point():
        calls.append(time.monotonic())
        if len(calls) == 3:
            raise Interrupted

    monkeypatch.setattr(live.internals, "yield_point", yield_point)
    svc = TrainingService(1)
    try:
        busy = Experiment(dataset="linear", epochs=50_000, hidden=(20, 14))
        ahead = new_run(busy)
        svc.submit(Request(busy, ahead.train, ahead.test, busy.epochs, ahead.every))  # takes the only worker
        run = new_run(Experiment(dataset="xor", epochs=300, activation="tanh"))
        following = shared.Following(svc.submit(Request(run.exp, run.train, run.test, 300, run.every)))
        slots = slots_that_interrupt(after=10**9)  # a progress message never interrupts here
        start = time.monotonic()
        with pytest.raises(Interrupted):
            stream(run, following, slots, Display())
        assert time.monotonic() - start < 1.0 and run.epoch == 0  # still queued: the click got in at once
        assert slots.progress.progress.call_count <= 1  # the queue's place, said once
    finally:
        svc.close()


def test_a_closed_tab_stops_following_and_its_job_is_let_go(monkeypatch):
    looks = []

    def connected() -> bool:  # the tab closes while the page watches its third look
        looks.append(1)
        return len(looks) < 3

    monkeypatch.setattr(live.internals, "connected", connected)
    svc = TrainingService(1)
    try:
        exp = Experiment(dataset="linear", epochs=50_000, hidden=(20, 14))
        run = new_run(exp)
        following = shared.Following(svc.submit(Request(exp, run.train, run.test, exp.epochs, run.every, who="tab")),
                                     "tab")
        stream(run, following, slots_that_interrupt(after=10**9), Display())  # returns: the tab is gone
        following.job.result(2.0)  # let go: cancelled within 2 s (at its chunk's end)
        assert following.job.status == "cancelled" and following.job.epoch < exp.epochs
    finally:
        svc.close()


def test_a_job_that_shows_no_change_is_given_up_with_a_message(monkeypatch):
    monkeypatch.setattr(live, "STALLED", 0.5)
    said = {}
    monkeypatch.setattr(live.state, "put", said.__setitem__)
    exp = Experiment(dataset="xor", epochs=300)
    run = new_run(exp)
    job = Job(Request(exp, run.train, run.test, exp.epochs, run.every), seq=0, followers={None})  # never moves
    start = time.monotonic()
    stream(run, shared.Following(job), slots_that_interrupt(after=10**9), Display())
    assert 0.5 <= time.monotonic() - start < 5.0
    assert job.cancelled
    assert said[live.state.TRAIN_ERROR] == "The training showed no progress for 0.5 s and was stopped; press Train to try again."
