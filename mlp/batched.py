"""Train K networks of one family at once: one set of numpy calls per epoch for all of them.

``train_batched(nets, X, y, epochs=..., lrs=...)`` gives the numbers K separate ``mlp.train`` runs
give, bit for bit whatever their widths (see `mlp.stack`), in less time: a small network's epoch is
mostly per-call overhead, and here each elementwise numpy call serves all K networks (matrix
products still make one BLAS call per net, inside one numpy call per layer and width). It is the same
loop as ``mlp.train`` (`mlp.train.BatchedTrainer`; `mlp.train.Trainer` is its batch of one), over a
stack of K instead of one. The networks must be of one `mlp.train.family` and train full batch
(`mlp.train.full_batch`); the trainer says in words when they are not.

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
from .train import BatchedTrainer, Snapshot

__all__ = ["BatchedTrainer", "train_batched"]


def train_batched(
    nets: Sequence[MLP], X: np.ndarray, y: np.ndarray, *, epochs: int, every: int = 1, **options: Any
) -> Iterator[list[Snapshot]]:
    """Train ``nets`` (one family, full batch) on (X, y) together; yield lists of K snapshots.

    ``options`` are those of ``mlp.train`` (full batch), except ``lrs``: one learning rate for all nets or
    one per net. Each net is updated in place, as K separate ``mlp.train`` calls would.
    """
    return BatchedTrainer(nets, X, y, **options).run(epochs, every)
