"""Training as a generator of snapshots: it never prints, sleeps or draws.

``train(net, X, y, epochs=..., lr=...)`` updates ``net`` in place and yields a `Snapshot` at epoch 0
(the untrained network), every ``every`` epochs, and at the end. A snapshot at epoch e describes the
parameters after e epochs: the training loss and accuracy are measured on the whole training set with
those parameters (for full-batch training this is the forward pass that the next update uses, so it
costs nothing extra), and so are the test metrics and the per-layer gradient norms.

A non-finite loss, gradient or parameter stops the run: the last snapshot has ``status="diverged"``,
the epoch it happened at and a plain-words ``reason``. numpy's floating-point warnings are silenced
inside the loop because this check replaces them.

A regression run (``task="regression"``: real-valued targets) is scored by its loss alone: its
snapshots carry ``accuracy=None`` (and ``test_accuracy=None``).

One loop trains K networks of one family at once (`BatchedTrainer`, over a `mlp.stack.Stack`);
`Trainer` is a batch of one (see `mlp.batched` for K). A trainer's `TrainState` is everything needed
to resume a network's training exactly, elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import checks
from .network import MLP
from .optimizers import OPTIMIZERS
from .stack import Stack
from .tasks import TASKS

REDUCTIONS = ("sum", "mean")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a run after ``epoch`` epochs (0: before training)."""

    epoch: int
    loss: float  # mean loss per training sample
    accuracy: float | None  # training accuracy in [0, 1]; None for regression
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
        # pickled as a constructor call: much cheaper to load than a frozen, slotted dataclass's default
        return Snapshot, tuple(getattr(self, f) for f in Snapshot.__slots__)


@dataclass(frozen=True)
class TrainState:
    """What resumes one network's training exactly: its epoch, parameters (``MLP.params`` layout),
    optimizer state (`Optimizer.state`) and mini-batch shuffle (a numpy bit generator's state)."""

    epoch: int
    params: np.ndarray
    optimizer: dict[str, Any]
    rng: dict[str, Any]


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
    """The plain-words reason a run stopped."""
    return (
        f"{what} became NaN or infinite at epoch {epoch}: the updates grew without bound "
        "(diverged). Try a smaller learning rate, a bounded activation (sigmoid or tanh), "
        "or reduction 'mean'."
    )


def family(net: MLP) -> tuple[tuple[str, object], ...]:
    """What networks must share to train in one stack, each with its name: widths, weights and learning
    rates may differ, these may not. Hashable, so that a caller can group networks (or the runs that will
    build them) by it; `family_problem` says in words what differs."""
    inputs = None if net.features is None or net.features.identity else net.features  # None: the points as given
    return (
        ("input size", net.layer_sizes[0]),
        ("number of hidden layers", net.n_layers),
        ("activation", net.activation.name),
        ("output activation", net.output_activation.name),
        ("loss", net.loss.name),
        ("bias", net.bias),
        ("input features", inputs),
    )


def family_problem(nets: Sequence[MLP]) -> str:
    """'' when the networks can train in one stack (one `family`), else what differs, in plain words."""
    if not nets:
        return "nets: give at least one network"
    first = family(nets[0])
    for net in nets[1:]:
        for (what, b), (_, a) in zip(first, family(net)):
            if a != b:
                return f"nets: every network needs the same {what}; got {b!r} and {a!r}"
    return ""


def full_batch(batch_size: int | None, n: int) -> bool:
    """Whether an epoch on n points is one step on all of them (``batch_size`` None, 0 or at least n): the
    only way networks train together, since each mini-batch run shuffles its own batches."""
    return not batch_size or batch_size >= n


