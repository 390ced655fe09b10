"""Through the training service's worker processes: runs with input features, without hidden layers and on
the regression sets get the numbers of their lone runs, bit for bit, and are never batched with runs of
other features or another task."""

from __future__ import annotations

import numpy as np
import pytest
from test_service import request, same

from lab import points
from lab.experiment import Experiment
from server.jobs import Job
from server.plan import Families
from server.service import TrainingService


@pytest.fixture(scope="module")
def service():
    svc = TrainingService(2, chunk_seconds=0.03)
    yield svc
    svc.close()


def test_features_no_hidden_layer_and_regression_match_their_lone_runs(service):
    # your own points, away from the unit square: the features are centred on the training points' middle
    rng = np.random.default_rng(3)
    X = rng.uniform(2, 4, (40, 2))
    code = points.encode_points(X, (np.hypot(*(X - 3).T) < 0.6).astype(float))
    custom = Experiment(dataset="custom", points=code, features=("x1", "x2", "x1sq", "x2sq"), hidden=(), epochs=300)
    assert custom.network(custom.split()[0].X).features.centre != (0.5, 0.5)
    circle = Experiment(dataset="circle", n=60, epochs=300, test=0.2)
    mix = [
        circle,
        circle.with_(features=("x1", "x2", "x1sq", "x2sq")),
        circle.with_(features=("x1", "x2", "x1sq", "x2sq"), lr=0.3, hidden=(5, 3)),
        circle.with_(features=("x1", "x2", "x1x2"), lr=0.3),
        circle.with_(hidden=()),
        circle.with_(hidden=(), features=("x1", "x2", "x1sq", "x2sq"), weight_seed=2),
        Experiment(dataset="reg_gaussians", n=60, epochs=300, test=0.2),
        Experiment(dataset="reg_plane", n=60, epochs=300, features=("x1", "x2", "sinx1"), hidden=()),
        custom,
    ]
    made = [request(exp) for exp in mix]
    families = Families()
    # only the two runs with the squares and 9×4 / 5×3 share one
    assert len({families(Job(req, i)) for i, (req, _) in enumerate(made)}) == 8
    jobs = [service.submit(req) for req, _ in made]
    for job, (req, run) in zip(jobs, made):
        job.result(timeout=120)
        same(job, run)
        regression = req.exp.task == "regression"
        assert all((s.accuracy is None) == regression for s in job.snapshots)
