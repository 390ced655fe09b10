"""What a run did, as one frozen value: its settings, snapshots, final metrics and a small decision grid.

A `Record` is what pins, sweeps, boards and the store carry. It holds no weights and no data points:
the points follow from the settings (``exp.data()``), except a custom set too large for a link. It is
comparable (``==``), hashable, and round-trips losslessly through JSON (`to_json` / `from_json`), so a
database or a link can carry it:

    {"format": "run-record", "version": 1,
     "experiment": {"dataset": "xor", "hidden": "9,4", "lr": "0.1", ...},   every field, as the URL writes it
     "status": "done", "reason": "", "seconds": 0.41, "epochs_to_100": 700,
     "snapshots": {"epoch": [0, 25, ...], "loss": [...], "accuracy": [...],
                   "test_loss": null, "test_accuracy": null, "grad_norms": [[...], ...]},
     "predictions": "0101...",                                          one label per training point
     "grid": {"domain": [x0, x1, y0, y1], "size": 48, "levels": "<base64>"},
     "edits": [{"epoch": 500, "layer": 2, "i": 3, "j": 1, "old": 0.41, "new": 2.0}, ...]}

``edits`` (`lab.edits`) are the weights set by hand, in order (``"i": null`` for a bias); a run never edited
has no ``edits`` key, which is how every record written before edits existed reads.

A regression run (`Experiment.task`) has no accuracy (its snapshots carry None, written as null), no
predicted labels (``predictions`` is empty) and no epochs to 100%; its grid holds the network's output
over [−1, 1], the targets' range, and says so: ``"span": [-1, 1]`` (absent: [0, 1], P(class 1)).

Non-finite numbers (a diverged run's loss) are written as the strings "NaN", "Infinity" and
"-Infinity", so the text is strict JSON. Every NaN in a record is the one object ``math.nan``, which
makes records with NaNs compare equal to their round trip (a tuple compares its items by identity
first). Snapshots in a record are normalised: no parameters, and every one "running" but the last,
which carries the record's status ("done", "diverged", or "running" for a run sent while paused).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from lab.curves import keep_index
from lab.edits import MAX_EDITS, Edit
from lab.experiment import FIELDS, Experiment
from lab.plane import Domain, decision_grid, output_span
from lab.plane import domain as plane_domain
from mlp import MLP, Snapshot

FORMAT = "run-record"
VERSION = 1
GRID = 48  # cells per side of a record's decision grid
MAX_SNAPSHOTS = 200  # what a stored record keeps of a long run (see `Record.thinned`)
STATUSES = ("running", "done", "diverged")


def columns(snapshots: Sequence[Snapshot]) -> dict[str, np.ndarray]:
    """The snapshots as (S,) float arrays per field, and grad_norms (S, L); None (no test set) is NaN."""

    def col(name: str) -> np.ndarray:
        return np.array([math.nan if getattr(s, name) is None else getattr(s, name) for s in snapshots], float)

    return {
        "epoch": np.array([s.epoch for s in snapshots], float),
        "loss": col("loss"),
        "accuracy": col("accuracy"),
        "test_loss": col("test_loss"),
        "test_accuracy": col("test_accuracy"),
        "grad_norms": np.array([s.grad_norms for s in snapshots], float).reshape(len(snapshots), -1),
    }


def epochs_to_100(snapshots: Sequence[Snapshot]) -> int | None:
    """The first snapshot epoch with 100% training accuracy, or None."""
    return next((s.epoch for s in snapshots if s.accuracy == 1.0), None)


def _same_nan(x: float | None) -> float | None:
    return math.nan if x is not None and x != x else x


@dataclass(frozen=True)
class Grid:
    """The network's output over a square: ``size`` × ``size`` cells, row 0 the lowest x2, each a level
    0–255 along ``span`` — P(class 1) over (0, 1) for classification, the predicted value over the targets'
    (−1, 1) for regression; outputs beyond the span are clipped to its ends."""

    domain: Domain
    size: int
    levels: bytes
    span: tuple[float, float] = (0.0, 1.0)

    @classmethod
    def of(cls, net: MLP, domain: Domain, size: int = GRID, span: tuple[float, float] = (0.0, 1.0)) -> Grid:
        _, _, p = decision_grid(net, domain, size)
        lo, hi = span
        with np.errstate(all="ignore"):  # a diverged net draws as undecided, the middle of the span
            t = np.nan_to_num(np.clip((p - lo) / (hi - lo), 0.0, 1.0), nan=0.5)
        return cls(tuple(float(d) for d in domain), size, np.rint(t * 255).astype(np.uint8).tobytes(),
                   (float(lo), float(hi)))

    @property
    def probs(self) -> np.ndarray:
        """(size, size) float in [0, 1]: P(class 1), or where the value lies in ``span``; row 0 the lowest x2."""
        return np.frombuffer(self.levels, np.uint8).reshape(self.size, self.size) / 255.0

    @property
    def values(self) -> np.ndarray:
        """(size, size) float: the output in the span's units (P(class 1), or the predicted value)."""
        lo, hi = self.span
        return lo + self.probs * (hi - lo)

    @property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell edges xs (size+1,) and ys (size+1,)."""
        d = self.domain
        return np.linspace(d[0], d[1], self.size + 1), np.linspace(d[2], d[3], self.size + 1)


@dataclass(frozen=True)
class Record:
    """One run: settings, snapshots, how it ended, and (optionally) its predictions and decision grid."""

    exp: Experiment
    snapshots: tuple[Snapshot, ...]
    status: str = "done"
    reason: str = ""
    seconds: float = 0.0
    epochs_to_100: int | None = None
    predictions: str = ""  # "0"/"1" per training point, in the data's order
    grid: Grid | None = field(default=None)
    edits: tuple[Edit, ...] = ()  # weights set by hand, in order (lab.edits)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status: unknown value {self.status!r}; allowed: {', '.join(STATUSES)}")
        if not self.snapshots:
            raise ValueError("snapshots: a record needs at least one snapshot")
        if set(self.predictions) - {"0", "1"}:
            raise ValueError("predictions: expected a string of 0s and 1s")
        last = len(self.snapshots) - 1
        normal = tuple(
            Snapshot(s.epoch, _same_nan(s.loss), _same_nan(s.accuracy), _same_nan(s.test_loss),
                     _same_nan(s.test_accuracy), tuple(_same_nan(v) for v in s.grad_norms),
                     self.status if i == last else "running", self.reason if i == last else "")
            for i, s in enumerate(self.snapshots)
        )
        object.__setattr__(self, "snapshots", normal)

    @classmethod
    def of(cls, exp: Experiment, snapshots: Sequence[Snapshot], *, seconds: float = 0.0, net: MLP | None = None,
           X: np.ndarray | None = None, domain: Domain | None = None, edits: Sequence[Edit] = ()) -> Record:
        """The record of a run from its snapshots; with its trained ``net`` and training points ``X``,
        also the predictions on them and the decision grid over ``domain`` (by default the points');
        ``edits``: the weights set by hand on the way."""
        last = snapshots[-1]
        status = "diverged" if last.status == "diverged" else ("done" if last.epoch >= exp.epochs else "running")
        predictions = grid = None
        if net is not None and X is not None:
            if exp.task == "classification":
                predictions = "".join("01"[int(v)] for v in net.predict(X).reshape(-1))
            grid = Grid.of(net, plane_domain(X) if domain is None else domain, span=output_span(exp.task))
        return cls(exp, tuple(snapshots), status, last.reason if status == "diverged" else "", seconds,
                   epochs_to_100(snapshots), predictions or "", grid, tuple(edits))

    # ----- what a board shows -------------------------------------------------------------------
    @property
    def last(self) -> Snapshot:
        return self.snapshots[-1]

    @property
    def has_test(self) -> bool:
        return self.last.test_loss is not None

    def columns(self) -> dict[str, np.ndarray]:
        return columns(self.snapshots)

    def thinned(self, max_snapshots: int = MAX_SNAPSHOTS) -> Record:
        """At most ``max_snapshots`` snapshots: the first, the last, and each bucket's lowest and highest
        loss between them (what a loss curve needs); epochs to 100% is kept as measured on all of them."""
        if len(self.snapshots) <= max_snapshots:
            return self
        idx = keep_index(len(self.snapshots), {"loss": self.columns()["loss"]}, max_snapshots)
        return replace(self, snapshots=tuple(self.snapshots[i] for i in idx))

    # ----- JSON ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        cols = {"epoch": [s.epoch for s in self.snapshots]}
        for name in ("loss", "accuracy"):
            cols[name] = [_out(getattr(s, name)) for s in self.snapshots]
        for name in ("test_loss", "test_accuracy"):
            cols[name] = [_out(getattr(s, name)) for s in self.snapshots] if self.has_test else None
        cols["grad_norms"] = [[_out(v) for v in s.grad_norms] for s in self.snapshots]
        grid = None if self.grid is None else {
            "domain": list(self.grid.domain), "size": self.grid.size,
            "levels": base64.b64encode(self.grid.levels).decode("ascii"),
        }
        if grid is not None and self.grid.span != (0.0, 1.0):
            grid["span"] = list(self.grid.span)
        d = {
            "format": FORMAT, "version": VERSION,
            "experiment": {f.name: FIELDS[f.name].format(getattr(self.exp, f.name)) for f in fields(self.exp)},
            "status": self.status, "reason": self.reason, "seconds": _out(self.seconds),
            "epochs_to_100": self.epochs_to_100, "snapshots": cols, "predictions": self.predictions, "grid": grid,
        }
        if self.edits:  # absent when never edited: such a record is written as before edits existed
            d["edits"] = [e.to_dict() | {"old": _out(e.old), "new": _out(e.new)} for e in self.edits]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: Any) -> Record:
        """A record from its `to_dict` form; ValueError naming the part that is wrong."""
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError(f"record: not a {FORMAT!r} object")
        if d.get("version") != VERSION:
            raise ValueError(f"record: version {d.get('version')!r}; this code reads version {VERSION}")
        try:
            exp = Experiment(**{k: FIELDS[k].parse(str(v)) for k, v in _mapping(d, "experiment").items()
                                if k in FIELDS})
            cols = _mapping(d, "snapshots")
            epochs = [int(e) for e in cols["epoch"]]
            n = len(epochs)
            test = cols.get("test_loss") is not None
            tl = [_in(v) for v in cols["test_loss"]] if test else [None] * n
            ta = [_in(v) for v in cols["test_accuracy"]] if test else [None] * n
            loss, acc = [_in(v) for v in cols["loss"]], [_in(v) for v in cols["accuracy"]]
            norms = [tuple(_in(v) for v in row) for row in cols["grad_norms"]]
            if not all(len(c) == n for c in (loss, acc, tl, ta, norms)):
                raise ValueError("snapshots: columns of different lengths")
            snaps = tuple(Snapshot(*row) for row in zip(epochs, loss, acc, tl, ta, norms))
            grid = d.get("grid")
            if grid is not None:
                levels = base64.b64decode(str(grid["levels"]), validate=True)
                size = int(grid["size"])
                if len(levels) != size * size:
                    raise ValueError(f"grid: {len(levels)} levels for {size}×{size} cells")
                span = tuple(float(v) for v in grid.get("span", (0.0, 1.0)))
                if len(span) != 2 or not all(map(math.isfinite, span)) or span[0] >= span[1]:
                    raise ValueError(f"grid: span {span!r} is not two finite numbers, low < high")
                grid = Grid(tuple(float(v) for v in grid["domain"]), size, levels, span)
            e100 = d.get("epochs_to_100")
            edits = d.get("edits", [])
            if not isinstance(edits, list) or len(edits) > MAX_EDITS:
                raise ValueError(f"record: 'edits' must be a list of at most {MAX_EDITS}")
            edits = tuple(Edit.from_dict(e if not isinstance(e, dict) else e | {k: _in(e.get(k)) for k in ("old", "new")})
                          for e in edits)
            return cls(exp, snaps, str(d["status"]), str(d.get("reason", "")), float(_in(d.get("seconds", 0.0))),
                       None if e100 is None else int(e100), str(d.get("predictions", "")), grid, edits)
        except (KeyError, TypeError, binascii.Error) as exc:
            raise ValueError(f"record: malformed ({exc.__class__.__name__}: {exc})") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Record:
        try:
            d = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ValueError(f"record: not valid JSON ({exc})") from None
        return cls.from_dict(d)


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _out(x: float | None) -> float | str | None:
    if x is None or math.isfinite(x):
        return x
    return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")


def _in(x: Any) -> float | None:
    if x is None:
        return None
    if isinstance(x, str):
        if x not in _NON_FINITE:
            raise ValueError(f"record: {x!r} is not a number")
        return _NON_FINITE[x]
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError(f"record: {x!r} is not a number")
    return float(x)


def _mapping(d: dict, key: str) -> dict:
    value = d.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"record: {key!r} must be an object")
    return value

