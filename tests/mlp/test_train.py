"""Training: the report's defaults converge, divergence stops cleanly, a seed fixes every number."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from test_gradients import flat, numeric_gradient

import mlp


def test_same_seed_same_numbers_and_loss_falls():
    d = mlp.make_dataset("xor")
    runs = []
    for _ in range(2):
        net = mlp.MLP((2, 9, 4, 1), seed=11)
        runs.append(list(mlp.train(net, d.X, d.y, epochs=300, lr=0.1, every=50, keep_params=True)))
    a, b = runs
    assert [s.epoch for s in a] == [0, 50, 100, 150, 200, 250, 300]
    assert [s.loss for s in a] == [s.loss for s in b]
    np.testing.assert_array_equal(a[-1].params, b[-1].params)
    assert a[-1].loss < a[0].loss
    other = list(mlp.train(mlp.MLP((2, 9, 4, 1), seed=12), d.X, d.y, epochs=300, lr=0.1, every=300))
    assert other[-1].loss != a[-1].loss


def test_minibatch_is_seeded():
    d = mlp.make_dataset("moons", n=64, seed=2)

    def final(seed):
        net = mlp.MLP((2, 8, 1), seed=0)
        *_, last = mlp.train(net, d.X, d.y, epochs=20, lr=0.05, batch_size=8, seed=seed, every=20)
        return net.params.copy(), last

    (p1, s1), (p2, _), (p3, _) = final(1), final(1), final(2)
    np.testing.assert_array_equal(p1, p2)
    assert not np.array_equal(p1, p3)
    assert s1.status == "done"


def test_full_batch_sum_is_n_times_mean():
    """reduction='sum' with lr equals reduction='mean' with n·lr (one GD step)."""
    d = mlp.make_dataset("linear", n=40, seed=1)
    a, b = mlp.MLP((2, 3, 1), seed=4), mlp.MLP((2, 3, 1), seed=4)
    list(mlp.train(a, d.X, d.y, epochs=1, lr=0.01, reduction="sum"))
    list(mlp.train(b, d.X, d.y, epochs=1, lr=0.4, reduction="mean"))
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12)


def test_one_step_by_hand():
    """One GD step on the 2-1 network of test_known_answer_tiny_pass: W ← W − lr·dW."""
    net = mlp.MLP((2, 1), seed=0)
    net.weights[0][...] = [[0.5], [-0.25]]
    snaps = list(mlp.train(net, [[1.0, 2.0]], [[1.0]], epochs=1, lr=0.1))
    np.testing.assert_allclose(net.weights[0], [[0.525], [-0.2]])  # 0.5 + 0.1·0.25, −0.25 + 0.1·0.5
    np.testing.assert_allclose(net.biases[0], [0.025])
    assert snaps[0].loss == pytest.approx(0.25) and snaps[0].epoch == 0
    assert snaps[0].grad_norms[0] == pytest.approx(np.hypot(0.25, 0.5))


def test_penalties_by_hand():
    """L2 adds l2·W, L1 adds l1·sign(W), on weights only."""
    X, y = [[1.0, 2.0]], [[1.0]]
    for kw, extra in (({"l2": 0.5}, 0.5 * np.array([[0.5], [-0.25]])), ({"l1": 0.5}, 0.5 * np.array([[1], [-1]]))):
        net = mlp.MLP((2, 1), seed=0)
        net.weights[0][...] = [[0.5], [-0.25]]
        list(mlp.train(net, X, y, epochs=1, lr=0.1, **kw))
        expected = np.array([[0.5], [-0.25]]) - 0.1 * (np.array([[-0.25], [-0.5]]) + extra)
        np.testing.assert_allclose(net.weights[0], expected)
        np.testing.assert_allclose(net.biases[0], [0.025])


def test_snapshots_report_test_set_and_params():
    d = mlp.make_dataset("circle", n=80, seed=1)
    tr, te = mlp.split(d, 0.25, seed=1)
    net = mlp.MLP((2, 6, 1), activation="tanh", seed=1)
    snaps = list(mlp.train(net, tr.X, tr.y, epochs=30, lr=0.01, every=10, X_test=te.X, y_test=te.y))
    assert [s.epoch for s in snaps] == [0, 10, 20, 30]
    last = snaps[-1]
    assert (last.test_loss, last.test_accuracy) == pytest.approx(net.evaluate(te.X, te.y))
    assert (last.loss, last.accuracy) == pytest.approx(net.evaluate(tr.X, tr.y))
    assert len(last.grad_norms) == 2 and last.params is None


def test_divergence_stops_with_a_reason_and_no_warning():
    d = mlp.make_dataset("linear", n=100, seed=0)
    net = mlp.MLP((2, 9, 4, 1), activation="linear", output_activation="linear", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        snaps = list(mlp.train(net, d.X, d.y, epochs=10_000, lr=0.1))
        net.predict(d.X)
        net.evaluate(d.X, d.y)
    last = snaps[-1]
    assert last.status == "diverged"
    assert last.epoch < 50
    assert f"epoch {last.epoch}" in last.reason and "learning rate" in last.reason
    assert all(s.status == "running" for s in snaps[:-1])


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"epochs": 0}, ["epochs"]),
        ({"lr": 0.0}, ["lr", "greater than 0"]),
        ({"lr": float("inf")}, ["lr", "finite"]),
        ({"optimizer": "sgdd"}, ["optimizer", "adam"]),
        ({"reduction": "avg"}, ["reduction", "sum", "mean"]),
        ({"batch_size": 0}, ["batch_size"]),
        ({"every": -1}, ["every"]),
        ({"l2": -1.0}, ["l2"]),
    ],
)
def test_train_rejects_bad_arguments(kwargs, words):
    d = mlp.make_dataset("linear", n=10)
    args = {"epochs": 1, "lr": 0.1} | kwargs
    with pytest.raises(ValueError) as err:
        mlp.train(mlp.MLP((2, 1)), d.X, d.y, **args)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(
    "X, y, words",
    [
        (np.zeros((3, 3)), np.zeros((3, 1)), ["X", "2 features"]),
        (np.zeros(3), np.zeros(3), ["X", "shape"]),
        (np.array([[0.0, np.nan]]), [[1.0]], ["X", "NaN"]),
        (np.zeros((3, 2)), np.zeros((2, 1)), ["y", "3 points"]),
        (np.zeros((2, 2)), [[0.0], [2.0]], ["y", "0 or 1"]),
    ],
)
def test_train_rejects_bad_data(X, y, words):
    with pytest.raises(ValueError) as err:
        mlp.train(mlp.MLP((2, 1)), X, y, epochs=1, lr=0.1)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"layer_sizes": (2, 0, 1)}, ["layer_sizes", "from 1 to 10000"]),
        ({"layer_sizes": (2, 10**6, 1)}, ["layer_sizes", "from 1 to 10000"]),
        ({"layer_sizes": (2, 9000, 9000, 1)}, ["layer_sizes", "parameters"]),
        ({"layer_sizes": (2, 3, 2)}, ["layer_sizes", "1 unit"]),
        ({"layer_sizes": (2,)}, ["layer_sizes"]),
        ({"activation": "swish"}, ["activation", "sigmoid", "relu"]),
        ({"loss": "hinge"}, ["loss", "mse", "bce"]),
        ({"init": "zeros"}, ["init", "xavier"]),
        ({"bias": "yes"}, ["bias"]),
        ({"seed": -3}, ["seed"]),
    ],
)
def test_network_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError) as err:
        mlp.MLP(**({"layer_sizes": (2, 3, 1)} | kwargs))
    for w in words:
        assert w in str(err.value)


def test_bias_false_keeps_biases_at_zero():
    d = mlp.make_dataset("xor")
    net = mlp.MLP((2, 5, 1), bias=False, seed=0)
    list(mlp.train(net, d.X, d.y, epochs=50, lr=0.1, optimizer="adam"))
    assert not any(b.any() for b in net.biases)


@pytest.mark.parametrize(
    "modules, banned",
    [
        ("mlp, mlp.io, mlp.batched, mlp.stack", "streamlit altair pandas pyarrow companion lab playground server"),
        ("companion.gradcheck, companion.checkfile, companion.mistakes, companion.diagnose, companion.studentlog, "
         "companion.logparse", "streamlit altair pandas pyarrow lab playground server"),
        ("lab.experiment, lab.run, lab.record, lab.sweep, lab.presets, lab.points, lab.cli, lab.compare",
         "streamlit altair pandas pyarrow playground server"),
    ],
)
def test_each_layer_imports_only_the_layers_below(modules, banned):
    code = f"import sys, {modules}; print(sorted(set({banned.split()!r}) & {{m.split('.')[0] for m in sys.modules}}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).parents[2]))
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_trainer_in_steps_equals_one_long_run(optimizer):
    """Step 25 epochs four times = train 100 epochs: optimizer state and batch RNG carry over."""
    d = mlp.make_dataset("moons", n=40, seed=3)
    kw = dict(lr=0.05, optimizer=optimizer, batch_size=16, seed=4)
    one = mlp.MLP((2, 6, 1), seed=2)
    *_, last_one = mlp.train(one, d.X, d.y, epochs=100, every=25, **kw)
    steps = mlp.Trainer(mlp.MLP((2, 6, 1), seed=2), d.X, d.y, **kw)
    epochs = []
    for _ in range(4):
        epochs += [s.epoch for s in steps.run(25, every=25)]
    assert epochs == [0, 25, 50, 75, 100]
    np.testing.assert_array_equal(steps.net.params, one.params)
    assert steps.epoch == 100 and last_one.epoch == 100


def test_trainer_pickles_with_live_parameter_views():
    import pickle

    d = mlp.make_dataset("xor")
    t = mlp.Trainer(mlp.MLP((2, 4, 1), seed=0), d.X, d.y, lr=0.1, optimizer="adam")
    list(t.run(10))
    twin = pickle.loads(pickle.dumps(t))
    twin.net.weights[0][0, 0] = 123.0
    assert twin.net.params[0] == 123.0  # the views point into the copy's own params
    assert t.net.params[0] != 123.0
    a, b = list(t.run(5))[-1], list(pickle.loads(pickle.dumps(t)).run(5))[-1]
    assert a.epoch == 15 and b.epoch == 20  # the copy was taken after t's second run


def test_diverged_trainer_stays_diverged():
    d = mlp.make_dataset("linear")
    t = mlp.Trainer(mlp.MLP((2, 9, 4, 1), activation="linear", output_activation="linear"), d.X, d.y, lr=0.1)
    last = list(t.run(1000))[-1]
    assert last.status == "diverged"
    again = list(t.run(10))
    assert len(again) == 1 and again[0].status == "diverged" and again[0].epoch == last.epoch


def test_trainer_snapshot_matches_the_first_yield():
    d = mlp.make_dataset("xor")
    t = mlp.Trainer(mlp.MLP((2, 3, 1), seed=1), d.X, d.y, lr=0.1)
    before = t.snapshot()
    first = next(iter(t.run(5)))
    assert before == first and before.epoch == 0


def test_a_test_set_of_the_training_sets_size_does_not_disturb_training():
    """Evaluating the test set between updates must not reuse the training buffers (same n)."""
    d = mlp.make_dataset("linear", n=100, seed=0)
    tr, te = mlp.split(d, 0.5, seed=0)
    assert len(tr) == len(te)
    a, b = mlp.MLP((2, 9, 4, 1), seed=0), mlp.MLP((2, 9, 4, 1), seed=0)
    list(mlp.train(a, tr.X, tr.y, epochs=3, lr=0.1))
    list(mlp.train(b, tr.X, tr.y, epochs=3, lr=0.1, X_test=te.X, y_test=te.y))
    np.testing.assert_array_equal(a.params, b.params)
    # nor does anything a page calls between two snapshots
    c = mlp.MLP((2, 9, 4, 1), seed=0)
    for _ in mlp.train(c, tr.X, tr.y, epochs=3, lr=0.1):
        c.forward(te.X)
        c.gradients(te.X, te.y)
    np.testing.assert_array_equal(a.params, c.params)


def test_snapshots_pickle_to_equal_snapshots():
    """The page's run cache pickles finished runs; a snapshot comes back field for field."""
    import pickle

    d = mlp.make_dataset("xor")
    snaps = list(mlp.train(mlp.MLP((2, 3, 1), seed=0), d.X, d.y, epochs=3, lr=0.1, every=1, keep_params=True))
    for snap in snaps:
        back = pickle.loads(pickle.dumps(snap))
        for name in type(snap).__slots__:
            a, b = getattr(snap, name), getattr(back, name)
            if isinstance(a, np.ndarray):
                np.testing.assert_array_equal(a, b)
            else:
                assert a == b, name


