"""A run's training done again to see it at several epochs: the frames of the hidden space's animation.

A run keeps its current weights only (its snapshots carry none, and the training service's workers send none
back), so that watching a run costs nothing extra. When a visitor asks to watch the hidden space change, the
run's training is done again from its start (`lab.run.Run.start`), through the training service like any
training, with every snapshot keeping its parameters (`mlp.Snapshot.params`) at about `MAX_FRAMES` epochs.
Training is deterministic, so the replay's weights at epoch e are the run's own at e, bit for bit (a run
stopped, stepped and resumed has the numbers of one uninterrupted run). Weights edited by hand are set again
at the epochs they were set at: the replay trains in *segments* that end where edits were made.

Pure Python + numpy: `plan` says what to train, `replay` trains the segments one after the other with a
function it is given and collects the frames (`Frames`). The page gives it one that sends each segment to
the training service (`playground.shared.replay`); `in_process` trains here (tests, scripts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

import mlp
from lab.curves import NICE
from lab.edits import Edit, redo
from lab.experiment import Experiment
from lab.run import Run, trainer

MAX_FRAMES = 40  # epochs between frames: the smallest 'nice' interval giving at most this many
MAX_NUMBERS = 50_000  # parameters × frames a replay keeps (400 kB): the largest networks get fewer frames
LEAST_FRAMES = 10


def interval(target: int, n_params: int) -> int:
    """Epochs between two frames of a replay to epoch ``target`` (≥ 1): a 'nice' number (1, 2, 5, 10, 20,
    25, …) giving at most `MAX_FRAMES` frames, fewer for a network whose frames would hold more than
    `MAX_NUMBERS` numbers (at least `LEAST_FRAMES`)."""
    most = max(LEAST_FRAMES, min(MAX_FRAMES, MAX_NUMBERS // max(1, n_params)))
    return next((k for k in NICE if k * most >= target), -(-target // most))


@dataclass(frozen=True)
class Segment:
    """Train to epoch ``end`` (from where the last segment ended), then set ``edits`` (made at ``end``)."""

    end: int
    edits: tuple[Edit, ...] = ()


def segments(edits: Sequence[Edit], target: int) -> list[Segment]:
    """The replay to ``target`` cut where the run's edits (those made by then) were made; the last ends at
    ``target`` (with the edits made at it, if any)."""
    at: dict[int, list[Edit]] = {}
    for e in edits:
        if e.epoch <= target:
            at.setdefault(e.epoch, []).append(e)
    cuts = [Segment(epoch, tuple(made)) for epoch, made in sorted(at.items())]
    return cuts if cuts and cuts[-1].end == target else [*cuts, Segment(target)]


def digest(run: Run) -> str:
    """What names a run's starting point beyond its experiment: its points and its initial parameters."""
    h = hashlib.sha1()
    for a in (run.train.X, run.train.y, *((run.test.X, run.test.y) if run.has_test else ()), start(run).params):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def start(run: Run) -> mlp.TrainState:
    """The state the run began in, at epoch 0."""
    if run.start is None:
        raise ValueError("this run does not know where it started, so its training cannot be replayed")
    return run.start


@dataclass(frozen=True)
class Plan:
    """A replay of ``run`` to epoch ``target``: its segments, the epochs between frames, and what names the
    training of each segment (`key`): equal keys are equal numbers, so a class on one link replays once."""

    exp: Experiment
    base: Hashable
    target: int
    every: int
    segments: tuple[Segment, ...]
    edits: tuple[Edit, ...]

    def key(self, segment: Segment) -> Hashable:
        """What names the training of ``segment``: the run's start, the edits made before its end, the frames."""
        before = tuple(e for e in self.edits if e.epoch < segment.end)
        return ("frames", self.base, before, self.every, segment.end)


