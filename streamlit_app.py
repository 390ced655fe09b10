"""Backprop Playground: watch a hand-written numpy network learn (NYCU DL Lab 1 as a playground).

Reads top-down: sidebar → experiment → the run (shared, or trained live) → the live area → the tabs.
"""

from __future__ import annotations

import streamlit as st

from playground import session, state
from playground.sections import Page, classroom, compare, data, lesson, live, plain, sample, share, sidebar, tabs

projecting = state.projecting()
st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide",
                   initial_sidebar_state="collapsed" if projecting else "auto")

# ----- the projector's page (?room=CODE&view=board) is the class's board and nothing else ---------------------
if projecting and classroom.projector():
    st.stop()

# ----- a click on the decision regions (from the last rerun) edits the data before the sidebar is drawn --
data.apply_pending()
click_error = data.handle_click(state.get(state.RUN), on_inspect=lambda: tabs.open_tab(tabs.EQUATIONS))

# ----- a class's task fills in the settings a student's join link leaves out (first run of a session) -------
classroom.enter()
classroom.take_task()  # a student pressed Load the task (in the banner): the task's settings win

# ----- sidebar: the experiment and the display options ------------------------------------------------
st.sidebar.title("Backprop Playground")
lesson_mode = lesson.current()
lesson.badge(lesson_mode)
side = sidebar.sidebar(hidden=lesson_mode.hidden, locked=lesson_mode.locked)
exp, display = side.exp, side.display

# ----- the run ---------------------------------------------------------------------------------------
run, note, error = session.current_run(exp)
# a board link (board=…, or sweep=…&values=…) opens on the board (a sweep link fills a new one first);
# a class link (room=…) opens on the class
sweep_notices = compare.from_link(exp, on_fill=lambda: tabs.open_tab(tabs.COMPARE))
_, class_notices = classroom.place()
sample_notices = sample.from_link(run)  # the training point the Equations tab follows (sample=7)
if state.link_value(state.ROOM) and state.once(state.CLASS_OPENED) and state.link_value(state.TAB) is None:
    tabs.open_tab(tabs.CLASS)

st.title("Backprop Playground")
st.caption(
    "A two-hidden-layer network with hand-written backpropagation in numpy — the lab's network, live. "
    "Change anything in the sidebar; the address bar always holds the whole experiment."
)
# a fragment that reruns by itself (the banner, the class's board) must keep its address across full runs, or its
# update lands on whatever another run drew there: each part of the page whose length varies gets a container
notices, banner, live_part, tab_part = st.container(), st.container(), st.container(), st.container()
with notices:
    for notice in [*lesson_mode.notices, *side.notices, *sweep_notices, *class_notices, *sample_notices]:
        st.warning(plain(f"Ignored a link parameter: {notice}"), icon=":material/warning:")
    if error:
        st.error(error, icon=":material/block:")
    if click_error:
        st.error(plain(click_error), icon=":material/error:")
    if note:
        st.info(note, icon=":material/refresh:")
with banner:
    classroom.banner()  # in a class: a new task, the round's countdown, the open question (checked every few seconds)

# ----- actions and the live area: status, metrics, progress, the loss curve and the decision regions ------
with live_part:
    run = live.actions(run, exp, blocked=bool(error))
    live.live_area(run, display, blocked=bool(error), below_decision=data.click_controls)

# ----- the report's figures, the network, your data, the board, the log: one tab open at a time ----------
with tab_part:
    tabs.show(Page(run, exp, display))
share.share(exp, {**lesson_mode.query(), **state.get(state.SWEEP_LINK, {}), **tabs.query(), **sample.query(),
                  **({state.BOARD: compare.board_id()} if compare.board_id() else {})}, edited=bool(run.edits))
