"""One sample's forward and backward pass, with every intermediate number, taken from the engine itself.

The Equations tab shows backprop with the numbers of one training point filled in. Those numbers must be
the ones training uses, so `trace` runs the network's own passes (`mlp.stack.Stack.forward` and
``backward``) on a one-row batch and reads what they leave in their workspace: every layer's activations
a and deltas δ = ∂ℓ/∂z, and the gradients dW, db. Backprop is not written a second time here.

What the engine never keeps is added beside it, each a term of the tab's formulas: z = a_prev·W + b (the
engine computes z in place of a), ∂ℓ/∂a (the error arriving at a layer, δ^{l+1}·W^{l+1}ᵀ, or ∂ℓ/∂p at the
output) and f'(z) (from the activation's own ``grad`` rule). Then δ = ∂ℓ/∂a ⊙ f'(z) holds to rounding, and
the tests check that it does, which ties the shown terms to the engine's δ.

Per-sample and the training gradient. With one row, the engine's summed loss is this sample's loss ℓ, so
``dW`` and ``db`` are ∂ℓ/∂W and ∂ℓ/∂b: this sample's share of the summed gradient Σᵢ ∂ℓᵢ/∂W (reduction
"sum"). The gradient of the mean loss (reduction "mean", and ``MLP.gradients``) is (1/n)·Σᵢ of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import mlp


@dataclass(frozen=True)
class Trace:
    """One sample through a network of L weight layers; every list has one entry per layer, input side first.

    x: (fan_in,) what the first layer sees (the point's features when the network computes them);
    y: the label; z, a, da, fprime, delta: (units_l,) per layer, a[-1] = (p,) the output;
    loss: this sample's ℓ; dW: (fan_in_l, units_l) ∂ℓ/∂W; db: (units_l,) ∂ℓ/∂b (zeros without biases).
    da is ∂ℓ/∂a: ∂ℓ/∂p at the output, δ^{l+1}·W^{l+1}ᵀ below it; fprime is f'(z) (g'(z) at the output).
    ``fused``: the output's δ is p − y directly (BCE with a sigmoid output), not ∂ℓ/∂p · g'(z).
    """

    x: np.ndarray
    y: float
    z: list[np.ndarray]
    a: list[np.ndarray]
    loss: float
    da: list[np.ndarray]
    fprime: list[np.ndarray]
    delta: list[np.ndarray]
    dW: list[np.ndarray]
    db: list[np.ndarray]
    fused: bool

    @property
    def p(self) -> float:
        """The network's output for this sample."""
        return float(self.a[-1][0])

    @property
    def finite(self) -> bool:
        """Every number of the trace is finite (a diverged network's are not)."""
        arrays = [self.x, *self.z, *self.a, *self.da, *self.fprime, *self.delta, *self.dW, *self.db]
        return bool(np.isfinite(self.loss) and all(np.isfinite(v).all() for v in arrays))


def _features(net: mlp.MLP):  # noqa: ANN202 (mlp.Features, where the engine has input features)
    return getattr(net, "features", None)  # a network without input features has no such attribute


def inputs(net: mlp.MLP, X: np.ndarray) -> np.ndarray:
    """What the first layer sees for points X (n, ·): their features when the network computes features
    from raw points (``net.features``), else X itself."""
    return X if _features(net) is None else net.inputs(X)


def feature_names(net: mlp.MLP) -> tuple[str, ...] | None:
    """The names of the features the network computes from raw points, or None when it takes its inputs as given."""
    features = _features(net)
    return None if features is None else tuple(features.names)


def trace(net: mlp.MLP, x: np.ndarray, y: float) -> Trace:
    """Forward and backward pass of one sample: x as the network takes a point (its raw (x1, x2) when it
    computes features, else (fan_in,)), y its label. The network is left as it was (the passes run on a
    copy, so a run on screen keeps its gradient buffer). ValueError names a bad x or y."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise ValueError(f"x: expected one point as a 1-D array of finite numbers, got shape {x.shape}")
    if not np.isfinite(y):
        raise ValueError(f"y: expected a finite label, got {y!r}")
    X = inputs(net, x.reshape(1, -1))
    if X.shape[1] != net.layer_sizes[0]:
        raise ValueError(f"x: the network takes {net.layer_sizes[0]} inputs per point, got {X.shape[1]}")
    Y = np.array([[float(y)]])
    twin = net.copy()
    stack = twin.stack
    ws = stack.workspace(1)
    with np.errstate(all="ignore"):  # a diverged network gives inf/NaN; `Trace.finite` says so
        stack.forward(X, ws)
        stack.backward(X, Y, ws, 1.0)  # scale 1: the gradient of this one sample's loss
        a = [views[0][0].copy() for views in ws.a_seg]
        delta = [views[0][0].copy() for views in ws.dz_seg]
        loss = twin.loss(a[-1], Y)
        # the formulas' terms the engine computes in place and does not keep
        prev = [X[0], *a[:-1]]
        z = [a_prev @ W + b for a_prev, W, b in zip(prev, twin.weights, twin.biases)]
        rules = [twin.activation] * (twin.n_layers - 1) + [twin.output_activation]
        fprime = [f.grad(a_l, np.empty_like(a_l)) for f, a_l in zip(rules, a)]
        dp = stack.loss.dp(a[-1], Y[0], np.empty_like(a[-1]))
        da = [d @ W.T for d, W in zip(delta[1:], twin.weights[1:])] + [dp]
    return Trace(x=X[0].copy(), y=float(y), z=z, a=a, loss=loss, da=da, fprime=fprime, delta=delta,
                 dW=[g.copy() for g in twin.weight_grads], db=[g.copy() for g in twin.bias_grads],
                 fused=stack.fused)
