"""Runs side by side, drawn from (name, record) pairs: the losses overlaid, a table of the settings that
differ and the final figures, each run's decision regions, and a class's landscape. The Compare tab's
board and a class board (the Class tab, the projector) draw with these.

A board is the same for everyone at one version: with ``origin`` (a board's id, version and how its names
are shown) what is drawn from it is computed once for the whole process (``shared.memo``), so forty open
boards refreshing every few seconds each only send what is already made."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from lab.compare import differences, table
from lab.experiment import CUSTOM, FIELDS, Experiment
from lab.record import Record
from playground import shared
from playground.charts.board import landscape_chart
from playground.charts.curves import overlay_loss_chart
from playground.charts.plane import small_multiples_chart
from playground.sections import Display, chart

Entries = Sequence[tuple[str, Record]]  # names unique on one board
NUMBER_COLUMNS = {
    "train loss": st.column_config.NumberColumn(format="%.3g"),
    "test loss": st.column_config.NumberColumn(format="%.3g"),
    "train accuracy": st.column_config.NumberColumn(format="%.1f%%"),
    "test accuracy": st.column_config.NumberColumn(format="%.1f%%"),
}


def _made(origin: Hashable | None, name: Hashable, make: Callable[[], dict]) -> dict:
    """``make()``, or what it made for ``origin`` before (one computation per board version and process)."""
    return make() if origin is None else shared.memo().get(origin, name, make)


def losses(entries: Entries, display: Display, title: str = "Loss per run", origin: Hashable | None = None,
           target=st) -> None:  # noqa: ANN001 (st or a column)
    def make() -> dict:
        curves = {name: (r.columns()["epoch"], r.columns()["loss"]) for name, r in entries}
        return shared.spec(overlay_loss_chart, curves, log_scale=display.log_scale, title=title)

    chart(target, _made(origin, ("losses", display.log_scale, title), make))


def by_dataset(entries: Entries) -> dict[str, list[tuple[str, Record]]]:
    """The entries grouped by data set, in the order each data set first appears."""
    groups: dict[str, list[tuple[str, Record]]] = {}
    for name, record in entries:
        groups.setdefault(record.exp.dataset, []).append((name, record))
    return groups


def maps_title(entries: Entries) -> str:
    """What the runs' maps are: decision regions (classification), output maps (regression), or both."""
    tasks = {r.exp.task for _, r in entries}
    return {frozenset({"classification"}): "decision regions", frozenset({"regression"}): "output maps"}.get(
        frozenset(tasks), "decision regions and output maps")


def maps_caption(entries: Entries) -> str:
    """How to read the runs' maps, for the tasks on the board."""
    tasks = {r.exp.task for _, r in entries}
    parts = ["Same axes and colours for every run."]
    if "classification" in tasks:
        parts.append("Decision regions: red = class 0, blue = class 1 · fill = truth · square = predicted 1 · "
                     "black ring = wrong.")
    if "regression" in tasks:
        parts.append("Output maps: the network's output, red −1 · white 0 · blue +1 · dots = their target, in the "
                     "same colours · the final training loss under the name.")
    return " ".join(parts)


def settings_table(entries: Entries, reference: Experiment | None = None, marks: Sequence[str] = ()) -> None:
    """The table; ``marks`` (one per entry) go into a first column, e.g. ★ for a student's own runs."""
    rows = table(entries, reference)
    if marks:
        rows = [{"": m, **row} for m, row in zip(marks, rows)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config=NUMBER_COLUMNS)


def panel(name: str, record: Record) -> dict:
    """What `small_multiples_chart` draws of a run: its grid, and its training points when the settings
    reproduce them (not a custom set too large for a link)."""
    if record.exp.dataset == CUSTOM and not record.exp.points:
        X, y = np.empty((0, 2)), np.empty((0, 1))
    else:
        train, _ = record.exp.split()
        X, y = train.X, train.y
    xs, ys = record.grid.edges
    if record.exp.task == "regression":  # the output; the points by their target; the loss under the name
        return {"name": name, "xs": xs, "ys": ys, "probs": record.grid.values, "X": X, "y": y, "pred": None,
                "task": "regression", "loss": np.array([record.last.loss])}
    pred = np.array([int(c) for c in record.predictions], float) if len(record.predictions) == len(X) else y
    return {"name": name, "xs": xs, "ys": ys, "probs": record.grid.probs, "X": X, "y": y, "pred": pred}


def regions(entries: Entries, display: Display, columns: int = 3, origin: Hashable | None = None) -> None:
    """Each run's decision regions, the same axes and colours for all, ``columns`` a row (one on a phone)."""
    cols = st.columns(columns)
    for i, (name, record) in enumerate(e for e in entries if e[1].grid is not None):
        def make(name: str = name, record: Record = record) -> dict:
            return shared.spec(small_multiples_chart, [panel(name, record)], domain=record.grid.domain, columns=1,
                               discretize=display.discretize, title=False)

        chart(cols[i % columns], _made(origin, ("regions", name, display.discretize), make))


# what a class varies on purpose first (the report's Discussion), seeds last: the landscape's default axes
INTEREST = ("lr", "hidden", "activation", "optimizer", "epochs", "dataset", "batch_size", "loss", "reduction")


def _interest(name: str) -> int:
    return INTEREST.index(name) if name in INTEREST else len(INTEREST) + ("seed" in name)


def landscape(entries: Entries, key: str, origin: Hashable | None = None) -> None:
    """The class landscape: the setting on x and the colour are the visitor's to choose (what varies first)."""
    varying = sorted(differences([r.exp for _, r in entries]) or ["lr"], key=_interest)
    cols = st.columns(2)
    x_name = cols[0].selectbox("Across", varying, key=f"{key}_x")
    others = [k for k in varying if k != x_name] or [x_name]
    colour = cols[1].selectbox("Colour", others, key=f"{key}_colour")
    f = FIELDS[x_name]
    values = [getattr(r.exp, x_name) for _, r in entries]
    is_number = f.kind in ("float", "int")
    positive = is_number and all(v > 0 for v in values)
    # a log axis once the values span a factor 3: the report's learning rates 0.1 / 0.3 / 0.9 fall evenly
    spread = is_number and positive and max(values) / min(values) >= 3
    chart(st, _made(origin, ("landscape", x_name, colour), lambda: shared.spec(
        landscape_chart, np.array(values if is_number else [f.format(v) for v in values], dtype=object),
        np.array([r.last.loss for _, r in entries]),
        np.array([FIELDS[colour].format(getattr(r.exp, colour)) for _, r in entries], dtype=object),
        np.array([name for name, _ in entries], dtype=object), x_title=x_name, colour_title=colour,
        numeric=is_number, log_x=spread,
    )))
