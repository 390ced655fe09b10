"""Weights edited by hand (TensorFlow Playground's "click a weight to edit it"): what an edit is, what value
is allowed, and where the weight sits in a network's flat parameters.

An edit sets one parameter of a run at the epoch it stands at: weight w[layer][i→j] (unit i of the layer
below to unit j of ``layer``, everything numbered from 1 as the network diagram names it) or, with
``i=None``, the bias of unit j. The run then trains on from the edited weights (`lab.run.Run.edit`); the
optimizer's state (momentum, Adam's averages, its step count) is kept as it was, so training goes on exactly
as it would have from those weights with that state. TensorFlow Playground, whose optimizer is plain SGD
with no state, simply changes the weight; here, with momentum, the weight goes on moving the way it was.

Pure Python + numpy. A run keeps its edits in order (`Run.edits`) and its record carries them
(`lab.record`), so what happened to the run is never lost even though a link cannot carry it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import mlp

MAX_WEIGHT = 100.0  # |w| a visitor may type: far beyond any trained weight here, small enough to stay finite
MAX_EDITS = 100  # edits one run keeps (its record carries them; a replay trains a segment per edited epoch)
ALLOWED = f"a number from {-MAX_WEIGHT:g} to {MAX_WEIGHT:g}"


@dataclass(frozen=True)
class Edit:
    """One parameter set by hand at ``epoch``: w[layer][i→j], or unit j's bias of ``layer`` when i is None."""

    epoch: int
    layer: int
    i: int | None
    j: int
    old: float
    new: float

    @property
    def name(self) -> str:
        """As the diagram's tooltip names it: w[2][3→1], or b[2][1] for a bias."""
        return f"b[{self.layer}][{self.j}]" if self.i is None else f"w[{self.layer}][{self.i}→{self.j}]"

    def to_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "layer": self.layer, "i": self.i, "j": self.j, "old": self.old, "new": self.new}

    @classmethod
    def from_dict(cls, d: Any) -> Edit:
        """An edit from its `to_dict` form; ValueError naming what is wrong."""
        if not isinstance(d, dict):
            raise ValueError("edits: each edit must be an object")
        for key, least in (("epoch", 0), ("layer", 1), ("i", 1), ("j", 1)):
            v = d.get(key)
            if key == "i" and v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < least:
                raise ValueError(f"edits: {key} must be a whole number from {least}, got {v!r}")
        for key in ("old", "new"):
            if isinstance(d.get(key), bool) or not isinstance(d.get(key), (int, float)):
                raise ValueError(f"edits: {key} must be a number, got {d.get(key)!r}")
        return cls(d["epoch"], d["layer"], d.get("i"), d["j"], float(d["old"]), float(d["new"]))


def value(typed: object) -> float:
    """What was typed, as a weight: a finite number with |w| ≤ `MAX_WEIGHT`; else ValueError saying so."""
    shown = "an empty cell" if typed is None or str(typed).strip() == "" else repr(str(typed)[:40])
    if isinstance(typed, bool) or typed is None:
        raise ValueError(f"{shown} is not a number; a weight is {ALLOWED}")
    try:
        number = float(typed) if isinstance(typed, (int, float)) else float(str(typed).strip().replace("−", "-"))
    except ValueError:
        raise ValueError(f"{shown} is not a number; a weight is {ALLOWED}") from None
    if not math.isfinite(number) or abs(number) > MAX_WEIGHT:
        raise ValueError(f"{shown} is not allowed; a weight is {ALLOWED}")
    return number


def index(sizes: Sequence[int], layer: int, i: int | None, j: int, bias: bool = True) -> int:
    """Where w[layer][i→j] (or, i None, unit j's bias) sits in ``MLP.params`` of a network of layer
    ``sizes`` (inputs first): the layout is W1 (row-major: fan_in × fan_out), b1, W2, b2, …"""
    layers = len(sizes) - 1
    if not isinstance(layer, int) or not 1 <= layer <= layers:
        raise ValueError(f"layer {layer!r} does not exist; this network has weight layers 1 to {layers}")
    fan_in, fan_out = sizes[layer - 1], sizes[layer]
    if not isinstance(j, int) or not 1 <= j <= fan_out:
        raise ValueError(f"unit {j!r} does not exist; layer {layer} has units 1 to {fan_out}")
    if i is None and not bias:
        raise ValueError("this network has no biases (bias is off): only weights can be edited")
    if i is not None and (not isinstance(i, int) or not 1 <= i <= fan_in):
        raise ValueError(f"unit {i!r} does not exist; layer {layer} takes units 1 to {fan_in} from the layer below")
    start = sum(a * b + b for a, b in zip(sizes[: layer - 1], sizes[1:layer]))
    return start + fan_in * fan_out + (j - 1) if i is None else start + (i - 1) * fan_out + (j - 1)


Change = tuple[int, int | None, int, object]  # (layer, i, j, the value as typed)


def apply(state: mlp.TrainState, sizes: Sequence[int], changes: Sequence[Change],
          bias: bool = True) -> tuple[mlp.TrainState, list[Edit]]:
    """The training state with ``changes`` made to its parameters (the optimizer's state and the shuffle as
    they were), and the edits made. Every change is checked before any is made: one bad change raises
    ValueError, naming it, and nothing is changed."""
    checked = [(index(sizes, layer, i, j, bias), layer, i, j, value(v)) for layer, i, j, v in changes]
    params = state.params.copy()
    made = []
    for k, layer, i, j, new in checked:
        made.append(Edit(state.epoch, layer, i, j, float(params[k]), new))
        params[k] = new
    return replace(state, params=params), made


def redo(state: mlp.TrainState, sizes: Sequence[int], edits: Sequence[Edit]) -> mlp.TrainState:
    """The state with recorded ``edits`` made again (a replay reaching the epoch they were made at)."""
    return apply(state, sizes, [(e.layer, e.i, e.j, e.new) for e in edits])[0]
