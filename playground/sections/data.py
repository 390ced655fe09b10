"""Your own data: click points onto the decision regions, edit them in a table, or upload a CSV.

Any change makes the data set "custom". Up to 200 points travel in the link (``points=``, encoded
by `lab.points`); larger sets stay in the session and the page says the link carries the settings
only. A bad file or table is refused with one message naming the row and column, and the current
data stays as it was. With "keep training on the new data", the network carries its weights over
to the new points and trains on live, so the boundary can be watched adapting. The click mode "inspect" edits
nothing: it picks the nearest training point for backprop with numbers (the Equations tab); on a regression
set (real-valued targets, which your own 0/1 points cannot carry) that is what every click does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from lab import points
from lab.experiment import CUSTOM
from lab.run import Run
from mlp.data import Dataset
from playground import state
from playground.sections import Page, plain, sample
from playground.sections.sidebar import set_field

CLICK_MODES = ("add class 0", "add class 1", "remove", "inspect")  # short: the four fit a phone's width
INSPECT = CLICK_MODES[3]  # a click picks the nearest training point for the Equations tab; the data stay


def set_custom(data: Dataset) -> None:
    """Make ``data`` the experiment's data set (call before the sidebar is drawn, or rerun after)."""
    if len(data) <= points.MAX_LINK_POINTS:
        code = points.encode_points(data.X, data.y)
        data = points.decode_points(code)  # what the link reproduces, so both sides train on the same points
        state.pop(state.CUSTOM_DATA)
    else:
        code = ""
        state.put(state.CUSTOM_DATA, data)
    set_field("dataset", CUSTOM)
    set_field(state.POINTS, code)
    if code:
        state.set_link(state.POINTS, code)
    else:
        state.drop_link(state.POINTS)
    run = state.get(state.RUN)
    if state.get(state.KEEP_TRAINING) and run is not None:
        state.put(state.CARRY_WEIGHTS, run.net.params.copy())


def request(data: Dataset) -> None:
    """From inside the page (widgets already drawn): apply ``data`` at the top of a fresh rerun."""
    state.put(state.PENDING_DATA, data)
    st.rerun()


def apply_pending() -> None:
    """At the top of the script, before the sidebar: apply data requested in the last run."""
    data = state.pop(state.PENDING_DATA)
    if data is not None:
        set_custom(data)


def clicked(event: object) -> tuple[float, float] | None:
    """Where the last click on the decision regions landed: a grid cell's centre or a point."""
    selection = (event or {}).get("selection", {}) if isinstance(event, dict) else {}
    # a selection the click did not touch comes back as [{}] from the browser: keep non-empty entries only
    point = [p for p in selection.get("click_point") or [] if p]
    cells = [c for c in selection.get("click") or [] if c]
    try:
        if point:
            return float(point[-1]["x1"]), float(point[-1]["x2"])
        if cells:
            c = cells[-1]
            return (float(c["x1_lo"]) + float(c["x1_hi"])) / 2, (float(c["x2_lo"]) + float(c["x2_hi"])) / 2
    except (KeyError, TypeError, ValueError):
        return None
    return None


def handle_click(run: Run | None, on_inspect: Callable[[], None] = lambda: None) -> str:
    """Apply a click on the decision regions (from the last rerun); returns an error message or ''.
    In the "inspect" mode the click picks the nearest training point instead, and calls ``on_inspect``."""
    event = state.get(state.DECISION)
    where = clicked(event)
    if where is None or run is None:
        return ""
    token = repr(event)
    if state.get(state.CLICK_DONE) == token:
        return ""  # the selection persists across reruns: apply each click once
    state.put(state.CLICK_DONE, token)
    mode = state.get(state.CLICK_MODE) or CLICK_MODES[0]
    if mode == INSPECT or run.data.task != "classification":  # a regression's points are not edited by click
        sample.choose(sample.nearest(run, *where))
        on_inspect()
        return ""
    try:
        if mode == CLICK_MODES[2]:
            data = points.remove_nearest(run.data, *where)
        else:
            data = points.add_point(run.data, *where, CLICK_MODES.index(mode))
    except ValueError as exc:
        return f"That click was not applied: {exc}"
    set_custom(data)
    return ""


