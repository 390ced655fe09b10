"""Batched training gives the numbers of separate mlp.train runs, net by net, bit for bit, whatever the widths."""

import pickle
import warnings

import numpy as np
import pytest

import mlp
from mlp.batched import BatchedTrainer, train_batched
from mlp.stack import Stack
from mlp.train import family, family_problem, full_batch

XOR = mlp.make_dataset("xor")
HIDDEN = [(2, 2, 1, 1), (2, 9, 4, 1), (2, 20, 14, 1)]  # the report's 2×1, 9×4 and 20×14


def histories(stream, K):
    """Each net's distinct snapshots (a frozen net repeats its last one)."""
    hist = [[] for _ in range(K)]
    for snaps in stream:
        assert len(snaps) == K
        for h, s in zip(hist, snaps):
            if not h or s.epoch > h[-1].epoch:
                h.append(s)
    return hist


def compare(sizes, lrs, *, epochs, every, data=XOR, test=None, net_kw=None, **train_kw):
    """Train nets batched and one by one from the same start; assert the same snapshots and parameters.

    Bit for bit whatever the widths, but the gradient norms: the batched run measures the
    summed gradient's and divides by n, so they agree to rounding.
    """
    net_kw = net_kw or {}
    nets = [mlp.MLP(s, seed=i, **net_kw) for i, s in enumerate(sizes)]
    twins = [net.copy() for net in nets]
    test_kw = {} if test is None else {"X_test": test.X, "y_test": test.y}
    got = histories(
        train_batched(
            nets, data.X, data.y, epochs=epochs, lrs=lrs, every=every, keep_params=True, **test_kw, **train_kw
        ),
        len(nets),
    )
    for net, twin, lr, h in zip(nets, twins, lrs, got):
        want = list(
            mlp.train(twin, data.X, data.y, epochs=epochs, lr=lr, every=every, keep_params=True, **test_kw, **train_kw)
        )
        assert [s.epoch for s in h] == [s.epoch for s in want]
        assert [(s.status, s.reason) for s in h] == [(s.status, s.reason) for s in want]
        assert [s.accuracy for s in h] == [s.accuracy for s in want]
        np.testing.assert_array_equal([s.loss for s in h], [s.loss for s in want])
        # norms of the mean gradient: batched as (summed gradient) / n, so compare them to the largest
        norms = np.array([s.grad_norms for s in want])
        top = norms[np.isfinite(norms)].max(initial=1.0)
        np.testing.assert_allclose([s.grad_norms for s in h], norms, rtol=1e-9, atol=1e-9 * top)
        for a, b in zip(h, want):
            np.testing.assert_array_equal(a.params, b.params)
        if test is not None:
            np.testing.assert_array_equal([s.test_loss for s in h], [s.test_loss for s in want])
            assert [s.test_accuracy for s in h] == [s.test_accuracy for s in want]
        np.testing.assert_array_equal(net.params, twin.params)
    return got


def test_same_width_different_learning_rates():
    got = compare([(2, 9, 4, 1)] * 3, [0.1, 0.3, 0.9], epochs=1500, every=100)
    assert [h[-1].status for h in got] == ["done"] * 3 and got[0][-1].epoch == 1500


def test_different_widths_same_learning_rate():
    got = compare(HIDDEN, [0.1] * 3, epochs=1500, every=100)
    assert len({h[-1].loss for h in got}) == 3


def test_widths_out_of_order_without_biases_and_no_hidden_layer():
    sizes = [(2, 20, 14, 1), (2, 2, 1, 1), (2, 20, 14, 1), (2, 9, 4, 1)]
    compare(sizes, [0.1, 0.9, 0.3, 0.5], epochs=300, every=40, net_kw={"bias": False})
    compare([(2, 1)] * 2, [0.1, 0.5], epochs=100, every=30)


@pytest.mark.parametrize(
    "optimizer, lrs",
    [
        ("momentum", [0.02, 0.05, 0.1]),
        ("nesterov", [0.02, 0.05, 0.1]),
        ("adam", [0.02, 0.05, 0.1]),
        # adagrad and rmsprop divide by the gradient's own size: their first steps are ±lr·const for
        # any gradient, so rounding in a near-zero component can flip a step; keep those runs gentle
        ("adagrad", [0.002, 0.005, 0.01]),
        ("rmsprop", [0.0005, 0.001, 0.002]),
    ],
)
def test_optimizers_keep_per_net_state(optimizer, lrs):
    compare(HIDDEN, lrs, epochs=200, every=50, optimizer=optimizer)


