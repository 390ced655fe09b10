"""Data sets: the lab's two generators, reproduced exactly, and more in the same unit square.

``make_dataset(name, n, noise, seed)`` looks ``name`` up in ``DATASETS``; every generator draws from
an explicit ``numpy.random.Generator`` seeded by ``seed`` (never the global RNG) and returns X (n, 2)
float64 and y (n, 1) float64: labels in {0, 1} for the classification sets, and real targets in
[−1, 1] for the two regression sets (``task(name)`` says which, see `mlp.tasks`):

- ``reg_plane``: TensorFlow Playground's "plane", y = x1 + x2 − 1 — a tilted plane, −1 at (0, 0) and
  +1 at (1, 1). (TensorFlow Playground's own labels reach ±1.2 in its corners; rescaled to our unit
  square, ours span exactly [−1, 1].)
- ``reg_gaussians``: TensorFlow Playground's "multi-gaussian": six bumps in a 3 × 2 grid, centred at
  x1 ∈ {1/6, 1/2, 5/6}, x2 ∈ {0.29, 0.71} with alternating signs (+ − + on top, − + − below); y is the
  bump that is largest in size there, falling linearly from ±1 at its centre to 0 at distance 1/6.

Both draw x uniformly in [0, 1)² and, like TensorFlow Playground, compute the target at the point shifted
by U(±0.5·noise) per coordinate (clipped to [−1, 1]); the point itself stays where it was drawn.

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
    """Points X (n, 2) float64 and targets y (n, 1) float64: labels in {0, 1}, or real values (regression)."""

    name: str
    X: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return self.X.shape[0]

    @property
    def task(self) -> str:
        """"classification" or "regression" (a key of ``mlp.tasks.TASKS``)."""
        return task(self.name)

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


# ----- regression: TensorFlow Playground's two, rescaled to the unit square -----------------------
def _targets(rng: np.random.Generator, X: np.ndarray, noise: float, rule: Callable[[np.ndarray], np.ndarray]
             ) -> np.ndarray:
    """Targets from a rule of the point shifted by U(±noise/2), clipped to [−1, 1]."""
    P = X + rng.uniform(-0.5 * noise, 0.5 * noise, X.shape) if noise else X
    return np.clip(rule(P), -1.0, 1.0).reshape(-1, 1)


def reg_plane(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points, target x1 + x2 − 1 (in [−1, 1])."""
    X = rng.uniform(0, 1, (n, 2))
    return X, _targets(rng, X, noise, lambda P: P[:, 0] + P[:, 1] - 1.0)


# TensorFlow Playground's bumps at (±4 or 0, ±2.5) on [−6, 6]², radius 2: ×1/12 and shifted by 0.5
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)
_BUMP_CENTRES, _BUMP_SIGNS, _BUMP_RADIUS = 0.5 + _BUMPS[:, :2] / 12, _BUMPS[:, 2], 2 / 12


def _bumps(P: np.ndarray) -> np.ndarray:
    # each bump: sign · max(0, 1 − distance / radius); the target is the one largest in size (first on ties)
    d = np.linalg.norm(P[:, None, :] - _BUMP_CENTRES[None], axis=2)  # (n, 6)
    values = _BUMP_SIGNS * np.clip(1.0 - d / _BUMP_RADIUS, 0.0, 1.0)
    return values[np.arange(len(P)), np.abs(values).argmax(axis=1)]


def reg_gaussians(rng: np.random.Generator, n: int, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points, target the largest of six ±1 bumps (TensorFlow Playground's multi-gaussian)."""
    X = rng.uniform(0, 1, (n, 2))
    return X, _targets(rng, X, noise, _bumps)


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
    "reg_plane": reg_plane,
    "reg_gaussians": reg_gaussians,
}

FIXED_SIZE = {"xor": 21}  # sets whose size does not depend on n
REGRESSION = frozenset({"reg_plane", "reg_gaussians"})  # the sets with real-valued targets


def task(name: str) -> str:
    """The task a data set poses: "regression" for the sets in REGRESSION, else "classification" (your own
    points, labelled 0 or 1, included)."""
    return "regression" if name in REGRESSION else "classification"


def make_dataset(name: str, n: int = 100, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Generate ``n`` points of the named set (see the module docstring for ``noise``)."""
    generate = checks.choice("dataset", name, DATASETS)
    n = checks.integer("n", n, 2, MAX_POINTS)
    noise = checks.number("noise", noise, 0.0, 0.5)
    seed = checks.integer("seed", seed, 0)
    X, y = generate(np.random.default_rng(seed), n, noise)
    return Dataset(name, X, y)


def held_out(n: int, test_fraction: float) -> int:
    """Points `split` holds out of n for testing: round(fraction·n), at least 1 and leaving at least 1 for
    training; 0 for the fraction 0 (the run then tests on its training data)."""
    return min(max(1, round(test_fraction * n)), n - 1) if test_fraction else 0


def split(data: Dataset, test_fraction: float = 0.0, seed: int = 0) -> tuple[Dataset, Dataset]:
    """Split into (train, test) by a seeded shuffle (`held_out` points held out); ``test_fraction`` 0 tests on
    the training data."""
    fraction = checks.number("test", test_fraction, 0.0, 0.9)
    seed = checks.integer("seed", seed, 0)
    if fraction == 0.0:
        return data, data
    n = len(data)
    if n < 2:
        raise ValueError("test: need at least 2 points to hold some out for testing")
    n_test = held_out(n, fraction)
    order = np.random.default_rng(seed).permutation(n)
    test, train = np.sort(order[:n_test]), np.sort(order[n_test:])
    return data.subset(train), data.subset(test)
