"""Data sets: the lab's two generators, reproduced exactly, and more in the same unit square.

``make_dataset(name, n, noise, seed)`` looks ``name`` up in ``DATASETS``; every generator draws from
an explicit ``numpy.random.Generator`` seeded by ``seed`` (never the global RNG) and returns X (n, 2)
float64 and y (n, 1) float64 labels in {0, 1}.

What ``noise`` (0 – 0.5) means, per set:

- ``linear``, ``circle``, ``xor_noisy``, ``chessboard``: label noise near the boundary, as in
  TensorFlow Playground: each label is computed at the point shifted by U(−0.5·noise, +0.5·noise)
  per coordinate; the point itself stays where it was drawn.
- ``xor`` (the lab's 21 fixed points; ``n`` is ignored): coordinates jittered by U(±0.1·noise), so
  0.5 moves a point by up to half the grid spacing; labels stay.
- ``gauss``: the blobs' standard deviation is 0.05 + 0.25·noise.
- ``spiral``: coordinates jittered by N(0, (0.08·noise)²).
- ``moons``: coordinates jittered by N(0, (0.1·noise)²).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import checks

MAX_POINTS = 5000


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points X (n, 2) float64 and labels y (n, 1) float64 in {0, 1}."""

    name: str
    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    def subset(self, index: np.ndarray) -> Dataset:
        return Dataset(self.name, self.X[index], self.y[index])


# ----- the lab's generators, as the lab wrote them --------------------------------------------
def linear(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The lab's ``generate_linear``: uniform in [0, 1)², label 0 if x1 > x2 else 1."""
    X = rng.uniform(0, 1, (n, 2))
    return X, _labels(rng, X, noise, lambda P: P[:, 0] <= P[:, 1])


def xor(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The lab's ``generate_XOR_easy``: 21 points (``n`` is ignored), in the lab's order."""
    inputs, labels = [], []
    for i in range(11):
        inputs.append([0.1 * i, 0.1 * i])
        labels.append(0)
        if 0.1 * i == 0.5:
            continue
        inputs.append([0.1 * i, 1 - 0.1 * i])
        labels.append(1)
    X = np.array(inputs, dtype=np.float64)
    if noise:
        X += rng.uniform(-0.1 * noise, 0.1 * noise, X.shape)
    return X, np.array(labels, dtype=np.float64).reshape(21, 1)


# ----- more sets in the same square -----------------------------------------------------------
def _labels(
    rng: np.random.Generator, X: np.ndarray, noise: float, rule: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Labels from a region rule, evaluated at points shifted by U(±noise/2) (label noise)."""
    P = X + rng.uniform(-0.5 * noise, 0.5 * noise, X.shape) if noise else X
    return rule(P).astype(np.float64).reshape(-1, 1)


def circle(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Half the points in a disc of radius 0.2 (label 1), half in a ring 0.3 – 0.45 (label 0)."""
    inner = n // 2
    r = np.concatenate([0.2 * np.sqrt(rng.uniform(0, 1, inner)), rng.uniform(0.3, 0.45, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = 0.5 + np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return X, _labels(rng, X, noise, lambda P: np.hypot(P[:, 0] - 0.5, P[:, 1] - 0.5) < 0.25)


def gauss(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs centred at (0.3, 0.3) (label 0) and (0.7, 0.7) (label 1)."""
    y = (np.arange(n) % 2).astype(np.float64)
    centre = np.where(y[:, None] == 1, 0.7, 0.3)
    X = centre + rng.normal(0, 0.05 + 0.25 * noise, (n, 2))
    return X, y.reshape(-1, 1)


def spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms (alternating labels), 1.75 turns each, radius up to 0.45."""
    y = (np.arange(n) % 2).astype(np.float64)
    t = rng.uniform(0, 1, n)
    r = 0.05 + 0.4 * t
    angle = 1.75 * 2 * np.pi * t + np.pi * y
    X = 0.5 + np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    if noise:
        X += rng.normal(0, 0.08 * noise, X.shape)
    return X, y.reshape(-1, 1)


def moons(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's make_moons), scaled into the unit square."""
    y = (np.arange(n) % 2).astype(np.float64)
    t = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 0, upper, lower)
    X = (X - [-1.0, -0.5]) / [3.0, 1.5] * 0.8 + 0.1  # [−1, 2]×[−0.5, 1] → [0.1, 0.9]²
    if noise:
        X += rng.normal(0, 0.1 * noise, X.shape)
    return X, y.reshape(-1, 1)


def xor_noisy(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Four-quadrant XOR on n uniform points: label 1 where exactly one coordinate exceeds 0.5."""
    X = rng.uniform(0, 1, (n, 2))
    return X, _labels(rng, X, noise, lambda P: (P[:, 0] > 0.5) != (P[:, 1] > 0.5))


def chessboard(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """A 4×4 chessboard on n uniform points: label 1 on squares whose row + column is odd."""
    X = rng.uniform(0, 1, (n, 2))
    return X, _labels(rng, X, noise, lambda P: np.floor(4 * P).astype(int).sum(axis=1) % 2 == 1)


Generator = Callable[[np.random.Generator, int, float], tuple[np.ndarray, np.ndarray]]

DATASETS: dict[str, Generator] = {
    "linear": linear,
    "xor": xor,
    "circle": circle,
    "gauss": gauss,
    "spiral": spiral,
    "moons": moons,
    "xor_noisy": xor_noisy,
    "chessboard": chessboard,
}

FIXED_SIZE = {"xor": 21}  # sets whose size does not depend on n


def make_dataset(name: str, n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Generate ``n`` points of the named set (see the module docstring for ``noise``)."""
    generate = checks.choice("dataset", name, DATASETS)
    n = checks.integer("n", n, 2, MAX_POINTS)
    noise = checks.number("noise", noise, 0.0, 0.5)
    seed = checks.integer("seed", seed, 0)
    X, y = generate(np.random.default_rng(seed), n, noise)
    return Dataset(name, X, y)


def split(data: Dataset, test_fraction: float = 0.0, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Split into (train, test) by a seeded shuffle; ``test_fraction`` 0 tests on the training data.

    The test part has round(fraction·n) points, at least 1 and leaving at least 1 for training.
    """
    fraction = checks.number("test", test_fraction, 0.0, 0.9)
    seed = checks.integer("seed", seed, 0)
    if fraction == 0.0:
        return data, data
    n = len(data)
    if n < 2:
        raise ValueError("test: need at least 2 points to hold some out for testing")
    n_test = min(max(1, round(fraction * n)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    return data.subset(train), data.subset(test)
