"""A lab solution's backward pass in plain numpy, with one classic mistake switched on by name.

The gradient-check tests build their files from this, never from the diagnosis code, so a test fails
if the registry's idea of a mistake drifts from what a student actually writes. Flags: every key of
`companion.mistakes.MISTAKES` and of `companion.diagnose.PATTERNS`.
"""

from __future__ import annotations

import json

import numpy as np

from companion.gradcheck import main


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# activation → (f, f' written from the output a, f' written from z)
ACTS = {
    "sigmoid": (sigmoid, lambda a: a * (1 - a), lambda z: sigmoid(z) * (1 - sigmoid(z))),
    "tanh": (np.tanh, lambda a: 1 - a**2, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0) * 1.0, lambda z: (z > 0) * 1.0),
}


def student(W, b, X, y, act="sigmoid", loss="mse", reduction="sum", mistake=None):
    """A lab solution: forward, then backward with a sigmoid output; ``mistake`` switches one bug on.

    Returns (dW, db) as a student would store them (dW (fan_in, fan_out), or transposed by the bug).
    """
    f, d_a, d_z = ACTS[act]
    sig, dsig_a, dsig_z = ACTS["sigmoid"]
    L = len(W)
    zs, As = [], [X]  # As[l] = output of layer l (As[0] = X)
    for l in range(L):
        zs.append(As[-1] @ W[l] + b[l])
        As.append(f(zs[-1]) if l < L - 1 else sig(zs[-1]))
    p = As[-1]
    out_deriv = {  # the output activation's derivative, right or wrong
        "output_on_z": dsig_a(zs[-1]),
        "output_of_a": dsig_z(p),
        "output_twice": dsig_a(p) ** 2,
        "output_missing": 1.0,
    }.get(mistake, dsig_a(p))
    if loss == "mse":
        delta = {"half": 1, "double": 4}.get(mistake, 2) * (p - y) * out_deriv
    elif mistake in OUTPUT_MISTAKES:  # BCE written out: ∂L/∂p = (p − y) / (p(1 − p)), times the derivative
        delta = (p - y) / (p * (1 - p)) * out_deriv
    else:  # BCE as most students write it: the product with σ' is simply p − y
        delta = p - y
    if mistake == "output_delta":
        delta = (p - y) ** 2 * out_deriv  # the loss itself instead of its derivative
    if mistake == "sign":
        delta = -delta  # y - p
    if (reduction == "mean") != (mistake == "reduction"):
        delta = delta / len(X)
    dW, db = [None] * L, [None] * L
    W_used = list(W)
    for l in reversed(range(L)):  # l = 2, 1, 0 are layers 3, 2, 1
        dW[l] = delta.T @ As[l] if mistake == "transposed" else As[l].T @ delta
        db[l] = delta.sum(axis=0)
        if l == 1 and mistake in ("weight_step", "both_steps"):
            dW[l] = zs[0].T @ delta  # z1 instead of a1
        if l == 1 and mistake in ("bias_step", "both_steps"):
            db[l] = delta[0]  # the first sample only
        if l == {"delta": 2, "first_layer": 1}.get(mistake):
            W_used[l] = W[l] - 0.5 * dW[l]  # updated before the layer below used it
        if l:
            deriv = {
                "hidden_on_z": d_a(zs[l - 1]),
                "hidden_of_a": d_z(As[l]),
                "hidden_twice": d_a(As[l]) ** 2,
            }.get(mistake, d_a(As[l]))
            delta = (delta @ W_used[l].T) * deriv
    if mistake == "several":  # dW3 and dW1 wrong, layer 2 right: no single step does that
        dW[2] = 2 * dW[2]
        dW[0] = X[::-1].T @ delta
    return dW, db


OUTPUT_MISTAKES = {"output_on_z", "output_of_a", "output_twice", "output_missing"}


def problem(sizes=(2, 4, 4, 1), n=12, bias=True, seed=0):
    """Weights (fan_in, fan_out), biases, X (n, 2) and labels, moderate enough that no unit saturates."""
    rng = np.random.default_rng(seed)
    W = [rng.normal(0, 0.8, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(0, 0.5, k) if bias else np.zeros(k) for k in sizes[1:]]
    X = rng.uniform(-1, 1, (n, sizes[0]))
    y = (X[:, :1] * X[:, 1:2] > 0).astype(float)
    return W, b, X, y


def file_for(W, b, X, y, dW, db, *, act="sigmoid", loss="mse", reduction="sum", bias=True, transpose=False):
    T = (lambda a: np.asarray(a).T) if transpose else np.asarray
    data = {
        "layer_sizes": [W[0].shape[0], *(w.shape[1] for w in W)],
        "activation": act,
        "loss": loss,
        "reduction": reduction,
        "X": X.tolist(),
        "y": y.tolist(),
        "weights": [T(w).tolist() for w in W],
        "grad_weights": [T(g).tolist() for g in dW],
    }
    if bias:
        data["biases"] = [v.tolist() for v in b]
        data["grad_biases"] = [np.asarray(g).tolist() for g in db]
    return data


def run(tmp_path, data, capsys):
    path = tmp_path / "check.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    return code, out, err
