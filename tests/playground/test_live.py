"""Live training: an interrupted run keeps what it trained, and resuming gives the uninterrupted numbers."""

from unittest.mock import MagicMock

import numpy as np
import pytest

from lab.experiment import Experiment
from lab.run import finish, new_run
from playground.sections import Display, live
from playground.sections.live import Slots, train_live


class Interrupted(Exception):
    """Stands in for Streamlit's rerun request, raised at the next Streamlit call."""


def slots_that_interrupt(after: int) -> Slots:
    calls = {"n": 0}

    def progress(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise Interrupted

    bar = MagicMock()
    bar.progress.side_effect = progress
    return Slots(metrics=MagicMock(), progress=bar, loss=MagicMock(), decision=MagicMock())


def test_interrupted_run_keeps_its_epochs_and_resumes_exactly(monkeypatch):
    monkeypatch.setattr(live, "PROGRESS_PERIOD", 0.0)  # a progress call (the interruption point) every snapshot
    monkeypatch.setattr(live, "CHART_PERIOD", 1e9)
    exp = Experiment(dataset="xor", epochs=3000, optimizer="adam", lr=0.01)
    run = new_run(exp)
    with pytest.raises(Interrupted):
        train_live(run, exp.epochs, slots_that_interrupt(after=5), Display())
    stopped = run.epoch
    assert 0 < stopped < exp.epochs
    assert run.last.epoch == stopped  # the snapshots hold everything trained so far
    train_live(run, exp.epochs, slots_that_interrupt(after=10**9), Display())  # Train resumes
    whole = finish(new_run(exp))
    np.testing.assert_array_equal(run.net.params, whole.net.params)
    assert [s.loss for s in run.snapshots] == [s.loss for s in whole.snapshots]


def test_live_redraws_are_rate_bounded():
    exp = Experiment(dataset="xor", epochs=2000)
    run = new_run(exp)
    slots = slots_that_interrupt(after=10**9)
    train_live(run, exp.epochs, slots, Display())
    snapshots = len(run.snapshots)
    # a progress update at most every 0.1 s and a chart redraw at most every 0.2 s, not every snapshot
    assert slots.progress.progress.call_count < snapshots
    assert slots.decision.vega_lite_chart.call_count <= slots.progress.progress.call_count
