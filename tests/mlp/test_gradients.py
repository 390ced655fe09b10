"""Finite differences against the analytic gradient, for every activation × loss × bias × shape."""

import numpy as np
import pytest

import mlp
from mlp.network import MLP

SHAPES = [(2, 1), (2, 3, 1), (2, 9, 4, 1), (2, 8, 8, 8, 1)]


def numeric_gradient(net: MLP, X: np.ndarray, y: np.ndarray, eps: float = 1e-6, task: str = "classification"
                     ) -> np.ndarray:
    """Central differences of the mean loss with respect to every entry of net.params."""
    grad = np.zeros_like(net.params)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + eps
        plus, _ = net.evaluate(X, y, task)
        net.params[i] = old - eps
        minus, _ = net.evaluate(X, y, task)
        net.params[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def flat(dW, db):
    return np.concatenate([np.concatenate([w.ravel(), b.ravel()]) for w, b in zip(dW, db)])


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("loss", sorted(mlp.LOSSES))
@pytest.mark.parametrize("activation", sorted(mlp.ACTIVATIONS))
def test_gradient_matches_finite_differences(activation, loss, bias, shape):
    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (13, 2))
    y = (rng.uniform(size=(13, 1)) < 0.5).astype(float)
    net = MLP(shape, activation=activation, loss=loss, init="xavier", bias=bias, seed=3)
    if bias:  # non-zero biases, so their gradients are exercised away from the initial point
        for b in net.biases:
            b[...] = rng.normal(0, 0.3, b.shape)
    value, dW, db = net.gradients(X, y)
    assert value == pytest.approx(net.evaluate(X, y)[0])
    analytic = flat(dW, db)
    numeric = numeric_gradient(net, X, y)
    if not bias:
        assert not np.any(np.concatenate([b.ravel() for b in db]))
        mask = net.weight_mask.astype(bool)
        analytic, numeric = analytic[mask], numeric[mask]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("output", sorted(mlp.ACTIVATIONS))
def test_output_activations_gradient(output):
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 1, (9, 2))
    y = (X[:, :1] > X[:, 1:]).astype(float)
    net = MLP((2, 5, 1), activation="tanh", output_activation=output, loss="mse", init="xavier", seed=2)
    net.biases[-1][...] = 0.3
    _, dW, db = net.gradients(X, y)
    np.testing.assert_allclose(flat(dW, db), numeric_gradient(net, X, y), rtol=1e-5, atol=1e-8)


def test_bce_saturated_output_stays_finite():
    # σ(z) rounds to exactly 1 for z ≳ 37: log(1 − 1) would be −inf without the clip
    net = MLP((2, 1), loss="bce", seed=0)
    net.weights[0][...] = [[100.0], [100.0]]
    X, y = np.array([[1.0, 1.0]]), np.array([[0.0]])
    loss, dW, db = net.gradients(X, y)
    assert np.isfinite(loss) and loss == pytest.approx(-np.log(1e-12))
    assert np.isfinite(dW[0]).all() and np.isfinite(db[0]).all()


def test_known_answer_tiny_pass():
    """A 2-1 sigmoid network worked out by hand.

    x = (1, 2), W = (0.5, −0.25)ᵀ, b = 0 → z = 0.5 − 0.5 = 0, p = σ(0) = 0.5; y = 1
    MSE = (0.5 − 1)² = 0.25
    ∂L/∂z = 2(p − y)·p(1 − p) = 2(−0.5)(0.25) = −0.25 → dW = xᵀ·(−0.25) = (−0.25, −0.5)ᵀ, db = −0.25
    BCE = −log 0.5 = 0.6931…, ∂L/∂z = p − y = −0.5 → dW = (−0.5, −1)ᵀ, db = −0.5
    """
    X, y = np.array([[1.0, 2.0]]), np.array([[1.0]])
    net = MLP((2, 1), seed=0)
    net.weights[0][...] = [[0.5], [-0.25]]
    loss, dW, db = net.gradients(X, y)
    assert loss == pytest.approx(0.25)
    np.testing.assert_allclose(dW[0], [[-0.25], [-0.5]])
    np.testing.assert_allclose(db[0], [-0.25])

    net = MLP((2, 1), loss="bce", seed=0)
    net.weights[0][...] = [[0.5], [-0.25]]
    loss, dW, db = net.gradients(X, y)
    assert loss == pytest.approx(np.log(2))
    np.testing.assert_allclose(dW[0], [[-0.5], [-1.0]])
    np.testing.assert_allclose(db[0], [-0.5])


