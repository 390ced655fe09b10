"""A fully connected network of any depth with hand-written backpropagation.

Shapes follow ``z = a_prev @ W + b`` with a_prev of shape (n, fan_in), W (fan_in, fan_out) and
b (fan_out,). Layer l's activation is the hidden activation for every layer but the last, which uses
the output activation (sigmoid by default, so the output is P(class 1)).

An `MLP` is a stack of one network (``net.stack``, see `mlp.stack`): the forward and backward passes
are the stack's, the ones that also train K networks at once. All parameters live in one flat
float64 vector ``params``; ``weights`` and ``biases`` are views into it, and the gradient has the same
layout. The optimizers therefore update every layer with a few vector operations, whatever the depth.
Modify parameters in place (``net.weights[0][...] = W``) or through ``set_parameters``.

Inputs. A network built with ``features`` (`mlp.features.Features`) takes raw points (n, 2) and computes
its inputs from them itself, in every method that meets points (``forward``, ``predict``,
``layer_outputs``, ``gradients``, ``evaluate``, and training, which computes them once per run): so a
decision grid, a prediction and a trained run can never disagree about them. Without ``features`` the
network takes its inputs as given, (n, layer_sizes[0]).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import checks
from .activations import ACTIVATIONS, Activation
from .features import Features
from .init import INITIALIZERS
from .losses import LOSSES, Loss
from .stack import Stack, count_params
from .tasks import TASKS

# Bounds that keep a network (or a weights file describing one) from exhausting memory.
MAX_LAYER_UNITS = 10_000
MAX_LAYERS = 64
MAX_PARAMS = 10_000_000


class MLP:
    """A multilayer perceptron for 2-D binary classification (or any fan-in, one output).

    Args:
        layer_sizes: units per layer, input first and output last, e.g. (2, 9, 4, 1).
        activation: hidden activation, a key of ``mlp.ACTIVATIONS`` (or an ``Activation`` object).
        output_activation: the last layer's activation (sigmoid: the output is P(class 1)).
        loss: a key of ``mlp.LOSSES`` (``mse``, the lab's, or ``bce``), or a ``Loss`` object.
        init: weight initialiser, a key of ``mlp.INITIALIZERS``; biases start at zero.
        bias: False gives the lab's bias-free equations Z1 = σ(X·W1): biases stay zero.
        seed: seeds the weights (``numpy.random.default_rng(seed)``).
        features: None (inputs as given), or a `Features` (or feature names, centred on (0.5, 0.5)):
            the network then takes raw points (n, 2); layer_sizes[0] must be the number of features.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int] = (2, 9, 4, 1),
        activation: str | Activation = "sigmoid",
        output_activation: str | Activation = "sigmoid",
        loss: str | Loss = "mse",
        init: str = "normal",
        bias: bool = True,
        seed: int = 0,
        features: Features | Sequence[str] | None = None,
    ) -> None:
        self.layer_sizes = sizes = _layer_sizes(layer_sizes)
        # a name from the registry, or an Activation / Loss object itself (e.g. a variant built for a check)
        self.activation = _rule("activation", activation, ACTIVATIONS, Activation)
        self.output_activation = _rule("output_activation", output_activation, ACTIVATIONS, Activation)
        self.loss = _rule("loss", loss, LOSSES, Loss)
        initializer = checks.choice("init", init, INITIALIZERS)
        self.init = init
        if not isinstance(bias, (bool, np.bool_)):
            raise ValueError(f"bias: expected True or False, got {bias!r}")
        self.bias = bool(bias)
        self.seed = checks.integer("seed", seed, 0)
        self.features = _features(features, sizes[0])
        self.stack = Stack([sizes], self.activation, self.output_activation, self.loss, self.bias)
        rng = np.random.default_rng(self.seed)
        for W in self.weights:
            W[...] = initializer(rng, *W.shape)

    # ----- structure -------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Number of scalars in ``params`` (biases included, even when bias=False keeps them at 0)."""
        return count_params(self.layer_sizes)

    @property
    def params(self) -> np.ndarray:
        """(n_params,) every weight and bias, layer by layer: W1, b1, W2, b2 …"""
        return self.stack.params

    @property
    def grad(self) -> np.ndarray:
        """The gradient of the last backward pass, in the layout of ``params``."""
        return self.stack.grad

    @property
    def weights(self) -> list[np.ndarray]:
        """Per layer, a (fan_in, fan_out) view of ``params``."""
        return [layer[0] for layer in self.stack.weights]

    @property
    def biases(self) -> list[np.ndarray]:
        """Per layer, a (fan_out,) view of ``params`` (zeros when bias=False)."""
        return self.stack.biases

    @property
    def weight_grads(self) -> list[np.ndarray]:
        return [layer[0] for layer in self.stack.weight_grads]

    @property
    def bias_grads(self) -> list[np.ndarray]:
        return self.stack.bias_grads

    @property
    def weight_mask(self) -> np.ndarray:
        """1 on weights, 0 on biases (L1/L2 penalties apply to weights only)."""
        return self.stack.weight_mask

    def set_parameters(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Copy given weights and biases in, after checking every shape and that all are finite."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(f"parameters: expected {self.n_layers} weight and bias arrays")
        for l, (W, b, W0, b0) in enumerate(zip(weights, biases, self.weights, self.biases), 1):
            W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
            if W.shape != W0.shape or b.shape != b0.shape:
                raise ValueError(
                    f"parameters: layer {l} expects W {W0.shape} and b {b0.shape}, got {W.shape} and {b.shape}"
                )
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ValueError(f"parameters: layer {l} contains NaN or infinite values")
            if not self.bias and np.any(b):
                raise ValueError(f"parameters: layer {l} has non-zero biases but the network has bias=False")
        for W, b, W0, b0 in zip(weights, biases, self.weights, self.biases):
            W0[...] = W
            b0[...] = b

    def copy(self) -> MLP:
        """An independent network with the same settings and parameters."""
        twin = MLP(self.layer_sizes, self.activation, self.output_activation, self.loss, self.init, self.bias,
                   self.seed, self.features)
        twin.params[...] = self.params
        return twin

    # ----- public API ------------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output for points X (n, 2) with features, else inputs (n, fan_in): an (n, 1) array of P(class 1)
        (with a sigmoid output), or the predicted value (regression)."""
        X = self._inputs(X)
        with np.errstate(all="ignore"):  # a diverged network gives inf/NaN outputs, not warnings
            return self.stack.forward(X, self.stack.workspace(X.shape[0]))[0].copy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels (n, 1) in {0., 1.}: 1 where the output is ≥ 0.5 (the lab's rule)."""
        return (self.forward(X) >= 0.5).astype(np.float64)

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations for X: a list of (n, units) arrays, hidden layers then the output."""
        X = self._inputs(X)
        ws = self.stack.workspace(X.shape[0])
        with np.errstate(all="ignore"):
            self.stack.forward(X, ws)
        return [views[0].copy() for views in ws.a_seg]

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The mean loss on (X, y) and its exact gradient: ``(loss, dW_list, db_list)``.

        dW_list[l] has the shape of weights[l], db_list[l] of biases[l] (zeros when bias=False).
        y holds labels 0 or 1 when the loss needs them (BCE), else any finite targets.
        ``grad`` is left as it was: a training run paused at a snapshot still holds its next update there.
        """
        X, y = self._data(X, y, self.loss.labels)
        ws = self.stack.workspace(X.shape[0])
        kept = self.grad.copy()
        with np.errstate(all="ignore"):
            p = self.stack.forward(X, ws)
            loss = float(self.stack.losses(p, y, ws)[0])
            self.stack.backward(X, y, ws, 1.0 / X.shape[0])
        result = loss, [g.copy() for g in self.weight_grads], [g.copy() for g in self.bias_grads]
        self.grad[...] = kept
        return result

    def evaluate(self, X: np.ndarray, y: np.ndarray, task: str = "classification") -> tuple[float, float | None]:
        """(mean loss, accuracy in [0, 1]) on (X, y) labelled 0 or 1; for ``task="regression"`` (any finite
        targets y), (mean loss, None): accuracy means nothing there."""
        classify = checks.choice("task", task, TASKS).labels
        X, y = self._data(X, y, classify or self.loss.labels)
        ws = self.stack.workspace(X.shape[0])
        with np.errstate(all="ignore"):
            p = self.stack.forward(X, ws)
            loss = float(self.stack.losses(p, y, ws)[0])
            return loss, float(self.stack.accuracies(p, y)[0]) if classify else None

    def check_inputs(self, X: object, y: object | None = None, arg: str = "X", y_arg: str = "y",
                     labels: bool = True):
        """X as float64 (n, 2) raw points with features, else (n, fan_in), and y as (n, 1) — labels 0 or 1,
        or any finite targets when not ``labels`` — or ValueError naming ``arg``/``y_arg``."""
        X, y = checks.points(arg, X, y, y_arg, labels=labels)
        width = 2 if self.features is not None else self.layer_sizes[0]
        if X.shape[1] != width:
            what = "coordinates (x1, x2)" if self.features is not None else "features"
            raise ValueError(f"{arg}: the network takes {width} {what} per point, got {X.shape[1]}")
        return X, y

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """What the first layer sees for checked points X: their features (n, fan_in), or X itself."""
        return X if self.features is None else self.features(X)

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        return self.inputs(self.check_inputs(X)[0])

    def _data(self, X: np.ndarray, y: np.ndarray, labels: bool = True) -> tuple[np.ndarray, np.ndarray]:
        X, y = self.check_inputs(X, y, labels=labels)
        return self.inputs(X), y  # type: ignore[return-value]

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.layer_sizes))
        return (
            f"MLP({arch}, activation={self.activation.name}, output={self.output_activation.name}, "
            f"loss={self.loss.name}, init={self.init}, bias={self.bias}, seed={self.seed}"
            + ("" if self.features is None else f", features={','.join(self.features.names)}") + ")"
        )


