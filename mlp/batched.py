"""Train K networks of one family at once: one set of numpy calls per epoch for all of them.

``train_batched(nets, X, y, epochs=..., lrs=...)`` gives the numbers K separate ``mlp.train`` runs
give, bit for bit whatever their widths (see `mlp.stack`), in less time: a small network's epoch is
mostly per-call overhead, and here each elementwise numpy call serves all K networks (matrix
products still make one BLAS call per net, inside one numpy call per layer and width).
Full batch only; `can_batch` says when a set of runs qualifies.

Snapshots mean what they mean for `mlp.train`, net by net. Each yield is a list of K snapshots, at
epoch 0, at every multiple of ``every`` and at the end. A net that diverges is frozen (its slot stops
training, its parameters are written back as they were) and from then on its entry is its last
snapshot again, the same object, with ``status="diverged"`` — if it diverged between two reporting
epochs, that snapshot first appears at the next one. The others train on. So the distinct snapshots
of net k are exactly those ``mlp.train`` would yield; keep a history with "append when the epoch
advanced". The networks passed in are updated in place at every yield, as ``mlp.train`` does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from . import checks
from .network import MLP
from .optimizers import OPTIMIZERS
from .stack import Stack, family_problem
from .train import REDUCTIONS, Snapshot, divergence_reason, penalise


def can_batch(nets: Sequence[MLP], batch_size: int | None = None, n: int | None = None) -> bool:
    """True when ``train_batched`` can train ``nets`` together on n points with this batch size.

    They must share input size, depth, activations, loss and bias (widths may differ), and train
    full batch: ``batch_size`` None or 0, or at least n.
    """
    full = not batch_size or (n is not None and batch_size >= n)
    return full and not family_problem(nets)


class BatchedTrainer:
    """Resumable training of K networks at once; the arguments are those of `train_batched`.

    ``run(epochs, every)`` mirrors `mlp.Trainer.run`: it trains ``epochs`` more epochs and yields
    lists of K snapshots at absolute epochs that are multiples of ``every`` and at the end of the call
    (the very first call also yields epoch 0). Per-net state (status, last snapshot) carries over.
    """

    def __init__(
        self,
        nets: Sequence[MLP],
        X: np.ndarray,
        y: np.ndarray,
        *,
        lrs: float | Sequence[float],
        optimizer: str = "gd",
        reduction: str = "sum",
        l1: float = 0.0,
        l2: float = 0.0,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        keep_params: bool = False,
    ) -> None:
        self.nets = list(nets)
        self.stack = stack = Stack(self.nets)
        self.X, self.y = checks.points("X", X, y)
        self.nets[0]._check_fan_in(self.X)
        K = stack.K
        lr_list = [lrs] * K if isinstance(lrs, (int, float, np.number)) else list(lrs)
        if len(lr_list) != K:
            raise ValueError(f"lrs: expected one learning rate or {K} (one per network), got {len(lr_list)}")
        self.lrs = np.array([checks.number("lr", lr, 0.0, None, lo_open=True) for lr in lr_list])
        # per-scalar learning rates: the optimizers act elementwise, so a vector lr steps each net by its own
        self.optimizer = checks.choice("optimizer", optimizer, OPTIMIZERS)(stack.size, self.lrs[stack.owner])
        if reduction not in REDUCTIONS:
            raise ValueError(f"reduction: unknown value {reduction!r}; allowed: {', '.join(REDUCTIONS)}")
        self.reduction = reduction
        self.l1 = checks.number("l1", l1, 0.0)
        self.l2 = checks.number("l2", l2, 0.0)
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test, y_test: give both or neither")
        if X_test is not None:
            X_test, y_test = checks.points("X_test", X_test, y_test)
            self.nets[0]._check_fan_in(X_test)
        self.X_test, self.y_test = X_test, y_test
        self.keep_params = keep_params
        self.epoch = 0  # epochs trained by the nets still running
        self.alive = np.ones(K, dtype=bool)  # False once a net diverged (for good)
        self.last: list[Snapshot | None] = [None] * K

    @property
    def statuses(self) -> list[str]:
        return ["running" if a else "diverged" for a in self.alive]

    def run(self, epochs: int, every: int = 1) -> Iterator[list[Snapshot]]:
        """Train ``epochs`` more epochs, yielding lists of K snapshots (see the class docstring)."""
        epochs = checks.integer("epochs", epochs, 1)
        every = checks.integer("every", every, 1)
        return self._run(epochs, every)

    def _run(self, epochs: int, every: int) -> Iterator[list[Snapshot]]:
        st, X, y, opt = self.stack, self.X, self.y, self.optimizer
        n = X.shape[0]
        ws = st.workspace(n)
        theta, g = st.params, st.grad
        tmp = np.empty_like(theta)
        scale = 1.0 if self.reduction == "sum" else 1.0 / n
        start, end = self.epoch, self.epoch + epochs
        if not self.alive.any():  # every net diverged in an earlier call: report where they stopped
            yield list(self.last)  # type: ignore[arg-type]
            return
        with np.errstate(all="ignore"):
            while True:
                # forward over the training set: each net's loss after `epoch` epochs
                p = st.forward(X, ws)
                losses = st.losses(p, y, ws)
                final = self.epoch == end
                due = final or (self.epoch % every == 0 and (self.epoch != start or start == 0))
                # mlp.train stops at once on a non-finite loss; other checks wait for a snapshot.
                # (A frozen net's slot is zero, so its loss is finite: one sum checks every net.)
                if due:
                    measure = self.alive.copy()
                elif not math.isfinite(sum(losses.tolist())):  # K Python floats: cheaper than a numpy sum
                    measure = self.alive & ~np.isfinite(losses)
                else:
                    measure = None
                # one backward pass serves both the update and the snapshot's gradient norms
                st.backward(X, y, ws, scale)
                if measure is not None and measure.any():
                    self._measure(measure, p, losses, final)
                    if not self.alive.any():
                        due = final = True  # the last running net just diverged
                if due:
                    for k in np.flatnonzero(self.alive):
                        st.store(k, self.nets[k])
                    yield list(self.last)  # type: ignore[arg-type]
                if final:
                    return
                if self.l1 or self.l2:
                    self._penalise(tmp)
                opt.step(theta, g)
                self.epoch += 1

    def _penalise(self, tmp: np.ndarray) -> None:
        """g += l2·W and g += l1·sign(W), on weights only, as `mlp.Trainer` does."""
        st = self.stack
        penalise(st.params, st.grad, st.weight_mask, self.l1, self.l2, tmp)

    def _measure(self, which: np.ndarray, p: np.ndarray, losses: np.ndarray, final: bool) -> None:
        """New snapshots for the nets in ``which`` (K,) bool, freezing those that diverged.

        The gradient norms are those of the mean loss: the training gradient divided by n when it is
        summed. Test metrics come from one more batched forward pass.
        """
        st, n = self.stack, self.X.shape[0]
        norms = st.grad_norms()
        if self.reduction == "sum":
            norms /= n
        acc = st.accuracies(p, self.y)
        test_loss = test_acc = None
        if self.X_test is not None:
            wt = st.workspace(self.X_test.shape[0])
            pt = st.forward(self.X_test, wt)
            test_loss, test_acc = st.losses(pt, self.y_test, wt), st.accuracies(pt, self.y_test)
        finite = st.finite()
        # Python floats for every net at once; only building the Snapshot objects is per net
        losses_, norms_, acc_ = losses.tolist(), norms.tolist(), acc.tolist()
        test_loss_ = test_acc_ = [None] * st.K
        if test_loss is not None:
            test_loss_, test_acc_ = test_loss.tolist(), test_acc.tolist()
        for k in np.flatnonzero(which).tolist():
            loss, norm = losses_[k], tuple(norms_[k])
            what = ""
            if not math.isfinite(loss):
                what = "the loss"
            elif not all(map(math.isfinite, norm)):
                what = "the gradient"
            elif not finite[k]:
                what = "a parameter"
            status = "diverged" if what else ("done" if final else "running")
            if what:
                st.store(k, self.nets[k])  # as it was when it diverged, before its slot is zeroed
            params = st.net_params(k) if self.keep_params else None
            self.last[k] = Snapshot(
                self.epoch,
                loss,
                acc_[k],
                test_loss_[k],
                test_acc_[k],
                norm,
                status,
                divergence_reason(what, self.epoch) if what else "",
                params,
            )
            if what:
                self._freeze(k)

    def _freeze(self, k: int) -> None:
        """Take net k out of training: zero its slot, its optimizer state and its learning rate.

        A zero network computes finite numbers, and with lr 0 every optimizer leaves it at zero, so the
        frozen slot costs nothing but its share of each call and never yields a warning or a NaN.
        """
        self.alive[k] = False
        idx = self.stack.members(k)
        self.stack.params[idx] = 0.0
        for value in vars(self.optimizer).values():
            if isinstance(value, np.ndarray) and value.shape == self.stack.params.shape:
                value[idx] = 0.0  # lr vector, momentum buffer, moments, accumulators


def train_batched(
    nets: Sequence[MLP],
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    lrs: float | Sequence[float],
    optimizer: str = "gd",
    reduction: str = "sum",
    l1: float = 0.0,
    l2: float = 0.0,
    every: int = 1,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    keep_params: bool = False,
) -> Iterator[list[Snapshot]]:
    """Train ``nets`` (one family, see `can_batch`) on (X, y) together; yield lists of K snapshots.

    Arguments are those of ``mlp.train`` (full batch), except ``lrs``: one learning rate for all nets
    or one per net. Each net is updated in place, as K separate ``mlp.train`` calls would.
    """
    trainer = BatchedTrainer(
        nets,
        X,
        y,
        lrs=lrs,
        optimizer=optimizer,
        reduction=reduction,
        l1=l1,
        l2=l2,
        X_test=X_test,
        y_test=y_test,
        keep_params=keep_params,
    )
    return trainer.run(epochs, every)
