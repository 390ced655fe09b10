"""One sample's forward and backward pass (lab.sample): the engine's numbers, term by term.

What is compared with what: ``MLP.gradients(X, y)`` is the exact gradient of the *mean* loss,
(1/n)·Σᵢ ∂ℓᵢ/∂W; `trace` gives one sample's ∂ℓᵢ/∂W. So Σᵢ trace(xᵢ).dW must equal n · gradients(X, y).dW
(and the same for db), to rounding: the engine sums the n rows inside one BLAS product, the test one by one.
"""

import numpy as np
import pytest

import mlp
from lab.sample import inputs, trace
from mlp.activations import ACTIVATIONS

DEPTHS = {0: (), 1: (3,), 2: (4, 3), 3: (3, 4, 2), 4: (3, 3, 2, 3)}  # hidden layers → their widths


def data(fan_in: int, n: int = 7, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, fan_in)), (rng.random((n, 1)) < 0.5).astype(float)


@pytest.mark.parametrize("depth", sorted(DEPTHS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("bias", [True, False])
def test_the_samples_shares_add_up_to_the_engines_gradient(depth, activation, loss, bias):
    fan_in = 2 + depth % 2  # widths 2 and 3 both seen
    net = mlp.MLP((fan_in, *DEPTHS[depth], 1), activation=activation, loss=loss, bias=bias, seed=depth + 1)
    X, y = data(fan_in)
    mean_loss, dW, db = net.gradients(X, y)
    traces = [trace(net, x, t) for x, t in zip(X, y[:, 0])]
    n = len(X)
    assert np.mean([t.loss for t in traces]) == pytest.approx(mean_loss, rel=1e-12)
    for l in range(net.n_layers):
        np.testing.assert_allclose(sum(t.dW[l] for t in traces), n * dW[l], rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(sum(t.db[l] for t in traces), n * db[l], rtol=1e-9, atol=1e-13)
        if not bias:
            assert not any(t.db[l].any() for t in traces)


@pytest.mark.parametrize("depth", sorted(DEPTHS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_the_shown_terms_make_the_engines_numbers(depth, activation, loss):
    """z → a by the activation, δ = ∂ℓ/∂a ⊙ f'(z) (p − y at a fused output), dW = a_prev ⊗ δ, db = δ."""
    net = mlp.MLP((2, *DEPTHS[depth], 1), activation=activation, loss=loss, seed=7)
    x, y = np.array([0.3, -0.8]), 1.0
    t = trace(net, x, y)
    assert t.p == pytest.approx(float(net.forward(x[None])[0, 0]), rel=1e-14)
    rules = [net.activation] * (net.n_layers - 1) + [net.output_activation]
    prev = [t.x, *t.a[:-1]]
    for l, f in enumerate(rules):
        np.testing.assert_allclose(f(t.z[l]), t.a[l], rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(np.outer(prev[l], t.delta[l]), t.dW[l], rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(t.db[l], t.delta[l], rtol=1e-14)
        if l == net.n_layers - 1 and t.fused:
            assert t.delta[l][0] == pytest.approx(t.p - y, rel=1e-14)
        np.testing.assert_allclose(t.da[l] * t.fprime[l], t.delta[l], rtol=1e-9, atol=1e-15)
    assert t.fused == (loss == "bce")  # the output is a sigmoid


def test_a_hand_worked_2_2_1_sigmoid_net():
    # x = (1, 2), y = 1, MSE, sigmoid everywhere.
    # z1 = x·W1 + b1 = (1·0.1 + 2·0.3 + 0, 1·0.2 + 2·(−0.4) + 0.1) = (0.7, −0.5)
    # a1 = σ(z1) = (1/(1 + e^−0.7), 1/(1 + e^0.5)) = (1/1.4965853038, 1/2.6487212707) = (0.6681877722, 0.3775406688)
    # z2 = 0.5·0.6681877722 − 1·0.3775406688 + 0.2 = 0.3340938861 − 0.3775406688 + 0.2 = 0.1565532173
    # p = σ(0.1565532173) = 1/(1 + 0.8550875…) = 0.5390585633
    # ℓ = (p − y)² = (−0.4609414367)² = 0.2124670080
    # ∂ℓ/∂p = 2(p − y) = −0.9218828734;  σ'(z2) = p(1 − p) = 0.5390585633 · 0.4609414367 = 0.2484744286
    # δ2 = −0.9218828734 · 0.2484744286 = −0.2290643202;  db2 = δ2
    # dW2 = a1ᵀ δ2 = (0.6681877722 · −0.2290643202, 0.3775406688 · −0.2290643202) = (−0.1530579778, −0.0864810967)
    # ∂ℓ/∂a1 = δ2 · W2ᵀ = (−0.2290643202 · 0.5, −0.2290643202 · −1) = (−0.1145321601, 0.2290643202)
    # σ'(z1) = a1(1 − a1) = (0.6681877722 · 0.3318122278, 0.3775406688 · 0.6224593312) = (0.2217128733, 0.2350037122)
    # δ1 = (−0.1145321601 · 0.2217128733, 0.2290643202 · 0.2350037122) = (−0.0253932543, 0.0538309656)
    # dW1 = xᵀ δ1 = rows 1·δ1 and 2·δ1 = [[−0.0253932543, 0.0538309656], [−0.0507865086, 0.1076619312]]
    net = mlp.MLP((2, 2, 1), loss="mse")
    net.set_parameters([[[0.1, 0.2], [0.3, -0.4]], [[0.5], [-1.0]]], [[0.0, 0.1], [0.2]])
    t = trace(net, np.array([1.0, 2.0]), 1.0)
    digits = dict(rtol=0, atol=5e-11)
    np.testing.assert_allclose(t.z[0], [0.7, -0.5], **digits)
    np.testing.assert_allclose(t.a[0], [0.6681877722, 0.3775406688], **digits)
    np.testing.assert_allclose(t.z[1], [0.1565532173], **digits)
    assert t.p == pytest.approx(0.5390585633, abs=5e-11)
    assert t.loss == pytest.approx(0.2124670080, abs=5e-11)
    np.testing.assert_allclose(t.da[1], [-0.9218828734], **digits)
    np.testing.assert_allclose(t.fprime[1], [0.2484744286], **digits)
    np.testing.assert_allclose(t.delta[1], [-0.2290643202], **digits)
    np.testing.assert_allclose(t.dW[1], [[-0.1530579778], [-0.0864810967]], **digits)
    np.testing.assert_allclose(t.db[1], [-0.2290643202], **digits)
    np.testing.assert_allclose(t.da[0], [-0.1145321601, 0.2290643202], **digits)
    np.testing.assert_allclose(t.fprime[0], [0.2217128733, 0.2350037122], **digits)
    np.testing.assert_allclose(t.delta[0], [-0.0253932543, 0.0538309656], **digits)
    np.testing.assert_allclose(t.dW[0], [[-0.0253932543, 0.0538309656], [-0.0507865086, 0.1076619312]], **digits)
    np.testing.assert_allclose(t.db[0], [-0.0253932543, 0.0538309656], **digits)


@pytest.mark.parametrize("activation, loss", [("sigmoid", "mse"), ("tanh", "bce"), ("leaky_relu", "mse")])
def test_one_samples_gradient_matches_finite_differences(activation, loss):
    net = mlp.MLP((3, 4, 3, 1), activation=activation, loss=loss, seed=5)
    x, y = np.array([0.4, -0.2, 0.9]), 0.0
    t = trace(net, x, y)

    def sample_loss() -> float:
        return net.loss(net.forward(x[None]), [[y]])

    h = 1e-6
    for params, grads in ((net.weights, t.dW), (net.biases, t.db)):
        for P, G in zip(params, grads):
            for i in np.ndindex(P.shape):
                kept = P[i]
                P[i] = kept + h
                up = sample_loss()
                P[i] = kept - h
                down = sample_loss()
                P[i] = kept
                assert (up - down) / (2 * h) == pytest.approx(G[i], rel=1e-5, abs=1e-9), (i, activation)


def test_the_network_is_left_as_it_was():
    net = mlp.MLP((2, 5, 1), seed=2)
    net.grad[...] = 3.0  # a paused run's next update
    params = net.params.copy()
    trace(net, np.array([0.1, 0.2]), 0.0)
    np.testing.assert_array_equal(net.params, params)
    assert (net.grad == 3.0).all()


def test_a_diverged_network_gives_a_trace_that_says_so():
    net = mlp.MLP((2, 3, 1), seed=2)
    net.weights[0][0, 0] = np.nan
    t = trace(net, np.array([0.5, 0.5]), 1.0)
    assert not t.finite
    assert trace(mlp.MLP((2, 3, 1)), np.array([0.5, 0.5]), 1.0).finite


@pytest.mark.parametrize("x, y, message", [
    (np.array([0.1, 0.2, 0.3]), 1.0, "takes 2 inputs per point, got 3"),
    (np.array([0.1, np.nan]), 1.0, "finite numbers"),
    (np.array([[0.1, 0.2]]), 1.0, "1-D array"),
    (np.array([0.1, 0.2]), float("inf"), "finite label"),
])
def test_bad_points_are_refused_by_name(x, y, message):
    with pytest.raises(ValueError, match=message):
        trace(mlp.MLP((2, 3, 1)), x, y)


@pytest.mark.skipif(not hasattr(mlp, "Features"), reason="this engine has no input features yet")
def test_a_network_with_input_features_is_traced_from_its_raw_point():
    net = mlp.MLP((3, 4, 1), features=mlp.Features(("x1", "x2", "x1sq")), seed=1)
    X, y = data(2, n=5, seed=3)
    _, dW, db = net.gradients(X, y)
    traces = [trace(net, x, t) for x, t in zip(X, y[:, 0])]
    np.testing.assert_allclose(traces[0].x, inputs(net, X[:1])[0])
    assert traces[0].x.shape == (3,)
    np.testing.assert_allclose(sum(t.dW[0] for t in traces), len(X) * dW[0], rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(sum(t.db[0] for t in traces), len(X) * db[0], rtol=1e-9, atol=1e-13)
