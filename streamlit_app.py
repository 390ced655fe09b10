"""Backprop Playground: watch a hand-written numpy network learn (NYCU DL Lab 1 as a playground).

Reads top-down: sidebar → experiment → the run (cached, or trained live) → sections.
"""

from __future__ import annotations

import streamlit as st

from playground import board, controls, lesson, mydata, sections, session, sweeps, views, views_text
from playground.live import Slots, draw, train_live
from playground.views import Display

st.set_page_config(page_title="Backprop Playground", page_icon="🧠", layout="wide")

# ----- a click on the decision regions (from the last rerun) edits the data before the sidebar is drawn --
mydata.apply_pending()
click_error = mydata.handle_click(st.session_state.get("run"))

# ----- sidebar: the experiment, then display options ------------------------------------------------
st.sidebar.title("Backprop Playground")
lesson_mode = lesson.current()
lesson.badge(lesson_mode)
side = controls.sidebar(hidden=lesson_mode.hidden, locked=lesson_mode.locked)
exp = side.exp
st.sidebar.subheader("Display")
display = Display(
    log_scale=st.sidebar.toggle("Log-scale loss", key="log", bind="query-params"),
    show_test=st.sidebar.toggle("Show test points", value=True, key="show_test", bind="query-params"),
    discretize=st.sidebar.toggle("Discretize output", key="discretize", bind="query-params"),
)

# ----- the run ---------------------------------------------------------------------------------------
run, note, error = session.current_run(exp)
# a board link (sweep=…&values=…) fills the board once, and opens on it
sweep_notices = sweeps.from_link(exp, on_fill=lambda: sections.open_tab(sections.COMPARE))

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

# ----- actions -----------------------------------------------------------------------------------------
actions = st.container(horizontal=True, vertical_alignment="bottom")  # one row that wraps on a phone
blocked = bool(error)
train_clicked = actions.button("Train", key="_train", type="primary", icon=":material/play_arrow:", disabled=blocked,
                               help="Train to the configured epochs, live (from scratch if finished).")
step_clicked = actions.button("Step", key="_step", icon=":material/skip_next:", disabled=blocked or run.diverged,
                              help="Train a few more epochs (the step size on the right).")
actions.button("Stop", key="_stop", icon=":material/pause:", on_click=session.stop,
               help="Pause live training; Train resumes.")
reset_clicked = actions.button("Reset", key="_reset", icon=":material/restart_alt:", disabled=blocked,
                               help="Back to epoch 0 with the same initial weights.")
actions.button("New seed", key="_new_seed", icon=":material/casino:", on_click=controls.set_field,
               args=("weight_seed", (exp.weight_seed + 1) % 2**31), help="New initial weights (weight seed + 1).")
actions.button("Pin", key="_pin", icon=":material/push_pin:", on_click=board.pin_current,
               help="Keep this run on the comparison board below.")
step_size = actions.selectbox("Epochs per step", (1, 10, 100, 1000), index=2, key="_step_size", width=130)

if reset_clicked:
    run = session.reset(exp)
if train_clicked:
    if run.finished:
        run = session.reset(exp)
    session.start(run, exp.epochs)
if step_clicked:
    session.start(run, run.epoch + step_size)

# ----- live area: status, metrics, progress, the two live charts ----------------------------------------
status_slot = st.container()
slots = Slots(metrics=st.empty(), progress=st.empty(), loss=None, decision=None)
left, right = st.columns([1.1, 1])
slots.decision, slots.loss = left.empty(), right.empty()
mydata.click_controls(left)
if st.session_state.get("training") and not blocked:
    train_live(run, st.session_state.get("target", exp.epochs), slots, display)
    st.session_state["training"] = False
draw(run, slots, display, final=True)
with status_slot:
    views.status(run)

# ----- the report's figures, the network, your data, the board, the log: one tab open at a time ----------
sections.show(sections.Page(run, exp, display))
views_text.share(exp, {**lesson_mode.query(), **st.session_state.get("_sweep_link", {}), **sections.query()})