def _layer_sizes(layer_sizes: object) -> tuple[int, ...]:
    """Checked layer sizes: 2 to MAX_LAYERS + 1 of them, at most MAX_PARAMS parameters, one output unit."""
    sizes = checks.sizes("layer_sizes", layer_sizes, 1, MAX_LAYER_UNITS)
    if not 2 <= len(sizes) <= MAX_LAYERS + 1:
        raise ValueError(f"layer_sizes: {len(sizes)} sizes; allowed: 2 to {MAX_LAYERS + 1} (input … output)")
    if count_params(sizes) > MAX_PARAMS:
        raise ValueError(f"layer_sizes: more than {MAX_PARAMS:,} parameters; use fewer or smaller layers")
    if sizes[-1] != 1:
        raise ValueError(f"layer_sizes: the output layer must have 1 unit, got {sizes[-1]}")
    return sizes


def _features(features: Features | Sequence[str] | None, n_inputs: int) -> Features | None:
    """The network's `Features` (names are centred on (0.5, 0.5)), one per input unit; None: inputs as given."""
    if features is None:
        return None
    if not isinstance(features, Features):
        features = Features(features)  # type: ignore[arg-type]  # names: checked there
    if len(features) != n_inputs:
        raise ValueError(f"layer_sizes: the input layer has {n_inputs} units for {len(features)} features "
                         f"({', '.join(features.names)}); they must match")
    return features


def _rule(arg: str, value: object, registry: dict, kind: type):
    """A registry entry by name, or an object of the registry's type as it is."""
    return value if isinstance(value, kind) else checks.choice(arg, value, registry)

