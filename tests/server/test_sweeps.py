"""Sweeps as the page trains them, through the training service's worker processes: the runs that can share a
batch train together (`server.plan` groups them), and every run's record is its lone run's, bit for bit —
snapshots, predictions and decision grid."""

from __future__ import annotations

import numpy as np
import pytest

from lab.experiment import Experiment
from lab.record import Record
from lab.run import new_run, trainer
from lab.sweep import Sweep
from server.jobs import Job, Request
from server.plan import Families
from server.service import TrainingService

XOR = Experiment(dataset="xor")


@pytest.fixture(scope="module")
def service():
    svc = TrainingService(2, chunk_seconds=0.03, window=0.5)  # a sweep's runs are all in before its first chunk
    yield svc
    svc.close()


def requests(exps: list[Experiment], every: int) -> list[tuple[Request, object]]:
    """Each experiment as the page asks for a sweep's run: from its initial weights to its end; and that run."""
    runs = [new_run(e) for e in exps]
    return [(Request(run.exp, run.train, run.test, run.exp.epochs, every), run) for run in runs]


def through(service: TrainingService, exps: list[Experiment], every: int) -> list[Record]:
    """The experiments submitted together, trained by the service; their records."""
    made = requests(exps, every)
    jobs = [service.submit(req) for req, _ in made]
    for job, (_, run) in zip(jobs, made):
        job.result(120)
        run.apply(job.snapshots, job.state, job.seconds)
    return [run.record() for _, run in made]


def lone(exp: Experiment, every: int) -> Record:
    """``exp`` trained alone here, by the engine's own loop."""
    run = new_run(exp)
    snaps = list(trainer(exp, run.net, run.train, run.test).run(exp.epochs, every))
    return Record.of(exp, snaps, net=run.net, X=run.train.X)


def groups(exps: list[Experiment]) -> list[list[int]]:
    """Which of the experiments the service may train in one batch (at one epoch), by index."""
    families, found = Families(), {}
    for i, (req, _) in enumerate(requests(exps, 10)):
        found.setdefault(families(Job(req, i)), []).append(i)
    return list(found.values())


def col(record: Record, name: str) -> np.ndarray:
    return record.columns()[name]


def same_records(batched: list[Record], alone: list[Record]) -> None:
    for a, b in zip(batched, alone, strict=True):
        assert a.exp == b.exp and a.status == b.status and a.snapshots == b.snapshots
        assert a.grid == b.grid and a.predictions == b.predictions


def test_a_sweep_trains_together_and_equals_its_lone_runs_with_the_same_data_and_start(service):
    base = Experiment(dataset="circle", n=60, test=0.25, epochs=300)
    sweep = Sweep("lr", (0.02, 0.05, 0.1))
    exps = sweep.experiments(base)
    assert groups(exps) == [[0, 1, 2]]
    batched_before = service.batched
    records = through(service, exps, 50)
    assert service.batched > batched_before  # chunks held several of the sweep's runs
    same_records(records, [lone(e, 50) for e in exps])
    # same data and same initial weights: the untrained networks score the same everywhere
    assert len({(col(r, "loss")[0], col(r, "test_loss")[0]) for r in records}) == 1
    for r in records:
        assert r.status == "done" and r.seconds > 0
        np.testing.assert_array_equal(col(r, "epoch"), np.arange(0, 301, 50))
    assert col(records[0], "loss")[-1] != col(records[2], "loss")[-1]


def test_grouping_follows_what_can_share_a_batch(service):
    base = XOR.with_(epochs=20)
    widths = Sweep("hidden", ("2,1", "9,4", "20,14")).experiments(base)
    assert groups(widths) == [[0, 1, 2]]  # different widths share a batch, exactly
    same_records(through(service, widths, 10), [lone(e, 10) for e in widths])
    assert groups(Sweep("activation", ("sigmoid", "tanh")).experiments(base)) == [[0], [1]]
    assert groups(Sweep("lr", (0.1, 0.2)).experiments(base.with_(batch_size=5))) == [[0], [1]]  # mini-batches
    assert groups(Sweep("lr", (0.1, 0.2)).experiments(base.with_(batch_size=21))) == [[0, 1]]  # 21 points: full
    mixed = [base, base.with_(lr=0.3), base.with_(dataset="linear"), base.with_(lr=0.5)]
    assert groups(mixed) == [[0, 1, 3], [2]]
    assert [r.exp.lr for r in through(service, mixed, 10)] == [0.1, 0.3, 0.1, 0.5]


def test_a_record_holds_its_snapshots_status_and_epochs_to_100(service):
    (r,) = through(service, [XOR.with_(epochs=1000, lr=0.3)], 20)
    epochs, acc = col(r, "epoch"), col(r, "accuracy")
    assert epochs[0] == 0 and epochs[-1] == 1000 and len(epochs) == len(acc) == 51
    assert not r.has_test and np.isnan(col(r, "test_loss")).all()  # tested on the training data
    e = r.epochs_to_100
    assert e is not None and acc[epochs == e] == 1.0 and (acc[epochs < e] < 1.0).all()
    assert (r.status, r.reason, r.seconds > 0) == ("done", "", True)
    assert len(r.predictions) == 21 and r.grid is not None


def test_a_diverging_run_does_not_stop_the_others(service):
    exps = Sweep("lr", (1e-4, 0.1)).experiments(Experiment(activation="linear", output_activation="linear",
                                                           epochs=300))
    assert groups(exps) == [[0, 1]]
    records = through(service, exps, 50)
    same_records(records, [lone(e, 50) for e in exps])
    assert [r.status for r in records] == ["done", "diverged"]
    assert col(records[1], "epoch")[-1] < 10 and "learning rate" in records[1].reason
    assert col(records[0], "epoch")[-1] == 300 and records[1].epochs_to_100 is None


def test_runs_with_other_features_or_tasks_never_share_a_batch(service):
    base = Experiment(dataset="circle", n=40, epochs=30)
    mixed = [base, base.with_(features=("x1", "x2", "x1sq")), base.with_(features=("x1", "x2", "x2sq"), lr=0.3),
             base.with_(features=("x1", "x2", "x1sq"), lr=0.5, hidden=(3, 2)), base.with_(hidden=()),
             base.with_(hidden=(), lr=0.2)]
    assert groups(mixed) == [[0], [1, 3], [2], [4, 5]]
    same_records(through(service, mixed, 10), [lone(e, 10) for e in mixed])
    reg = Experiment(dataset="reg_gaussians", n=40, epochs=30)
    assert groups([reg, reg.with_(lr=0.001), reg.with_(dataset="reg_plane")]) == [[0, 1], [2]]
    records = through(service, Sweep("lr", (0.003, 0.001)).experiments(reg), 10)
    assert all(s.accuracy is None for r in records for s in r.snapshots) and records[0].predictions == ""