class BatchedTrainer:
    """Resumable training of K networks of one family at once; each yield is a list of K snapshots.

    ``run(epochs, every)`` trains ``epochs`` more epochs and yields at absolute epochs that are
    multiples of ``every`` and at the end of the call (``status="done"``); the very first call also
    yields epoch 0. Several calls give exactly the numbers of one long call (the optimizer's state and
    the shuffling RNG carry over). With K > 1, training is full batch, and a net that diverges is frozen
    (it leaves the batch: its slot is zeroed with its optimizer state and rate) while the others train
    on; its entry is then its last snapshot again, the same object. The networks passed in are updated
    in place at every yield. ``lrs`` is one learning rate or one per network; ``states`` (one
    `TrainState` per network, all at one epoch and step count) resumes where another trainer stopped.
    """

    def __init__(
        self,
        nets: Sequence[MLP],
        X: np.ndarray,
        y: np.ndarray,
        *,
        lrs: float | Sequence[float],
        optimizer: str = "gd",
        batch_size: int | None = None,
        reduction: str = "sum",
        l1: float = 0.0,
        l2: float = 0.0,
        seed: int = 0,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        keep_params: bool = False,
        states: Sequence[TrainState] | None = None,
        task: str = "classification",
    ) -> None:
        self.nets = list(nets)
        problem = family_problem(self.nets)
        if problem:
            raise ValueError(problem)
        K = len(self.nets)
        self.classify = self._labels(task)
        self.X, self.y = self._points(X, y)
        self.batch = self._batch(batch_size)
        self.stack = self._stack()
        self.lrs = self._rates(lrs, K)
        rate = float(self.lrs[0]) if K == 1 else self.lrs[self.stack.owner]  # per-scalar rates for K nets
        self.optimizer = checks.choice("optimizer", optimizer, OPTIMIZERS)(self.stack.size, rate)
        if not isinstance(reduction, str) or reduction not in REDUCTIONS:
            raise ValueError(f"reduction: unknown value {reduction!r}; allowed: {', '.join(REDUCTIONS)}")
        self.reduction = reduction
        self.l1 = checks.number("l1", l1, 0.0)
        self.l2 = checks.number("l2", l2, 0.0)
        self.rng = np.random.default_rng(checks.integer("seed", seed, 0))
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test, y_test: give both or neither")
        self.X_test, self.y_test = (None, None) if X_test is None else self._points(X_test, y_test, "X_test", "y_test")
        self.keep_params = keep_params
        self.epoch = 0
        self.alive = np.ones(K, dtype=bool)  # False once a net diverged (for good)
        self.last: list[Snapshot | None] = [None] * K
        if states is not None:
            self._restore(states)

    def _labels(self, task: str) -> bool:
        """Whether the task's targets are labels 0 or 1 (classification); a loss that needs labels refuses others."""
        labels = checks.choice("task", task, TASKS).labels
        loss = self.nets[0].loss
        if loss.labels and not labels:
            raise ValueError(f"loss: {loss.name} needs labels 0 or 1, and a {task} task's targets are "
                             "real numbers; use mse")
        return labels

    def _points(self, X: object, y: object, arg: str = "X", y_arg: str = "y") -> tuple[np.ndarray, np.ndarray]:
        """The checked points as the first layer sees them, and their targets (n, 1). The features are computed
        here, once: every epoch's passes read them."""
        first = self.nets[0]
        X, y = first.check_inputs(X, y, arg, y_arg, labels=self.classify)
        return first.inputs(X), y

    def _batch(self, batch_size: int | None) -> int:
        """Rows per optimizer step: all n (full batch) for None; networks trained together train full batch."""
        n = self.X.shape[0]
        batch = min(n if batch_size is None else checks.integer("batch_size", batch_size, 1), n)
        if len(self.nets) > 1 and not full_batch(batch, n):
            raise ValueError("batch_size: networks trained together train full batch; give None or at least n")
        return batch

    def _stack(self) -> Stack:
        """One network trains in its own stack (its parameters are the stack's); K are copied into a new one."""
        first = self.nets[0]
        if len(self.nets) == 1:
            return first.stack
        stack = Stack([net.layer_sizes for net in self.nets], first.activation, first.output_activation, first.loss,
                      first.bias)
        for k, net in enumerate(self.nets):
            stack.load(k, net.params)
        return stack

    @staticmethod
    def _rates(lrs: float | Sequence[float], K: int) -> np.ndarray:
        try:
            scalar = np.ndim(lrs) == 0
        except ValueError:  # a ragged list
            scalar = False
        given = [lrs] * K if scalar else list(lrs)  # type: ignore[arg-type]
        if len(given) != K:
            raise ValueError(f"lrs: expected one learning rate or {K} (one per network), got {len(given)}")
        return np.array([checks.number("lr", lr, 0.0, None, lo_open=True) for lr in given])

    # ----- saving and resuming -----------------------------------------------------------------
    def states(self) -> list[TrainState]:
        """One `TrainState` per network: resume it with ``states=`` (here, or in another process)."""
        opt, st = self.optimizer, self.stack
        rng = self.rng.bit_generator.state
        # a frozen net's slot is zero: its parameters are those its MLP kept when it diverged
        return [TrainState(self.epoch, st.net_params(k) if self.alive[k] or st.K == 1 else self.nets[k].params.copy(),
                           opt.state(st.index(k)), rng) for k in range(st.K)]

    def _restore(self, states: Sequence[TrainState]) -> None:
        st = self.stack
        if len(states) != st.K:
            raise ValueError(f"states: expected {st.K} (one per network), got {len(states)}")
        if len({s.epoch for s in states}) != 1 or len({int(s.optimizer["t"]) for s in states}) != 1:
            raise ValueError("states: networks resumed together must be at the same epoch and optimizer step")
        for k, s in enumerate(states):
            params = np.asarray(s.params, dtype=np.float64)
            if params.shape != (self.nets[k].n_params,):
                raise ValueError(f"states: network {k} has {self.nets[k].n_params} parameters, got {params.shape}")
            st.load(k, params)
            self.optimizer.load_state(s.optimizer, st.index(k))
        self.epoch = states[0].epoch
        self.rng.bit_generator.state = states[0].rng
        self._store_back()

    # ----- training ----------------------------------------------------------------------------
    def run(self, epochs: int, every: int = 1) -> Iterator[list[Snapshot]]:
        """Train ``epochs`` more epochs, yielding lists of K snapshots (see the class docstring)."""
        epochs = checks.integer("epochs", epochs, 1)
        every = checks.integer("every", every, 1)
        return self._run(epochs, every)

    def _scale(self, rows: int) -> float:
        """The gradient's factor: 1 for the summed loss, 1/rows for the mean."""
        return 1.0 if self.reduction == "sum" else 1.0 / rows

    def _run(self, epochs: int, every: int) -> Iterator[list[Snapshot]]:
        st, X, y = self.stack, self.X, self.y
        n = X.shape[0]
        full = full_batch(self.batch, n)
        ws = st.workspace(n, "train")
        tmp = np.empty_like(st.params)
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
                measure = self._to_measure(losses, due)
                if full or measure is not None:  # one backward pass serves the update and the snapshot's norms
                    st.backward(X, y, ws, self._scale(n))
                if measure is not None:
                    self._measure(measure, p, losses, final)
                    if not self.alive.any():
                        due = final = True  # the last running net just diverged
                if due:
                    self._store_back()
                    yield list(self.last)  # type: ignore[arg-type]
                if final:
                    return
                if full:
                    self._step(tmp)
                else:
                    self._mini_batches(tmp)
                self.epoch += 1

    def _to_measure(self, losses: np.ndarray, due: bool) -> np.ndarray | None:
        """(K,) bool: the nets that get a new snapshot at this epoch, or None for none. At a due epoch every running
        net; between, a net whose loss just became non-finite, which stops it at once (the other checks wait for a
        snapshot). A frozen net's slot is zero, so its loss is finite: one sum checks every net."""
        if due:
            measure = self.alive.copy()
        elif math.isfinite(sum(losses.tolist())):  # K Python floats: cheaper than a numpy sum
            return None
        else:
            measure = self.alive & ~np.isfinite(losses)
        return measure if measure.any() else None

    def _mini_batches(self, tmp: np.ndarray) -> None:
        """One epoch of mini-batches, in an order this trainer's RNG shuffles (a lone network only)."""
        st, X, y = self.stack, self.X, self.y
        n = X.shape[0]
        order = self.rng.permutation(n)
        for lo in range(0, n, self.batch):
            idx = order[lo : lo + self.batch]
            Xb, yb = X[idx], y[idx]
            wb = st.workspace(len(idx), "train")
            st.forward(Xb, wb)
            st.backward(Xb, yb, wb, self._scale(len(idx)))
            self._step(tmp)

    def _step(self, tmp: np.ndarray) -> None:
        st = self.stack
        if self.l1 or self.l2:
            penalise(st.params, st.grad, st.weight_mask, self.l1, self.l2, tmp)
        self.optimizer.step(st.params, st.grad)

    def _store_back(self) -> None:
        """Copy each running net's parameters into its MLP (a lone net trains in its own stack)."""
        if self.stack.K > 1:
            for k in np.flatnonzero(self.alive):
                self.stack.store(k, self.nets[k].params)

    def _measure(self, which: np.ndarray, p: np.ndarray, losses: np.ndarray, final: bool) -> None:
        """New snapshots for the nets in ``which`` (K,) bool, freezing those that diverged.

        Needs the full training set's backward pass in ``grad``. The gradient norms are those of the
        mean loss: the summed gradient's divided by n. Test metrics come from one more forward pass.
        """
        st, n = self.stack, self.X.shape[0]
        norms = st.grad_norms()
        if self.reduction == "sum":
            norms /= n
        acc_ = st.accuracies(p, self.y).tolist() if self.classify else [None] * st.K
        test_loss_ = test_acc_ = [None] * st.K
        if self.X_test is not None:
            wt = st.workspace(self.X_test.shape[0], "eval")
            pt = st.forward(self.X_test, wt)
            test_loss_ = st.losses(pt, self.y_test, wt).tolist()
            if self.classify:
                test_acc_ = st.accuracies(pt, self.y_test).tolist()
        finite = st.finite()
        # Python floats for every net at once; only building the Snapshot objects is per net
        losses_, norms_ = losses.tolist(), norms.tolist()
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
            params = st.net_params(k) if self.keep_params else None
            reason = divergence_reason(what, self.epoch) if what else ""
            self.last[k] = Snapshot(self.epoch, loss, acc_[k], test_loss_[k], test_acc_[k], norm, status, reason, params)
            if what:
                self._freeze(k)

    def _freeze(self, k: int) -> None:
        """Take net k out of training for good. With others still training, its parameters are saved to
        its MLP as they were when it diverged, and its slot, optimizer state and rate are zeroed: a zero
        network computes finite numbers, and with rate 0 every optimizer leaves it at zero."""
        self.alive[k] = False
        st = self.stack
        if st.K > 1:
            st.store(k, self.nets[k].params)
            st.params[st.members(k)] = 0.0
            self.optimizer.forget(st.members(k))

    def snapshots(self) -> list[Snapshot]:
        """Each net's current state, without training (status "running", or its "diverged" snapshot)."""
        st, n = self.stack, self.X.shape[0]
        ws = st.workspace(n, "train")
        with np.errstate(all="ignore"):
            p = st.forward(self.X, ws)
            losses = st.losses(p, self.y, ws)
            st.backward(self.X, self.y, ws, self._scale(n))
            self._measure(self.alive.copy(), p, losses, False)
        return list(self.last)  # type: ignore[arg-type]


