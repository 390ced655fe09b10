"""Loss functions on outputs p (K, n, 1) of K networks and targets y (n, 1): labels in {0, 1}, or any
real values for MSE (regression). BCE is a loss on labels only (``labels=True``): its formula below is
exact for y in {0, 1} and meaningless for real-valued targets, so training refuses that pairing.

Each `Loss` gives each network's mean loss per sample, (K,), and, in place, the gradient of the
*summed* loss with respect to p (the network scales it by 1/n for the mean, or keeps it for the lab's
summed gradients). A single network is K = 1 (see `mlp.stack`). Binary cross-entropy clips p to [eps, 1 − eps] so it stays finite when the output
saturates (σ(z) rounds to exactly 1 for z ≳ 37, and log(1 − 1) = −inf).

When the output activation is sigmoid, BCE's gradient with respect to the output's pre-activation z
is simply p − y; ``fused_dz`` names the output activations for which the network uses that shortcut
(exact, and immune to σ'(z) underflowing to 0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

BCE_EPS = 1e-12


def _mse_value(p: np.ndarray, y: np.ndarray, work: np.ndarray) -> np.ndarray:
    # mean over samples of (p − y)², per net: one dot product per net (np.vecdot over rows: the same
    # numbers as (K, 1, n) @ (K, n, 1), in fewer microseconds)
    np.subtract(p, y, out=work)
    rows = work.reshape(work.shape[0], -1)
    return np.vecdot(rows, rows) / p.shape[1]


def _mse_dp(p: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    # d/dp Σ (p − y)² = 2 (p − y)
    np.subtract(p, y, out=out)
    out *= 2.0
    return out


def _bce_value(p: np.ndarray, y: np.ndarray, work: np.ndarray) -> np.ndarray:
    # −mean(y log p + (1 − y) log(1 − p)) = −mean(log(p if y == 1 else 1 − p)) for y in {0, 1};
    # written as log(1 − |y − p|) so it costs a handful of calls and stays exact for labels in {0, 1}.
    np.subtract(y, p, out=work)
    np.abs(work, out=work)
    np.subtract(1.0, work, out=work)
    np.clip(work, BCE_EPS, 1.0, out=work)
    np.log(work, out=work)
    return -work.sum(axis=(1, 2)) / p.shape[1]


def _bce_dp(p: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:
    # d/dp −[y log p + (1 − y) log(1 − p)] = (p − y) / (p (1 − p)), with p clipped like the value
    q = np.clip(p, BCE_EPS, 1.0 - BCE_EPS)
    np.subtract(q, y, out=out)
    out /= q * (1.0 - q)
    return out


@dataclass(frozen=True)
class Loss:
    """A named loss: ``value(p, y, work)`` → (K,) mean per sample; ``dp(p, y, out)`` → ∂Σloss/∂p in place.

    ``work`` has p's shape (K, n, 1); ``dp`` is elementwise, so it takes any shape.
    """

    name: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    dp: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    latex: str
    fused_dz: frozenset[str] = frozenset()  # output activations with ∂Σloss/∂z = p − y
    labels: bool = False  # the targets must be labels 0 or 1

    def __call__(self, p: np.ndarray, y: np.ndarray) -> float:
        """Out-of-place convenience: the mean loss of one network's outputs p (n, 1)."""
        p = np.asarray(p, dtype=np.float64).reshape(1, -1, 1)
        return float(self.value(p, np.asarray(y, dtype=np.float64).reshape(-1, 1), np.empty_like(p))[0])


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse_value, _mse_dp, r"L=\frac{1}{n}\sum_i (p_i-y_i)^2"),
        Loss(
            "bce",
            _bce_value,
            _bce_dp,
            r"L=-\frac{1}{n}\sum_i \left[y_i\log p_i+(1-y_i)\log(1-p_i)\right]",
            fused_dz=frozenset({"sigmoid"}),
            labels=True,
        ),
    )
}
