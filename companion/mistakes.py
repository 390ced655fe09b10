"""The classic mistakes of a hand-written backward pass, each computed by the engine itself.

A `Recipe` says how to compute "the gradient": which hidden and output activation rules the backward
pass uses, a factor, and whether square dW come out transposed. The exact recipe is the file's own
network. Each `Mistake` in `MISTAKES` edits a recipe (or says it does not apply), so mistakes combine
freely, one per ``part``: "summed instead of averaged" with "flipped sign" is two edits. A mistaken
derivative is a variant `mlp.activations.Activation` with the same forward rule and a wrong ``grad``;
the engine's own backward pass then produces the mistaken gradients, so no second backprop is written.

Engine facts this relies on: ``grad(a, out)`` receives the activation's *output* a; with BCE and a
sigmoid output the engine uses the fused shortcut p − y when the output activation is *named*
"sigmoid", so every variant gets its own name ("sigmoid~on_z", …).

Taking the derivative from z instead of a needs z back from a: the logit for the sigmoid, arctanh for
tanh. For relu, leaky_relu and linear the derivative reads the same from z as from a (a > 0 ⇔ z > 0),
so that mistake cannot be seen in the numbers and is not built. Other variants that happen to give
the right numbers (f'² = f' for relu) are dropped by the caller, which compares with the exact
gradient. Recovering z loses digits when a unit saturates (|z| ≳ 30 for the sigmoid, ≳ 15 for tanh);
such candidates turn inaccurate or infinite and then simply do not match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

import mlp
from mlp.activations import Activation


def _logit(a: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    # z = log(a) − log1p(−a), the very numbers of that expression, with one (n, units) temporary instead
    # of three: a check's arrays are as large as its file allows, and this runs once per hidden layer
    z = np.negative(a)
    np.log1p(z, out=z)
    return np.subtract(np.log(a, out=scratch), z, out=z)


# a = f(z) → z as a fresh array (``scratch``, of a's shape, may be written over), for the activations whose
# derivative reads differently from z and from a
INVERSES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "sigmoid": _logit,
    "tanh": lambda a, scratch: np.arctanh(a),
}
# how a student writes f' from the output ({v} = a) and as a function of z ({v} = z), for the advice
FROM_A = {
    "sigmoid": "{v}*(1-{v})",
    "tanh": "1-{v}**2",
    "relu": "({v} > 0)",
    "leaky_relu": "np.where({v} > 0, 1, 0.01)",
    "linear": "1",
}
FROM_Z = {"sigmoid": "sigmoid({v})*(1-sigmoid({v}))", "tanh": "1-np.tanh({v})**2"}
DP = {"mse": "2*(p-y)", "bce": "(p-y)/(p*(1-p))"}  # ∂loss/∂p per sample


def formula(table: dict[str, str], f: Activation, v: str) -> str:
    """f's derivative as a student writes it, on the variable v."""
    return table.get(f.name, "f'({v})").format(v=v)


@dataclass(frozen=True)
class Recipe:
    """How to compute the gradient: the rules the backward pass uses, a factor, square dW transposed."""

    hidden: Activation
    output: Activation
    factor: float = 1.0
    transpose: bool = False


