"""A run's training replayed for the hidden space's frames: the right epochs, the run's own weights at each,
bit for bit (also through the training service's worker processes, once for everyone), edits made again."""

from __future__ import annotations

import numpy as np
import pytest

import mlp
from lab import frames
from lab.edits import Edit
from lab.experiment import Experiment
from lab.run import finish, new_run
from server import plan
from server.jobs import Job
from server.service import Request, TrainingService


@pytest.mark.parametrize("target, params, every", [
    (10_000, 72, 250),  # the report's run: 40 frames
    (300, 72, 10),  # 30 frames: the smallest nice interval giving at most 40
    (7, 72, 1),
    (1, 72, 1),
    (100_000, 72, 2500),
    (10_000, 3457, 1000),  # the largest network (4 × 32 units on 7 features): 14 frames → 10 (nice)
])
def test_frames_come_every_nice_interval_at_most_40_fewer_for_large_networks(target, params, every):
    assert frames.interval(target, params) == every
    count = -(-target // every)
    assert count <= frames.MAX_FRAMES and count * params <= max(frames.MAX_NUMBERS, frames.LEAST_FRAMES * params)


def edit(epoch: int, layer: int = 1) -> Edit:
    return Edit(epoch, layer, 1, 1, 0.0, 1.0)


def test_segments_end_where_edits_were_made_and_at_the_target():
    assert frames.segments([], 300) == [frames.Segment(300)]
    a, b, c, late = edit(0), edit(100), edit(100, 2), edit(400)
    assert frames.segments([a, b, c, late], 300) == [frames.Segment(0, (a,)), frames.Segment(100, (b, c)),
                                                     frames.Segment(300)]
    assert frames.segments([b], 100) == [frames.Segment(100, (b,))]


def lone_params(exp: Experiment, epochs: list[int]) -> dict[int, np.ndarray]:
    """A lone mlp.train run keeping its parameters: the weights at each epoch."""
    run = new_run(exp)
    kw = exp.train_kwargs() | {"epochs": max(epochs)}
    snaps = mlp.train(run.net, run.train.X, run.train.y, every=1, keep_params=True, **kw)
    return {s.epoch: s.params for s in snaps if s.epoch in epochs}


def test_a_replay_has_the_runs_weights_at_every_frame_bit_for_bit():
    exp = Experiment(dataset="xor", epochs=300, optimizer="momentum")
    run = new_run(exp)
    for step in (70, 130, 100):  # trained in steps, as a page does
        list(run.advance(step))
    out = frames.replay(run, frames.in_process(run))
    assert out.epochs == list(range(0, 301, 10)) and out.diverged is None
    lone = lone_params(exp, out.epochs)
    for epoch, params in zip(out.epochs, out.params):
        np.testing.assert_array_equal(params, lone[epoch])
    np.testing.assert_array_equal(out.params[-1], run.net.params)
    assert out.losses[0] == run.snapshots[0].loss and out.losses[-1] == run.last.loss
    assert out.fits(run)


def test_a_replay_makes_the_edits_again_where_they_were_made():
    run = finish(new_run(Experiment(dataset="xor", epochs=100, lr=0.3)))
    run.edit([(2, 1, 2, 4.0)])  # at epoch 100
    at_100 = run.net.params.copy()
    list(run.advance(55))
    run.edit([(3, None, 1, -1.5), (1, 2, 3, 0.25)])  # at epoch 155, where the run stands
    out = frames.replay(run, frames.in_process(run))
    assert out.epochs == list(range(0, 156, 5)) and out.diverged is None
    np.testing.assert_array_equal(out.params[out.epochs.index(100)], at_100)  # the frame shows the edited weights
    assert out.losses[out.epochs.index(100)] is None
    np.testing.assert_array_equal(out.params[-1], run.net.params)  # bit for bit, edits and all
    assert out.fits(run)
    run.edit([(1, 1, 1, 0.0)])  # a new edit at the end: these frames are not of the run any more
    assert not out.fits(run)


def test_an_edit_between_frames_adds_no_frame_and_shows_in_the_next():
    run = finish(new_run(Experiment(dataset="xor", epochs=100)))  # frames every 5 epochs on to 155
    list(run.advance(3))
    run.edit([(1, 1, 1, 2.0)])  # at epoch 103: no frame there
    list(run.advance(52))
    out = frames.replay(run, frames.in_process(run))
    assert out.epochs == list(range(0, 156, 5))
    plain = new_run(run.exp)
    list(plain.advance(155))  # the same run without the edit
    unedited = frames.replay(plain, frames.in_process(plain))
    at = out.epochs.index(100)
    for a, b in zip(out.params[: at + 1], unedited.params[: at + 1]):  # the same until the edit
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(out.params[at + 1], unedited.params[at + 1])  # the next frame shows it
    np.testing.assert_array_equal(out.params[-1], run.net.params)


def test_frames_fit_only_their_own_run():
    run = finish(new_run(Experiment(dataset="xor", epochs=60)))
    out = frames.replay(run, frames.in_process(run))
    assert out.fits(run)
    assert out.fits(finish(new_run(run.exp)))  # the same training: the same frames
    assert not out.fits(new_run(run.exp))  # a run at epoch 0 has no such past yet
    assert not out.fits(finish(new_run(run.exp.with_(weight_seed=1))))
    assert not out.fits(finish(new_run(run.exp, params=run.net.params.copy())))  # it started elsewhere


def test_an_untrained_run_replays_to_its_one_frame():
    run = new_run(Experiment(dataset="xor", epochs=60))
    out = frames.replay(run, frames.in_process(run))
    assert out.epochs == [0] and np.array_equal(out.params[0], run.net.params)


def test_a_diverged_replay_stops_where_the_training_diverged():
    run = finish(new_run(Experiment(dataset="linear", activation="linear", output_activation="linear", epochs=60)))
    assert run.diverged
    out = frames.replay(run, frames.in_process(run))
    assert out.diverged == run.last.epoch > out.epochs[-1]  # the frames end before it
    assert out.epochs == list(range(out.epochs[-1] + 1)) and np.isfinite(out.params[0]).all()


def test_the_training_service_replays_with_its_worker_processes_once_for_everyone():
    run = new_run(Experiment(dataset="xor", epochs=2000, hidden=(5, 2), activation="tanh"))
    list(run.advance(1000))
    run.edit([(2, 2, 1, 1.75)])
    list(run.advance(1000))
    here = frames.replay(run, frames.in_process(run))
    service = TrainingService(2, chunk_seconds=0.01)  # short chunks: the replay crosses several
    try:
        def train(plan, segment, start):
            job = service.submit(Request(run.exp, run.train, run.test, segment.end, plan.every, start=start,
                                         key=plan.key(segment), keep_params=True)).result(60)
            return job.snapshots, job.state

        there = frames.replay(run, train)
        chunks = service.chunks
        again = frames.replay(run, train)  # kept by key: nothing is trained twice
        assert service.chunks == chunks >= 2  # at least one chunk a segment
    finally:
        service.close()
    for out in (there, again):
        assert out.epochs == here.epochs
        for a, b in zip(out.params, here.params):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(there.params[-1], run.net.params)


def test_a_normal_request_carries_no_parameters():
    run = new_run(Experiment(dataset="xor", epochs=50))
    service = TrainingService(0)
    try:
        job = service.submit(Request(run.exp, run.train, run.test, 50, 10)).result(60)
    finally:
        service.close()
    assert all(s.params is None for s in job.snapshots)


def test_a_replay_trains_only_with_replays():
    run = new_run(Experiment(dataset="xor", epochs=50))
    family = plan.Families()
    jobs = [Job(Request(run.exp, run.train, run.test, 50, 10, keep_params=keep), seq) for seq, keep in
            enumerate([False, True, True])]
    assert family(jobs[0]) != family(jobs[1]) == family(jobs[2])
    group, _ = plan.next_group(jobs[1:] + jobs[:1], [], family)
    assert group == jobs[1:]
