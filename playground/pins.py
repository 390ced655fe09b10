"""Pinned runs: what the comparison board keeps of a finished run, and how runs differ.

No Streamlit here: a `Pin` is a frozen summary (config, loss history, final metrics, decision grid)
that survives reruns and config changes in the session; `differences` finds the settings that vary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

import mlp
from mlp.config import FIELDS, Experiment
from playground.runs import History, Run, decision_grid

LAB_DOMAIN = (-0.1, 1.1, -0.1, 1.1)  # every built-in data set lives in the unit square
GRID = 48  # cells per side in the small multiples
MAX_PINS = 24


@dataclass(frozen=True, eq=False)
class Pin:
    """A finished run on the board."""

    name: str
    exp: Experiment
    epochs: np.ndarray  # (T,)
    loss: np.ndarray  # (T,)
    test_loss: np.ndarray | None
    accuracy: float
    test_accuracy: float | None
    final_loss: float
    final_test_loss: float | None
    epochs_to_100: int | None
    elapsed: float
    status: str  # "done" or "diverged"
    reason: str
    xs: np.ndarray
    ys: np.ndarray
    probs: np.ndarray  # (GRID, GRID) P(class 1) over LAB_DOMAIN
    X: np.ndarray
    y: np.ndarray
    pred: np.ndarray

    def renamed(self, name: str) -> Pin:
        return replace(self, name=name)

    def panel(self) -> dict:
        """The dict `charts.small_multiples_chart` takes."""
        return {"name": self.name, "xs": self.xs, "ys": self.ys, "probs": self.probs,
                "X": self.X, "y": self.y, "pred": self.pred}


def pin_from_history(name: str, exp: Experiment, history: History, net: mlp.MLP, X: np.ndarray, y: np.ndarray,
                     elapsed: float, status: str, reason: str, has_test: bool) -> Pin:
    h = history.arrays()
    last = history.last
    xs, ys, probs = decision_grid(net, LAB_DOMAIN, GRID)
    return Pin(
        name=name, exp=exp, epochs=h["epoch"], loss=h["loss"], test_loss=h["test_loss"] if has_test else None,
        accuracy=last.accuracy, test_accuracy=last.test_accuracy, final_loss=last.loss,
        final_test_loss=last.test_loss, epochs_to_100=history.epochs_to_100(), elapsed=elapsed, status=status,
        reason=reason, xs=xs, ys=ys, probs=probs, X=X, y=y, pred=net.predict(X),
    )


def pin_run(run: Run, name: str | None = None) -> Pin:
    """Pin the run on screen (whatever epoch it is at)."""
    return pin_from_history(
        name or default_name(run.exp), run.exp, run.history, run.net, run.train.X, run.train.y, run.elapsed,
        "diverged" if run.diverged else "done", run.trainer.reason, run.has_test,
    )


def default_name(exp: Experiment) -> str:
    arch = "×".join(map(str, exp.hidden))
    return f"{exp.dataset} · {arch} {exp.activation} · {exp.optimizer} lr {exp.lr:g}"


def differences(exps: Sequence[Experiment]) -> list[str]:
    """The fields whose values are not the same in every experiment, in the config's order."""
    if len(exps) < 2:
        return []
    rows = [asdict(e) for e in exps]
    return [k for k in FIELDS if any(r[k] != rows[0][k] for r in rows[1:])]


def table(pins: Sequence[Pin]) -> list[dict]:
    """One row per pin: its name, the settings that differ between pins, and the final figures."""
    keys = differences([p.exp for p in pins])
    tested = any(p.test_accuracy is not None for p in pins)
    rows = []
    for p in pins:
        row: dict = {"run": p.name}
        for k in keys:
            row[k] = FIELDS[k].format(getattr(p.exp, k))
        row["train loss"] = p.final_loss if math.isfinite(p.final_loss) else float("nan")
        row["train accuracy"] = 100 * p.accuracy
        if tested:  # test columns only when some run held points out
            row["test loss"] = p.final_test_loss
            row["test accuracy"] = None if p.test_accuracy is None else 100 * p.test_accuracy
        row["epochs to 100%"] = "never" if p.epochs_to_100 is None else f"{p.epochs_to_100:,}"
        row["time (s)"] = round(p.elapsed, 2)
        row["status"] = p.status
        rows.append(row)
    return rows


def unique_name(name: str, taken: Sequence[str]) -> str:
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"
