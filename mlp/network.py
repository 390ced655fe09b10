"""A fully connected network of any depth with hand-written backpropagation.

Shapes follow ``z = a_prev @ W + b`` with a_prev of shape (n, fan_in), W (fan_in, fan_out) and
b (fan_out,). Layer l's activation is the hidden activation for every layer but the last, which uses
the output activation (sigmoid by default, so the output is P(class 1)).

All parameters live in one flat float64 vector ``params``; ``weights`` and ``biases`` are views into
it, and the gradient has the same layout. The optimizers therefore update every layer with a few
vector operations, whatever the depth. Modify parameters in place (``net.weights[0][...] = W``) or
through ``set_parameters``; rebinding a list entry would detach it from ``params``.

Forward and backward passes write into per-batch-size workspaces allocated once, with ``out=``
everywhere: the training loop allocates (almost) nothing per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import checks
from .activations import ACTIVATIONS, Activation
from .init import INITIALIZERS
from .losses import LOSSES, Loss

_VIEWS = ("weights", "biases", "weight_grads", "bias_grads")
# Bounds that keep a network (or a weights file describing one) from exhausting memory.
MAX_LAYER_UNITS = 10_000
MAX_LAYERS = 64
MAX_PARAMS = 10_000_000


class _Workspace:
    """Preallocated buffers for batches of ``n`` rows: activations, deltas and scratch per layer."""

    def __init__(self, n: int, layer_sizes: Sequence[int]) -> None:
        units = layer_sizes[1:]
        self.a = [np.empty((n, u)) for u in units]  # a[l]: output of layer l + 1 (z is computed in place)
        self.dz = [np.empty((n, u)) for u in units]  # ∂loss/∂z of each layer
        self.tmp = [np.empty((n, u)) for u in units]  # f'(z), scratch
        self.ones = np.ones(n)  # db = 1ᵀ dz, a BLAS call cheaper than a reduction


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
    ) -> None:
        sizes = checks.sizes("layer_sizes", layer_sizes, 1, MAX_LAYER_UNITS)
        if not 2 <= len(sizes) <= MAX_LAYERS + 1:
            raise ValueError(f"layer_sizes: {len(sizes)} sizes; allowed: 2 to {MAX_LAYERS + 1} (input … output)")
        if sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_PARAMS:
            raise ValueError(f"layer_sizes: more than {MAX_PARAMS:,} parameters; use fewer or smaller layers")
        if sizes[-1] != 1:
            raise ValueError(f"layer_sizes: the output layer must have 1 unit, got {sizes[-1]}")
        self.layer_sizes = sizes
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

        self.params = np.zeros(self.n_params)
        self.grad = np.zeros(self.n_params)  # gradient of the last backward pass, same layout
        self.weights, self.biases = self._views(self.params)
        self.weight_grads, self.bias_grads = self._views(self.grad)
        # 1 on weights, 0 on biases: L1/L2 penalties apply to weights only
        self.weight_mask = np.zeros(self.n_params)
        for w in self._views(self.weight_mask)[0]:
            w.fill(1.0)
        rng = np.random.default_rng(self.seed)
        for W in self.weights:
            W[...] = initializer(rng, *W.shape)
        self._workspaces: dict[tuple[str, int], _Workspace] = {}
        # the loss's shortcut ∂Σloss/∂z = p − y when it holds for this output activation
        self._fused = self.output_activation.name in self.loss.fused_dz

    # ----- structure -------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.layer_sizes) - 1

    @property
    def n_params(self) -> int:
        """Number of scalars in ``params`` (biases included, even when bias=False keeps them at 0)."""
        s = self.layer_sizes
        return sum(fi * fo + fo for fi, fo in zip(s[:-1], s[1:]))

    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Split a flat vector into per-layer (fan_in, fan_out) and (fan_out,) views."""
        weights, biases, o = [], [], 0
        for fi, fo in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            weights.append(flat[o : o + fi * fo].reshape(fi, fo))
            o += fi * fo
            biases.append(flat[o : o + fo])
            o += fo
        return weights, biases

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
        twin = MLP(
            self.layer_sizes,
            self.activation.name,
            self.output_activation.name,
            self.loss.name,
            self.init,
            self.bias,
            self.seed,
        )
        twin.params[...] = self.params
        return twin

    def __getstate__(self) -> dict:
        # weights, biases and their gradients are views of params/grad: pickle the flat vectors only
        state = {k: v for k, v in self.__dict__.items() if k not in _VIEWS}
        state["_workspaces"] = {}
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.weights, self.biases = self._views(self.params)
        self.weight_grads, self.bias_grads = self._views(self.grad)

    def _workspace(self, n: int, role: str = "eval") -> _Workspace:
        """Buffers for n rows. Training ("train") and everything else ("eval": forward, predict,
        evaluate, gradients…) never share buffers, so evaluating a test set of the training set's size
        between two updates cannot overwrite the activations the next update uses."""
        key = (role, n)
        ws = self._workspaces.get(key)
        if ws is None:
            if role == "eval" and sum(r == "eval" for r, _ in self._workspaces) >= 8:
                for k in [k for k in self._workspaces if k[0] == "eval"]:  # bounded: evaluation sizes come and go
                    del self._workspaces[k]
            ws = self._workspaces[key] = _Workspace(n, self.layer_sizes)
        return ws

    # ----- the passes (internal, into workspaces) ---------------------------------------------
    def _forward(self, X: np.ndarray, ws: _Workspace) -> np.ndarray:
        """Fill ws.a with every layer's activations; return the output (n, 1), a view into ws."""
        a = X
        last = self.n_layers - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = ws.a[l]
            np.dot(a, W, out=z)
            if self.bias:
                z += b
            act = self.output_activation if l == last else self.activation
            a = act.forward(z, out=z)  # in place: z is not needed again (f' is computed from a)
        return a

    def _backward(self, X: np.ndarray, y: np.ndarray, ws: _Workspace, scale: float) -> None:
        """Write scale · ∂Σloss/∂params into ``self.grad`` (scale 1/n: the mean loss's gradient).

        Needs ``_forward(X, ws)`` first. Output layer: dz = ∂Σloss/∂p · f'(z), or p − y for
        sigmoid + BCE. Then, from the last layer down: dW = a_prevᵀ dz, db = 1ᵀ dz,
        dz_prev = (dz Wᵀ) · f'(z_prev).
        """
        L = self.n_layers
        p, dz = ws.a[-1], ws.dz[-1]
        if self._fused:
            np.subtract(p, y, out=dz)
        else:
            self.loss.dp(p, y, dz)
            if not self.output_activation.identity:
                dz *= self.output_activation.grad(p, ws.tmp[-1])
        if scale != 1.0:
            dz *= scale
        for l in range(L - 1, -1, -1):
            a_prev = ws.a[l - 1] if l else X
            np.dot(a_prev.T, dz, out=self.weight_grads[l])
            if self.bias:
                np.dot(ws.ones, dz, out=self.bias_grads[l])
            if l:
                dz_prev = ws.dz[l - 1]
                np.dot(dz, self.weights[l].T, out=dz_prev)
                if not self.activation.identity:
                    dz_prev *= self.activation.grad(ws.a[l - 1], ws.tmp[l - 1])
                dz = dz_prev

    def _loss(self, p: np.ndarray, y: np.ndarray, ws: _Workspace) -> float:
        return self.loss.value(p, y, ws.tmp[-1])

    # ----- public API ------------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Output for inputs X (n, fan_in): an (n, 1) array of P(class 1) (with a sigmoid output)."""
        X = self._inputs(X)
        with np.errstate(all="ignore"):  # a diverged network gives inf/NaN outputs, not warnings
            return self._forward(X, self._workspace(X.shape[0])).copy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Labels (n, 1) in {0., 1.}: 1 where the output is ≥ 0.5 (the lab's rule)."""
        return (self.forward(X) >= 0.5).astype(np.float64)

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations for X: a list of (n, units) arrays, hidden layers then the output."""
        X = self._inputs(X)
        ws = self._workspace(X.shape[0])
        with np.errstate(all="ignore"):
            self._forward(X, ws)
        return [a.copy() for a in ws.a]

    def gradients(self, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The mean loss on (X, y) and its exact gradient: ``(loss, dW_list, db_list)``.

        dW_list[l] has the shape of weights[l], db_list[l] of biases[l] (zeros when bias=False).
        """
        X, y = checks.points("X", X, y)
        self._check_fan_in(X)
        ws = self._workspace(X.shape[0])
        with np.errstate(all="ignore"):
            p = self._forward(X, ws)
            loss = self._loss(p, y, ws)
            self._backward(X, y, ws, 1.0 / X.shape[0])
        return loss, [g.copy() for g in self.weight_grads], [g.copy() for g in self.bias_grads]

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """(mean loss, accuracy in [0, 1]) on (X, y)."""
        X, y = checks.points("X", X, y)
        self._check_fan_in(X)
        ws = self._workspace(X.shape[0])
        with np.errstate(all="ignore"):
            p = self._forward(X, ws)
            return self._loss(p, y, ws), accuracy(p, y)

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        X, _ = checks.points("X", X)
        self._check_fan_in(X)
        return X

    def _check_fan_in(self, X: np.ndarray, arg: str = "X") -> None:
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"{arg}: the network takes {self.layer_sizes[0]} features per point, got {X.shape[1]}")

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.layer_sizes))
        return (
            f"MLP({arch}, activation={self.activation.name}, output={self.output_activation.name}, "
            f"loss={self.loss.name}, init={self.init}, bias={self.bias}, seed={self.seed})"
        )


def _rule(arg: str, value: object, registry: dict, kind: type):
    """A registry entry by name, or an object of the registry's type as it is."""
    return value if isinstance(value, kind) else checks.choice(arg, value, registry)


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """Fraction of samples whose thresholded output (p ≥ 0.5 → 1) equals the label."""
    return float(np.count_nonzero((p >= 0.5) == (y >= 0.5))) / p.shape[0]
