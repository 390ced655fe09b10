"""Backprop Playground: watch a hand-written numpy network learn (NYCU DL Lab 1 as a playground).

Reads top-down: sidebar → experiment → the run (shared, or trained live) → the live area → the tabs.
"""

from __future__ import annotations

import streamlit as st

from playground import session, state
from playground.sections import Page, compare, data, lesson, live, share, sidebar, tabs

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")

# ----- a click on the decision regions (from the last rerun) edits the data before the sidebar is drawn --
data.apply_pending()
click_error = data.handle_click(state.get(state.RUN))

# ----- sidebar: the experiment and the display options ------------------------------------------------
st.sidebar.title("Backprop Playground")
lesson_mode = lesson.current()
lesson.badge(lesson_mode)
side = sidebar.sidebar(hidden=lesson_mode.hidden, locked=lesson_mode.locked)
exp, display = side.exp, side.display

# ----- the run ---------------------------------------------------------------------------------------
run, note, error = session.current_run(exp)
# a board link (sweep=…&values=…) fills the board once, and opens on it
sweep_notices = compare.from_link(exp, on_fill=lambda: tabs.open_tab(tabs.COMPARE))

st.title("Backprop Playground")
st.caption(
    "A two-hidden-layer network with hand-written backpropagation in numpy — the lab's network, live. "
    "Change anything in the sidebar; the address bar always holds the whole experiment."
)
for notice in [*lesson_mode.notices, *side.notices, *sweep_notices]:
    st.warning(f"Ignored a link parameter: {notice}", icon=":material/warning:")
if error:
    st.error(error, icon=":material/block:")
if click_error:
    st.error(click_error, icon=":material/error:")
if note:
    st.info(note, icon=":material/refresh:")

# ----- actions and the live area: status, metrics, progress, the loss curve and the decision regions ------
run = live.actions(run, exp, blocked=bool(error))
live.live_area(run, display, blocked=bool(error), below_decision=data.click_controls)

# ----- the report's figures, the network, your data, the board, the log: one tab open at a time ----------
tabs.show(Page(run, exp, display))
share.share(exp, {**lesson_mode.query(), **state.get(state.SWEEP_LINK, {}), **tabs.query()})
