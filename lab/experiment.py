"""One experiment, three faces: the sidebar, the URL and the CLI all read this table.

`Experiment` is a frozen dataclass whose fields are the settings of a run; `FIELDS` describes each
(name, kind, default, allowed values: a `lab.fields.Field`). The names are the URL's query keys and,
with dashes, the CLI's flags (``batch_size`` ↔ ``--batch-size``). Validation lives here, once: constructing an `Experiment`
with a bad value raises ValueError naming the field and what is allowed; `from_query` is the forgiving
face for links, falling back to defaults with a notice per bad key. How each face labels and explains a
setting is that face's business (the sidebar's in playground, the CLI's in lab.cli).

Defaults that depend on the data set. A few settings have another default for the regression sets
(``Field.by_task``: a linear output and a smaller learning rate, see `FIELDS`). Such a field left out
(None) takes its data set's default, so ``Experiment(dataset="reg_plane")`` and the bare link
``?dataset=reg_plane`` train with a linear output, while every classification experiment is what it
always was. A link writes only what differs from its data set's defaults (`to_query`), and ``with_``
moves a setting that sits at the old data set's default to the new one's when the task changes.

An `Experiment` is a frozen, hashable value: caches and stores key on it directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np

from lab import points
from lab.fields import MAX_HIDDEN_LAYERS, MAX_UNITS, Field
from mlp.activations import ACTIVATIONS
from mlp.data import DATASETS, FIXED_SIZE, Dataset, held_out, make_dataset, split
from mlp.data import task as task_of
from mlp.features import DEFAULT as LAB_INPUTS
from mlp.features import FEATURES, Features
from mlp.init import INITIALIZERS
from mlp.losses import LOSSES
from mlp.network import MLP
from mlp.optimizers import OPTIMIZERS
from mlp.stack import count_params
from mlp.train import REDUCTIONS

__all__ = ["CUSTOM", "DATA_FIELDS", "DEFAULT", "FIELDS", "MAX_EPOCHS", "MAX_HIDDEN_LAYERS", "MAX_N", "MAX_UNITS",
           "Experiment", "Field", "combine", "from_query", "moved_defaults", "task_defaults"]

CUSTOM = points.NAME  # the dataset name of your own points
MAX_N = 1000
MAX_EPOCHS = 100_000

_FIELDS = (
    Field("dataset", "choice", "linear", (*DATASETS, CUSTOM)),
    Field("n", "int", 100, lo=2, hi=MAX_N),
    Field("noise", "float", 0.0, lo=0.0, hi=0.5),
    Field("test", "float", 0.0, lo=0.0, hi=0.9),
    Field("seed", "int", 0, lo=0, hi=2**31 - 1),
    Field("points", "points", ""),
    Field("features", "names", ("x1", "x2"), tuple(FEATURES)),
    Field("hidden", "sizes", (9, 4)),
    Field("activation", "choice", "sigmoid", tuple(ACTIVATIONS)),
    # regression targets lie in [−1, 1]: an unbounded (linear) output, as TensorFlow Playground's regression
    Field("output_activation", "choice", "sigmoid", tuple(ACTIVATIONS), by_task=(("regression", "linear"),)),
    Field("loss", "choice", "mse", tuple(LOSSES)),
    Field("init", "choice", "normal", tuple(INITIALIZERS)),
    Field("bias", "bool", True),
    Field("weight_seed", "int", 0, lo=0, hi=2**31 - 1),
    Field("optimizer", "choice", "gd", tuple(OPTIMIZERS)),
    # a linear output is unbounded: with summed gradients, lr 0.1 overflows within a few epochs on both
    # regression sets, and 0.003 descends on both for each of 20 weight seeds tried
    Field("lr", "float", 0.1, lo=1e-6, hi=100.0, by_task=(("regression", 0.003),)),
    Field("epochs", "int", 10_000, lo=1, hi=MAX_EPOCHS),
    Field("batch_size", "int", 0, lo=0, hi=MAX_N),
    Field("reduction", "choice", "sum", REDUCTIONS),
    Field("l1", "float", 0.0, lo=0.0, hi=1.0),
    Field("l2", "float", 0.0, lo=0.0, hi=1.0),
)
DATA_FIELDS = ("dataset", "n", "noise", "test", "seed", "points")  # what decides the points and the split
FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}


@dataclass(frozen=True)
class Experiment:
    """Every setting of one run; the defaults are the report's (2-9-4-1, sigmoid, MSE, GD, lr 0.1).

    A field given as None takes its data set's default (`Field.default_for`); ``output_activation`` and
    ``lr`` do when left out (sigmoid and 0.1 for classification, linear and 0.003 for regression).
    """

    dataset: str = "linear"
    n: int = 100
    noise: float = 0.0
    test: float = 0.0
    seed: int = 0
    points: str = ""
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (9, 4)
    activation: str = "sigmoid"
    output_activation: str = None  # type: ignore[assignment]  # None: the data set's default
    loss: str = "mse"
    init: str = "normal"
    bias: bool = True
    weight_seed: int = 0
    optimizer: str = "gd"
    lr: float = None  # type: ignore[assignment]  # None: the data set's default
    epochs: int = 10_000
    batch_size: int = 0
    reduction: str = "sum"
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        task = task_of(FIELDS["dataset"].check(self.dataset))
        for f in fields(self):
            value = getattr(self, f.name)
            value = FIELDS[f.name].default_for(task) if value is None else value
            object.__setattr__(self, f.name, FIELDS[f.name].check(value))
        if self.task == "regression" and LOSSES[self.loss].labels:
            raise ValueError(f"loss: {self.loss} needs labels 0 or 1, and {self.dataset}'s targets are real "
                             f"numbers; allowed for it: {', '.join(n for n, l in LOSSES.items() if not l.labels)}")

    # ----- the things an experiment builds ------------------------------------------------
    @property
    def task(self) -> str:
        """"classification" or "regression": what the data set's targets are (`mlp.tasks`)."""
        return task_of(self.dataset)

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        return (len(self.features), *self.hidden, 1)

    @property
    def n_points(self) -> int:
        if self.dataset == CUSTOM:
            return len(points.decode_points(self.points)) if self.points else 0
        return FIXED_SIZE.get(self.dataset, self.n)

    def data(self) -> Dataset:
        """The experiment's points: generated, or decoded from ``points`` for the custom set.

        A custom set too large for a link (over 200 points) has ``points=""``; whoever holds the points
        passes the data itself, and this raises ValueError.
        """
        if self.dataset == CUSTOM:
            if not self.points:
                raise ValueError("points: the custom data set needs its points code (a share link "
                                 f"carries it for up to {points.MAX_LINK_POINTS} points); none was given")
            return points.decode_points(self.points)
        return make_dataset(self.dataset, self.n, self.noise, self.seed)

    def split(self, data: Dataset | None = None) -> tuple[Dataset, Dataset]:
        """(train, test); test is train itself when the test fraction is 0."""
        return split(self.data() if data is None else data, self.test, self.seed)

    def centre(self, X: np.ndarray | None = None) -> tuple[float, float]:
        """Where the features are centred (see `mlp.features`): the unit square's middle for a built-in set
        (each is laid out around it), the middle of the training points' bounding box X (n, 2) for yours."""
        if self.dataset != CUSTOM:
            return (0.5, 0.5)
        if X is None:
            raise ValueError("X: the custom set's features are centred on its training points; pass them")
        X = np.asarray(X, dtype=np.float64)
        return tuple(float(v) for v in (X.min(axis=0) + X.max(axis=0)) / 2)  # type: ignore[return-value]

    def network(self, X: np.ndarray | None = None) -> MLP:
        """The untrained network; X: the training points (only your own points' feature centre needs them)."""
        centre = (0.5, 0.5) if self.features == LAB_INPUTS else self.centre(X)  # the lab's inputs use none
        return MLP(self.layer_sizes, self.activation, self.output_activation, self.loss, self.init, self.bias,
                   self.weight_seed, Features(self.features, centre))

    def train_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``mlp.train`` (without X, y and the test set)."""
        return dict(epochs=self.epochs, lr=self.lr, optimizer=self.optimizer,
                    batch_size=self.batch_size or None, reduction=self.reduction, l1=self.l1, l2=self.l2,
                    seed=self.weight_seed, task=self.task)

    def train_size(self) -> int:
        """Points left for training once the test fraction is held out (as `split` holds it out)."""
        n = self.n_points
        return n - held_out(n, self.test)

    @property
    def n_params(self) -> int:
        """The network's weights and biases (`mlp.stack.count_params`)."""
        return count_params(self.layer_sizes)

    # ----- faces ----------------------------------------------------------------------------
    def to_query(self) -> dict[str, str]:
        """The settings that differ from the defaults (of this data set), as URL text."""
        base = asdict(Experiment(dataset=self.dataset)) | {"dataset": DEFAULT.dataset}
        return {k: FIELDS[k].format(v) for k, v in asdict(self).items() if v != base[k]}

    def with_(self, **changes: Any) -> Experiment:
        """A copy with ``changes``; a new data set of another task also brings its defaults for the settings
        that sit at the old one's (an lr sweep's base moved to reg_plane gets reg_plane's linear output)."""
        if "dataset" in changes:
            changes = moved_defaults(asdict(self), self.dataset, changes["dataset"]) | changes
        return replace(self, **changes)


