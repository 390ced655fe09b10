"""The comparison board: pinned runs side by side (loss overlay, differences table, decision regions).

Pins live in ``st.session_state["pins"]`` (id → Pin), so they survive reruns and config changes.
Widget callbacks do the changes, because loading a pin back must set the sidebar before it is drawn.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlp.config import FIELDS
from playground import charts
from playground.controls import set_field
from playground.pins import LAB_DOMAIN, MAX_PINS, Pin, pin_run, table, unique_name
from playground.views import Display, chart, spec


def pins() -> dict[int, Pin]:
    return st.session_state.setdefault("pins", {})


def add(pin: Pin) -> Pin:
    """Put ``pin`` on the board under a name no other pin has; returns it as stored."""
    board = pins()
    pin = pin.renamed(unique_name(pin.name, [p.name for p in board.values()]))
    uid = st.session_state.get("_pin_next", 0)
    st.session_state["_pin_next"] = uid + 1
    board[uid] = pin
    while len(board) > MAX_PINS:  # the oldest go first
        board.pop(next(iter(board)))
    return pin


def pin_current() -> None:
    run = st.session_state.get("run")
    if run is not None:
        pin = add(pin_run(run))
        st.toast(f"Pinned **{pin.name}**: it is on the Compare tab.", icon=":material/push_pin:")


def remove(uid: int) -> None:
    pins().pop(uid, None)


def clear() -> None:
    pins().clear()


def load(uid: int) -> None:
    """Put a pin's settings back into the sidebar (the page then shows that run)."""
    pin = pins().get(uid)
    if pin is not None:
        for name in FIELDS:
            set_field(name, getattr(pin.exp, name))


def rename(uid: int) -> None:
    name = str(st.session_state.get(f"_pin_name_{uid}", "")).strip()[:80]
    board = pins()
    if name and uid in board:
        others = [p.name for k, p in board.items() if k != uid]
        board[uid] = board[uid].renamed(unique_name(name, others))


def board_section(display: Display) -> None:
    board = pins()
    st.header("Comparison board")
    if not board:
        st.caption("Pin runs (the **Pin** button) or run a sweep above; they gather here, side by side.")
        return
    items = list(board.values())
    st.caption(f"{len(items)} run{'s' if len(items) > 1 else ''}. Click a legend entry to highlight a run.")
    curves = {p.name: (p.epochs, p.loss) for p in items}
    chart(st, spec(charts.overlay_loss_chart, (tuple(curves), display.log_scale), curves, log_scale=display.log_scale))
    rows = table(items)
    st.dataframe(
        pd.DataFrame(rows),
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
    for i, p in enumerate(items):
        key = ((p.name,), display.discretize, False)
        chart(cols[i % 3], spec(charts.small_multiples_chart, key, [p.panel()], domain=LAB_DOMAIN, columns=1,
                                discretize=display.discretize, title=False))
    with st.expander("Manage pinned runs"):
        for uid, pin in list(board.items()):
            cols = st.columns([3, 1, 1], vertical_alignment="bottom")
            cols[0].text_input("Name", pin.name, key=f"_pin_name_{uid}", on_change=rename, args=(uid,))
            cols[1].button("Load", key=f"_pin_load_{uid}", on_click=load, args=(uid,),
                           help="Put this run's settings back into the sidebar.")
            cols[2].button("Remove", key=f"_pin_remove_{uid}", on_click=remove, args=(uid,))
        st.button("Clear the board", key="_pins_clear", on_click=clear)
