"""Reading and validating a gradient-check file (the format is described in `companion.gradcheck`).

Everything a student can get wrong in the file raises one `CheckFileError` whose one-line message
starts with the key (``grad_weights[1]: expected shape (9, 4) (or (4, 9) transposed), got (3, 4)``),
so the CLI can print it as is. The file is bounded before it is parsed deeply: at most 1 MB of text,
and at most 100,000 numbers in all, counted while the arrays are read (so a huge array stops early).
The check's work is bounded before it starts: it computes (points, units) arrays for every layer, a
few at a time for each of the ~20 candidate backward passes of the mistakes search, so the points
times the units of all layers (input and output included) may be at most ``MAX_POINT_UNITS``. Half a
megabyte of text could otherwise ask for gigabytes: [1, 10000, 1] on 30,000 points is 2.4 GB an array.

Weights and weight gradients may be given (fan_out, fan_in) when the shape says so unambiguously
(non-square); square ones follow the layout of the non-square weights, so a student who stores every
matrix (fan_out, fan_in) is read consistently. Every array read transposed is listed under
``"transposed"`` in the result.
"""

from __future__ import annotations

import difflib
import json
import reprlib
import sys
from typing import Any

import numpy as np

import mlp
from mlp.network import MAX_LAYER_UNITS, MAX_LAYERS, MLP

MAX_BYTES = 1_000_000
MAX_NUMBERS = 100_000
# points × units of all layers: bounds every (points, units) array of a check. The page's largest network
# (2-32-32-32-32-1) on its most points (1,000) is 131,000; at the bound one (points, units) array set is 8 MB.
MAX_POINT_UNITS = 1_000_000
REQUIRED = ("layer_sizes", "X", "y", "weights")
GRADIENTS = ("grad_weights", "grad_biases")
NAMES = {  # key → (allowed values, default)
    "activation": (tuple(mlp.ACTIVATIONS), "sigmoid"),
    "output_activation": (tuple(mlp.ACTIVATIONS), "sigmoid"),
    "loss": (tuple(mlp.LOSSES), "mse"),
    "reduction": (mlp.REDUCTIONS, "sum"),
}
KNOWN = (*REQUIRED, "biases", *GRADIENTS, *NAMES)
MISSING_GRADIENTS = "missing — run your backward pass on these weights and data and add the gradients"

_repr = reprlib.Repr()  # short reprs keep every message one readable line
_repr.maxstring, _repr.maxother, _repr.maxlist, _repr.maxdict = 24, 24, 3, 3
_short = _repr.repr


class CheckFileError(ValueError):
    """A gradient-check file that cannot be checked; the message names the key and what is wrong."""


class CheckFile(dict):
    """A validated file, as `validate` returns it: a plain dict of the normalised keys, marked as
    checked so `companion.gradcheck.check` does not validate it twice (and keeps ``transposed``)."""


def make_file(net: MLP, X: np.ndarray, y: np.ndarray, reduction: str = "sum") -> dict[str, Any]:
    """The check format for ``net``'s current weights and the data (X (n, fan_in), y (n, 1)), without
    gradients: the student runs their own backward pass on exactly these numbers and adds the result.
    JSON-ready (plain lists); biases only when the network has them."""
    X, y = mlp.checks.points("X", X, y)
    if X.shape[1] != net.layer_sizes[0]:
        raise ValueError(f"X: the network takes {net.layer_sizes[0]} features per point, got {X.shape[1]}")
    mlp.checks.choice("reduction", reduction, dict.fromkeys(mlp.REDUCTIONS))
    data = {
        "layer_sizes": list(net.layer_sizes),
        "activation": net.activation.name,
        "output_activation": net.output_activation.name,
        "loss": net.loss.name,
        "reduction": reduction,
        "X": X.tolist(),
        "y": y.tolist(),
        "weights": [W.tolist() for W in net.weights],
    }
    if net.bias:
        data["biases"] = [b.tolist() for b in net.biases]
    return data


