"""The lesson on a class board (the Class tab's, the projector's): the task and the countdown on the projector,
the question ("N votes", then a bar per option, and on the projector the vote's run beside it), the class's
checks for the teacher and the projector; then the board itself, hidden during a round, or the round picked."""

from __future__ import annotations

import time
from collections.abc import Hashable
from urllib.parse import parse_qsl

import streamlit as st

from playground.sections.classroom import checks, lesson, rounds, votes
from server.boards import BoardView, Posted
from server.lesson import LessonView
from server.store import Room


def task_line(room: Room) -> None:
    """The task's settings, on the projector ("Task: dataset = circle · hidden = 5,3")."""
    if room.task:
        st.text("Task: " + " · ".join(f"{k} = {v}" for k, v in parse_qsl(room.task)))  # st.text: never markdown


def status(room: Room, view: LessonView, teacher: bool, projector: bool) -> None:
    if projector:
        task_line(room)
        rounds.countdown(view, time.time())  # the other pages have it in their banner
    if view.vote is not None:
        if projector:
            votes.predict_then_run(room, view.vote)
        elif teacher or not view.vote.open:
            votes.status(view.vote)
    if teacher or projector:
        checks.counts(view.checks)


def lesson_board(room: Room, view: BoardView, teacher: bool = False,
                 projector: bool = False) -> tuple[tuple[Posted, ...], Hashable] | None:
    """The lesson's state above the board; then the runs the board shows and what names that choice (for the
    drawings' cache key), or None when a round hides them (its count is drawn instead)."""
    now = lesson.read(room)
    if now is not None:
        status(room, now, teacher, projector)
        if (hidden := rounds.hides(now)) is not None:
            rounds.hidden_board(view, hidden)
            return None
    return rounds.pick(view)
