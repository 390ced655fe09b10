"""The student's panel on the Class tab: which class this is, a name (a random two-word nickname to start
with) and Send to class, disabled while the teacher has locked sending."""

from __future__ import annotations

import random

import streamlit as st

from playground import state
from playground.sections.classroom.actions import send
from playground.sections.classroom.lesson import has_ended
from server import rooms
from server.store import Room


def student_panel(room: Room, me: str) -> None:
    st.markdown(f"You are in class **{room.code}**.")
    if room.task:
        st.caption("Your teacher set the settings to start from; the sidebar holds them.")
    if state.get(state.NAME) is None:
        state.put(state.NAME, rooms.nickname(random.Random(me)))
    cols = st.columns([2, 1], vertical_alignment="bottom")
    cols[0].text_input("Your name", key=state.NAME, max_chars=rooms.MAX_NAME)
    ended = has_ended(room)
    cols[1].button("Send to class", key=state.SEND, type="primary", icon=":material/send:",
                   disabled=room.locked or ended,
                   on_click=send, args=(room, me),
                   help="Send the run on screen (finished or paused) to the class board.")
    if room.locked and not ended:
        st.info("The teacher has locked sending for now.", icon=":material/lock:")