def load(text: str | bytes) -> CheckFile:
    """Parse and validate a check file; see `validate` for what comes back."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise CheckFileError(f"file: expected JSON text, got {type(text).__name__}")
    # bound the size before any parsing (a str of ≤ MAX chars can still be > MAX bytes of UTF-8)
    if len(text) > MAX_BYTES or (isinstance(text, str) and len(text.encode("utf-8", "replace")) > MAX_BYTES):
        raise CheckFileError(f"file: larger than {MAX_BYTES // 1_000_000} MB; check a smaller batch of points")
    try:
        data = json.loads(text)
    except RecursionError:
        raise CheckFileError("file: JSON nested too deeply to be a check file") from None
    except UnicodeDecodeError:
        raise CheckFileError("file: not UTF-8 text") from None
    except ValueError as exc:
        raise CheckFileError(f"file: not valid JSON ({exc})") from None
    return validate(data)


def validate(data: object) -> CheckFile:
    """Check every key of a parsed file (lists, or numpy arrays) and return it normalised:

    ``layer_sizes`` (tuple), the four names, ``X`` (n, fan_in), ``y`` (n, 1), ``weights`` and
    ``grad_weights`` (lists of (fan_in, fan_out) float64), ``biases`` and ``grad_biases`` (lists of
    (fan_out,), or None for the bias-free network) and ``transposed`` (keys read transposed).
    """
    if not isinstance(data, dict):
        raise CheckFileError(
            f"file: expected a JSON object {{...}} with the keys {', '.join(REQUIRED)}, …; got {_kind(data)}"
        )
    for key in REQUIRED:
        _require(data, key)
    out = CheckFile({key: _name(key, data.get(key, default), allowed) for key, (allowed, default) in NAMES.items()})
    sizes = out["layer_sizes"] = _layer_sizes(data["layer_sizes"])
    budget = _Budget()
    X = out["X"] = _array("X", data["X"], budget)
    if X.ndim != 2 or X.shape[1] != sizes[0] or X.shape[0] < 1:
        raise CheckFileError(
            f"X: expected shape (n, {sizes[0]}) — one row per point, layer_sizes[0] = {sizes[0]} "
            f"columns — got {X.shape}"
        )
    _bound_work(X.shape[0], sizes)
    out["y"] = _labels(_array("y", data["y"], budget), X.shape[0])
    shapes = list(zip(sizes[:-1], sizes[1:]))
    weights, flipped = _matrices("weights", data["weights"], shapes, budget, None)
    out["weights"] = weights
    out["biases"] = _vectors("biases", data.get("biases"), sizes[1:], budget)
    _require(data, "grad_weights", MISSING_GRADIENTS)  # checked last: make_file's download lacks it
    out["grad_weights"], grad_flipped = _matrices("grad_weights", data["grad_weights"], shapes, budget, flipped)
    has_grad_b = data.get("grad_biases") is not None
    if out["biases"] is not None and not has_grad_b:
        raise CheckFileError("grad_biases: missing — the file has biases, so add their gradients [db1, db2, …] too")
    if out["biases"] is None and has_grad_b:
        raise CheckFileError('grad_biases: given without "biases"; add the biases (zeros if your network has none)')
    out["grad_biases"] = _vectors("grad_biases", data.get("grad_biases"), sizes[1:], budget)
    out["transposed"] = tuple(f"weights[{l}]" for l in flipped) + tuple(f"grad_weights[{l}]" for l in grad_flipped)
    return out


# ----- keys ---------------------------------------------------------------------------------------
def _require(data: dict, key: str, what: str = "missing") -> None:
    if key in data:
        return
    near = difflib.get_close_matches(key, [k for k in data if isinstance(k, str) and k not in KNOWN], 1, 0.75)
    hint = f" (found {near[0]!r}: a typo?)" if near else ""
    raise CheckFileError(f"{key}: {what}{hint}")


def _name(key: str, value: object, allowed: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in allowed:
        return value
    raise CheckFileError(f"{key}: unknown value {_short(value)}; allowed: {', '.join(allowed)}")


def _layer_sizes(value: object) -> tuple[int, ...]:
    whole = isinstance(value, (list, tuple)) and all(
        isinstance(s, int) and not isinstance(s, bool) or isinstance(s, float) and s.is_integer() for s in value
    )
    if not whole or not 2 <= len(value) <= MAX_LAYERS + 1:
        raise CheckFileError(
            f"layer_sizes: expected 2 to {MAX_LAYERS + 1} whole numbers such as [2, 9, 4, 1] "
            f"(input … output), got {_short(value)}"
        )
    sizes = tuple(int(s) for s in value)
    if not all(1 <= s <= MAX_LAYER_UNITS for s in sizes):
        raise CheckFileError(
            f"layer_sizes: every layer needs 1 to {MAX_LAYER_UNITS:,} units, got {_short(list(sizes))}"
        )
    if sizes[-1] != 1:
        raise CheckFileError(f"layer_sizes: the output layer must have 1 unit (P(class 1)), got {sizes[-1]}")
    if sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) > MAX_NUMBERS:
        raise CheckFileError(f"layer_sizes: more than {MAX_NUMBERS:,} weights, the limit of numbers in a file")
    return sizes


def _bound_work(n: int, sizes: tuple[int, ...]) -> None:
    """Refuse a check whose (points, units) arrays would exceed MAX_POINT_UNITS, naming what fits."""
    units = sum(sizes)
    if n * units > MAX_POINT_UNITS:
        raise CheckFileError(
            f"X: {n:,} points × {units:,} units (of all layers) is more than "
            f"{MAX_POINT_UNITS:,}, the most a check computes; this network can be checked on up to "
            f"{MAX_POINT_UNITS // units:,} points: check a smaller batch of points or a smaller network"
        )


def _labels(y: np.ndarray, n: int) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] != 1:
        raise CheckFileError(f"y: expected shape (n, 1) or (n,), one label per point, got {y.shape}")
    y = y.reshape(-1, 1)
    if y.shape[0] != n:
        raise CheckFileError(f"y: {y.shape[0]} labels for {n} points in X; they must match")
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        raise CheckFileError(f"y: labels must be 0 or 1, got {y[bad[0], 0]:g} at [{bad[0]}]")
    return y


def _per_layer(key: str, value: object, count: int) -> list:
    if not isinstance(value, list) or len(value) != count:
        got = f"{len(value)}" if isinstance(value, list) else _kind(value)
        raise CheckFileError(f"{key}: expected a list of {count} arrays, one per layer, got {got}")
    return value


def _matrices(key: str, value: object, shapes: list, budget: _Budget, weights_flipped: tuple[int, ...] | None):
    """(fan_in, fan_out) matrices, and the layers given transposed. Square matrices are ambiguous: the
    weights' follow the non-square weights (all given transposed: these too); a square gradient follows
    its own layer's weights (``weights_flipped``; None when reading the weights themselves)."""
    arrays, flipped = [], []
    items = _per_layer(key, value, len(shapes))
    for l, (item, (fi, fo)) in enumerate(zip(items, shapes)):
        A = _array(f"{key}[{l}]", item, budget)
        if A.shape == (fi, fo) and (fi != fo or fi == 1):
            arrays.append(A)
        elif A.shape == (fo, fi):
            arrays.append(A.T)
            flipped.append(l)  # square ones are settled below
        else:
            alt = f" (or {(fo, fi)} transposed)" if fi != fo else ""
            raise CheckFileError(f"{key}[{l}]: expected shape {(fi, fo)}{alt}, got {A.shape}")
    square = {l for l, (fi, fo) in enumerate(shapes) if fi == fo > 1}
    if weights_flipped is None:
        others = set(range(len(shapes))) - square
        square_flipped = square if others and others <= set(flipped) else set()
    else:
        square_flipped = square & set(weights_flipped)
    for l in square - square_flipped:
        arrays[l] = arrays[l].T  # read as given after all
    return arrays, tuple(l for l in flipped if l not in square or l in square_flipped)


