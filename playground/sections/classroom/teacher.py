"""The teacher's panel on the Class tab (a link with the room's key, or the teacher's pass that replaces it in
the address bar): how students join, the projector's and the teacher's own links (and a new one), the task and
challenge, names hidden and sending locked, the entries to remove (one, a student's, the unreadable), clear or
download, and where classes are kept."""

from __future__ import annotations

import streamlit as st

from playground import shared, state
from playground.sections import plain
from playground.sections.classroom import lesson, record, rounds, votes
from playground.sections.classroom.actions import change, clear, new_teacher_link, remove, remove_student, set_task
from playground.sections.classroom.board import csv_of
from playground.sections.classroom.join import join_card
from playground.sections.classroom.kept import where_kept
from playground.sections.share import address
from server import rooms
from server.boards import BoardView
from server.store import Room, StoreError


def teacher_link(room: Room) -> None:
    """The teacher link, for another device (from the session: the key is in no address of this page), and a new
    one on demand."""
    with st.expander("Your teacher link (keep it private: it opens these controls)"):
        held = state.get(state.TEACHER_KEY)
        if held and held[0] == room.code:
            st.code(address({state.ROOM: room.code, state.ROOM_KEY: held[1]}), language=None, wrap_lines=True)
            st.caption("Open it on another device to teach from there. It is not in your address bar: this page "
                       "carries a teacher's pass instead, which lasts 12 hours.")
        else:
            st.caption("This page was opened with a teacher's pass, not your teacher link, so it cannot show the "
                       "link. A new teacher link replaces the old one.")
        st.button("New teacher link", key=state.NEW_TEACHER_LINK, icon=":material/key:", on_click=new_teacher_link,
                  args=(room,), help="A new key: the old teacher link, and every page opened with it, stop "
                                     "opening these controls at once.")


def manage(room: Room, view: BoardView) -> None:
    """Remove an entry, every entry of a student, or the entries that cannot be read; clear; download."""
    with st.expander(f"Manage the {len(view.entries)} entries"):
        if view.entries:
            labels = {p.id: f"#{p.id} · {p.name}" for p in view.entries}
            pick = st.selectbox("Entry", list(labels), format_func=labels.get, key=state.ENTRY_PICK)
            st.button("Remove this entry", key=state.REMOVE_ENTRY, on_click=remove, args=(room, pick))
            names = {p.owner: p.name for p in view.entries}  # each student's latest name
            runs = {owner: sum(p.owner == owner for p in view.entries) for owner in names}
            who = st.selectbox("Student", list(names), key=state.STUDENT_PICK,
                               format_func=lambda o: f"{names[o]} · {runs[o]} run{'s' if runs[o] != 1 else ''}")
            st.button(f"Remove every entry of {plain(names[who])}", key=state.REMOVE_STUDENT, on_click=remove_student,
                      args=(room, who))
        if view.unreadable:
            st.warning(f"Entries that cannot be read (a stored record this version cannot parse): "
                       f"{len(view.unreadable)}. They are left out of the board but count towards its "
                       f"{rooms.MAX_ENTRIES:,}.", icon=":material/warning:")
            st.button("Remove the entries that cannot be read", key=state.REMOVE_UNREADABLE, on_click=remove,
                      args=(room, *view.unreadable))
        if view.entries or view.unreadable:
            sure = st.checkbox("Yes, remove every entry of this class", key=state.CLEAR_SURE)
            st.button("Clear the room", key=state.CLEAR_ROOM, disabled=not sure, on_click=clear, args=(room,))
        st.download_button("Download every entry (CSV)", lambda: csv_of(shared.reader().board(room.board)),
                           f"class-{room.code}.csv", "text/csv", key=state.CLASS_CSV)


def teacher_panel(room: Room) -> None:
    now = lesson.read(room)
    if now is not None and now.ended is not None:
        return record.read_only(room, now.ended)  # a class past its lesson: read-only
    join_card(room)
    st.link_button("Open the projector's view", address({state.ROOM: room.code, state.VIEW: state.PROJECTOR}),
                   icon=":material/cast:")
    teacher_link(room)
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
    manage(room, view)
    with st.expander("The lesson's record, and its end"):
        record.downloads(room)
        record.end_controls(room)
    where_kept()
