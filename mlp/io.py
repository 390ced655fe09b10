"""Trained networks to and from JSON (to download and load again), validated on the way in.

The format is plain JSON — no pickle is ever written or read:

    {"format": "mlp-weights", "version": 1,
     "layer_sizes": [2, 9, 4, 1], "activation": "sigmoid", "output_activation": "sigmoid",
     "loss": "mse", "init": "normal", "bias": true, "seed": 0,
     "features": {"names": ["x1", "x2", "x1sq"], "centre": [0.5, 0.5]},
     "weights": [[[...], ...], ...], "biases": [[...], ...]}

``features`` is there when the network computes its inputs from raw points (`mlp.features`); a file
without it (or with null) is a network that takes its inputs as given, as every file before it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .features import Features
from .network import MLP

FORMAT = "mlp-weights"
MAX_BYTES = 5_000_000


def to_dict(net: MLP) -> dict[str, Any]:
    """A JSON-ready description of ``net``: its settings and every weight and bias."""
    return {
        "format": FORMAT,
        "version": 1,
        "layer_sizes": list(net.layer_sizes),
        "activation": net.activation.name,
        "output_activation": net.output_activation.name,
        "loss": net.loss.name,
        "init": net.init,
        "bias": net.bias,
        "seed": net.seed,
        "features": None if net.features is None else {"names": list(net.features.names),
                                                        "centre": list(net.features.centre)},
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases],
    }


def dumps(net: MLP) -> str:
    return json.dumps(to_dict(net))


def from_dict(d: Any) -> MLP:
    """Rebuild a network; every field is checked and a bad one raises ValueError naming it."""
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ValueError(f"weights file: not an {FORMAT!r} JSON object")
    missing = [k for k in ("layer_sizes", "weights", "biases") if k not in d]
    if missing:
        raise ValueError(f"weights file: missing field(s) {', '.join(missing)}")
    net = MLP(
        d["layer_sizes"],
        d.get("activation", "sigmoid"),
        d.get("output_activation", "sigmoid"),
        d.get("loss", "mse"),
        d.get("init", "normal"),
        d.get("bias", True),
        d.get("seed", 0),
        _features(d.get("features")),
    )
    weights, biases = d["weights"], d["biases"]
    if not isinstance(weights, list) or not isinstance(biases, list):
        raise ValueError("weights file: 'weights' and 'biases' must be lists of arrays")
    try:
        arrays_w = [np.asarray(W, dtype=np.float64) for W in weights]
        arrays_b = [np.asarray(b, dtype=np.float64) for b in biases]
    except (TypeError, ValueError):
        raise ValueError("weights file: weights and biases must be nested lists of numbers") from None
    net.set_parameters(arrays_w, arrays_b)
    return net


def _features(value: Any) -> Features | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("names"), list):
        raise ValueError('features: expected {"names": [...], "centre": [c1, c2]} or null')
    centre = value.get("centre", [0.5, 0.5])
    if not isinstance(centre, list) or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in centre):
        raise ValueError(f"centre: expected two finite numbers (c1, c2), got {centre!r}")
    return Features(tuple(value["names"]), tuple(centre))


def loads(text: str | bytes) -> MLP:
    """Parse JSON text (at most 5 MB) into a network."""
    if len(text) > MAX_BYTES:
        raise ValueError(f"weights file: larger than the {MAX_BYTES // 1_000_000} MB limit")
    try:
        d = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"weights file: not valid JSON ({exc})") from None
    except RecursionError:
        raise ValueError("weights file: nested too deeply to be a weights file") from None
    return from_dict(d)
