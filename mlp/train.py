"""Training as a generator of snapshots: it never prints, sleeps or draws.

``train(net, X, y, epochs=..., lr=...)`` updates ``net`` in place and yields a `Snapshot` at epoch 0
(the untrained network), every ``every`` epochs, and at the end. A snapshot at epoch e describes the
parameters after e epochs: the training loss and accuracy are measured on the whole training set with
those parameters (for full-batch training this is the forward pass that the next update uses, so it
costs nothing extra), and so are the test metrics and the per-layer gradient norms.

A non-finite loss, gradient or parameter stops the run: the last snapshot has ``status="diverged"``,
the epoch it happened at and a plain-words ``reason``. numpy's floating-point warnings are silenced
inside the loop because this check replaces them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from . import checks
from .network import MLP, accuracy
from .optimizers import OPTIMIZERS

REDUCTIONS = ("sum", "mean")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a run after ``epoch`` epochs (0: before training)."""

    epoch: int
    loss: float  # mean loss per training sample
    accuracy: float  # training accuracy in [0, 1]
    test_loss: float | None
    test_accuracy: float | None
    grad_norms: tuple[float, ...]  # ‖∂L/∂W_l‖ per layer, of the mean loss over the training set
    status: str = "running"  # "running", "done" or "diverged"
    reason: str = ""
    params: np.ndarray | None = None  # a copy of net.params, when keep_params=True

    @property
    def finished(self) -> bool:
        return self.status != "running"


def train(
    net: MLP,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    lr: float,
    optimizer: str = "gd",
    batch_size: int | None = None,
    reduction: str = "sum",
    l1: float = 0.0,
    l2: float = 0.0,
    seed: int = 0,
    every: int = 1,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    keep_params: bool = False,
) -> Iterator[Snapshot]:
    """Train ``net`` on (X, y) and yield snapshots (see the module docstring).

    Args:
        epochs: passes over the training set.
        lr: learning rate.
        optimizer: a key of ``mlp.OPTIMIZERS``.
        batch_size: None (or ≥ n) for full batch; else mini-batches from a shuffle seeded by ``seed``.
        reduction: "sum" — the gradient of the loss summed over the batch, as most lab solutions
            compute it (n times the mean's, so lr acts n times larger); "mean" — the exact gradient
            of the mean loss (PyTorch's convention). The reported loss is the mean either way.
        l1, l2: penalties l1·Σ|W| + (l2/2)·ΣW² on weights (not biases), added to the gradient
            after the reduction; the reported loss excludes them.
        every: yield every this many epochs (plus epoch 0 and the last).
        X_test, y_test: an optional held-out set, evaluated at each snapshot.
        keep_params: attach a copy of ``net.params`` to every snapshot.
    """
    X, y = checks.points("X", X, y)
    net._check_fan_in(X)
    epochs = checks.integer("epochs", epochs, 1)
    lr = checks.number("lr", lr, 0.0, None, lo_open=True)
    opt = checks.choice("optimizer", optimizer, OPTIMIZERS)(net.n_params, lr)
    n = X.shape[0]
    batch = n if batch_size is None else checks.integer("batch_size", batch_size, 1)
    batch = min(batch, n)
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction: unknown value {reduction!r}; allowed: {', '.join(REDUCTIONS)}")
    l1 = checks.number("l1", l1, 0.0)
    l2 = checks.number("l2", l2, 0.0)
    every = checks.integer("every", every, 1)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test, y_test: give both or neither")
    if X_test is not None:
        X_test, y_test = checks.points("X_test", X_test, y_test)
        net._check_fan_in(X_test)
    return _run(net, X, y, X_test, y_test, opt, epochs, batch, reduction, l1, l2, seed, every, keep_params)


def _run(net, X, y, X_test, y_test, opt, epochs, batch, reduction, l1, l2, seed, every, keep_params):
    n = X.shape[0]
    full_ws = net._workspace(n)
    theta, g = net.params, net.grad
    tmp = np.empty_like(theta)
    mask = net.weight_mask
    rng = np.random.default_rng(seed)

    def penalise() -> None:
        # g += l2·W and g += l1·sign(W), on weights only (mask is 0 on biases)
        if l2:
            np.multiply(theta, mask, out=tmp)
            np.multiply(tmp, l2, out=tmp)
            np.add(g, tmp, out=g)
        if l1:
            np.sign(theta, out=tmp)
            np.multiply(tmp, mask, out=tmp)
            np.multiply(tmp, l1, out=tmp)
            np.add(g, tmp, out=g)

    def snapshot(epoch: int, loss: float, acc: float, status: str = "running", reason: str = "") -> Snapshot:
        # full_ws holds the forward pass of the current parameters over the training set
        net._backward(X, y, full_ws, 1.0 / n)
        norms = tuple(float(np.sqrt(np.vdot(w, w))) for w in net.weight_grads)
        test_loss = test_acc = None
        if X_test is not None:
            test_loss, test_acc = net.evaluate(X_test, y_test)
        if status == "running" and not all(map(math.isfinite, norms)):
            status, reason = "diverged", _reason("gradient", epoch)
        if status == "running" and not np.isfinite(theta).all():
            status, reason = "diverged", _reason("a parameter", epoch)
        params = theta.copy() if keep_params else None
        return Snapshot(epoch, loss, acc, test_loss, test_acc, norms, status, reason, params)

    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            # forward over the training set: the loss of the parameters after `epoch` epochs
            p = net._forward(X, full_ws)
            loss = net._loss(p, y, full_ws)
            if not math.isfinite(loss):
                yield snapshot(epoch, loss, accuracy(p, y), "diverged", _reason("the loss", epoch))
                return
            if epoch == epochs:
                yield snapshot(epoch, loss, accuracy(p, y), "done")
                return
            if epoch % every == 0:
                snap = snapshot(epoch, loss, accuracy(p, y))
                yield snap
                if snap.finished:
                    return
            if batch == n:
                # full batch: reuse the forward pass above
                net._backward(X, y, full_ws, 1.0 if reduction == "sum" else 1.0 / n)
                penalise()
                opt.step(theta, g)
            else:
                order = rng.permutation(n)
                for start in range(0, n, batch):
                    idx = order[start : start + batch]
                    Xb, yb = X[idx], y[idx]
                    ws = net._workspace(len(idx))
                    net._forward(Xb, ws)
                    net._backward(Xb, yb, ws, 1.0 if reduction == "sum" else 1.0 / len(idx))
                    penalise()
                    opt.step(theta, g)


def _reason(what: str, epoch: int) -> str:
    return (
        f"{what} became NaN or infinite at epoch {epoch}: the updates grew without bound "
        "(diverged). Try a smaller learning rate, a bounded activation (sigmoid or tanh), "
        "or reduction 'mean'."
    )
