"""The teacher's panel on the Class tab (a link with the room's key): how students join, the projector's and
the teacher's own links, the task and challenge, names hidden and sending locked, the entries to remove,
clear or download."""

from __future__ import annotations

import streamlit as st

from playground import shared, state
from playground.sections.classroom import lesson, record, rounds, votes
from playground.sections.classroom.actions import change, clear, remove, set_task
from playground.sections.classroom.board import csv_of
from playground.sections.classroom.join import join_card
from playground.sections.share import address
from server.store import Room, StoreError


def teacher_panel(room: Room) -> None:
    now = lesson.read(room)
    if now is not None and now.ended is not None:
        return record.read_only(room, now.ended)  # a class past its lesson: read-only
    join_card(room)
    st.link_button("Open the projector's view", address({state.ROOM: room.code, state.VIEW: state.PROJECTOR}),
                   icon=":material/cast:")
    with st.expander("Your teacher link (keep it private: it opens these controls)"):
        st.code(address({state.ROOM: room.code, state.ROOM_KEY: state.link_value(state.ROOM_KEY) or ""}),
                language=None, wrap_lines=True)
    with st.form(state.TASK_FORM):
        st.markdown("**The task**: a link with the settings to start from (lesson mode's `hide=` and `lock=` "
                    "too), and a one-line challenge.")
        st.text_input("Task link", room.task, max_chars=2000, key=state.TASK_LINK,
                      placeholder="e.g. the share link of this page, or dataset=spiral&hide=dataset")
        st.text_input("Challenge", room.challenge, max_chars=200, key=state.TASK_CHALLENGE,
                      placeholder="e.g. reach 100% on spiral with the fewest parameters")
        st.form_submit_button("Set the task", on_click=set_task, args=(room,))
    with st.expander("Run the lesson: rounds and votes", expanded=True):
        rounds.controls(room, now)
        votes.controls(room, now.vote if now is not None else None)
    cols = st.columns(2)
    cols[0].toggle("Hide names (anonymous board)", room.anonymous, key=state.ANONYMOUS,
                   on_change=lambda: change(room, anonymous=bool(state.get(state.ANONYMOUS))))
    cols[1].toggle("Lock sending", room.locked, key=state.LOCKED,
                   on_change=lambda: change(room, locked=bool(state.get(state.LOCKED))))
    try:
        view = shared.reader().board(room.board)
    except StoreError:
        return
    with st.expander(f"Manage the {len(view.entries)} entries"):
        if view.entries:
            labels = {p.id: f"#{p.id} · {p.name}" for p in view.entries}
            pick = st.selectbox("Entry", list(labels), format_func=labels.get, key=state.ENTRY_PICK)
            st.button("Remove this entry", key=state.REMOVE_ENTRY, on_click=remove, args=(room, pick))
            sure = st.checkbox("Yes, remove every entry of this class", key=state.CLEAR_SURE)
            st.button("Clear the room", key=state.CLEAR_ROOM, disabled=not sure, on_click=clear, args=(room,))
        st.download_button("Download every entry (CSV)", lambda: csv_of(shared.reader().board(room.board)),
                           f"class-{room.code}.csv", "text/csv", key=state.CLASS_CSV)
    with st.expander("The lesson's record, and its end"):
        record.downloads(room)
        record.end_controls(room)
