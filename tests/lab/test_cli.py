"""``python -m mlp``: the lab's text output, and one-line errors with exit code 2."""

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
