"""Input features: known answers by hand, finite differences through them, and no cost for the lab's inputs."""

import numpy as np
import pytest
from test_gradients import flat, numeric_gradient

import mlp
from mlp import io
from mlp.batched import train_batched
from mlp.features import FEATURES, Features
from mlp.train import family_problem

ALL = tuple(FEATURES)


def test_known_answer_every_feature():
    """The point (0.75, 0.25), centred on (0.5, 0.5): v = 2·(x − c) = (0.5, −0.5).

    x1 = 0.75, x2 = 0.25 (raw); x1sq = 0.5² = 0.25, x2sq = (−0.5)² = 0.25, x1x2 = 0.5·(−0.5) = −0.25;
    sinx1 = sin(6·0.5) = sin 3 = 0.14112…, sinx2 = sin(−3) = −0.14112….
    """
    got = Features(ALL)(np.array([[0.75, 0.25]]))
    np.testing.assert_allclose(got, [[0.75, 0.25, 0.25, 0.25, -0.25, np.sin(3.0), -np.sin(3.0)]], rtol=1e-15)
    assert np.sin(3.0) == pytest.approx(0.1411200080598672)


def test_the_centre_moves_the_derived_features_only():
    """Centre (1, 0): the point (1, 0) is the centre itself, v = (0, 0): squares, product and sines are 0."""
    got = Features(ALL, centre=(1.0, 0.0))(np.array([[1.0, 0.0], [0.5, 0.5]]))
    np.testing.assert_allclose(got[0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], atol=1e-15)
    # (0.5, 0.5): v = (−1, 1) → x1sq = x2sq = 1, x1x2 = −1, sines sin(∓6)
    np.testing.assert_allclose(got[1], [0.5, 0.5, 1.0, 1.0, -1.0, np.sin(-6.0), np.sin(6.0)], rtol=1e-15)


def test_squares_measure_the_distance_from_the_centre():
    X = np.random.default_rng(0).uniform(0, 1, (50, 2))
    sq = Features(("x1sq", "x2sq"))(X)
    np.testing.assert_allclose(sq.sum(axis=1), 4 * np.sum((X - 0.5) ** 2, axis=1), rtol=1e-13)


def test_the_lab_inputs_are_the_points_themselves():
    X = np.random.default_rng(1).uniform(0, 1, (5, 2))
    assert Features()(X) is X and Features().identity
    plain, featured = mlp.MLP((2, 9, 4, 1), seed=3), mlp.MLP((2, 9, 4, 1), seed=3, features=("x1", "x2"))
    np.testing.assert_array_equal(plain.forward(X), featured.forward(X))


@pytest.mark.parametrize(
    "given, names",
    [(("x1sq", "x1"), ("x1", "x1sq")), (("x2", "x2", "x1"), ("x1", "x2")), (("sinx2",), ("sinx2",)), (ALL, ALL)],
)
def test_names_are_canonical(given, names):
    assert Features(given).names == names


@pytest.mark.parametrize(
    "given, centre, words",
    [
        (("x1", "x3"), (0.5, 0.5), ["features", "'x3'", "allowed: x1, x2, x1sq"]),
        ((), (0.5, 0.5), ["features", "at least one"]),
        ("x1", (0.5, 0.5), ["features", "list"]),
        ((["x1"],), (0.5, 0.5), ["features", "unknown"]),
        (("x1",), (0.5,), ["centre", "two numbers"]),
        (("x1",), (np.nan, 0.5), ["centre"]),
        (("x1",), (1e300, 0.5), ["centre"]),
        (("x1",), "ab", ["centre"]),
    ],
)
def test_bad_features_are_named(given, centre, words):
    with pytest.raises(ValueError) as err:
        Features(given, centre)
    for w in words:
        assert w in str(err.value)


def test_the_input_layer_must_match_the_features():
    with pytest.raises(ValueError, match="layer_sizes: the input layer has 2 units for 3 features"):
        mlp.MLP((2, 4, 1), features=("x1", "x2", "x1sq"))
    net = mlp.MLP((3, 1), features=("x1", "x2", "x1sq"))
    with pytest.raises(ValueError, match=r"X: the network takes 2 coordinates \(x1, x2\) per point, got 3"):
        net.forward(np.zeros((4, 3)))


