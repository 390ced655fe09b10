"""The gradient-check file: every malformed file exits 2 with one line naming the key; hostile JSON
at any key raises only CheckFileError; make_file's download asks for the gradients; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from student_backprop import file_for, problem, student

import mlp
from companion import gradcheck
from companion.checkfile import MAX_BYTES
from companion.gradcheck import CheckFileError, check, load, main, make_file


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


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_check_help_prints_the_usage_and_exits_0(flag):
    """``python -m mlp check --help`` is the check's own usage, not a file named --help."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "mlp", "check", flag], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("usage: python -m mlp check [-h] FILE")
    assert "Exit code 0" in done.stdout and "docs/check.md" in done.stdout
    assert "cannot read the file" not in done.stdout


def test_extra_arguments_are_a_usage_error(capsys):
    assert main(["check", "a.json", "b.json"]) == 2 and main(["check", "--verbose", "a.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("usage: python -m mlp check [-h] FILE") == 2 and "cannot read" not in err


@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_python_m_mlp_check_exits_0_1_or_2(tmp_path, exit_code):
    import subprocess
    import sys
    from pathlib import Path

    data = good_file()
    if exit_code == 1:
        data["grad_weights"][0] = (-np.asarray(data["grad_weights"][0])).tolist()
    if exit_code == 2:
        del data["X"]
    path = tmp_path / "check.json"
    path.write_text(json.dumps(data))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "mlp", "check", str(path)], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == exit_code
    if exit_code == 0:
        assert "Verdict: all 6 gradients match" in done.stdout
    elif exit_code == 1:
        assert "wrong" in done.stdout and "sign" in done.stdout
    else:
        assert len(done.stderr.strip().splitlines()) == 1 and "X" in done.stderr and not done.stdout


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


# ----- docs/check.md: the snippet works and the example is what the CLI prints -----------
CHECK_DOC = Path(__file__).resolve().parents[2] / "docs" / "check.md"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class LabNet:
    """A typical lab solution (w1, w2, w3, no biases); ``on_z`` is the classic derivative_sigmoid(z) bug."""

    def __init__(self, on_z: bool, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.w1, self.w2, self.w3 = rng.normal(size=(2, 9)), rng.normal(size=(9, 4)), rng.normal(size=(4, 1))
        self.on_z = on_z

    def forward(self, X):
        self.X = X
        self.z1 = X @ self.w1
        self.a1 = sigmoid(self.z1)
        self.z2 = self.a1 @ self.w2
        self.a2 = sigmoid(self.z2)
        self.z3 = self.a2 @ self.w3
        self.y_hat = sigmoid(self.z3)
        return self.y_hat

    def backward(self, y):
        def derivative_sigmoid(x):
            return x * (1.0 - x)

        a1, a2, p = (self.z1, self.z2, self.z3) if self.on_z else (self.a1, self.a2, self.y_hat)
        d3 = 2 * (self.y_hat - y) * derivative_sigmoid(p)
        d2 = (d3 @ self.w3.T) * derivative_sigmoid(a2)
        d1 = (d2 @ self.w2.T) * derivative_sigmoid(a1)
        self.dw3, self.dw2, self.dw1 = self.a2.T @ d3, self.a1.T @ d2, self.X.T @ d1


def block(marker: str) -> str:
    """The fenced block that follows the first line containing ``marker`` in docs/check.md."""
    text = CHECK_DOC.read_text()
    return text[text.index(marker) :].split("```", 2)[1].split("\n", 1)[1]


@pytest.mark.parametrize("on_z", [False, True])
def test_the_docs_snippet_and_example(tmp_path, monkeypatch, capsys, on_z):
    data = mlp.make_dataset("linear")
    net = LabNet(on_z)
    net.forward(data.X)
    net.backward(data.y)
    monkeypatch.chdir(tmp_path)
    exec(block("## Dumping the file"), {"net": net, "X": data.X, "y": data.y})
    code = main(["check", "check.json"])
    out = capsys.readouterr().out
    if on_z:
        assert code == 1 and out == block("## What the report says")
    else:
        assert code == 0


# ----- the check's work is bounded before the work: points × units of all layers ---------------------
@pytest.mark.parametrize("sizes, n, over", [
    ((1, 9998, 1), 100, False),  # 100 × 10,000 = 1,000,000: exactly the bound
    ((1, 9899, 1), 101, True),  # 101 × 9,901 = 1,000,001: one over
    ((1, 9899, 1), 100, False),  # 990,100
    ((1, 998, 1), 1000, False),  # 1,000 × 1,000: exactly the bound again
    ((1, 998, 1), 1001, True),  # 1,001,000
])
def test_points_times_units_at_the_bound(sizes, n, over):
    from check_limits import file_of

    from companion.checkfile import MAX_POINT_UNITS, validate

    assert (n * sum(sizes) > MAX_POINT_UNITS) == over
    data = json.loads(file_of(sizes, n))
    if not over:
        assert validate(data)["X"].shape == (n, 1)
        return
    with pytest.raises(CheckFileError) as exc:
        validate(data)
    units = sum(sizes)
    assert str(exc.value) == (
        f"X: {n:,} points × {units:,} units (of all layers) is more than 1,000,000, the most a check computes; "
        f"this network can be checked on up to {1_000_000 // units:,} points: check a smaller batch of points or a "
        "smaller network"
    )


def test_the_pages_and_the_labs_networks_are_well_inside_the_bound():
    from companion.checkfile import MAX_POINT_UNITS
    from lab.experiment import MAX_HIDDEN_LAYERS, MAX_N, MAX_UNITS

    largest = MAX_N * (2 + MAX_HIDDEN_LAYERS * MAX_UNITS + 1)  # 2-32-32-32-32-1 on 1,000 points
    assert largest * 5 <= MAX_POINT_UNITS
    # a real one: the page's largest network's download, gradients added, checks
    net = mlp.MLP([2] + [MAX_UNITS] * MAX_HIDDEN_LAYERS + [1], seed=1)
    X = np.random.default_rng(0).uniform(-1, 1, (MAX_N, 2))
    y = (X[:, :1] > 0).astype(float)
    made = make_file(net, X, y)
    _, dW, db = net.gradients(X, y)
    made.update(grad_weights=[(g * MAX_N).tolist() for g in dW], grad_biases=[(g * MAX_N).tolist() for g in db])
    assert check(load(json.dumps(made))).ok
    for sizes, n in [((2, 9, 4, 1), 100), ((2, 9, 4, 1), 21)]:  # the lab's network on its data sets
        assert n * sum(sizes) * 100 <= MAX_POINT_UNITS


def test_the_reviewers_file_is_refused_by_the_cli_in_one_line(tmp_path):
    import subprocess
    import sys

    from check_limits import reviewers_file

    path = tmp_path / "check.json"
    path.write_bytes(reviewers_file())
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-m", "mlp", "check", str(path)], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and not done.stdout
    assert done.stderr == (
        f"{path}: X: 30,000 points × 10,002 units (of all layers) is more than 1,000,000, the most a check "
        "computes; this network can be checked on up to 99 points: check a smaller batch of points or a smaller "
        "network\n"
    )


def test_running_out_of_memory_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    # within the bounds a check needs tens of MB; a machine without them still gets one line, no traceback
    def no_memory(data):
        raise MemoryError

    monkeypatch.setattr(gradcheck, "check", no_memory)
    path = tmp_path / "check.json"
    path.write_text(json.dumps(good_file()))
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"{path}: the check ran out of memory; check a smaller batch of points or a smaller network\n"
