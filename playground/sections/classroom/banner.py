"""The lesson's banner, above the tabs of every page in a class: a new task (with **Load the task**), the round's
countdown, and the open question with its options and **Vote**. It checks for them every few seconds without a
reload (a fragment) and reads through the process's cached readers, so it costs a page almost nothing while the
lesson is quiet: a room and a lesson read a second for the whole process."""

from __future__ import annotations

import time

import streamlit as st

from playground import state
from playground.sections import plain
from playground.sections.classroom import lesson
from playground.sections.classroom.link import owner, place
from playground.sections.classroom.rounds import countdown
from server.lesson import Vote
from server.store import Room

REFRESH = 2.5  # s between two checks


def banner() -> None:
    """Draw the banner (nothing outside a class, or on the projector's page, which shows all of it itself)."""
    if state.link_value(state.ROOM) and not state.projecting():
        live_banner()


@st.fragment(run_every=REFRESH)
def live_banner() -> None:
    where, _ = place()  # the page's own run shows place's notices
    if where is None:
        return
    room, view = where.room, lesson.read(where.room)
    if error := state.get(state.LESSON_ERROR):
        st.error(plain(error), icon=":material/error:")
    if view is not None and view.ended is not None:
        st.info("This lesson has ended: its board stays, read-only.", icon=":material/school:")
        return
    if not where.teacher:
        new_task(room)
    if view is not None:
        countdown(view, time.time())
        if not where.teacher and view.vote is not None and view.vote.open:
            ballot(room, view.vote)


def new_task(room: Room) -> None:
    """The teacher's task, when it is not the one this page has: its challenge, Load the task, Not now."""
    seen = state.setdefault(state.TASK_SEEN, lesson.task_fingerprint(room))  # the task a page arrives with is applied
    if not (room.task or room.challenge) or seen == lesson.task_fingerprint(room):
        return
    with st.container(border=True):
        st.markdown("**New task** from your teacher" + (f": {plain(room.challenge)}" if room.challenge else "."))
        if room.task:
            st.caption(plain(f"Settings: {room.task.replace('&', ' · ')}"))
        left, right = st.columns([1, 4])
        if left.button("Load the task", key=state.LOAD_TASK, type="primary", icon=":material/download:",
                       help="Put the task's settings (and its lesson mode) into your sidebar and your link."):
            state.put(state.PENDING_TASK, True)
            st.rerun()  # the whole page, which takes the task before its sidebar is drawn
        right.button("Not now", key=state.SKIP_TASK, on_click=lesson.skip_task, args=(room,))


def ballot(room: Room, vote: Vote) -> None:
    """The open question: its options as one radio group, and Vote (again, to change it)."""
    mine = vote.ballots.get(owner())
    with st.container(border=True):
        st.radio(plain(vote.question), vote.options, index=None if mine is None else mine, format_func=plain,
                 key=state.ballot_key(vote.id), horizontal=len(vote.options) <= 4)  # labels are markdown
        left, right = st.columns([1, 4], vertical_alignment="center")
        left.button("Vote", key=state.CAST, type="primary", icon=":material/how_to_vote:",
                    on_click=lesson.cast, args=(room, vote))
        right.caption(f"Your vote: {plain(vote.options[mine])} · you can change it until the vote closes."
                      if mine is not None else "One vote each; you can change it until the vote closes.")