DEFAULT = Experiment()


def task_defaults(dataset: str) -> dict[str, Any]:
    """The settings whose default depends on the data set, with their defaults for ``dataset``."""
    return {name: f.default_for(_task(dataset)) for name, f in FIELDS.items() if f.by_task}


def _task(dataset: object) -> str:
    """The task of a data set name, "classification" for anything else (a value not yet checked)."""
    return task_of(dataset) if isinstance(dataset, str) else "classification"


def moved_defaults(values: Mapping[str, Any], old: str, new: str) -> dict[str, Any]:
    """When the data set changes from ``old`` to ``new``: the settings in ``values`` that sit at ``old``'s
    default and take ``new``'s instead, and a loss that needs labels (BCE) on a regression set, which
    becomes MSE (what the sidebar and ``with_`` do)."""
    before, after = task_defaults(old), task_defaults(new)
    moved = {name: after[name] for name in after if values.get(name) == before[name] != after[name]}
    loss = values.get("loss")
    if _task(new) == "regression" and isinstance(loss, str) and loss in LOSSES and LOSSES[loss].labels:
        # BCE needs labels: MSE on a regression set
        moved["loss"] = FIELDS["loss"].default_for("regression")
    return moved


def from_query(params: Mapping[str, Any]) -> tuple[Experiment, list[str]]:
    """Read an experiment from URL parameters, forgivingly.

    Unknown keys are left alone (the page has keys of its own). A bad value for a known key falls
    back to the default and adds a notice naming the key, what was wrong and what is allowed.
    Repeated keys (a list of values) use the last one.
    """
    values: dict[str, Any] = {}
    notices: list[str] = []
    for name, f in FIELDS.items():
        if name not in params:
            continue
        raw = params[name]
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        try:
            values[name] = f.parse(str(raw))
        except ValueError as exc:
            notices.append(f"{exc} — using the default, {f.format(f.default_for(task_of_values(values)))}.")
    exp, more = combine(values)
    return exp, notices + more


def task_of_values(values: Mapping[str, Any]) -> str:
    return _task(values.get("dataset", DEFAULT.dataset))


def combine(values: Mapping[str, Any]) -> tuple[Experiment, list[str]]:
    """An experiment from values that are each valid on their own, forgivingly: a value that does not go
    with the others (BCE on a regression set) falls back to its data set's default, with a notice."""
    values, notices = dict(values), []
    while True:
        try:
            return Experiment(**values), notices
        except ValueError as exc:
            name = str(exc).split(":", 1)[0]
            if name not in values or name == "dataset":
                raise
            del values[name]
            notices.append(f"{exc} — using the default, {FIELDS[name].format(FIELDS[name].default_for(task_of_values(values)))}.")
