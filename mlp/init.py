"""Weight initialisers: name → function(rng, fan_in, fan_out) → (fan_in, fan_out) array.

Biases always start at zero (what the lab's bias-free equations amount to, and what most
from-scratch solutions do); only the weights are drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[np.random.Generator, int, int], np.ndarray]


def normal(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """N(0, 1): what the lab's students use (``np.random.randn``)."""
    return rng.standard_normal((fan_in, fan_out))


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Glorot uniform, U(±√(6 / (fan_in + fan_out))): keeps sigmoid/tanh units out of saturation."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def he(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """He normal, N(0, 2 / fan_in): the usual choice for ReLU layers."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """U(−0.5, 0.5): TensorFlow Playground's initialisation."""
    return rng.uniform(-0.5, 0.5, (fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    "normal": normal,
    "xavier": xavier,
    "he": he,
    "uniform": uniform,
}
