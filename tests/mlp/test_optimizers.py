"""Known answers: the first steps of every optimizer against PyTorch's formulas, written out here."""

import math

import numpy as np
import pytest

import mlp
from mlp.optimizers import OPTIMIZERS

G1 = np.array([0.5, -1.0, 2.0])
G2 = np.array([-0.25, 0.5, 1.0])
THETA0 = np.array([1.0, 2.0, -3.0])
LR = 0.1


def run(name, grads, lr=LR):
    opt = OPTIMIZERS[name](THETA0.size, lr)
    theta = THETA0.copy()
    out = []
    for g in grads:
        opt.step(theta, g)
        out.append(theta.copy())
    return out


def test_gd():
    t1, t2 = run("gd", [G1, G2])
    np.testing.assert_allclose(t1, THETA0 - LR * G1)
    np.testing.assert_allclose(t2, THETA0 - LR * G1 - LR * G2)


def test_momentum():
    # torch.optim.SGD(momentum=0.9): b1 = g1; b2 = 0.9·b1 + g2; θ ← θ − lr·b
    t1, t2 = run("momentum", [G1, G2])
    b1 = G1
    b2 = 0.9 * b1 + G2
    np.testing.assert_allclose(t1, THETA0 - LR * b1)
    np.testing.assert_allclose(t2, THETA0 - LR * b1 - LR * b2)


def test_nesterov():
    # nesterov=True: the step uses g + 0.9·b
    t1, t2 = run("nesterov", [G1, G2])
    b1 = G1
    b2 = 0.9 * b1 + G2
    s1 = G1 + 0.9 * b1
    s2 = G2 + 0.9 * b2
    np.testing.assert_allclose(t1, THETA0 - LR * s1)
    np.testing.assert_allclose(t2, THETA0 - LR * s1 - LR * s2)


def test_adagrad():
    # s ← s + g²; θ ← θ − lr·g/(√s + 1e-10)
    t1, t2 = run("adagrad", [G1, G2])
    s1 = G1**2
    s2 = s1 + G2**2
    np.testing.assert_allclose(t1, THETA0 - LR * G1 / (np.sqrt(s1) + 1e-10))
    np.testing.assert_allclose(t2, t1 - LR * G2 / (np.sqrt(s2) + 1e-10))
    # first step of Adagrad is lr·sign(g), whatever |g|
    np.testing.assert_allclose(t1, THETA0 - LR * np.sign(G1), rtol=1e-9)


def test_rmsprop():
    # v ← 0.99·v + 0.01·g²; θ ← θ − lr·g/(√v + 1e-8)
    t1, t2 = run("rmsprop", [G1, G2])
    v1 = 0.01 * G1**2
    v2 = 0.99 * v1 + 0.01 * G2**2
    np.testing.assert_allclose(t1, THETA0 - LR * G1 / (np.sqrt(v1) + 1e-8))
    np.testing.assert_allclose(t2, t1 - LR * G2 / (np.sqrt(v2) + 1e-8))


def test_adam():
    # m ← 0.9m + 0.1g; v ← 0.999v + 0.001g²; θ ← θ − lr/(1−0.9ᵗ) · m / (√v/√(1−0.999ᵗ) + 1e-8)
    t1, t2 = run("adam", [G1, G2])
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2**2
    step1 = LR / (1 - 0.9) * m1 / (np.sqrt(v1) / math.sqrt(1 - 0.999) + 1e-8)
    step2 = LR / (1 - 0.9**2) * m2 / (np.sqrt(v2) / math.sqrt(1 - 0.999**2) + 1e-8)
    np.testing.assert_allclose(t1, THETA0 - step1)
    np.testing.assert_allclose(t2, THETA0 - step1 - step2)
    # Adam's first step moves every coordinate by lr (up to eps), in the direction of −g
    np.testing.assert_allclose(t1, THETA0 - LR * np.sign(G1), rtol=1e-7)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_zero_gradient_changes_nothing(name):
    (t1,) = run(name, [np.zeros(3)])
    np.testing.assert_array_equal(t1, THETA0)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_lowers_the_loss(name):
    data = mlp.make_dataset("linear", 50, seed=1)
    net = mlp.MLP((2, 4, 1), seed=1)
    lr = 0.1 if name in ("gd", "momentum", "nesterov") else 0.01
    snaps = list(mlp.train(net, data.X, data.y, epochs=200, lr=lr, optimizer=name, reduction="mean", every=200))
    assert snaps[-1].loss < snaps[0].loss
