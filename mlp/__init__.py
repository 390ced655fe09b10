"""mlp: a multilayer perceptron with hand-written backpropagation, in numpy only.

Public API (see README): ``make_dataset``, ``split``, ``DATASETS``, ``MLP``, ``train``,
``Snapshot``, and the registries ``ACTIVATIONS``, ``LOSSES``, ``INITIALIZERS``, ``OPTIMIZERS``.
This package imports numpy and the standard library only; it knows nothing about any UI.
"""

from .activations import ACTIVATIONS
from .data import DATASETS, Dataset, make_dataset, split
from .init import INITIALIZERS
from .losses import LOSSES
from .network import MLP, accuracy
from .optimizers import OPTIMIZERS
from .train import REDUCTIONS, Snapshot, Trainer, train

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "INITIALIZERS",
    "LOSSES",
    "MLP",
    "OPTIMIZERS",
    "REDUCTIONS",
    "Dataset",
    "Snapshot",
    "Trainer",
    "accuracy",
    "make_dataset",
    "split",
    "train",
]