class Trainer(BatchedTrainer):
    """Resumable training of one network: `BatchedTrainer` with K = 1, yielding single snapshots.

    A Trainer pickles (the network rebuilds its parameter views), so finished runs can be cached and
    copied. Arguments are those of `train` (``options``: optimizer, batch_size, reduction, l1, l2, seed,
    X_test, y_test, keep_params), plus ``state`` (a `TrainState`) to resume from.
    """

    def __init__(self, net: MLP, X: np.ndarray, y: np.ndarray, *, lr: float, state: TrainState | None = None,
                 **options: Any) -> None:
        if isinstance(lr, (list, tuple, np.ndarray)):
            raise ValueError(f"lr: expected a number, got {lr!r}")
        super().__init__([net], X, y, lrs=lr, states=None if state is None else [state], **options)

    @property
    def net(self) -> MLP:
        return self.nets[0]

    @property
    def status(self) -> str:
        """"running" until the run diverges, then "diverged" for good."""
        return "running" if self.alive[0] else "diverged"

    @property
    def reason(self) -> str:
        return "" if self.alive[0] or self.last[0] is None else self.last[0].reason

    def state(self) -> TrainState:
        return self.states()[0]

    def snapshot(self) -> Snapshot:
        """The current state, without training (status "running", or "diverged")."""
        return self.snapshots()[0]

    def run(self, epochs: int, every: int = 1) -> Iterator[Snapshot]:  # type: ignore[override]
        """Train ``epochs`` more epochs, yielding snapshots (see `BatchedTrainer`)."""
        return (snaps[0] for snaps in super().run(epochs, every))


