"""Activation functions: each forward rule sits next to its derivative.

Every activation is an `Activation` with two in-place rules working on arrays of shape (n, units):

- ``forward(z, out)`` writes a = f(z) into ``out`` (``out`` may be ``z`` itself);
- ``grad(a, out)`` writes f'(z) into ``out``, computed from the *output* a = f(z): σ' = a(1 − a),
  tanh' = 1 − a², and for (leaky) ReLU a > 0 exactly when z > 0. So the network never keeps z:
  it computes z in place of a, and the backward pass needs only the activations.

All rules give finite, exact-limit results for every finite input. Sigmoid is 1/(1 + e^−z): for
z < −709, e^−z overflows to inf and 1/(1 + inf) = 0, which is the right limit, so the only trouble is
numpy's overflow *warning*; every caller (the network's passes and ``Activation.__call__``) runs the
rules under ``np.errstate(over="ignore")``. This costs four cheap calls, against five for a
clip-first form or the slower tanh form ½(1 + tanh(z/2)). tanh is numpy's own, never a ratio of
exponentials (which gives inf/inf = NaN).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Rule = Callable[..., np.ndarray]

LEAKY_SLOPE = 0.01  # PyTorch's LeakyReLU default negative_slope


def _sigmoid(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^−z); e^−z = inf for z < −709 gives exactly 0 (callers silence the overflow warning)
    np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_grad(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # σ'(z) = σ(z)(1 − σ(z)) = a(1 − a)
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def _tanh(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.tanh(z, out=out)


def _tanh_grad(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # tanh'(z) = 1 − tanh(z)² = 1 − a²
    np.multiply(a, a, out=out)
    np.subtract(1.0, out, out=out)
    return out


def _relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def _relu_grad(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # 1 where z > 0 (⇔ a > 0), else 0; the subgradient at 0 is taken as 0, as PyTorch does
    return np.greater(a, 0.0, out=out, casting="unsafe")


def _leaky_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    # max(z, 0.01 z) equals z for z > 0 and 0.01 z otherwise (the product is a temporary, so out may be z)
    return np.maximum(z, z * LEAKY_SLOPE, out=out)


def _leaky_relu_grad(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    # 1 where z > 0 (⇔ a > 0), else 0.01
    np.greater(a, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _linear(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    if out is not z:
        np.copyto(out, z)
    return out


def _linear_grad(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1.0)
    return out


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(z, out)`` and ``grad(a, out)``, both in place."""

    name: str
    forward: Rule
    grad: Rule
    latex: str  # f(z) in LaTeX
    identity: bool = False  # f(z) = z: the backward pass may skip multiplying by f'

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Out-of-place convenience: f(z) as a new array."""
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(over="ignore"):
            return self.forward(z, np.empty_like(z))

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """Out-of-place convenience: f'(z) as a new array."""
        a = self(z)
        return self.grad(a, np.empty_like(a))


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, _sigmoid_grad, r"\sigma(z)=\frac{1}{1+e^{-z}}"),
        Activation("tanh", _tanh, _tanh_grad, r"\tanh(z)"),
        Activation("relu", _relu, _relu_grad, r"\max(0,z)"),
        Activation("leaky_relu", _leaky_relu, _leaky_relu_grad, r"\max(0.01z,z)"),
        Activation("linear", _linear, _linear_grad, r"z", identity=True),
    )
}
