"""Runs side by side: how their settings differ, and one table row per run (no Streamlit).

A board entry is a name and a `Record`; the personal comparison board and a class board show the same
rows. Only the settings that differ between the runs get a column (or, against a reference experiment,
the settings that differ from it). A regression run has no accuracy: its row leaves the accuracy columns
and epochs to 100% empty, a board of regression runs only has none of them, and `score` ranks it by loss.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import asdict

from lab.experiment import FIELDS, Experiment
from lab.record import Record


def default_name(exp: Experiment) -> str:
    arch = f"{'×'.join(map(str, exp.hidden))} {exp.activation}" if exp.hidden else "no hidden layer"
    return f"{exp.dataset} · {arch} · {exp.optimizer} lr {exp.lr:g}"


def score(record: Record) -> tuple:
    """A sort key, best first. Classification: test accuracy when tested (else training accuracy), then
    training accuracy, then the lower final loss. Regression: the lower test loss when tested (else training
    loss), then the lower training loss. Both tasks on one board: the classification runs first."""
    last = record.last

    def low(x: float | None) -> float:
        return x if x is not None and x == x else float("inf")  # NaN and None rank last

    if record.exp.task == "regression":
        return (1, low(last.test_loss if last.test_loss is not None else last.loss), low(last.loss))
    acc = last.test_accuracy if last.test_accuracy is not None else last.accuracy
    return (0, -acc, -last.accuracy, low(last.loss))


def differences(exps: Sequence[Experiment], reference: Experiment | None = None) -> list[str]:
    """The fields whose values are not the same in every experiment (or differ from ``reference`` in
    some), in the experiment's order."""
    rows = [asdict(e) for e in exps]
    if reference is not None:
        base = asdict(reference)
        return [k for k in FIELDS if any(r[k] != base[k] for r in rows)]
    if len(rows) < 2:
        return []
    return [k for k in FIELDS if any(r[k] != rows[0][k] for r in rows[1:])]


def row(name: str, record: Record, keys: Sequence[str], tested: bool, scored: bool = True) -> dict:
    """One table row: the run's name, the settings ``keys``, its final figures (test columns when ``tested``,
    accuracy columns when ``scored``: some run on the board is a classification run)."""
    last = record.last
    labels = record.exp.task == "classification"
    out: dict = {"run": name}
    for k in keys:
        out[k] = FIELDS[k].format(getattr(record.exp, k))
    out["train loss"] = last.loss if math.isfinite(last.loss) else float("nan")
    if scored:
        out["train accuracy"] = 100 * last.accuracy if labels else None
    if tested:  # test columns only when some run held points out
        out["test loss"] = last.test_loss
        if scored:
            out["test accuracy"] = None if last.test_accuracy is None else 100 * last.test_accuracy
    if scored:
        out["epochs to 100%"] = ("never" if record.epochs_to_100 is None else f"{record.epochs_to_100:,}") if labels \
            else "—"
    out["time (s)"] = round(record.seconds, 2)
    out["status"] = record.status
    return out


def table(entries: Sequence[tuple[str, Record]], reference: Experiment | None = None) -> list[dict]:
    """One row per (name, record): the settings that differ, and the final figures."""
    keys = differences([r.exp for _, r in entries], reference)
    tested = any(r.has_test for _, r in entries)
    scored = any(r.exp.task == "classification" for _, r in entries) or not entries
    return [row(name, r, keys, tested, scored) for name, r in entries]


def unique_name(name: str, taken: Collection[str]) -> str:
    """``name``, or "name (2)", "name (3)"… when it is taken (a pin renamed on a board, a class board's names)."""
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"