def train(net: MLP, X: np.ndarray, y: np.ndarray, *, epochs: int, every: int = 1, **options: Any) -> Iterator[Snapshot]:
    """Train ``net`` on (X, y) and yield snapshots (see the module docstring).

    Args:
        epochs: passes over the training set.
        every: yield every this many epochs (plus epoch 0 and the last).
        options: those of `Trainer`:
            lr: learning rate (required).
            optimizer: a key of ``mlp.OPTIMIZERS`` ("gd").
            batch_size: None (or ≥ n) for full batch; else mini-batches from a shuffle seeded by ``seed``.
            reduction: "sum" (default) — the gradient of the loss summed over the batch, as most lab
                solutions compute it (n times the mean's, so lr acts n times larger); "mean" — the exact
                gradient of the mean loss (PyTorch's convention). The reported loss is the mean either way.
            l1, l2: penalties l1·Σ|W| + (l2/2)·ΣW² on weights (not biases), added to the gradient after
                the reduction; the reported loss excludes them.
            seed: the mini-batch shuffle's seed (0).
            task: "classification" (default; y holds labels 0 or 1) or "regression" (any finite targets,
                no accuracy; BCE is refused), a key of ``mlp.tasks.TASKS``.
            X_test, y_test: an optional held-out set, evaluated at each snapshot.
            keep_params: attach a copy of ``net.params`` to every snapshot.
    """
    return Trainer(net, X, y, **options).run(epochs, every)
