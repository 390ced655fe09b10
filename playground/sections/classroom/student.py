"""The student's panel on the Class tab: which class this is, a name (a random two-word nickname to start
with, kept with the student's identity so a refresh shows it again) and Send to class, disabled while the
teacher has locked sending."""

from __future__ import annotations

import random

import streamlit as st

from playground import state
from playground.sections import plain
from playground.sections.classroom.actions import rename, send
from playground.sections.classroom.lesson import has_ended
from server import rooms
from server.store import Room


def student_panel(room: Room, me: str) -> None:
    st.markdown(f"You are in class **{room.code}**.")
    if room.task:
        st.caption("Your teacher set the settings to start from; the sidebar holds them.")
    if not me:  # the store issued this page no identity (the class takes new students at a bounded pace)
        st.warning(plain(state.get(state.JOIN_ERROR) or "You cannot send to this class right now."),
                   icon=":material/hourglass:")
        return
    if state.get(state.NAME) is None:
        state.put(state.NAME, rooms.nickname(random.Random(me)))
    cols = st.columns([2, 1], vertical_alignment="bottom")
    cols[0].text_input("Your name", key=state.NAME, max_chars=rooms.MAX_NAME, on_change=rename, args=(room, me))
    ended = has_ended(room)
    cols[1].button("Send to class", key=state.SEND, type="primary", icon=":material/send:",
                   disabled=room.locked or ended,
                   on_click=send, args=(room, me),
                   help="Send the run on screen (finished or paused) to the class board.")
    if room.locked and not ended:
        st.info("The teacher has locked sending for now.", icon=":material/lock:")
