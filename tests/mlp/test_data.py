"""The lab's generators, exactly, and every registry entry's contract."""

import numpy as np
import pytest

import mlp

# generate_XOR_easy, written out: (0.1·i, 0.1·i) → 0, then (0.1·i, 1 − 0.1·i) → 1 unless i = 5
XOR_POINTS = [
    ((0.0, 0.0), 0), ((0.0, 1.0), 1),
    ((0.1, 0.1), 0), ((0.1, 0.9), 1),
    ((0.2, 0.2), 0), ((0.2, 0.8), 1),
    ((0.30000000000000004, 0.30000000000000004), 0), ((0.30000000000000004, 0.7), 1),
    ((0.4, 0.4), 0), ((0.4, 0.6), 1),
    ((0.5, 0.5), 0),
    ((0.6000000000000001, 0.6000000000000001), 0), ((0.6000000000000001, 0.3999999999999999), 1),
    ((0.7000000000000001, 0.7000000000000001), 0), ((0.7000000000000001, 0.29999999999999993), 1),
    ((0.8, 0.8), 0), ((0.8, 0.19999999999999996), 1),
    ((0.9, 0.9), 0), ((0.9, 0.09999999999999998), 1),
    ((1.0, 1.0), 0), ((1.0, 0.0), 1),
]


def test_xor_is_the_labs_21_points_in_order():
    d = mlp.make_dataset("xor")
    assert d.X.shape == (21, 2) and d.y.shape == (21, 1)
    for k, ((x1, x2), label) in enumerate(XOR_POINTS):
        assert d.X[k, 0] == x1 and d.X[k, 1] == x2, k  # bit-exact, float noise included
        assert d.y[k, 0] == label, k
    assert d.y.sum() == 10


def test_xor_ignores_n_and_seed_without_noise():
    a, b = mlp.make_dataset("xor", n=500, seed=1), mlp.make_dataset("xor", n=3, seed=2)
    np.testing.assert_array_equal(a.X, b.X)


def test_linear_label_rule():
    d = mlp.make_dataset("linear", n=400, seed=3)
    assert ((d.X >= 0) & (d.X < 1)).all()
    expected = np.where(d.X[:, 0] > d.X[:, 1], 0.0, 1.0)  # the lab: 0 if x1 > x2 else 1
    np.testing.assert_array_equal(d.y[:, 0], expected)


def test_linear_matches_the_labs_loop():
    rng = np.random.default_rng(5)
    pts = rng.uniform(0, 1, (30, 2))
    labels = [0 if p[0] > p[1] else 1 for p in pts]
    d = mlp.make_dataset("linear", n=30, seed=5)
    np.testing.assert_array_equal(d.X, pts)
    np.testing.assert_array_equal(d.y[:, 0], labels)


@pytest.mark.parametrize("name", sorted(mlp.DATASETS))
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_registry_contract(name, noise):
    d = mlp.make_dataset(name, n=60, noise=noise, seed=4)
    n = 21 if name == "xor" else 60
    assert d.X.shape == (n, 2) and d.X.dtype == np.float64
    assert d.y.shape == (n, 1) and d.y.dtype == np.float64
    if d.task == "classification":
        assert set(np.unique(d.y)) == {0.0, 1.0}
    else:  # real targets in [−1, 1], of both signs and many values
        assert d.task == "regression" and np.abs(d.y).max() <= 1.0
        assert d.y.min() < 0 < d.y.max() and len(np.unique(d.y)) > n // 2
    assert np.isfinite(d.X).all()
    again = mlp.make_dataset(name, n=60, noise=noise, seed=4)
    np.testing.assert_array_equal(d.X, again.X)
    np.testing.assert_array_equal(d.y, again.y)


@pytest.mark.parametrize("name", sorted(set(mlp.DATASETS) - {"xor"}))
def test_seed_changes_the_points(name):
    a, b = mlp.make_dataset(name, n=40, seed=1), mlp.make_dataset(name, n=40, seed=2)
    assert not np.array_equal(a.X, b.X)