def _vectors(key: str, value: object, units: tuple[int, ...], budget: _Budget) -> list[np.ndarray] | None:
    """Bias-shaped arrays (fan_out,), accepted as (fan_out,), (1, fan_out) or (fan_out, 1); None if absent."""
    if value is None:
        return None
    out = []
    for l, (item, fo) in enumerate(zip(_per_layer(key, value, len(units)), units)):
        b = _array(f"{key}[{l}]", item, budget)
        if b.shape not in ((fo,), (1, fo), (fo, 1)):
            raise CheckFileError(f"{key}[{l}]: expected shape {(fo,)} (or {(1, fo)} or {(fo, 1)}), got {b.shape}")
        out.append(b.reshape(fo))
    return out


# ----- numbers ------------------------------------------------------------------------------------
class _Budget:
    """Counts the numbers read so far, so a file cannot hold more than MAX_NUMBERS of them."""

    def __init__(self) -> None:
        self.left = MAX_NUMBERS

    def take(self, key: str, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise CheckFileError(
                f"{key}: the file holds more than {MAX_NUMBERS:,} numbers (the limit); check a smaller batch of points"
            )


def _array(key: str, value: object, budget: _Budget) -> np.ndarray:
    """A list of numbers (1-D) or a list of equally long rows of numbers (2-D), all finite, as float64."""
    if isinstance(value, np.ndarray):  # a dict built in Python rather than read from JSON
        if value.dtype.kind not in "iuf" or value.ndim not in (1, 2):
            raise CheckFileError(
                f"{key}: expected real numbers in 1 or 2 dimensions, got a {value.dtype} array of shape {value.shape}"
            )
        value = value.tolist()
    if not isinstance(value, list):
        raise CheckFileError(f"{key}: expected a list of numbers or of rows of numbers, got {_kind(value)}")
    if value and all(isinstance(row, list) for row in value):
        for i, row in enumerate(value):
            if len(row) != len(value[0]):
                raise CheckFileError(
                    f"{key}: rows of different lengths (row 0 has {len(value[0])} numbers, row {i} has {len(row)})"
                )
            budget.take(key, len(row))
            for j, x in enumerate(row):
                _number(key, x, f"[{i}][{j}]")
    else:
        budget.take(key, len(value))
        for i, x in enumerate(value):
            _number(key, x, f"[{i}]")
    A = np.array(value, dtype=np.float64)
    bad = np.argwhere(~np.isfinite(A))
    if bad.size:
        where = "".join(f"[{i}]" for i in bad[0])
        raise CheckFileError(f"{key}: contains NaN or an infinite value at {where}; only finite numbers are allowed")
    return A


def _number(key: str, x: object, where: str) -> None:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise CheckFileError(f"{key}: expected numbers, found {_kind(x)} at {where}")
    if isinstance(x, int) and abs(x) > sys.float_info.max:  # exact: int and float compare exactly
        raise CheckFileError(f"{key}: a number too large for float64 at {where}")


def _kind(x: object) -> str:
    """How a JSON value reads in a message: 'a string ('abc')', 'true', 'null', 'an object', …"""
    if isinstance(x, str):
        return f"a string ({_short(x)})"
    if isinstance(x, (bool, np.bool_)) or x is None:
        return json.dumps(bool(x) if x is not None else None)
    if isinstance(x, dict):
        return "an object {…}"
    if isinstance(x, list):
        return "a list (arrays have at most two levels: rows of numbers)"
    return f"a {type(x).__name__}"
