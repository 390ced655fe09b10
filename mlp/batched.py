"""Train K networks of one family at once: one set of numpy calls per epoch for all of them.

``train_batched(nets, X, y, epochs=..., lrs=...)`` gives the numbers K separate ``mlp.train`` runs
give, bit for bit whatever their widths (see `mlp.stack`), in less time: a small network's epoch is
mostly per-call overhead, and here each elementwise numpy call serves all K networks (matrix
products still make one BLAS call per net, inside one numpy call per layer and width). It is the same
loop as ``mlp.train`` (`mlp.train.StackTrainer`), over a stack of K instead of one. Full batch only;
`can_batch` says when a set of runs qualifies.

Snapshots mean what they mean for `mlp.train`, net by net. Each yield is a list of K snapshots, at
epoch 0, at every multiple of ``every`` and at the end. A net that diverges is frozen and from then on
its entry is its last snapshot again, the same object, with ``status="diverged"`` — if it diverged
between two reporting epochs, that snapshot first appears at the next one. So the distinct snapshots
of net k are exactly those ``mlp.train`` would yield; keep a history with "append when the epoch
advanced". The networks passed in are updated in place at every yield, as ``mlp.train`` does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .network import MLP
from .train import BatchedTrainer, Snapshot, family_problem

__all__ = ["BatchedTrainer", "can_batch", "train_batched"]


def can_batch(nets: Sequence[MLP], batch_size: int | None = None, n: int | None = None) -> bool:
    """True when ``train_batched`` can train ``nets`` together on n points with this batch size.

    They must share input size, depth, activations, loss and bias (widths may differ), and train
    full batch: ``batch_size`` None or 0, or at least n.
    """
    full = not batch_size or (n is not None and batch_size >= n)
    return full and not family_problem(nets)


def train_batched(
    nets: Sequence[MLP], X: np.ndarray, y: np.ndarray, *, epochs: int, every: int = 1, **options: Any
) -> Iterator[list[Snapshot]]:
    """Train ``nets`` (one family, see `can_batch`) on (X, y) together; yield lists of K snapshots.

    ``options`` are those of ``mlp.train`` (full batch), except ``lrs``: one learning rate for all nets or
    one per net. Each net is updated in place, as K separate ``mlp.train`` calls would.
    """
    return BatchedTrainer(nets, X, y, **options).run(epochs, every)