def test_test_set_penalties_mean_reduction_and_tanh():
    data = mlp.make_dataset("circle", n=100, seed=1)
    train, test = mlp.split(data, 0.3, seed=1)  # 70 and 30 points
    compare(
        HIDDEN,
        [0.5, 1.0, 2.0],
        epochs=300,
        every=30,
        data=train,
        test=test,
        reduction="mean",
        l1=1e-3,
        l2=1e-2,
        net_kw={"activation": "tanh"},
    )


@pytest.mark.parametrize(
    "activation, output, loss",
    [("relu", "sigmoid", "bce"), ("leaky_relu", "linear", "mse"), ("sigmoid", "tanh", "bce")],
)
def test_other_activations_and_losses(activation, output, loss):
    compare(
        HIDDEN,
        [0.01, 0.02, 0.05],
        epochs=100,
        every=25,
        net_kw={"activation": activation, "output_activation": output, "loss": loss},
    )


def test_input_features_and_no_hidden_layer():
    names = ("x1", "x2", "x1sq", "x2sq", "sinx1")
    data = mlp.make_dataset("circle", n=80, seed=3)
    train, test = mlp.split(data, 0.25, seed=3)
    sizes = [(5, 9, 4, 1), (5, 2, 1, 1), (5, 20, 14, 1)]
    compare(sizes, [0.1, 0.3, 0.05], epochs=300, every=50, data=train, test=test, net_kw={"features": names})
    compare([(5, 1)] * 3, [0.1, 0.5, 0.02], epochs=200, every=40, data=train, test=test,
            net_kw={"features": mlp.Features(names, (0.45, 0.55)), "bias": False})


def test_regression_targets_and_no_accuracy():
    data = mlp.make_dataset("reg_gaussians", n=80, seed=1)
    train, test = mlp.split(data, 0.25, seed=1)
    got = compare(HIDDEN, [0.003, 0.002, 0.001], epochs=300, every=50, data=train, test=test, task="regression",
                  net_kw={"output_activation": "linear", "features": ("x1", "x2")})
    assert all(s.accuracy is None and s.test_accuracy is None and s.test_loss is not None for h in got for s in h)
    assert all(h[-1].loss < h[0].loss for h in got)


