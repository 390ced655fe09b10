"""Check my backprop: right files pass, each classic mistake is named, and where an error sits.

The files come from `student_backprop.student`, a hand-written lab backward pass (see its docstring).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from student_backprop import OUTPUT_MISTAKES, file_for, problem, run, student

from companion import gradcheck
from companion.diagnose import PATTERNS
from companion.gradcheck import check, load
from companion.mistakes import MISTAKES


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


# ----- the search's memory-lean parts give the very numbers of their formulas --------------------------
def test_the_sigmoids_inverse_is_its_formula_to_the_last_bit():
    from companion.mistakes import INVERSES

    a = np.concatenate([np.random.default_rng(0).random(10_000), [0.0, 1.0, 5e-324, 1e-300, 0.5, 1 - 2**-53]])
    with np.errstate(all="ignore"):
        formula = np.log(a) - np.log1p(-a)
        scratch = np.full_like(a, 7.0)
        z = INVERSES["sigmoid"](a, scratch)
    np.testing.assert_array_equal(z, formula)
    assert z is not scratch and not np.shares_memory(z, a)  # a fresh array: f.grad may write over scratch


@pytest.mark.parametrize("mistake", [None, *sorted(MISTAKES), *sorted(PATTERNS)])
def test_every_report_is_the_one_of_the_inverse_as_a_formula(monkeypatch, mistake):
    from companion.mistakes import INVERSES

    bias = mistake != "first_layer"
    W, b, X, y = problem((2, 4, 4, 1), bias=bias)
    data = file_for(W, b, X, y, *student(W, b, X, y, mistake=mistake), bias=bias)
    lean = check(data)
    monkeypatch.setitem(INVERSES, "sigmoid", lambda a, scratch: np.log(a) - np.log1p(-a))
    assert check(data) == lean
