"""Paste my training log: the report's own log (tests/companion/data/report_log.txt, lines 70-93 and 300-314
of the seed report), spellings students use, the symptoms, the comparison, and hostile text."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mlp
from companion.logparse import MAX_CHARS, MAX_LINES
from companion.studentlog import SYMPTOMS, compare, parse_log, symptoms
from lab import report

FIXTURE = (Path(__file__).parent / "data" / "report_log.txt").read_text()
LINEAR, NAN_RUN = FIXTURE.split("```")[1], FIXTURE.split("```")[3]  # the two fenced blocks


# ----- the report's log ---------------------------------------------------------------------------
def test_report_linear_log_known_answer():
    log = parse_log(LINEAR)
    # 21 lines, 16 epochs: 3000, 4000, 5000, 7500 and 8000 appear twice; the LAST line for each wins
    assert log.epochs.tolist() == [
        0,
        500,
        1000,
        1500,
        2000,
        2500,
        3000,
        4000,
        5000,
        5500,
        6000,
        6500,
        7000,
        7500,
        8000,
        9500,
    ]
    last = dict(zip(log.epochs.tolist(), log.losses.tolist()))
    assert last[0] == 0.3746922644298039
    assert last[3000] == 0.006339234766365286  # not 0.007312…, which repeats epoch 2500's digits
    assert last[5000] == 0.005111388835584442
    assert last[7500] == 0.0008185299405214265
    assert last[8000] == 0.0008440979505134883
    assert last[9500] == 0.00084387878582871376
    notes = " ".join(log.notes)
    assert "epochs logged more than once: 3,000 (0.00731 then 0.00634), 4,000 (2× the same)" in notes
    assert "epochs 3,500, 4,500, 8,500, 9,000 are missing (logged every 500 elsewhere)" in notes
    assert log.predictions == () and log.accuracy is None
    # one remark: the 6500 → 7000 jump (0.0034 → 0.0083), which the report's own figure shows as a spike
    (only,) = symptoms(log)
    assert only.startswith("The loss jumps up at epoch 7,000 (0.0034 → 0.00829)")


def test_report_nan_run_known_answer():
    log = parse_log(NAN_RUN)
    assert log.epochs.tolist() == [0, 500, 1500, 2500]
    assert log.losses[0] == 30.34835008493112 and np.isnan(log.losses[1:]).all()
    assert log.warnings == (
        "overflow encountered in square",
        "overflow encountered in matmul",
        "invalid value encountered in subtract",
    )
    assert any("skipped 6 other lines, e.g. 'python3 main.py'" in n for n in log.notes)
    diverged, above_one = symptoms(log)
    assert diverged.startswith("The loss became NaN or infinite at epoch 500")
    assert "Your last finite loss was 30.35 at epoch 0" in diverged and "Try a smaller learning rate" in diverged
    assert "overflow encountered in square" in diverged
    assert above_one.startswith("Your loss exceeds 1 (30.35 at epoch 0)")


def test_two_runs_pasted_together_are_noted():
    log = parse_log(FIXTURE)
    assert log.epochs[0] == 0 and log.losses[0] == 30.34835008493112  # the later run's epoch 0 wins
    assert any("the log seems to hold 2 runs" in n for n in log.notes)


# ----- spellings ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, epoch, loss",
    [
        ("Epoch: 500, Loss: 0.02298729887447683", 500, 0.02298729887447683),
        ("epoch 500 loss 0.02", 500, 0.02),
        ("EPOCH\t500\tLOSS\t2e-2", 500, 0.02),
        ("[Epoch 500/10000] train_loss=2E-02", 500, 0.02),
        ("  epoch=500,   loss = 1.5e+3  ", 500, 1500.0),
        ("Epoch 500: 0.25", 500, 0.25),
        ("Epoch: 500, Loss: nan", 500, float("nan")),
        ("epoch 500 | loss: inf", 500, float("inf")),
        ("Epoch: 500, Loss: .5.", 500, 0.5),
        ("epochs: 500 - loss: -Infinity", 500, float("-inf")),
    ],
)
def test_spellings(line, epoch, loss):
    log = parse_log(f"warning: something\r\n{line}\r\nTraceback (most recent call last):\n")
    assert log.epochs.tolist() == [epoch]
    np.testing.assert_equal(log.losses, [loss])


@pytest.mark.parametrize("line", ["Epochs: 10000, lr: 0.1", "epoch 500", "loss: 0.3", "the epoch was long"])
def test_lines_that_are_not_training_lines(line):
    log = parse_log(f"{line}\nEpoch: 1, Loss: 0.5")
    assert log.epochs.tolist() == [1]


def test_the_engines_own_output_reads_back():
    net = mlp.MLP([2, 4, 1], seed=0)
    data = mlp.make_dataset("xor")
    snaps = list(mlp.train(net, data.X, data.y, epochs=300, lr=0.5, every=100))
    text = "\n".join(report.training_log(snaps, 100) + report.test_lines(data.y, net.forward(data.X)))
    log = parse_log(text)
    assert log.epochs.tolist() == [0, 100, 200, 300]
    np.testing.assert_array_equal(log.losses, [s.loss for s in snaps])
    assert len(log.predictions) == 21 and log.predictions[0][:2] == (1, 0.0)
    assert log.accuracy == pytest.approx(log.printed_accuracy, abs=1e-4)


# ----- predictions and accuracy ---------------------------------------------------------------------
def lab_test_block(truth, preds, printed):
    lines = [f"Iter{k} | Ground truth: {t} | prediction: {p:.5f} |" for k, (t, p) in enumerate(zip(truth, preds), 1)]
    return "\n".join([*lines, f"loss=0.00001 accuracy={printed:.2f}%"])


def test_accuracy_is_recomputed_and_agrees():
    log = parse_log(lab_test_block([0, 1, 0, 1], [0.001, 0.999, 0.2, 0.7], 100))
    assert log.accuracy == 1.0 and log.printed_accuracy == 1.0 and symptoms(log) == []


def test_accuracy_that_disagrees_is_said():
    log = parse_log(lab_test_block([0, 1, 0, 1], [0.001, 0.999, 0.6, 0.7], 100))
    assert log.accuracy == 0.75
    assert symptoms(log) == [
        "The printed accuracy (100.00%) disagrees with the 4 predictions listed (3 of 4 right with prediction "
        "≥ 0.5 as class 1 = 75.00%): check the threshold and which set it counts."
    ]


def test_low_accuracy_is_below_the_pass_mark():
    log = parse_log(lab_test_block([0, 1] * 5, [0.9] * 10, 50))
    assert symptoms(log) == ["Accuracy 50.00% is below the lab's 90% pass mark."]


# ----- symptoms -------------------------------------------------------------------------------------
def log_of(losses, every=500):
    return parse_log("\n".join(f"Epoch: {k * every}, Loss: {v!r}" for k, v in enumerate(losses)))


SHAPES = {
    "diverged": ([0.3, 0.2, float("nan")], "The loss became NaN or infinite at epoch 1000"),
    "flat": ([0.3] * 5, "The loss never changes (0.3 at every logged epoch)"),
    "plateau": ([0.26, 0.2494, 0.2494, 0.2493, 0.2491, 0.1, 0.01], "Your loss sat near 0.25 from epoch 500 to 2,000"),
    "above_one": ([3.0, 2.0, 0.9], "Your loss exceeds 1 (3 at epoch 0)"),
    "rising": ([0.3, 0.01, 0.02, 0.05], "Your loss ends higher than it was: lowest 0.01 at epoch 500"),
    "spikes": ([0.3, 0.1, 0.2, 0.05, 0.001], "The loss jumps up at epoch 1,000 (0.1 → 0.2)"),
    "not_converged": ([0.3, 0.2, 0.1], "Your loss was still falling at the end (0.2 → 0.1 over the last 500"),
    "accuracy": (None, "disagrees"),
}


def test_every_symptom_has_a_shape():
    assert set(SHAPES) == set(SYMPTOMS)


@pytest.mark.parametrize("name", sorted(set(SHAPES) - {"accuracy"}))  # accuracy: tested above
def test_each_symptom(name):
    losses, start = SHAPES[name]
    said = symptoms(log_of(losses))
    assert [s for s in said if s.startswith(start)], said
    assert SYMPTOMS[name](log_of(losses)).startswith(start)


def test_stuck_on_the_plateau():
    (said,) = symptoms(log_of([0.26, 0.2495, 0.2494, 0.2494]))
    assert said.startswith("Your loss is stuck near 0.25 (0.2494 at epoch 1,500): XOR's constant-prediction plateau")


def test_a_clean_curve_has_no_symptoms():
    assert symptoms(log_of([0.3, 0.1, 0.01, 0.001, 0.0009])) == []


# ----- compare --------------------------------------------------------------------------------------
REF_E = np.arange(0, 10_001, 100)
REF_L = 0.3 * np.exp(-REF_E / 100)  # 0.1 at 200, 0.01 at 400, 0.001 at 600


def test_compare_known_answer():
    mine = log_of([0.3, 0.05, 0.02, 0.015, 0.012, 0.011, 0.0095, 0.005], every=500)
    assert compare(mine, REF_E, REF_L) == [
        "Yours reaches 0.1 at epoch 500; this run at 200.",
        "Yours reaches 0.01 at epoch 3,000; this run at 400.",
        "This run reaches 0.001 at epoch 600; yours never does (lowest 0.005 at epoch 3,500).",
        f"Final loss: yours 0.005 at epoch 3,500; this run {REF_L[-1]:.3g} at epoch 10,000.",
    ]


def test_compare_a_diverged_run():
    said = compare(parse_log(NAN_RUN), REF_E, REF_L)
    assert "Yours became NaN at epoch 500; this run stays finite." in said
    assert said[-1].startswith("Final loss: yours NaN at epoch 2,500")


@pytest.mark.parametrize("epochs, losses", [([0, 1], [0.1]), (["a"], [0.1]), ([0], [1j])])
def test_compare_rejects_a_bad_reference(epochs, losses):
    with pytest.raises(ValueError, match="^(epochs, losses|losses):"):
        compare(parse_log("Epoch 0 loss 0.2"), np.array(epochs), np.array(losses))


# ----- bounds and hostile text ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, message",
    [
        ("x" * (MAX_CHARS + 1), "text: longer than 1,000,000 characters"),
        ("\n" * (MAX_LINES + 1), "text: more than 100,000 lines"),
        ("hello\nworld", "text: no training or test lines found"),
        (42, "text: expected the pasted log as a string"),
    ],
)
def test_bounds(text, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        parse_log(text)


@pytest.mark.parametrize(
    "line",
    [
        "epoch 1 loss" + " " * 999_000,
        "epoch 1 loss 1" + "1" * 999_000 + "x",
        "ground" + " " * 999_000,
        "accuracy" + " " * 999_000 + "x",
        "Warning:" * 120_000,
        "loss" * 249_000,
    ],
)
def test_long_hostile_lines_take_linear_time(line):
    start = time.perf_counter()
    with pytest.raises(ValueError):
        parse_log(line)
    assert time.perf_counter() - start < 2.0


LOGLIKE = st.one_of(
    st.text(max_size=40),
    st.builds("Epoch: {}, Loss: {}".format, st.integers(-5, 10**14), st.floats() | st.integers() | st.text(max_size=4)),
    st.builds("Iter{} | Ground truth: {} | prediction: {} |".format, st.integers(), st.floats(), st.floats()),
    st.builds("loss={} accuracy={}%".format, st.floats(), st.floats()),
    st.sampled_from(["RuntimeWarning: overflow encountered in exp", "\r\n", "\t", "nan", "Epoch 1e999 loss 1e999"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(LOGLIKE, max_size=30).map("\n".join) | st.text() | st.binary())
def test_any_text_gives_a_log_or_value_error(text):
    try:
        log = parse_log(text)
    except ValueError:
        return
    symptoms(log)
    compare(log, REF_E, REF_L)
