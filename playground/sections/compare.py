"""The Compare tab: one-click sweeps of the report's Discussion, and the comparison board.

A sweep varies one setting over a few values, everything else as in the sidebar, on the same data and
(where shapes allow) the same initial weights. Each run is the finished run of its own experiment: one
job of the training service, which trains the sweep's runs together where it can and shares each with
every visitor (and with anyone opening that experiment's own link). The sweep is part of the share
link (``sweep=lr&values=0.1;0.3;0.9&both=1``), so a board can be handed to a class as a lesson link.

The board keeps (name, `Record`) pairs in the session (it survives reruns and setting changes): the loss
curves overlaid, a table of the settings that differ, and each run's decision regions side by side.
Widget callbacks make the changes, because loading a run back must set the sidebar before it is drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from lab import budget
from lab.compare import default_name, table, unique_name
from lab.experiment import CUSTOM, FIELDS, Experiment
from lab.presets import PRESETS
from lab.record import Record
from lab.sweep import SEP, SWEEPABLE, Sweep
from playground import shared, state
from playground.charts.curves import overlay_loss_chart
from playground.charts.plane import small_multiples_chart
from playground.sections import Display, Page, chart
from playground.sections.sidebar import set_field

BOTH = ("linear", "xor")  # the lab's two data sets
MAX_PINS = 24


# ----- the board ---------------------------------------------------------------------------------
def pins() -> dict[int, tuple[str, Record]]:
    return st.session_state.setdefault(state.PINS, {})


def add(name: str, record: Record) -> str:
    """Put a run on the board under a name no other run has; returns that name."""
    board = pins()
    name = unique_name(name, [n for n, _ in board.values()])
    uid = state.get(state.PIN_NEXT, 0)
    state.put(state.PIN_NEXT, uid + 1)
    board[uid] = (name, record)
    while len(board) > MAX_PINS:  # the oldest go first
        board.pop(next(iter(board)))
    return name


def pin_current() -> None:
    run = state.get(state.RUN)
    if run is not None:
        name = add(default_name(run.exp), run.record())
        st.toast(f"Pinned **{name}**: it is on the Compare tab.", icon=":material/push_pin:")


def remove(uid: int) -> None:
    pins().pop(uid, None)


def clear() -> None:
    pins().clear()


def load(uid: int) -> None:
    """Put a run's settings back into the sidebar (the page then shows that run)."""
    entry = pins().get(uid)
    if entry is not None:
        for name in FIELDS:
            set_field(name, getattr(entry[1].exp, name))


def rename(uid: int) -> None:
    name = str(st.session_state.get(state.pin_key("name", uid), "")).strip()[:80]
    board = pins()
    if name and uid in board:
        others = [n for k, (n, _) in board.items() if k != uid]
        board[uid] = (unique_name(name, others), board[uid][1])


def panel(name: str, record: Record) -> dict:
    """What `small_multiples_chart` draws of a run: its grid, and its training points when the settings
    reproduce them (not a custom set too large for a link)."""
    grid = record.grid
    if record.exp.dataset == CUSTOM and not record.exp.points:
        X, y = np.empty((0, 2)), np.empty((0, 1))
    else:
        train, _ = record.exp.split()
        X, y = train.X, train.y
    pred = np.array([int(c) for c in record.predictions], float) if len(record.predictions) == len(X) else y
    xs, ys = grid.edges
    return {"name": name, "xs": xs, "ys": ys, "probs": grid.probs, "X": X, "y": y, "pred": pred}


def board_section(display: Display) -> None:
    board = pins()
    st.header("Comparison board")
    if not board:
        st.caption("Pin runs (the **Pin** button) or run a sweep above; they gather here, side by side.")
        return
    entries = list(board.values())
    st.caption(f"{len(entries)} run{'s' if len(entries) > 1 else ''}. Click a legend entry to highlight a run.")
    curves = {name: (r.columns()["epoch"], r.columns()["loss"]) for name, r in entries}
    chart(st, shared.spec(overlay_loss_chart, curves, log_scale=display.log_scale))
    st.dataframe(
        pd.DataFrame(table(entries)),
        hide_index=True,
        width="stretch",
        column_config={
            "train loss": st.column_config.NumberColumn(format="%.3g"),
            "test loss": st.column_config.NumberColumn(format="%.3g"),
            "train accuracy": st.column_config.NumberColumn(format="%.1f%%"),
            "test accuracy": st.column_config.NumberColumn(format="%.1f%%"),
        },
    )
    st.subheader("Decision regions of the pinned runs")
    st.caption("Same axes and colours for every run: red = class 0, blue = class 1 · fill = truth · "
               "square = predicted 1 · black ring = wrong.")
    cols = st.columns(3)  # three a row on a laptop or projector, one a row on a phone
    for i, (name, record) in enumerate(entries):
        chart(cols[i % 3], shared.spec(small_multiples_chart, [panel(name, record)], domain=record.grid.domain,
                                       columns=1, discretize=display.discretize, title=False))
    with st.expander("Manage pinned runs"):
        for uid, (name, _) in list(board.items()):
            row = st.columns([3, 1, 1], vertical_alignment="bottom")
            row[0].text_input("Name", name, key=state.pin_key("name", uid), on_change=rename, args=(uid,))
            row[1].button("Load", key=state.pin_key("load", uid), on_click=load, args=(uid,),
                          help="Put this run's settings back into the sidebar.")
            row[2].button("Remove", key=state.pin_key("remove", uid), on_click=remove, args=(uid,))
        st.button("Clear the board", key=state.PINS_CLEAR, on_click=clear)


