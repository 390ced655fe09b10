"""mlp: a multilayer perceptron with hand-written backpropagation — data and tasks, input features,
activations, losses, init, one forward/backward for one or K networks (stack, network), optimizers,
training as snapshots (train, batched), weights as JSON (io). It imports numpy and the standard library
only, and knows no UI.

Public API (docs/engine.md, "The API"): ``make_dataset``, ``split``, ``DATASETS``, ``MLP``, ``Features``, ``train``,
``Trainer``, ``TrainState``, ``Snapshot``, and the registries ``ACTIVATIONS``, ``LOSSES``,
``INITIALIZERS``, ``OPTIMIZERS``, ``FEATURES``, ``TASKS``. ``python -m mlp`` runs the lab's command line (``lab.cli``).
"""

from .activations import ACTIVATIONS
from .data import DATASETS, Dataset, make_dataset, split
from .features import FEATURES, Features
from .init import INITIALIZERS
from .losses import LOSSES
from .network import MLP
from .optimizers import OPTIMIZERS
from .tasks import TASKS
from .train import REDUCTIONS, Snapshot, Trainer, TrainState, train

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "FEATURES",
    "INITIALIZERS",
    "LOSSES",
    "MLP",
    "OPTIMIZERS",
    "REDUCTIONS",
    "TASKS",
    "Dataset",
    "Features",
    "Snapshot",
    "TrainState",
    "Trainer",
    "make_dataset",
    "split",
    "train",
]
