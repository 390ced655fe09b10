"""``python -m mlp``: the lab's text output, and one-line errors with exit code 2."""

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lab import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "mlp", *args], capture_output=True, text=True, cwd=ROOT)


def test_prints_the_labs_two_blocks(capsys):
    assert cli.main(["--dataset", "xor", "--epochs", "1000", "--log-every", "250"]) == 0
    lines = capsys.readouterr().out.splitlines()
    epochs = [ln for ln in lines if ln.startswith("Epoch")]
    assert [ln.split(",")[0] for ln in epochs] == [f"Epoch: {e}" for e in (0, 250, 500, 750, 1000)]
    assert all(re.fullmatch(r"Epoch: \d+, Loss: \d\.\d+(e-\d+)?", ln) for ln in epochs)
    tests = [ln for ln in lines if ln.startswith("Iter")]
    assert len(tests) == 21
    assert tests[0] == re.sub(r"prediction: [\d.]+", lambda m: m.group(0), tests[0])
    assert all(re.fullmatch(r"Iter\d+ \| Ground truth: [01] \| prediction: \d\.\d{5} \|", ln) for ln in tests)
    assert tests[1].startswith("Iter2 | Ground truth: 1 |")
    assert re.fullmatch(r"loss=\d\.\d{5} accuracy=\d+\.\d{2}%", lines[-1])


def test_report_defaults_reach_100_percent(capsys):
    assert cli.main(["--dataset", "linear", "--log-every", "5000"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("accuracy=100.00%")


def test_hidden_and_test_fraction(capsys):
    cli.main(["--hidden", "20", "14", "--epochs", "5", "--test", "0.25", "--log-every", "5"])
    tests = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Iter")]
    assert len(tests) == 25  # a quarter of 100 held out


def test_divergence_is_reported(capsys):
    cli.main(["--activation", "linear", "--output-activation", "linear", "--log-every", "1000"])
    out = capsys.readouterr().out
    assert "Stopped: the loss became NaN or infinite at epoch" in out


def final_accuracy(capsys, *args: str) -> float:
    assert cli.main([*args, "--log-every", "10000"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    return float(re.fullmatch(r"loss=\d\.\d{5} accuracy=(\d+\.\d{2})%", last).group(1))


def test_circle_without_hidden_layer_needs_the_squares(capsys):
    # no hidden layer: one straight boundary in the features. In (x1, x2) a line cannot cut a disc out of a
    # ring; in (x1, x2, x1sq, x2sq) the circle x1sq + x2sq = r² is a straight boundary
    assert final_accuracy(capsys, "--dataset", "circle", "--hidden", "0", "--features", "x1", "x2") <= 85.0
    assert final_accuracy(capsys, "--dataset", "circle", "--hidden", "0", "--features", "x1", "x2", "x1sq",
                          "x2sq") >= 95.0


def test_no_hidden_layer_cannot_solve_xor(capsys):
    assert final_accuracy(capsys, "--dataset", "xor", "--hidden", "0") < 100.0


@pytest.mark.parametrize("dataset", ["reg_plane", "reg_gaussians"])
def test_regression_sets_print_the_loss_and_no_accuracy(capsys, dataset):
    assert cli.main(["--dataset", dataset, "--epochs", "2000", "--log-every", "500"]) == 0
    lines = capsys.readouterr().out.splitlines()
    losses = [float(ln.split("Loss: ")[1]) for ln in lines if ln.startswith("Epoch")]
    assert len(losses) == 5 and losses[-1] < losses[0] and all(map(math.isfinite, losses))
    tests = [ln for ln in lines if ln.startswith("Iter")]
    assert len(tests) == 100
    assert all(re.fullmatch(r"Iter\d+ \| Ground truth: -?\d\.\d{5} \| prediction: -?\d\.\d{5} \|", ln) for ln in tests)
    assert re.fullmatch(r"loss=\d\.\d{5}", lines[-1]) and "accuracy" not in "".join(lines)


def test_command_line_of_new_settings():
    exp = cli.parse(["--dataset", "circle", "--features", "x2sq", "x1", "--hidden", "0"])[0]
    assert exp.features == ("x1", "x2sq") and exp.hidden == ()
    assert cli.command_line(exp) == "python -m mlp --dataset circle --features x1 x2sq --hidden 0"
    assert cli.command_line(cli.parse(["--dataset", "reg_plane"])[0]) == "python -m mlp --dataset reg_plane"


@pytest.mark.parametrize(
    "args, words",
    [
        (["--dataset", "spirals"], ["--dataset", "allowed: linear, xor"]),
        (["--lr", "fast"], ["--lr", "not a number"]),
        (["--lr", "nan"], ["--lr", "finite"]),
        (["--epochs", "-5"], ["--epochs", "allowed: from 1 to 100000"]),
        (["--hidden", "9", "0"], ["--hidden", "allowed"]),
        (["--hidden", "1", "2", "3", "4", "5"], ["--hidden", "too many"]),
        (["--optimizer", "sgd"], ["--optimizer", "gd, momentum"]),
        (["--bias", "maybe"], ["--bias", "true or false"]),
        (["--bogus", "1"], ["unrecognized arguments"]),
        (["--features", "x1", "x3"], ["--features", "'x3'", "allowed: x1, x2, x1sq"]),
        (["--hidden", "0", "4"], ["--hidden", "allowed"]),
        (["--dataset", "reg_plane", "--loss", "bce"], ["--loss", "bce needs labels 0 or 1", "allowed for it: mse"]),
    ],
)
def test_bad_flags_get_one_line_and_exit_2(args, words):
    out = run(*args)
    assert out.returncode == 2
    assert out.stdout == ""
    err = out.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    for w in words:
        assert w in err