# ----- sweeps ------------------------------------------------------------------------------------
def results(exp: Experiment, sweep: Sweep) -> list[Record]:
    """The sweep's runs, trained by the service (together where they can be) and shared by every visitor.
    Raises RuntimeError with the service's words when a run's training failed."""
    runs = [shared.finished_run(e) for e in sweep.experiments(exp)]
    for run, following in runs:
        following.job.result()
        following.take(run)
    return [run.record() for run, _ in runs]


def run(exp: Experiment, sweep: Sweep, both: bool) -> str:
    """Train the sweep (on both lab data sets if asked) and fill the board; returns an error or ''."""
    if both and exp.dataset == CUSTOM:
        return "The 'both data sets' view compares the lab's linear and XOR sets; switch off custom data first."
    bases = [exp.with_(dataset=d) for d in BOTH] if both else [exp]
    too_much = budget.sweep_error(e for base in bases for e in sweep.experiments(base))
    if too_much:
        return too_much
    with st.spinner(f"Training {len(sweep.values) * len(bases)} runs…"):
        try:
            found = [(base, results(base, sweep)) for base in bases]
        except RuntimeError as exc:
            return f"{exc} The board was not changed."
    clear()
    for base, records in found:
        for label, record in zip(sweep.labels, records):
            name = f"{sweep.setting} = {label}"
            add(f"{name} · {base.dataset}" if both else name, record)
    return ""


def sweep_query(sweep: Sweep, both: bool) -> dict[str, str]:
    return sweep.query() | ({"both": "1"} if both else {})


def sweep_section(exp: Experiment) -> None:
    """The sweep controls; the results land on the comparison board below them."""
    st.header("Sweeps: the report's comparisons in one click")
    names = ["—", *PRESETS, "free"]
    titles = {"—": "Choose a comparison…", "free": "Free sweep: any setting, your values",
              **{k: p.title for k, p in PRESETS.items()}}
    cols = st.columns([3, 1], vertical_alignment="bottom")
    choice = cols[0].selectbox("Comparison", names, format_func=titles.get, key=state.SWEEP_CHOICE)
    both = cols[1].toggle("Both data sets", key=state.SWEEP_BOTH, help="Run it on the lab's linear and XOR sets.")
    sweep = None
    if choice == "free":
        fc = st.columns([1, 2])
        setting = fc[0].selectbox("Setting", SWEEPABLE, index=SWEEPABLE.index("lr"), key=state.SWEEP_SETTING)
        text = fc[1].text_input(f"Values, separated by '{SEP}'", "0.05; 0.1; 0.5", key=state.SWEEP_VALUES)
        try:
            sweep = Sweep.parse(setting, text)
        except ValueError as exc:
            st.error(str(exc), icon=":material/error:")
    elif choice in PRESETS:
        preset = PRESETS[choice]
        sweep = preset.sweep
        st.markdown(preset.explanation)
        if preset.question:
            st.info(f"**{preset.question}** {preset.answer}", icon=":material/school:")
    if sweep is not None and st.button("Run sweep", key=state.SWEEP_RUN, type="primary", icon=":material/compare:"):
        error = run(exp, sweep, both)
        if error:
            st.error(error, icon=":material/block:")
        else:
            state.put(state.SWEEP_LINK, sweep_query(sweep, both))
    if state.get(state.SWEEP_LINK) and pins():
        st.caption("Share this board: the link below re-runs the same sweep for whoever opens it.")


def section(page: Page) -> None:
    sweep_section(page.exp)
    board_section(page.display)


def from_link(exp: Experiment, on_fill: Callable[[], None] = lambda: None) -> list[str]:
    """On a session's first run, a link's ``sweep``/``values``/``both`` fill the board (then ``on_fill()``);
    returns notices."""
    if not state.once(state.SWEEP_CHECKED):
        return []
    setting = state.link_value("sweep")
    if setting is None:
        return []
    both = state.link_value("both", "") in ("1", "true")
    try:
        sweep = Sweep.parse(setting, state.link_value("values", "") or "")
    except ValueError as exc:
        return [f"{exc} — the sweep in the link was not run."]
    error = run(exp, sweep, both)
    if error:
        return [error]
    state.put(state.SWEEP_LINK, sweep_query(sweep, both))
    on_fill()
    # show the link's sweep in the controls: its preset (with the explanation), or the free sweep's fields
    preset = next((name for name, p in PRESETS.items() if p.sweep == sweep), None)
    state.put(state.SWEEP_CHOICE, preset or "free")
    state.put(state.SWEEP_BOTH, both)
    if preset is None:
        state.put(state.SWEEP_SETTING, sweep.setting)
        state.put(state.SWEEP_VALUES, sweep_query(sweep, both)["values"].replace(SEP, SEP + " "))
    return []