def test_regression_trains_on_real_targets_without_accuracy():
    d = mlp.make_dataset("reg_plane", n=100, seed=0)
    net = mlp.MLP((2, 9, 4, 1), output_activation="linear", seed=0)
    snaps = list(mlp.train(net, d.X, d.y, epochs=500, lr=0.003, every=100, task="regression"))
    assert all(s.accuracy is None and s.test_accuracy is None for s in snaps)
    assert snaps[-1].loss < 0.1 * snaps[0].loss and snaps[-1].status == "done"
    assert net.evaluate(d.X, d.y, task="regression") == (snaps[-1].loss, None)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"task": "regression", "net": {"loss": "bce"}}, ["loss: bce needs labels 0 or 1", "use mse"]),
        ({"task": "clustering"}, ["task", "classification, regression"]),
        ({}, ["y: labels must be 0 or 1"]),  # real targets for a classification run
    ],
)
def test_regression_mistakes_are_named(kwargs, words):
    d = mlp.make_dataset("reg_plane", n=20, seed=0)
    net = mlp.MLP((2, 3, 1), **kwargs.pop("net", {}))
    with pytest.raises(ValueError) as err:
        mlp.train(net, d.X, d.y, epochs=1, lr=0.1, **kwargs)
    for w in words:
        assert w in str(err.value)


def test_gradient_with_real_targets_matches_finite_differences():
    d = mlp.make_dataset("reg_gaussians", n=15, seed=3)
    net = mlp.MLP((2, 4, 1), activation="tanh", output_activation="linear", init="xavier", seed=1)
    _, dW, db = net.gradients(d.X, d.y)
    np.testing.assert_allclose(flat(dW, db), numeric_gradient(net, d.X, d.y, task="regression"), rtol=1e-5, atol=1e-8)