def click_controls(target, task: str = "classification") -> None:  # noqa: ANN001
    """What a click on the decision regions does (drawn under that chart, in ``target``). On a regression set a
    click only inspects: your own points are labelled 0 or 1."""
    if task != "classification":
        target.caption("A click on the output map picks the nearest training point and follows it through "
                       "backprop, with numbers (the Equations tab). Points you add are labelled 0 or 1, so adding "
                       "and removing them is for the classification sets.")
        return
    row = target.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    row.segmented_control("A click on the decision regions will", CLICK_MODES, default=CLICK_MODES[0],
                          key=state.CLICK_MODE,
                          help="remove: the point nearest the click. inspect: follow the training point nearest "
                               "the click through backprop, with numbers (the Equations tab); the data stay.")
    row.toggle("Keep training on the new data", key=state.KEEP_TRAINING,
               help="Carry the current weights over to the changed data and train on, live.")


def section(page: Page) -> None:
    run = page.run
    st.subheader("Your data")
    data = run.data
    if data.task != "classification":  # your own points are labelled 0 or 1
        st.caption(f"{len(data)} points of **{run.exp.dataset}**, with real-valued targets from "
                   f"{data.y.min():.3f} to {data.y.max():.3f} (regression). Your own points are labelled 0 or 1: "
                   "choose a classification data set to add, remove or upload points.")
        return
    counts = np.bincount(data.y.reshape(-1).astype(int), minlength=2)
    st.caption(
        f"{len(data)} points ({counts[0]} of class 0, {counts[1]} of class 1), data set **{run.exp.dataset}**. "
        "Click on the decision regions to add or remove points, edit the table, or upload a CSV; "
        "any change makes the data set *custom*."
    )
    if run.exp.dataset == CUSTOM:
        if run.exp.points:
            st.caption(f"The share link carries these {len(data)} points.")
        else:
            st.warning(f"Over {points.MAX_LINK_POINTS} points: the share link carries the settings only, "
                       "not the points. Download the CSV to share them.", icon=":material/link_off:")
    with st.expander("Edit the points as a table"):
        df = pd.DataFrame({"x1": data.X[:, 0], "x2": data.X[:, 1], "label": data.y[:, 0].astype(int)})
        edited = st.data_editor(df, num_rows="dynamic", key=state.EDITOR, width="stretch", height=280,
                                column_config={"label": st.column_config.NumberColumn(min_value=0, max_value=1, step=1)})
        if st.button("Use this table", key=state.APPLY_TABLE):
            try:
                table = points.from_table(edited.to_dict("records"))
            except ValueError as exc:
                st.error(plain(f"{exc}. Nothing was changed."), icon=":material/error:")
            else:
                request(table)
    upload = st.file_uploader(
        "Upload a CSV (x1, x2, label; header optional; comma or semicolon)", type=["csv", "txt"], key=state.UPLOAD,
        help=f"At most {points.MAX_ROWS:,} rows and 1 MB; labels 0 or 1.",
    )
    if upload is not None and state.get(state.UPLOAD_DONE) != upload.file_id:
        state.put(state.UPLOAD_DONE, upload.file_id)
        try:
            uploaded = points.parse_csv(upload.getvalue())
        except ValueError as exc:
            state.put(state.UPLOAD_ERROR, f"{upload.name}: {exc}. The current data stays as it was.")
            st.rerun()
        else:
            state.pop(state.UPLOAD_ERROR)
            request(uploaded)
    if state.get(state.UPLOAD_ERROR):
        st.error(plain(state.get(state.UPLOAD_ERROR)), icon=":material/error:")
    st.download_button("Download the data (CSV)", lambda: points.to_csv(data), f"{run.exp.dataset}.csv",
                       "text/csv", key=state.DL_DATA)
