"""mlp: a multilayer perceptron with hand-written backpropagation — data, activations, losses, init,
one forward/backward for one or K networks (stack, network), optimizers, training as snapshots (train,
batched), weights as JSON (io). It imports numpy and the standard library only, and knows no UI.

Public API (see README): ``make_dataset``, ``split``, ``DATASETS``, ``MLP``, ``train``, ``Trainer``,
``TrainState``, ``Snapshot``, and the registries ``ACTIVATIONS``, ``LOSSES``, ``INITIALIZERS``,
``OPTIMIZERS``. ``python -m mlp`` runs the lab's command line (``lab.cli``).
"""

from .activations import ACTIVATIONS
from .data import DATASETS, Dataset, make_dataset, split
from .init import INITIALIZERS
from .losses import LOSSES
from .network import MLP
from .optimizers import OPTIMIZERS
from .train import REDUCTIONS, Snapshot, Trainer, TrainState, train

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
    "TrainState",
    "Trainer",
    "make_dataset",
    "split",
    "train",
]
