"""A class's live lesson on the page: what pages read of it (`read`), the task a page has or has not taken yet
(`task_fingerprint`, `load_task`), and what the lesson's buttons do (widget callbacks): start a round and reveal
it, ask the class and close the vote, a student's ballot and check, the lesson's end.

A teacher's refusal is kept in the class error (shown above the Class tab's panel), a student's in the lesson
error (shown in the banner, wherever the student is); each change forgets the process's cached reading of the
room, so this page shows it at once and the others within the reader's second.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import parse_qsl

import streamlit as st

from lab import budget
from lab.experiment import FIELDS, from_query
from lab.presets import PRESETS
from playground import shared, state
from playground.sections import lesson as lesson_mode
from playground.sections.classroom.link import owner, place, reference, task_query
from playground.sections.sidebar import set_field
from server.lesson import LessonView, Vote, parse_options
from server.store import Room, StoreError

LINK = "link"  # the vote's "Then run" choice for a link (the others: nothing, or a preset's name)


def read(room: Room) -> LessonView | None:
    """The room's lesson (None when the store cannot answer: the page goes on without it)."""
    try:
        return shared.lesson_reader().view(room.code, room.board)
    except StoreError:
        return None


def _changed(room: Room, error_key: str) -> None:
    shared.reader().forget(board=room.board, code=room.code)
    state.pop(error_key)


def _act(room: Room, error_key: str, refusal: str, action: Callable[[], object]) -> bool:
    """Do one of the lesson's actions. A refusal (ValueError, StoreError) is kept under ``error_key`` as "refusal:
    why"; done, the room's cached reading is forgotten and the error cleared. True when it was done."""
    try:
        action()
    except (ValueError, StoreError) as exc:
        state.put(error_key, f"{refusal}: {exc}")
        return False
    _changed(room, error_key)
    return True


# ----- the task -----------------------------------------------------------------------------------------------------
def task_fingerprint(room: Room) -> str:
    """What names the room's task (its link and challenge): a new one differs."""
    return hashlib.sha256(f"{room.task}\n{room.challenge}".encode()).hexdigest()[:16]


def load_task(room: Room) -> None:
    """Put the task's settings into the sidebar (they win over the student's own) and its lesson mode into the page
    and the link; before the sidebar is drawn, as a widget callback."""
    params = dict(parse_qsl(room.task))
    exp = reference(room)
    for name in FIELDS:
        set_field(name, getattr(exp, name))
    mode = lesson_mode.parse(params.get(state.HIDE), params.get(state.LOCK))
    state.put(state.LESSON, mode)
    state.drop_link(state.HIDE, state.LOCK)
    for name, value in mode.query().items():
        state.set_link(name, value)
    state.put(state.TASK_SEEN, task_fingerprint(room))


def take_task() -> None:
    """At the top of the script, before the sidebar: the task this student asked for with Load the task. (A widget
    callback inside the banner's fragment would set the sidebar's values too late: the full rerun that follows
    takes the bound widgets' values from the address bar.)"""
    if state.pop(state.PENDING_TASK):
        where, _ = place()
        if where is not None:
            load_task(where.room)


def skip_task(room: Room) -> None:
    state.put(state.TASK_SEEN, task_fingerprint(room))


# ----- rounds -------------------------------------------------------------------------------------------------------
def start_round(room: Room) -> None:
    _act(room, state.CLASS_ERROR, "No round started",
         lambda: shared.lessons().start_round(room.code, state.get(state.ROUND_SECONDS)))


def reveal(room: Room) -> None:
    _act(room, state.CLASS_ERROR, "Not revealed", lambda: shared.lessons().reveal(room.code))


# ----- votes --------------------------------------------------------------------------------------------------------
def vote_run(room: Room, choice: str, link_text: str) -> tuple[str, str]:
    """What the vote runs once closed, as (preset, link query); ValueError when it cannot run (a link's settings
    that are not settings, or work over `lab.budget`'s bound)."""
    if choice in PRESETS:
        too_much = budget.sweep_error(PRESETS[choice].sweep.experiments(reference(room)))
        if too_much:
            raise ValueError(too_much)
        return choice, ""
    if choice != LINK:
        return "", ""
    query, notices = task_query(link_text)
    if notices or not query:
        raise ValueError("the link to run: " + ("; ".join(n.rstrip(".") for n in notices) if notices
                                                 else "it sets no setting") + ".")
    too_much = budget.error(from_query(dict(parse_qsl(query)))[0])
    if too_much:
        raise ValueError(too_much)
    return "", query


def ask(room: Room) -> None:
    def action() -> None:
        options = parse_options(str(state.get(state.OPTIONS) or ""))
        preset, link = vote_run(room, str(state.get(state.VOTE_RUN) or ""), str(state.get(state.VOTE_LINK) or ""))
        shared.lessons().ask(room.code, str(state.get(state.QUESTION) or ""), options, preset, link)

    _act(room, state.CLASS_ERROR, "Not asked", action)


def close_vote(room: Room) -> None:
    _act(room, state.CLASS_ERROR, "Not closed", lambda: shared.lessons().close_vote(room.code))


def cast(room: Room, vote: Vote) -> None:
    """This student's ballot: the option chosen in the vote's radio group."""
    choice = state.get(state.ballot_key(vote.id))
    if choice not in vote.options:
        state.put(state.LESSON_ERROR, "Not voted: choose one of the options first.")
        return
    # done, the banner says "Your vote: …"
    _act(room, state.LESSON_ERROR, "Not voted",
         lambda: shared.lessons().vote(room.code, vote.id, owner(), vote.options.index(choice)))


# ----- the class's checks ---------------------------------------------------------------------------------------------
def send_check(room: Room, ok: bool, mistakes: tuple[str, ...]) -> None:
    """The verdict and the recognised mistakes' names of this student's last check: never the numbers."""
    if _act(room, state.LESSON_ERROR, "Check not sent",
            lambda: shared.lessons().send_check(room.code, owner(), ok, mistakes)):
        st.toast(f"Your check's verdict is on class {room.code}'s board (not your numbers).", icon=":material/send:")


# ----- the lesson's end -------------------------------------------------------------------------------------------------
def end(room: Room) -> None:
    _act(room, state.CLASS_ERROR, "Not ended", lambda: shared.lessons().end(room.code))


def has_ended(room: Room) -> bool:
    """The room's lesson has ended (its board is read-only)."""
    view = read(room)
    return view is not None and view.ended is not None
