"""Which training point the Equations tab follows through backprop, and the three ways to pick it.

Points are numbered from 1 in the training set's order, as the lab's log and the prediction table number
them ("Iter"). A point is picked by the number input on the Equations tab (`chooser`), by a click on a
row of the prediction table (`from_table`), by a click on the decision regions in the "inspect" mode
(`nearest`, from ``data.handle_click``), or by the link (``sample=7``, `from_link`). The choice is kept
in the session (``state.SAMPLE``) and written to the address bar, so a reload and a share link keep it.
A link's value that is not a point of this training set is ignored with a notice, and the page goes on.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import streamlit as st

from lab.run import Run
from playground import internals, state

_NUMBER = re.compile(r"(?:iter|#|no\.?)?\s*(\d{1,9})(?:\.0*)?", re.IGNORECASE)  # 7, Iter7, #7, 7.0


def parse(text: str, n: int) -> tuple[int | None, str]:
    """(the point number, "") from a link's text, or (None, a notice naming what was wrong and what is allowed)."""
    allowed = f"allowed: 1 to {n} (the training points, numbered as Iter in the prediction table)"
    m = _NUMBER.fullmatch(text.strip())
    if m is None:
        shown = text if len(text) <= 24 else text[:24] + "…"
        return None, f"sample: {shown!r} is not a point number; {allowed}"
    k = int(m.group(1))
    if not 1 <= k <= n:
        return None, f"sample: {k} is out of range; {allowed}"
    return k, ""


def choose(k: int) -> None:
    """Follow training point k (from 1) from now on, and put it in the address bar."""
    state.put(state.SAMPLE, k)
    state.pop(state.SAMPLE_NOTICE)
    state.set_link(state.SAMPLE_LINK, str(k))
    state.put(state.SAMPLE_READ, str(k))  # the link now says what the session holds: nothing new to read


def current(run: Run) -> int | None:
    """The point followed, if it is one of this run's training points. A choice the data outgrew (fewer
    points now) is forgotten, and leaves the address bar."""
    k = state.get(state.SAMPLE)
    if k is None:
        return None
    if 1 <= k <= len(run.train):
        return k
    state.pop(state.SAMPLE)
    state.drop_link(state.SAMPLE_LINK)
    return None


def from_link(run: Run) -> list[str]:
    """Read ``sample=`` when the link brings a new value: pick that point, or drop it from the address bar
    and keep a notice for the session. (It opens no tab: a reload of a page showing the Prediction tab,
    the default, which leaves no ``tab=`` in the link, must come back to that tab.)"""
    raw = state.link_value(state.SAMPLE_LINK)
    if raw is not None and raw != state.get(state.SAMPLE_READ):
        state.put(state.SAMPLE_READ, raw)
        k, notice = parse(raw, len(run.train))
        if k is None:
            state.put(state.SAMPLE_NOTICE, notice)
            state.drop_link(state.SAMPLE_LINK)
            internals.forget_initial_link()
        else:
            choose(k)
    current(run)
    notice = state.get(state.SAMPLE_NOTICE)
    return [notice] if notice else []


def nearest(run: Run, x1: float, x2: float) -> int:
    """The training point nearest to (x1, x2), numbered from 1."""
    X = run.train.X[:, :2]
    return int(np.argmin((X[:, 0] - x1) ** 2 + (X[:, 1] - x2) ** 2)) + 1


def from_table(rows: Sequence[int], iters: np.ndarray) -> None:
    """A click on a row of the prediction table (``rows``: the selected rows of the table as shown; ``iters``:
    their point numbers). Each new selection is applied once; an emptied selection forgets the last one, so
    clicking the same row again later picks it again."""
    picked = int(iters[rows[0]]) if rows and 0 <= rows[0] < len(iters) else None
    if picked != state.get(state.TABLE_PICK):
        state.put(state.TABLE_PICK, picked)
        if picked is not None:
            choose(picked)


def query() -> dict[str, str]:
    """The point followed, for the share link (none when no point was picked)."""
    k = state.get(state.SAMPLE)
    return {state.SAMPLE_LINK: str(k)} if k is not None else {}


def _picked() -> None:
    choose(int(state.get(state.SAMPLE_PICK)))


def chooser(run: Run, target=st) -> int:  # noqa: ANN001 (st or a container)
    """The number input of the point to follow; returns it (point 1 until one is picked)."""
    n = len(run.train)
    state.put(state.SAMPLE_PICK, current(run) or 1)  # the kept choice, whichever way it was made
    target.number_input(f"Training point (Iter, 1 to {n})", min_value=1, max_value=n, step=1,
                        key=state.SAMPLE_PICK, on_change=_picked,
                        help="Or click a row of the prediction table, or a point on the decision regions "
                             "in the “inspect” mode.")
    return int(state.get(state.SAMPLE_PICK))
