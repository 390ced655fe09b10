"""The Class tab: start a class, or, in one, the teacher's or the student's panel above the live board."""

from __future__ import annotations

import streamlit as st

from playground import state
from playground.sections import Page, plain
from playground.sections.classroom.actions import start_class
from playground.sections.classroom.board import live_board
from playground.sections.classroom.kept import where_kept
from playground.sections.classroom.link import Place, owner, place
from playground.sections.classroom.student import student_panel
from playground.sections.classroom.teacher import teacher_panel


def section(page: Page) -> None:
    st.header("Class")
    panel, board = st.container(), st.container()  # the board's fragment keeps its address, whatever the panel draws
    with panel:
        where, me = _panel()
    if where is not None:
        with board:
            live_board(where.room, me, page.display, teacher=where.teacher)


def _panel() -> tuple[Place | None, str]:
    """Start a class (outside one), or the teacher's or the student's panel; the class's place (or None) and this
    student's token (`owner`)."""
    where, _ = place()
    if state.get(state.CLASS_ERROR):
        st.error(plain(state.get(state.CLASS_ERROR)), icon=":material/error:")
    if where is None:
        st.markdown("Run a lesson on one live board: students open your link, try their own settings and "
                    "**send** their runs; everyone sees the whole class side by side, and so does your projector.")
        st.button("Start a class", key=state.START_CLASS, type="primary", icon=":material/groups:",
                  on_click=start_class)
        where_kept()
        return None, ""
    me = owner()
    if where.teacher:
        teacher_panel(where.room)
    else:
        student_panel(where.room, me)
    return where, me
