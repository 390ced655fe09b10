"""Check my backprop: files written by a hand-made student backward pass, right and wrong.

The wrong files never come from the diagnosis code: `student` below is a lab solution's backward pass
in plain numpy with one classic mistake switched on by name, so a test fails if the registry's idea
of a mistake drifts from what a student actually writes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp
from lab import gradcheck
from lab.checkfile import MAX_BYTES
from lab.diagnose import PATTERNS
from lab.gradcheck import CheckFileError, check, load, main, make_file
from lab.mistakes import MISTAKES


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


# ----- right files pass -----------------------------------------------------------------------
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("bias", [True, False])
def test_right_gradients_pass(tmp_path, capsys, act, reduction, bias):
    W, b, X, y = problem((2, 9, 4, 1), n=21, bias=bias)
    dW, db = student(W, b, X, y, act, reduction=reduction)
    code, out, err = run(tmp_path, file_for(W, b, X, y, dW, db, act=act, reduction=reduction, bias=bias), capsys)
    assert (code, err) == (0, "")
    assert "Verdict: all" in out and "wrong" not in out
    assert ("no biases" in out) == (not bias)


def test_transposed_layout_is_accepted_and_reported(tmp_path, capsys):
    W, b, X, y = problem((2, 9, 4, 1))
    dW, db = student(W, b, X, y)
    code, out, _ = run(tmp_path, file_for(W, b, X, y, dW, db, transpose=True), capsys)
    assert code == 0
    assert "read transposed (given as (fan_out, fan_in)): weights[0], weights[1], weights[2]" in out
    assert out.count("given transposed") == 3  # one per dW row


def test_square_matrices_follow_the_layout_of_the_others():
    # a student storing every matrix (fan_out, fan_in): the square W2 (4, 4) is read transposed too
    W, b, X, y = problem((2, 4, 4, 1))
    dW, db = student(W, b, X, y)
    report = check(load(json.dumps(file_for(W, b, X, y, dW, db, transpose=True))))
    assert report.ok and all(r.transposed for r in report.rows if r.name.startswith("dW"))


def test_float32_student_code_passes_or_is_called_rounding():
    W, b, X, y = problem((2, 9, 4, 1), n=50)
    f32 = [[a.astype(np.float32) for a in arrays] for arrays in (W, b)] + [X.astype(np.float32), y.astype(np.float32)]
    dW, db = student(*f32)
    report = check(file_for(W, b, X, y, dW, db))
    assert report.ok or [d.mistakes for d in report.diagnoses] == [("rounding",)]


# ----- each classic mistake is named ----------------------------------------------------------
STUDENT_MISTAKES = {
    "reduction",
    "half",
    "double",
    "sign",
    "transposed",
    "hidden_on_z",
    "hidden_of_a",
    "hidden_twice",
    "output_on_z",
    "output_of_a",
    "output_twice",
    "output_missing",
}


def test_every_registered_mistake_has_a_student_version():
    assert STUDENT_MISTAKES == set(MISTAKES)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_each_mistake_is_diagnosed(tmp_path, capsys, mistake, act, reduction):
    W, b, X, y = problem((2, 4, 4, 1))
    dW, db = student(W, b, X, y, act, reduction=reduction, mistake=mistake)
    data = file_for(W, b, X, y, dW, db, act=act, reduction=reduction)
    report = check(load(json.dumps(data)))
    assert [d.mistakes for d in report.diagnoses] == [(mistake,)]
    params = report.diagnoses[0].params
    if mistake.startswith("hidden"):
        assert params == ("dW1", "db1", "dW2", "db2")  # the output layer's gradients are right
    if mistake == "transposed":
        assert params == ("dW2",)  # the only square one; the others were read transposed
    assert run(tmp_path, data, capsys)[0] == 1


@pytest.mark.parametrize("mistake", sorted(OUTPUT_MISTAKES))
def test_output_mistakes_with_bce(mistake):
    W, b, X, y = problem((2, 4, 4, 1))
    dW, db = student(W, b, X, y, loss="bce", mistake=mistake)
    report = check(file_for(W, b, X, y, dW, db, loss="bce"))
    assert [d.mistakes for d in report.diagnoses] == [(mistake,)]


def test_right_bce_gradients_pass():
    W, b, X, y = problem((2, 4, 4, 1))
    assert check(file_for(W, b, X, y, *student(W, b, X, y, loss="bce"), loss="bce")).ok


def test_two_mistakes_at_once_are_named_together():
    W, b, X, y = problem((2, 4, 4, 1))
    dW, db = student(W, b, X, y, mistake="reduction")
    dW, db = [-g for g in dW], [-g for g in db]
    report = check(file_for(W, b, X, y, dW, db))
    assert [d.mistakes for d in report.diagnoses] == [("reduction", "sign")]
    assert "Diagnosis (together):" in gradcheck.format_report(report)


def test_ties_are_reported_as_alternatives():
    # with n = 2 points, averaging (÷2) and dropping the 2 of 2(p−y) give the same numbers
    W, b, X, y = problem((2, 4, 4, 1), n=2)
    report = check(file_for(W, b, X, y, *student(W, b, X, y, mistake="half")))
    assert sorted(d.mistakes for d in report.diagnoses) == [("half",), ("reduction",)]
    assert "give the same numbers" in gradcheck.format_report(report)


# ----- where the error sits, when no mistake matches -------------------------------------------
def test_every_pattern_has_a_student_version():
    assert set(PATTERNS) == {
        "bias_step",
        "weight_step",
        "both_steps",
        "delta",
        "first_layer",
        "output_delta",
        "several",
    }


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_where_the_error_sits(pattern):
    bias = pattern != "first_layer"
    W, b, X, y = problem((2, 4, 4, 1), bias=bias)
    dW, db = student(W, b, X, y, mistake=pattern)
    report = check(file_for(W, b, X, y, dW, db, bias=bias))
    assert [d.mistakes for d in report.diagnoses] == [(pattern,)]


def test_one_layer_wrong_names_the_step_from_delta():
    # dW2 wrong, db2, dW1 and dW3 right: δ2 is right; the mistake is in dW2 = a1ᵀ·δ2 (z1 used instead)
    W, b, X, y = problem((2, 4, 4, 1))
    report = check(file_for(W, b, X, y, *student(W, b, X, y, mistake="weight_step")))
    assert [r.name for r in report.rows if r.verdict == "wrong"] == ["dW2"]
    assert report.first_wrong_layer == 2
    assert "dW2 = a1.T @ delta2" in report.diagnoses[0].sentences[0]


def test_a_scaled_single_parameter_is_measured():
    W, b, X, y = problem((2, 9, 4, 1))
    dW, db = student(W, b, X, y)
    db[1] = -db[1]
    report = check(file_for(W, b, X, y, dW, db))
    assert report.diagnoses[0].mistakes == ("bias_step",)
    assert "db2 is exactly the right value with its sign flipped." in report.diagnoses[0].sentences


# ----- files that cannot be checked: exit 2, one line naming the key ---------------------------
def good_file(**overrides):
    W, b, X, y = problem((2, 9, 4, 1), n=21)
    data = file_for(W, b, X, y, *student(W, b, X, y))
    data.update(overrides)
    return data


def without(key):
    data = good_file()
    del data[key]
    return data


def replace_in(key, index, value):
    data = good_file()
    data[key][index] = value
    return data


def cell(key, value):  # one number of the first array under key replaced
    data = good_file()
    target = data[key][0] if key.startswith(("weights", "grad_")) else data[key]
    target[0][0] = value
    return data


BAD_FILES = {
    "not JSON": ("{'layer_sizes': [2, 1]}", "file: not valid JSON"),
    "truncated JSON": (json.dumps(good_file())[:-10], "file: not valid JSON"),
    "not an object": ("[1, 2, 3]", "file: expected a JSON object"),
    "missing layer_sizes": (without("layer_sizes"), "layer_sizes: missing"),
    "missing X": (without("X"), "X: missing"),
    "missing y": (without("y"), "y: missing"),
    "missing weights": (without("weights"), "weights: missing"),
    "missing grad_weights": (without("grad_weights"), "grad_weights: missing — run your backward pass"),
    "missing grad_biases": (without("grad_biases"), "grad_biases: missing"),
    "grad_biases without biases": (without("biases"), "grad_biases: given without"),
    "typo in a key": (
        {**without("grad_weights"), "grad_weight": good_file()["grad_weights"]},
        "grad_weights: missing — run your backward pass on these weights and data and add the gradients "
        "(found 'grad_weight': a typo?)",
    ),
    "wrong gradient shape": (
        replace_in("grad_weights", 1, np.zeros((3, 4)).tolist()),
        "grad_weights[1]: expected shape (9, 4) (or (4, 9) transposed), got (3, 4)",
    ),
    "wrong weight shape": (replace_in("weights", 0, [[1.0, 2.0]]), "weights[0]: expected shape (2, 9)"),
    "wrong bias shape": (replace_in("biases", 2, [1.0, 2.0]), "biases[2]: expected shape (1,)"),
    "too few layers of gradients": (
        good_file(grad_weights=good_file()["grad_weights"][:2]),
        "grad_weights: expected a list of 3",
    ),
    "X has 3 columns": (good_file(X=[[0.1, 0.2, 0.3]] * 21), "X: expected shape (n, 2)"),
    "y too short": (good_file(y=[[0]] * 20), "y: 20 labels for 21 points"),
    "labels not 0/1": (good_file(y=[[0.5]] * 21), "y: labels must be 0 or 1"),
    "output of 2 units": (good_file(layer_sizes=[2, 9, 4, 2]), "layer_sizes: the output layer must have 1 unit"),
    "layer_sizes text": (good_file(layer_sizes="2-9-4-1"), "layer_sizes: expected 2 to 65 whole numbers"),
    "layer_sizes vs weights": (good_file(layer_sizes=[2, 8, 4, 1]), "weights[0]: expected shape (2, 8)"),
    "NaN in weights": (cell("weights", float("nan")), "weights[0]: contains NaN or an infinite value at [0][0]"),
    "Infinity in X": (cell("X", float("inf")), "X: contains NaN or an infinite value at [0][0]"),
    "1e999 in a gradient": (
        json.dumps(cell("grad_weights", 12345.5)).replace("12345.5", "1e999"),
        "grad_weights[0]: contains NaN or an infinite value at [0][0]",
    ),
    "huge integer": (cell("grad_weights", 10**400), "grad_weights[0]: a number too large"),
    "string": (cell("X", "0.5"), "X: expected numbers, found a string ('0.5') at [0][0]"),
    "boolean": (good_file(y=[[True]] * 21), "y: expected numbers, found true at [0][0]"),
    "null": (cell("weights", None), "weights[0]: expected numbers, found null at [0][0]"),
    "nested garbage": (cell("weights", [[1.0]]), "weights[0]: expected numbers, found a list"),
    "object inside": (cell("grad_weights", {"a": 1}), "grad_weights[0]: expected numbers, found an object"),
    "ragged rows": (replace_in("weights", 0, [[1.0] * 9, [1.0] * 8]), "weights[0]: rows of different lengths"),
    "unknown activation": (good_file(activation="softmax"), "activation: unknown value 'softmax'; allowed: sigmoid"),
    "unknown loss": (good_file(loss="hinge"), "loss: unknown value 'hinge'; allowed: mse, bce"),
    "unknown reduction": (good_file(reduction="avg"), "reduction: unknown value 'avg'; allowed: sum, mean"),
    "over 1 MB": (json.dumps(good_file()) + " " * MAX_BYTES, "file: larger than 1 MB"),
    "over 100,000 numbers": (
        good_file(X=[[0.5, 0.5]] * 50_001, y=[[0]] * 50_001),
        "X: the file holds more than 100,000",
    ),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "file: JSON nested too deeply"),
    "not UTF-8": (b'{"X": "\xff\xfe"}', "file: not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_exits_2_with_one_line_naming_the_key(tmp_path, capsys, case):
    data, message = BAD_FILES[case]
    path = tmp_path / "check.json"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data))
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_unreadable_file_and_bad_usage_exit_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.json")]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    assert main(["check"]) == 2 and main(["verify", "x.json"]) == 2
    assert "usage" in capsys.readouterr().err


def test_cli_runs_as_a_module(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "check.json"
    path.write_text(json.dumps(good_file()))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "lab.gradcheck", "check", str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "Verdict: all 6 gradients match" in done.stdout


def test_a_file_from_make_file_asks_for_the_gradients():
    net = mlp.MLP([2, 9, 4, 1], seed=3)
    data = mlp.make_dataset("xor")
    made = make_file(net, data.X, data.y, "mean")
    with pytest.raises(CheckFileError, match="^grad_weights: missing — run your backward pass"):
        load(json.dumps(made))
    # the student's (here: the engine's) gradients added back pass
    _, dW, db = net.gradients(data.X, data.y)
    made.update(grad_weights=[g.tolist() for g in dW], grad_biases=[g.tolist() for g in db])
    assert check(load(json.dumps(made))).ok
    assert "biases" not in make_file(mlp.MLP([2, 3, 1], bias=False), data.X, data.y)


# ----- hostile input: only CheckFileError, ever --------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=16,
)
ARRAYS = st.integers(0, 5).flatmap(
    lambda rows: st.lists(
        st.lists(st.floats(-1e308, 1e308) | st.integers(-3, 3), min_size=rows, max_size=rows), max_size=5
    )
)
KEYS = [
    "layer_sizes",
    "activation",
    "output_activation",
    "loss",
    "reduction",
    "X",
    "y",
    "weights",
    "biases",
    "grad_weights",
    "grad_biases",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(KEYS), value=JSON | ARRAYS | st.lists(ARRAYS, max_size=4), drop=st.booleans())
def test_any_json_at_any_key_gives_a_report_or_check_file_error(key, value, drop):
    data = good_file()
    if drop:
        data.pop(key, None)
    else:
        data[key] = value
    try:
        report = check(load(json.dumps(data)))
    except CheckFileError as exc:
        assert "\n" not in str(exc) and str(exc).split(":")[0].split("[")[0] in (*KEYS, "file")
    else:
        gradcheck.format_report(report)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=200) | JSON.map(json.dumps))
def test_any_text_gives_check_file_error(text):
    with pytest.raises(CheckFileError):
        check(load(text))  # nothing here is a complete file


@pytest.mark.parametrize("scale", [1e-300, 1e150, 1e300, 1e308])
@pytest.mark.parametrize("key", ["X", "weights", "grad_weights"])
def test_extreme_values_never_escape(scale, key):
    # huge weights overflow the forward pass (nothing exact to compare: exit 2); huge gradients are wrong
    data = good_file()
    target = data[key] if key == "X" else data[key][0]
    signs = np.sign(np.asarray(target)) + (np.asarray(target) == 0)
    target[:] = (signs * scale).tolist()
    try:
        gradcheck.format_report(check(load(json.dumps(data))))
    except CheckFileError as exc:
        assert str(exc).startswith("weights: the network overflows")


# ----- a known answer, worked out by hand ------------------------------------------------------
def test_known_answer_2_1_1(tmp_path, capsys):
    """2-1-1, sigmoid everywhere, MSE, one point, reduction sum.

    x = (1, −1), W1 = (0.5, 0.5)ᵀ, b1 = 0 → z1 = 0, a1 = 0.5;  W2 = 2, b2 = −1 → z2 = 0, p = 0.5;  y = 1
    δ2 = 2(p − y)·p(1 − p) = 2(−0.5)(0.25) = −0.25  → dW2 = a1·δ2 = −0.125, db2 = −0.25
    δ1 = δ2·W2·a1(1 − a1) = −0.25·2·0.25 = −0.125 → dW1 = xᵀδ1 = (−0.125, 0.125)ᵀ, db1 = −0.125
    """
    data = {
        "layer_sizes": [2, 1, 1],
        "X": [[1, -1]],
        "y": [[1]],
        "weights": [[[0.5], [0.5]], [[2]]],
        "biases": [[0], [-1]],
        "grad_weights": [[[-0.125], [0.125]], [[-0.125]]],
        "grad_biases": [[-0.125], [-0.25]],
    }
    code, out, _ = run(tmp_path, data, capsys)
    assert code == 0 and "largest relative error 0.0e+00" in out
    # forgetting the 2 of 2(p − y) halves everything; with one point "summed" and "averaged" agree
    half = {**data, "grad_weights": [[[-0.0625], [0.0625]], [[-0.0625]]], "grad_biases": [[-0.0625], [-0.125]]}
    assert [d.mistakes for d in check(half).diagnoses] == [("half",)]