def plan(run: Run, target: int | None = None) -> Plan:
    """How to replay ``run`` to ``target`` (by default the epoch it stands at)."""
    target = run.epoch if target is None else target
    if not 0 <= target <= run.epoch:
        raise ValueError(f"target: a replay goes from epoch 0 to the run's epoch ({run.epoch}), not {target}")
    every = interval(max(1, target), run.net.n_params)
    edits = tuple(e for e in run.edits if e.epoch <= target)
    return Plan(run.exp, (run.exp, digest(run)), target, every, tuple(segments(edits, target)), edits)


@dataclass
class Frames:
    """The frames of a replay, collected segment by segment: epochs (ascending) and each one's parameters
    (``MLP.params`` layout). ``diverged``: the epoch the replay stopped at because training diverged (the frames
    end before it)."""

    plan: Plan
    epochs: list[int] = field(default_factory=list)
    params: list[np.ndarray] = field(default_factory=list)
    losses: list[float | None] = field(default_factory=list)  # the training loss there (None: just edited)
    diverged: int | None = None

    def fits(self, run: Run) -> bool:
        """Whether these are frames of ``run``'s own training: the same experiment, points and start, the same
        edits up to the replay's end, and the run at or past that end."""
        p = self.plan
        return (p.target <= run.epoch and p.base == (run.exp, digest(run))
                and p.edits == tuple(e for e in run.edits if e.epoch <= p.target))

    def take(self, snapshots: Sequence[mlp.Snapshot]) -> None:
        """Add a segment's snapshots (a resumed segment repeats no epoch; a repeat is skipped anyway)."""
        for s in snapshots:
            if s.params is None:
                raise ValueError("snapshots: a replay's snapshots must carry parameters (keep_params)")
            if s.status == "diverged":  # no frame: the network there is no longer one to draw
                self.diverged = s.epoch
                return
            if self.framed(s.epoch) and (not self.epochs or s.epoch > self.epochs[-1]):
                self.epochs.append(s.epoch)
                self.params.append(s.params)
                self.losses.append(s.loss)

    def framed(self, epoch: int) -> bool:
        """Whether ``epoch`` has a frame: every `Plan.every` epochs, and the last (a segment ending elsewhere,
        at an edit, adds none: at most `MAX_FRAMES` + 1 frames however many edits)."""
        return epoch % self.plan.every == 0 or epoch == self.plan.target

    def edited(self, state: mlp.TrainState) -> None:
        """The weights after a segment's edits: they replace the frame at that epoch (as the run's snapshot
        there describes the edited network), or are its first frame (edits before any training); an epoch
        without a frame shows them in the next frame."""
        if self.epochs and self.epochs[-1] == state.epoch:
            self.params[-1], self.losses[-1] = state.params, None
        elif self.framed(state.epoch):
            self.epochs.append(state.epoch)
            self.params.append(state.params)
            self.losses.append(None)


# trains a segment from a state: (its snapshots, parameters kept, and the state at its end)
SegmentTrainer = Callable[[Plan, Segment, mlp.TrainState], tuple[Sequence[mlp.Snapshot], mlp.TrainState]]


def replay(run: Run, train: SegmentTrainer) -> Frames:
    """``run``'s training done again from its start to its epoch with ``train``, segment by segment, the
    edits made again where they were made; its frames. Stops early where the training diverged."""
    p = plan(run)
    out = Frames(p)
    state = start(run)
    for segment in p.segments:
        if segment.end > state.epoch:
            snapshots, state = train(p, segment, state)
            out.take(snapshots)
            if out.diverged is not None:
                break
        if segment.edits or not out.epochs:  # the edits made at this epoch; or a replay of epoch 0 alone
            state = redo(state, run.net.layer_sizes, segment.edits)
            out.edited(state)
    return out


def in_process(run: Run) -> SegmentTrainer:
    """Train segments of ``run``'s replay here, in this process, on a copy of its network."""

    def train(p: Plan, segment: Segment, state: mlp.TrainState) -> tuple[list[mlp.Snapshot], mlp.TrainState]:
        t = trainer(run.exp, run.net.copy(), run.train, run.test, state, keep_params=True)
        return list(t.run(segment.end - state.epoch, p.every)), t.state()

    return train