@pytest.mark.parametrize("name", ["linear", "circle", "xor_noisy", "chessboard"])
def test_noise_flips_labels_near_the_boundary_only(name):
    clean = mlp.make_dataset(name, n=500, noise=0.0, seed=9)
    noisy = mlp.make_dataset(name, n=500, noise=0.3, seed=9)
    flipped = (clean.y != noisy.y).mean()
    assert 0 < flipped < 0.5


def test_noise_moves_xor_points():
    d = mlp.make_dataset("xor", noise=0.5, seed=1)
    delta = np.abs(d.X - np.array([p for p, _ in XOR_POINTS]))
    assert 0 < delta.max() <= 0.05


def test_split():
    d = mlp.make_dataset("linear", n=100, seed=0)
    train, test = mlp.split(d, 0.0)
    assert train is d and test is d  # 0: test on the training data, as the lab does
    train, test = mlp.split(d, 0.2, seed=3)
    assert len(train) == 80 and len(test) == 20
    both = np.vstack([train.X, test.X])
    assert len(np.unique(both, axis=0)) == 100
    again = mlp.split(d, 0.2, seed=3)[1]
    np.testing.assert_array_equal(again.X, test.X)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"name": "nope"}, ["dataset", "allowed", "linear", "xor"]),
        ({"name": "linear", "n": 0}, ["n", "allowed"]),
        ({"name": "linear", "n": 2.5}, ["n", "whole number"]),
        ({"name": "linear", "noise": 0.9}, ["noise", "0.5"]),
        ({"name": "linear", "noise": float("nan")}, ["noise", "finite"]),
        ({"name": "linear", "seed": -1}, ["seed", "at least 0"]),
    ],
)
def test_bad_arguments_name_themselves(kwargs, words):
    with pytest.raises(ValueError) as err:
        mlp.make_dataset(**kwargs)
    for w in words:
        assert w in str(err.value)


def test_tasks():
    assert {name: mlp.data.task(name) for name in mlp.DATASETS if mlp.data.task(name) != "classification"} == {
        "reg_plane": "regression", "reg_gaussians": "regression"}
    assert mlp.data.task("custom") == "classification" and set(mlp.TASKS) == {"classification", "regression"}


def test_reg_plane_is_the_tilted_plane():
    d = mlp.make_dataset("reg_plane", n=200, seed=2)
    np.testing.assert_allclose(d.y[:, 0], d.X[:, 0] + d.X[:, 1] - 1.0, rtol=0, atol=1e-15)


def test_reg_gaussians_by_hand():
    """Six bumps, TensorFlow Playground's (±4 or 0, ±2.5) on [−6, 6]² scaled by 1/12 around 0.5: radius 1/6.

    At the top-left centre (1/2 − 4/12, 1/2 + 2.5/12) = (1/6, 17/24): +1. Halfway to its edge,
    1/12 to the right: +0.5. The top-middle centre (1/2, 17/24): −1. The square's middle (1/2, 1/2) is
    2.5/12 = 0.208 from the nearest centres, beyond every radius: 0.
    """
    P = np.array([[1 / 6, 17 / 24], [1 / 6 + 1 / 12, 17 / 24], [0.5, 17 / 24], [0.5, 0.5], [5 / 6, 7 / 24]])
    np.testing.assert_allclose(mlp.data._bumps(P), [1.0, 0.5, -1.0, 0.0, -1.0], atol=1e-12)


def test_regression_noise_moves_targets_and_keeps_points():
    clean = mlp.make_dataset("reg_plane", n=300, seed=9)
    noisy = mlp.make_dataset("reg_plane", n=300, noise=0.3, seed=9)
    np.testing.assert_array_equal(clean.X, noisy.X)
    moved = np.abs(clean.y - noisy.y)
    assert 0 < moved.max() <= 0.3 + 1e-12 and np.abs(noisy.y).max() <= 1.0  # shifts of ±0.15 per coordinate
