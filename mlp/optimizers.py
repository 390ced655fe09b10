"""Optimizers, ordered by complexity, with the exact update rules of PyTorch's ``torch.optim``.

Each works on one flat parameter vector θ and its gradient g (see ``stack.py``), in place, with
its state as explicit arrays named in ``state_names`` (plus the step count t), so a run can be saved,
resumed elsewhere or split between networks exactly. Hyper-parameter names and defaults are PyTorch's
(``lr`` is always given by the caller, a number or one per scalar); "momentum" and "nesterov" are
``torch.optim.SGD`` with ``momentum=0.9``.

    gd        θ ← θ − lr·g
    momentum  b ← g (first step), b ← μ·b + g;             θ ← θ − lr·b
    nesterov  b as momentum;                                θ ← θ − lr·(g + μ·b)
    adagrad   s ← s + g²;                                   θ ← θ − lr·g / (√s + eps)
    rmsprop   v ← α·v + (1 − α)·g²;                         θ ← θ − lr·g / (√v + eps)
    adam      m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  t ← t + 1
              θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + eps)
"""

from __future__ import annotations

import math

import numpy as np


class Optimizer:
    """Base: ``step(theta, g)`` updates θ in place from the gradient g (same shape).

    ``lr`` is a number, or an array with one learning rate per scalar of θ (the rules are elementwise,
    so K networks stacked into one θ each step with their own rate).
    """

    name = "base"
    state_names: tuple[str, ...] = ()  # per-scalar state arrays, besides the step count t

    def __init__(self, size: int, lr: float | np.ndarray) -> None:
        self.lr = lr
        self.t = 0  # steps taken
        self._tmp = np.empty(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def state(self, index: np.ndarray | None = None) -> dict[str, np.ndarray | int]:
        """{"t": steps, name: a copy of each state array}; only the scalars at ``index`` when given."""
        pick = (lambda a: a.copy()) if index is None else (lambda a: a[index])
        return {"t": self.t} | {name: pick(getattr(self, name)) for name in self.state_names}

    def load_state(self, state: dict[str, np.ndarray | int], index: np.ndarray | None = None) -> None:
        """Put a `state` back (into the scalars at ``index`` when given)."""
        self.t = int(state["t"])
        for name in self.state_names:
            target = getattr(self, name)
            if index is None:
                target[...] = state[name]
            else:
                target[index] = state[name]

    def forget(self, index: np.ndarray) -> None:
        """Stop the scalars at ``index``: zero their state and, with per-scalar rates, their rate."""
        for name in self.state_names:
            getattr(self, name)[index] = 0.0
        if isinstance(self.lr, np.ndarray):
            self.lr[index] = 0.0


class GD(Optimizer):
    """Plain (stochastic) gradient descent: θ ← θ − lr·g."""

    name = "gd"

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        self.t += 1
        np.multiply(g, self.lr, out=self._tmp)
        theta -= self._tmp


class Momentum(Optimizer):
    """SGD with momentum (PyTorch: dampening 0; the buffer starts as the first gradient)."""

    name = "momentum"
    state_names = ("buf",)
    nesterov = False

    def __init__(self, size: int, lr: float, momentum: float = 0.9) -> None:
        super().__init__(size, lr)
        self.momentum = momentum
        self.buf = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        self.t += 1
        if self.t == 1:
            np.copyto(self.buf, g)
        else:
            self.buf *= self.momentum
            self.buf += g
        if self.nesterov:  # look ahead: g + μ·b
            np.multiply(self.buf, self.momentum, out=self._tmp)
            self._tmp += g
            self._tmp *= self.lr
        else:
            np.multiply(self.buf, self.lr, out=self._tmp)
        theta -= self._tmp


class Nesterov(Momentum):
    """SGD with Nesterov momentum (PyTorch's ``nesterov=True``)."""

    name = "nesterov"
    nesterov = True


class Adagrad(Optimizer):
    """Adagrad (PyTorch defaults: lr_decay 0, initial accumulator 0, eps 1e-10)."""

    name = "adagrad"
    state_names = ("sum",)

    def __init__(self, size: int, lr: float, eps: float = 1e-10) -> None:
        super().__init__(size, lr)
        self.eps = eps
        self.sum = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        self.t += 1
        tmp = self._tmp
        np.multiply(g, g, out=tmp)
        self.sum += tmp
        np.sqrt(self.sum, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        theta -= tmp


class RMSprop(Optimizer):
    """RMSprop (PyTorch defaults: alpha 0.99, eps 1e-8, no momentum, not centred)."""

    name = "rmsprop"
    state_names = ("square_avg",)

    def __init__(self, size: int, lr: float, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(size, lr)
        self.alpha, self.eps = alpha, eps
        self.square_avg = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        self.t += 1
        tmp = self._tmp
        self.square_avg *= self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.alpha
        self.square_avg += tmp
        np.sqrt(self.square_avg, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        theta -= tmp


class Adam(Optimizer):
    """Adam (PyTorch defaults: betas (0.9, 0.999), eps 1e-8); bias corrections are not stored back."""

    name = "adam"
    state_names = ("m", "v")

    def __init__(
        self, size: int, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        super().__init__(size, lr)
        self.betas, self.eps = betas, eps
        self.m = np.zeros(size)
        self.v = np.zeros(size)

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        self.t += 1
        b1, b2 = self.betas
        tmp = self._tmp
        self.m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        self.m += tmp
        self.v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        self.v += tmp
        step_size = self.lr / (1.0 - b1**self.t)
        np.sqrt(self.v, out=tmp)
        tmp /= math.sqrt(1.0 - b2**self.t)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= step_size
        theta -= tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GD, Momentum, Nesterov, Adagrad, RMSprop, Adam)
}