def test_known_answer_no_hidden_layer_with_features():
    """3-1 sigmoid network on (x1, x2, x1sq), centre (0.5, 0.5), one point x = (1, 0.5), y = 1.

    Inputs a0 = (1, 0.5, v1² = (2·0.5)² = 1); W = (1, −2, 0.5)ᵀ, b = −0.5 → z = 1 − 1 + 0.5 − 0.5 = 0,
    p = σ(0) = 0.5. MSE = 0.25; ∂L/∂z = 2(p − y)·p(1 − p) = −0.25 → dW = a0ᵀ·(−0.25) = (−0.25, −0.125, −0.25)ᵀ,
    db = −0.25.
    """
    net = mlp.MLP((3, 1), features=("x1", "x2", "x1sq"))
    net.weights[0][...] = [[1.0], [-2.0], [0.5]]
    net.biases[0][...] = [-0.5]
    loss, dW, db = net.gradients(np.array([[1.0, 0.5]]), np.array([[1.0]]))
    assert loss == pytest.approx(0.25)
    np.testing.assert_allclose(dW[0], [[-0.25], [-0.125], [-0.25]])
    np.testing.assert_allclose(db[0], [-0.25])


@pytest.mark.parametrize("shape", [(7, 1), (7, 3, 1), (3, 4, 2, 1)], ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("loss", sorted(mlp.LOSSES))
def test_gradient_through_features_matches_finite_differences(shape, loss):
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 1, (11, 2))
    y = (rng.uniform(size=(11, 1)) < 0.5).astype(float)
    names = ALL if shape[0] == 7 else ("x1", "x1x2", "sinx2")
    net = mlp.MLP(shape, activation="tanh", loss=loss, init="xavier", seed=2, features=Features(names, (0.4, 0.6)))
    for b in net.biases:
        b[...] = rng.normal(0, 0.3, b.shape)
    _, dW, db = net.gradients(X, y)
    np.testing.assert_allclose(flat(dW, db), numeric_gradient(net, X, y), rtol=1e-5, atol=1e-8)


def test_fixed_seed_same_numbers_and_training_helps_on_the_circle():
    d = mlp.make_dataset("circle", n=100, seed=0)
    runs = []
    for _ in range(2):
        net = mlp.MLP((4, 1), seed=5, features=("x1", "x2", "x1sq", "x2sq"))
        runs.append(list(mlp.train(net, d.X, d.y, epochs=400, lr=0.1, every=100, keep_params=True)))
    a, b = runs
    assert [s.loss for s in a] == [s.loss for s in b]
    np.testing.assert_array_equal(a[-1].params, b[-1].params)
    assert a[-1].loss < a[0].loss and a[-1].accuracy > a[0].accuracy


def test_weights_file_keeps_the_features():
    net = mlp.MLP((4, 3, 1), seed=1, features=Features(("x1", "x2", "x1x2", "sinx1"), (0.25, 0.75)))
    text = io.dumps(net)
    back = io.loads(text)
    assert back.features == net.features and back.layer_sizes == (4, 3, 1)
    X = np.random.default_rng(2).uniform(0, 1, (6, 2))
    np.testing.assert_array_equal(back.forward(X), net.forward(X))
    assert io.loads(io.dumps(mlp.MLP((2, 1)))).features is None  # a file without features: inputs as given


def test_batched_keeps_networks_with_other_features_apart():
    a = mlp.MLP((3, 2, 1), features=("x1", "x2", "x1sq"))
    b = mlp.MLP((3, 2, 1), features=("x1", "x2", "x2sq"))
    c = mlp.MLP((3, 2, 1), features=Features(("x1", "x2", "x1sq"), (0.0, 0.0)))
    assert family_problem([a, b]) and family_problem([a, c])
    assert not family_problem([a, mlp.MLP((3, 5, 1), seed=4, features=("x1", "x2", "x1sq"))])
    # the lab's inputs, given as features or not, are the same inputs
    assert not family_problem([mlp.MLP((2, 3, 1)), mlp.MLP((2, 3, 1), features=("x1", "x2"))])
    with pytest.raises(ValueError, match="input features"):
        train_batched([a, b], np.zeros((4, 2)), np.zeros((4, 1)), epochs=1, lrs=0.1)
