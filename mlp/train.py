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

    def __reduce__(self) -> tuple:
        # pickled as a constructor call: 5× faster to load than a frozen, slotted dataclass's default
        # (the page's run cache unpickles a finished run's ~500 snapshots for each visitor)
        return Snapshot, tuple(getattr(self, f) for f in Snapshot.__slots__)


def penalise(theta: np.ndarray, g: np.ndarray, mask: np.ndarray, l1: float, l2: float, tmp: np.ndarray) -> None:
    """g += l2·θ + l1·sign(θ), on weights only (``mask`` is 1 on weights, 0 on biases); in place."""
    if l2:
        np.multiply(theta, mask, out=tmp)
        tmp *= l2
        g += tmp
    if l1:
        np.sign(theta, out=tmp)
        tmp *= mask
        tmp *= l1
        g += tmp


def divergence_reason(what: str, epoch: int) -> str:
    """The plain-words reason a run stopped (every trainer says the same)."""
    return (
        f"{what} became NaN or infinite at epoch {epoch}: the updates grew without bound "
        "(diverged). Try a smaller learning rate, a bounded activation (sigmoid or tanh), "
        "or reduction 'mean'."
    )


class Trainer:
    """Resumable training: the network, its optimizer state, the batch RNG and the epoch count.

    ``run(epochs, every)`` trains ``epochs`` more epochs and yields snapshots at absolute epochs that
    are multiples of ``every`` and at the end of the call (``status="done"``); the very first call also
    yields epoch 0. Several calls give exactly the numbers one long call gives (the optimizer's
    moments and the shuffling RNG carry over), so the page can step, pause and resume. A Trainer
    pickles (the network rebuilds its parameter views), so finished runs can be cached and copied.
    Arguments are those of `train`.
    """

    def __init__(
        self,
        net: MLP,
        X: np.ndarray,
        y: np.ndarray,
        *,
        lr: float,
        optimizer: str = "gd",
        batch_size: int | None = None,
        reduction: str = "sum",
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        keep_params: bool = False,
    ) -> None:
        self.X, self.y = checks.points("X", X, y)
        net._check_fan_in(self.X)
        self.net = net
        self.lr = checks.number("lr", lr, 0.0, None, lo_open=True)
        self.optimizer = checks.choice("optimizer", optimizer, OPTIMIZERS)(net.n_params, self.lr)
        n = self.X.shape[0]
        self.batch = min(n if batch_size is None else checks.integer("batch_size", batch_size, 1), n)
        if not isinstance(reduction, str) or reduction not in REDUCTIONS:
            raise ValueError(f"reduction: unknown value {reduction!r}; allowed: {', '.join(REDUCTIONS)}")
        self.reduction = reduction
        self.l1 = checks.number("l1", l1, 0.0)
        self.l2 = checks.number("l2", l2, 0.0)
        self.rng = np.random.default_rng(checks.integer("seed", seed, 0))
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test, y_test: give both or neither")
        if X_test is not None:
            X_test, y_test = checks.points("X_test", X_test, y_test, "y_test")
            net._check_fan_in(X_test, "X_test")
        self.X_test, self.y_test = X_test, y_test
        self.keep_params = keep_params
        self.epoch = 0
        self.status = "running"  # becomes "diverged" for good
        self.reason = ""

    def _penalise(self, tmp: np.ndarray) -> None:
        penalise(self.net.params, self.net.grad, self.net.weight_mask, self.l1, self.l2, tmp)

    def _snapshot(self, loss: float, acc: float, final: bool) -> Snapshot:
        """Describe the current parameters; the training forward pass is in the full workspace."""
        net, n = self.net, self.X.shape[0]
        net._backward(self.X, self.y, net._workspace(n, "train"), 1.0 / n)
        norms = tuple(float(np.sqrt(np.vdot(w, w))) for w in net.weight_grads)
        test_loss = test_acc = None
        if self.X_test is not None:
            test_loss, test_acc = net.evaluate(self.X_test, self.y_test)
        if self.status == "running":
            if not math.isfinite(loss):
                self._diverge("the loss")
            elif not all(map(math.isfinite, norms)):
                self._diverge("the gradient")
            elif not np.isfinite(net.params).all():
                self._diverge("a parameter")
        status = self.status if self.status == "diverged" else ("done" if final else "running")
        params = net.params.copy() if self.keep_params else None
        return Snapshot(self.epoch, loss, acc, test_loss, test_acc, norms, status, self.reason, params)

    def _diverge(self, what: str) -> None:
        self.status = "diverged"
        self.reason = divergence_reason(what, self.epoch)

    def snapshot(self) -> Snapshot:
        """The current state, without training (status "running", or "diverged")."""
        n = self.X.shape[0]
        with np.errstate(all="ignore"):
            ws = self.net._workspace(n, "train")
            p = self.net._forward(self.X, ws)
            return self._snapshot(self.net._loss(p, self.y, ws), accuracy(p, self.y), False)

    def run(self, epochs: int, every: int = 1) -> Iterator[Snapshot]:
        """Train ``epochs`` more epochs, yielding snapshots (see the class docstring)."""
        epochs = checks.integer("epochs", epochs, 1)
        every = checks.integer("every", every, 1)
        return self._run(epochs, every)

    def _run(self, epochs: int, every: int) -> Iterator[Snapshot]:
        net, X, y, opt = self.net, self.X, self.y, self.optimizer
        n, batch = X.shape[0], self.batch
        full_ws = net._workspace(n, "train")
        theta, g = net.params, net.grad
        tmp = np.empty_like(theta)
        penalties = bool(self.l1 or self.l2)
        start, end = self.epoch, self.epoch + epochs
        with np.errstate(all="ignore"):
            while True:
                # forward over the training set: the loss of the parameters after `epoch` epochs
                p = net._forward(X, full_ws)
                loss = net._loss(p, y, full_ws)
                if self.status == "diverged" or not math.isfinite(loss) or self.epoch == end:
                    yield self._snapshot(loss, accuracy(p, y), final=True)
                    return
                if self.epoch % every == 0 and (self.epoch != start or start == 0):
                    snap = self._snapshot(loss, accuracy(p, y), final=False)
                    yield snap
                    if snap.status == "diverged":
                        return
                if batch == n:  # full batch: reuse the forward pass above
                    net._backward(X, y, full_ws, 1.0 if self.reduction == "sum" else 1.0 / n)
                    if penalties:
                        self._penalise(tmp)
                    opt.step(theta, g)
                else:
                    order = self.rng.permutation(n)
                    for lo in range(0, n, batch):
                        idx = order[lo : lo + batch]
                        Xb, yb = X[idx], y[idx]
                        ws = net._workspace(len(idx), "train")
                        net._forward(Xb, ws)
                        net._backward(Xb, yb, ws, 1.0 if self.reduction == "sum" else 1.0 / len(idx))
                        if penalties:
                            self._penalise(tmp)
                        opt.step(theta, g)
                self.epoch += 1


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
    trainer = Trainer(
        net, X, y, lr=lr, optimizer=optimizer, batch_size=batch_size, reduction=reduction, l1=l1, l2=l2,
        seed=seed, X_test=X_test, y_test=y_test, keep_params=keep_params,
    )
    return trainer.run(epochs, every)