@dataclass(frozen=True)
class Problem:
    """A checked file ready for the engine: the network, its parameters and the data.

    weights: (fan_in, fan_out) per layer; biases: (fan_out,) per layer, or None (bias-free network);
    X (n, fan_in), y (n, 1); reduction "sum" or "mean" (the student's declared convention).
    """

    layer_sizes: tuple[int, ...]
    activation: Activation
    output_activation: Activation
    loss: str
    reduction: str
    X: np.ndarray
    y: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None
    _engine: dict = field(default_factory=dict, compare=False, repr=False)  # (hidden, output) names → dW, db

    @classmethod
    def from_file(cls, f: dict[str, Any]) -> Problem:
        """From `companion.checkfile.validate`'s normalised dict."""
        biases = None if f["biases"] is None else tuple(f["biases"])
        acts = mlp.ACTIVATIONS
        return cls(
            f["layer_sizes"],
            acts[f["activation"]],
            acts[f["output_activation"]],
            f["loss"],
            f["reduction"],
            f["X"],
            f["y"],
            tuple(f["weights"]),
            biases,
        )

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names from the input up: dW1, db1, dW2, … (no db without biases)."""
        per_layer = ("dW", "db") if self.biases is not None else ("dW",)
        return tuple(f"{p}{l}" for l in range(1, len(self.layer_sizes)) for p in per_layer)

    @property
    def exact(self) -> Recipe:
        return Recipe(self.activation, self.output_activation)

    def gradients(self, recipe: Recipe) -> tuple[np.ndarray, ...]:
        """The gradients ``recipe`` gives, in the order of ``names``, for the declared reduction
        (the engine's mean-loss gradient, × n for "sum")."""
        key = (recipe.hidden.name, recipe.output.name)
        if key not in self._engine:  # the combinations share a few engine passes
            net = mlp.MLP(self.layer_sizes, recipe.hidden, recipe.output, self.loss, bias=self.biases is not None)
            net.set_parameters(self.weights, net.biases if self.biases is None else self.biases)
            self._engine[key] = net.gradients(self.X, self.y)[1:]
        dW, db = self._engine[key]
        scale = recipe.factor * (self.n if self.reduction == "sum" else 1.0)
        out = []
        with np.errstate(over="ignore"):  # huge weights × n may overflow: the caller checks finiteness
            for W, b in zip(dW, db):
                out.append(W.T * scale if recipe.transpose and W.shape[0] == W.shape[1] else W * scale)
                if self.biases is not None:
                    out.append(b * scale)
        return tuple(out)


def _variant(base: Activation, tag: str, grad: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Activation:
    """``base`` with another derivative rule, under its own name (so no shortcut applies to it)."""

    def quiet(a: np.ndarray, out: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):  # z recovered from a saturated a is ±inf: no match, no warning
            return grad(a, out)

    return Activation(f"{base.name}~{tag}", base.forward, quiet, base.latex)


# Wrong derivative rules, each from the right one: base → variant (None: cannot be built). A variant
# that gives the right numbers anyway (f'² = f' for relu) is caught by the caller, which compares.
def _on_z(f: Activation) -> Activation | None:
    # the a-form applied to z: a*(1-a) evaluated at z = f⁻¹(a) (a fresh array: f.grad may write over out,
    # so out serves the inverse as scratch only)
    inv = INVERSES.get(f.name)
    return None if inv is None else _variant(f, "on_z", lambda a, out: f.grad(inv(a, out), out))


def _of_a(f: Activation) -> Activation:
    # the z-form applied to a: sigmoid(a)*(1-sigmoid(a)), i.e. f'(f(a)) from the right rule
    return _variant(f, "of_a", lambda a, out: f.grad(f(a), out))


def _twice(f: Activation) -> Activation:
    return _variant(f, "twice", lambda a, out: np.square(f.grad(a, out), out=out))


def _missing(f: Activation) -> Activation:
    # no derivative at all: δ = ∂L/∂p
    return _variant(f, "missing", mlp.ACTIVATIONS["linear"].grad)


Edit = Callable[[Recipe, Problem], Recipe | None]


@dataclass(frozen=True)
class Mistake:
    """One classic mistake: ``edit`` turns a recipe into the mistaken one (None: it does not apply
    or cannot be told apart here); ``advice`` is one sentence on what to look at in the code."""

    part: str  # mistakes of different parts combine; of the same part they exclude each other
    edit: Edit
    advice: Callable[[Problem], str]


def _factor(fn: Callable[[Problem], float | None]) -> Edit:
    def edit(r: Recipe, p: Problem) -> Recipe | None:
        c = fn(p)
        return None if c is None else replace(r, factor=r.factor * c)

    return edit


def _hidden(rule: Callable[[Activation], Activation | None]) -> Edit:
    def edit(r: Recipe, p: Problem) -> Recipe | None:
        v = rule(p.activation) if len(p.layer_sizes) > 2 else None  # no hidden layer, no hidden mistake
        return None if v is None else replace(r, hidden=v)

    return edit


def _output(rule: Callable[[Activation], Activation | None]) -> Edit:
    def edit(r: Recipe, p: Problem) -> Recipe | None:
        v = rule(p.output_activation)
        return None if v is None else replace(r, output=v)

    return edit


def _transposed(r: Recipe, p: Problem) -> Recipe | None:
    square = any(a == b > 1 for a, b in zip(p.layer_sizes[:-1], p.layer_sizes[1:]))
    return replace(r, transpose=True) if square else None


def fused(p: Problem) -> bool:
    """The engine's shortcut applies: δ at the output is p − y (BCE with a sigmoid output)."""
    return p.output_activation.name in mlp.LOSSES[p.loss].fused_dz


def _dp(p: Problem) -> str:
    return "p-y" if fused(p) else DP[p.loss]


MISTAKES: dict[str, Mistake] = {
    "reduction": Mistake(
        "n",
        _factor(lambda p: None if p.n == 1 else (1 / p.n if p.reduction == "sum" else p.n)),
        lambda p: (
            f'these are the averaged gradients (divided by n = {p.n}) but the file says "reduction": "sum": '
            'drop the division by n, or declare "mean"'
            if p.reduction == "sum"
            else f'these are the summed gradients (n = {p.n} times too large) but the file says "reduction": '
            '"mean": divide by n, or declare "sum"'
        ),
    ),
    "half": Mistake(
        "2",
        _factor(lambda p: 0.5 if p.loss == "mse" else None),
        lambda p: "half the right values: the derivative of (p-y)**2 is 2*(p-y), so δ at the output misses the 2",
    ),
    "double": Mistake(
        "2",
        _factor(lambda p: 2.0 if p.loss == "mse" else None),
        lambda p: "twice the right values: the 2 of 2*(p-y) is applied twice (or your loss is 2× the MSE)",
    ),
    "sign": Mistake(
        "sign",
        _factor(lambda p: -1.0),
        lambda p: f"the sign is flipped: δ at the output starts from {_dp(p)} (prediction minus truth), not from y-p",
    ),
    "transposed": Mistake(
        "layout",
        _transposed,
        lambda p: (
            "the right gradient, transposed: compute dW = a_prev.T @ delta, of the weights' shape (fan_in, fan_out), "
            "not delta.T @ a_prev"
        ),
    ),
    "hidden_on_z": Mistake(
        "hidden",
        _hidden(_on_z),
        lambda p: (
            f"your hidden layers compute the derivative as {formula(FROM_A, p.activation, 'z')}, from z, not from "
            f"the {p.activation.name}'s output: use {formula(FROM_A, p.activation, 'a')} where a = {p.activation.name}(z)"
        ),
    ),
    "hidden_of_a": Mistake(
        "hidden",
        _hidden(_of_a),
        lambda p: (
            f"your hidden layers compute the derivative as {formula(FROM_Z, p.activation, 'a')}, applying the "
            f"{p.activation.name} to its own output again: use {formula(FROM_A, p.activation, 'a')}"
        ),
    ),
    "hidden_twice": Mistake(
        "hidden",
        _hidden(_twice),
        lambda p: (
            f"your hidden layers multiply by {formula(FROM_A, p.activation, 'a')} twice: once per layer, "
            "delta = (delta_above @ W_above.T) * f'(z)"
        ),
    ),
    "output_on_z": Mistake(
        "output",
        _output(_on_z),
        lambda p: (
            f"the output layer computes the derivative as {formula(FROM_A, p.output_activation, 'z')}, from z, "
            f"not from the output: use {formula(FROM_A, p.output_activation, 'p')} where p = {p.output_activation.name}(z)"
        ),
    ),
    "output_of_a": Mistake(
        "output",
        _output(_of_a),
        lambda p: (
            f"the output layer computes the derivative as {formula(FROM_Z, p.output_activation, 'p')}, applying "
            f"the {p.output_activation.name} to its own output again: use {formula(FROM_A, p.output_activation, 'p')}"
        ),
    ),
    "output_twice": Mistake(
        "output",
        _output(_twice),
        lambda p: (
            f"δ at the output multiplies by {formula(FROM_A, p.output_activation, 'p')} twice"
            + (": with BCE and a sigmoid output, delta = p-y already includes it" if fused(p) else "")
        ),
    ),
    "output_missing": Mistake(
        "output",
        _output(_missing),
        lambda p: (
            f"δ at the output is {DP[p.loss]} without the output activation's derivative: multiply it by "
            f"{formula(FROM_A, p.output_activation, 'p')}" + (", which gives simply p-y" if fused(p) else "")
        ),
    ),
}