def test_one_net_diverges_and_the_others_train_on():
    data = mlp.make_dataset("linear", n=100, seed=0)
    kw = {"activation": "linear", "output_activation": "linear"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning escapes
        got = compare([(2, 9, 4, 1)] * 3, [3e-4, 1e-2, 1e-4], epochs=500, every=50, data=data, net_kw=kw)
    statuses = [h[-1].status for h in got]
    assert statuses == ["done", "diverged", "done"]
    bad = got[1][-1]
    assert 0 < bad.epoch < 50 and f"epoch {bad.epoch}" in bad.reason  # reported between two snapshots
    assert got[0][-1].epoch == got[2][-1].epoch == 500 and got[0][-1].accuracy > 0.9


def test_a_diverged_net_repeats_its_frozen_snapshot():
    data = mlp.make_dataset("linear", n=100, seed=0)
    nets = [mlp.MLP((2, 4, 1), activation="linear", output_activation="linear", seed=0) for _ in range(2)]
    lists = list(train_batched(nets, data.X, data.y, epochs=200, lrs=[1e-3, 0.5], every=20))
    first = next(i for i, snaps in enumerate(lists) if snaps[1].status == "diverged")
    assert all(snaps[1] is lists[first][1] for snaps in lists[first:])
    assert [snaps[0].epoch for snaps in lists] == list(range(0, 201, 20))
    assert np.isfinite(nets[0].params).all()


def test_every_slot_computes_what_its_network_does():
    # nets given out of segment order: the stack sorts them into slots, results come back per net
    sizes = [HIDDEN[2], HIDDEN[0], HIDDEN[2], HIDDEN[1], HIDDEN[0]]
    trainer = BatchedTrainer(
        [mlp.MLP(s, seed=i) for i, s in enumerate(sizes)], XOR.X, XOR.y, lrs=0.5, optimizer="adam", l1=1e-3, l2=1e-3
    )
    (snaps,) = list(trainer.run(300, every=300))[-1:]
    st = trainer.stack
    assert [len(ks) for _, ks in st.segments] == [2, 2, 1] and list(st.slots) == [0, 2, 1, 4, 3]
    p = st.forward(XOR.X, st.workspace(XOR.X.shape[0]))
    for slot, k in enumerate(st.slots):
        net = trainer.nets[k]
        np.testing.assert_array_equal(p[slot], net.forward(XOR.X))
        assert (snaps[k].loss, snaps[k].accuracy) == net.evaluate(XOR.X, XOR.y)
        np.testing.assert_array_equal(np.sort(st.params[st.members(k)]), np.sort(net.params))
    assert sum(len(st.members(k)) for k in range(st.K)) == st.size


def test_networks_are_updated_at_every_yield():
    nets = [mlp.MLP(s, seed=0) for s in HIDDEN]
    for snaps in train_batched(nets, XOR.X, XOR.y, epochs=60, lrs=0.1, every=20):
        for net, snap in zip(nets, snaps):
            assert net.evaluate(XOR.X, XOR.y) == pytest.approx((snap.loss, snap.accuracy), rel=1e-12)


def test_resuming_in_steps_equals_one_long_run():
    one = [mlp.MLP(s, seed=3) for s in HIDDEN]
    list(train_batched(one, XOR.X, XOR.y, epochs=100, lrs=[0.1, 0.2, 0.3], optimizer="adam", every=25))
    steps = BatchedTrainer([mlp.MLP(s, seed=3) for s in HIDDEN], XOR.X, XOR.y, lrs=[0.1, 0.2, 0.3], optimizer="adam")
    epochs = []
    for _ in range(2):
        epochs += [snaps[0].epoch for snaps in steps.run(25, every=25)]
    twin = pickle.loads(pickle.dumps(steps))  # a pickled trainer carries on identically
    for t in (steps, twin):
        for _ in range(2):
            last = list(t.run(25, every=25))
        assert [s.epoch for s in last[-1]] == [100] * 3
    assert epochs == [0, 25, 50]
    for a, b, c in zip(one, steps.nets, twin.nets):
        np.testing.assert_array_equal(a.params, b.params)
        np.testing.assert_array_equal(a.params, c.params)


def test_family_and_full_batch_say_what_trains_together():
    a, b = mlp.MLP((2, 2, 1, 1)), mlp.MLP((2, 20, 14, 1), seed=5, init="xavier")
    assert family(a) == family(b) and family_problem([a, b]) == ""  # widths, seeds and initialisers may differ
    assert full_batch(None, 100) and full_batch(0, 100) and full_batch(100, 100) and not full_batch(10, 100)
    for other, what in ((mlp.MLP((2, 9, 1)), "number of hidden layers"),
                        (mlp.MLP((2, 2, 1, 1), activation="tanh"), "activation"),
                        (mlp.MLP((2, 2, 1, 1), bias=False), "bias")):
        assert family(other) != family(a) and what in family_problem([a, other])
    assert "nets" in family_problem([])
    with pytest.raises(ValueError, match="full batch"):
        BatchedTrainer([a, b], XOR.X, XOR.y, lrs=0.1, batch_size=10)


@pytest.mark.parametrize(
    "nets, kwargs, words",
    [
        ([mlp.MLP((2, 3, 1)), mlp.MLP((2, 3, 2, 1))], {}, ["number of hidden layers"]),
        ([mlp.MLP((2, 3, 1)), mlp.MLP((2, 3, 1), loss="bce")], {}, ["loss", "mse", "bce"]),
        ([mlp.MLP((2, 3, 1))] * 2, {"lrs": [0.1, 0.2, 0.3]}, ["lrs", "2"]),
        ([mlp.MLP((2, 3, 1))] * 2, {"lrs": [0.1, 0.0]}, ["lr", "greater than 0"]),
        ([mlp.MLP((2, 3, 1))], {"optimizer": "sgdd"}, ["optimizer", "adam"]),
        ([mlp.MLP((2, 3, 1))], {"reduction": "avg"}, ["reduction", "sum"]),
        ([mlp.MLP((2, 3, 1))], {"epochs": 0}, ["epochs"]),
        ([], {}, ["nets"]),
    ],
)
def test_bad_arguments_are_named(nets, kwargs, words):
    args = {"epochs": 1, "lrs": 0.1} | kwargs
    with pytest.raises(ValueError) as err:
        train_batched(nets, XOR.X, XOR.y, **args)
    for w in words:
        assert w in str(err.value)


@pytest.mark.parametrize("name", list(mlp.LOSSES))
def test_every_loss_has_a_per_net_value(name):
    nets = [mlp.MLP(s, loss=name, seed=i) for i, s in enumerate(HIDDEN)]
    st = Stack([net.layer_sizes for net in nets], nets[0].activation, nets[0].output_activation, nets[0].loss, True)
    for k, net in enumerate(nets):
        st.load(k, net.params)
    ws = st.workspace(XOR.X.shape[0])
    values = st.losses(st.forward(XOR.X, ws), XOR.y, ws)
    np.testing.assert_allclose(values, [net.evaluate(XOR.X, XOR.y)[0] for net in nets], rtol=1e-14)
