"""What a class's buttons do (widget callbacks): start a class; a student's send and name; a teacher's change,
task, removals, clearing and new teacher link. Each reports a refusal in the session's class error (shown above
the panel on the next run) and forgets the process's cached reading of what it changed. A teacher's action checks
the teacher's key (or pass) against the store first: a page whose key was replaced meanwhile changes nothing."""

from __future__ import annotations

import streamlit as st

from playground import shared, state
from playground.sections.classroom.link import is_teacher, task_query
from server import rooms
from server.store import Room, StoreError

MAX_CLASSES = 3  # classes one page starts (the store bounds every server's together: rooms.NEW_ROOMS_PER_MINUTE)


def start_class() -> None:
    """A new room: its code in the link, the teacher's key in the session (never in the link: a teacher's pass
    stands in for it there)."""
    started = state.get(state.CLASSES_STARTED, 0)
    if started >= MAX_CLASSES:
        state.put(state.CLASS_ERROR, f"No class was started: this page has started {MAX_CLASSES} classes already, "
                                     "the most one page starts.")
        return
    key = rooms.new_key()
    try:
        store = shared.store()
        room = store.new_room(rooms.key_hash(key))
        ticket = store.signer.teacher_pass(room.code, room.key_hash, store.clock())
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"No class was started: {exc}")
        return
    state.put(state.CLASSES_STARTED, started + 1)
    state.put(state.TEACHER_KEY, (room.code, key))
    state.set_link(state.ROOM, room.code)
    state.set_link(state.TEACHER_PASS, ticket)


def _teacher(room: Room) -> bool:
    """Whether this page still opens the room's controls; says why not in the class error."""
    if is_teacher(room):
        return True
    state.put(state.CLASS_ERROR, f"Not done: this page no longer opens class {room.code}'s controls (a new teacher "
                                 "link was made, or its pass ended): open your teacher link again.")
    return False


def send(room: Room, me: str) -> None:
    """Send the run on screen (finished or paused) under the name typed."""
    name = str(state.get(state.NAME) or "")
    try:
        name = rooms.clean_name(name)
        shared.store().send(room.code, name, state.get(state.RUN).record().thinned().to_json(), me)
    except (ValueError, StoreError) as exc:
        state.put(state.CLASS_ERROR, f"Not sent: {exc}")
        return
    shared.reader().forget(board=room.board, code=room.code)
    state.pop(state.CLASS_ERROR)
    st.toast(f"Sent to class {room.code}.", icon=":material/send:")


def rename(room: Room, me: str) -> None:
    """Keep the name typed with this student's identity, so a refresh shows it again."""
    try:
        shared.store().rename_student(room.code, me, str(state.get(state.NAME) or ""))
    except (ValueError, StoreError) as exc:
        state.put(state.CLASS_ERROR, f"Your name was not kept: {exc}")
        return
    state.pop(state.CLASS_ERROR)


def change(room: Room, **changes) -> None:
    """A teacher's change to the room (the store checks the values)."""
    if not _teacher(room):
        return
    try:
        shared.store().update_room(room.code, **changes)
    except (ValueError, StoreError) as exc:
        state.put(state.CLASS_ERROR, f"Not changed: {exc}")
        return
    shared.reader().forget(board=room.board, code=room.code)


def set_task(room: Room) -> None:
    if not _teacher(room):
        return
    query, notices = task_query(str(state.get(state.TASK_LINK) or ""))
    change(room, task=query, challenge=str(state.get(state.TASK_CHALLENGE) or "").strip())
    if notices:
        state.put(state.CLASS_ERROR, "Left out of the task: " + "; ".join(notices))


def remove(room: Room, *entry_ids: int) -> None:
    """Remove entries (one picked, or every unreadable one)."""
    if not _teacher(room):
        return
    try:
        for entry_id in entry_ids:
            shared.store().remove(room.board, entry_id)
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"Not removed: {exc}")
    shared.reader().forget(board=room.board)


def remove_student(room: Room, owner: str) -> None:
    """Remove every entry one student sent."""
    if not _teacher(room):
        return
    try:
        shared.store().remove_by(room.board, owner)
    except (ValueError, StoreError) as exc:
        state.put(state.CLASS_ERROR, f"Not removed: {exc}")
    shared.reader().forget(board=room.board)


def new_teacher_link(room: Room) -> None:
    """Rotate the teacher's key: the store keeps the new hash, and the old key and its passes stop at once."""
    if not _teacher(room):
        return
    key = rooms.new_key()
    try:
        store = shared.store()
        rotated = store.rotate_key(room.code, rooms.key_hash(key))
        ticket = store.signer.teacher_pass(room.code, rotated.key_hash, store.clock())
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"No new teacher link: {exc}")
        return
    state.put(state.TEACHER_KEY, (room.code, key))
    state.set_link(state.TEACHER_PASS, ticket)
    shared.reader().forget(code=room.code)
    st.toast("A new teacher link: the old one no longer opens this class.", icon=":material/key:")


def clear(room: Room) -> None:
    if not _teacher(room):
        return
    try:
        shared.store().clear(room.board)
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"Not cleared: {exc}")
    shared.reader().forget(board=room.board)
    state.put(state.CLEAR_SURE, False)
