"""What a class's buttons do (widget callbacks): start a class; a student's send; a teacher's change, task,
removal and clearing. Each reports a refusal in the session's class error (shown above the panel on the
next run) and forgets the process's cached reading of what it changed."""

from __future__ import annotations

import streamlit as st

from playground import shared, state
from playground.sections.classroom.link import task_query
from server import rooms
from server.store import Room, StoreError


def start_class() -> None:
    key = rooms.new_key()
    try:
        room = shared.store().new_room(rooms.key_hash(key))
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"No class was started: {exc}")
        return
    state.set_link(state.ROOM, room.code)
    state.set_link(state.ROOM_KEY, key)


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


def change(room: Room, **changes) -> None:
    """A teacher's change to the room (the store checks the values)."""
    try:
        shared.store().update_room(room.code, **changes)
    except (ValueError, StoreError) as exc:
        state.put(state.CLASS_ERROR, f"Not changed: {exc}")
        return
    shared.reader().forget(board=room.board, code=room.code)


def set_task(room: Room) -> None:
    query, notices = task_query(str(state.get(state.TASK_LINK) or ""))
    change(room, task=query, challenge=str(state.get(state.TASK_CHALLENGE) or "").strip())
    if notices:
        state.put(state.CLASS_ERROR, "Left out of the task: " + "; ".join(notices))


def remove(room: Room, entry_id: int) -> None:
    try:
        shared.store().remove(room.board, entry_id)
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"Not removed: {exc}")
    shared.reader().forget(board=room.board)


def clear(room: Room) -> None:
    try:
        shared.store().clear(room.board)
    except StoreError as exc:
        state.put(state.CLASS_ERROR, f"Not cleared: {exc}")
    shared.reader().forget(board=room.board)
    state.put(state.CLEAR_SURE, False)