def test_known_answer_two_layers():
    """2-1-1 linear hidden unit, sigmoid output, worked out by hand.

    x = (1, 1); W1 = (1, 1)ᵀ, b1 = −1 → h = 1; W2 = 2, b2 = −2 → z = 0, p = 0.5; y = 0
    MSE = 0.25; δ2 = 2(0.5)(0.25) = 0.25 → dW2 = h·δ2 = 0.25, db2 = 0.25
    δ1 = δ2·W2·1 = 0.5 → dW1 = (0.5, 0.5)ᵀ, db1 = 0.5
    """
    net = MLP((2, 1, 1), activation="linear", seed=0)
    net.weights[0][...] = [[1.0], [1.0]]
    net.biases[0][...] = [-1.0]
    net.weights[1][...] = [[2.0]]
    net.biases[1][...] = [-2.0]
    loss, dW, db = net.gradients(np.array([[1.0, 1.0]]), np.array([[0.0]]))
    assert loss == pytest.approx(0.25)
    np.testing.assert_allclose(dW[1], [[0.25]])
    np.testing.assert_allclose(db[1], [0.25])
    np.testing.assert_allclose(dW[0], [[0.5], [0.5]])
    np.testing.assert_allclose(db[0], [0.5])


@pytest.mark.parametrize("name", sorted(mlp.ACTIVATIONS))
def test_activations_stable_for_extreme_inputs(name, recwarn):
    z = np.array([-1e308, -800.0, -40.0, 0.0, 40.0, 800.0, 1e308])
    act = mlp.ACTIVATIONS[name]
    a, d = act(z), act.derivative(z)
    assert np.isfinite(a).all() and np.isfinite(d).all()
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_activation_known_values():
    acts = mlp.ACTIVATIONS
    np.testing.assert_allclose(acts["sigmoid"](np.array([0.0, np.log(3)])), [0.5, 0.75])
    np.testing.assert_allclose(acts["sigmoid"].derivative(np.array([0.0])), [0.25])
    np.testing.assert_allclose(acts["tanh"].derivative(np.array([0.0])), [1.0])
    np.testing.assert_allclose(acts["relu"](np.array([-2.0, 3.0])), [0.0, 3.0])
    np.testing.assert_allclose(acts["relu"].derivative(np.array([-2.0, 3.0])), [0.0, 1.0])
    np.testing.assert_allclose(acts["leaky_relu"](np.array([-2.0, 3.0])), [-0.02, 3.0])
    np.testing.assert_allclose(acts["leaky_relu"].derivative(np.array([-2.0, 3.0])), [0.01, 1.0])
    np.testing.assert_allclose(acts["linear"](np.array([-2.0, 3.0])), [-2.0, 3.0])


def test_an_activation_object_can_stand_in_for_a_name():
    # a variant rule (σ' applied twice) plugged in as an object: the backward pass uses it as it is
    sig = mlp.ACTIVATIONS["sigmoid"]
    twice = mlp.activations.Activation("sigmoid_twice", sig.forward, lambda a, out: np.square(sig.grad(a, out), out=out),
                                       sig.latex)
    rng = np.random.default_rng(0)
    X, y = rng.uniform(size=(5, 2)), np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
    right, wrong = MLP((2, 3, 1), seed=1), MLP((2, 3, 1), activation=twice, seed=1)
    assert right.evaluate(X, y) == wrong.evaluate(X, y)  # same forward pass
    _, dW_right, _ = right.gradients(X, y)
    _, dW_wrong, _ = wrong.gradients(X, y)
    np.testing.assert_array_equal(dW_wrong[-1], dW_right[-1])  # the output layer uses the output activation
    assert not np.allclose(dW_wrong[0], dW_right[0])
