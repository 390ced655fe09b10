"""The class the address bar names: where this visitor stands in it (`place`), this browser's token for its
own entries (`owner`), and the teacher's task, a link whose settings fill in what a student's link leaves out
(`enter`, `task_query`, `reference`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from lab.experiment import DEFAULT, FIELDS, Experiment, from_query
from playground import shared, state
from server import rooms
from server.store import Room, StoreError

TASK_KEYS = (*FIELDS, state.HIDE, state.LOCK, state.TAB)  # what a task link may set


@dataclass(frozen=True)
class Place:
    """Where this visitor stands in a class: the room, and whether the link's key opens its controls."""

    room: Room
    teacher: bool


def place() -> tuple[Place | None, list[str]]:
    """The class in the link, checked (at most one store read a second): notices for a code that is not a
    class code, an unknown or expired class, a wrong key, or a store that cannot be reached."""
    text = state.link_value(state.ROOM)
    if not text:
        return None, []
    code = rooms.normalize_code(text)
    if code is None:
        state.drop_link(state.ROOM, state.ROOM_KEY)
        return None, [f"room: {text[:30]!r} is not a class code ({rooms.CODE_LENGTH} letters and digits) — the page "
                      "goes on without the class."]
    try:
        room = shared.reader().room(code)
    except StoreError as exc:
        return None, [f"room: class {code} cannot be opened: {exc} The page goes on without the class."]
    if room is None:
        state.drop_link(state.ROOM, state.ROOM_KEY)
        return None, [f"room: there is no class {code} (a code that was never made, or a class idle for 30 days) "
                      "— the page goes on without the class."]
    key = state.link_value(state.ROOM_KEY)
    teacher = rooms.key_matches(key, room.key_hash)
    notices = []
    if key is not None and not teacher:
        state.drop_link(state.ROOM_KEY)  # never left in a student's address bar or share link
        notices.append(f"key: that is not the teacher's key of class {code}; the teacher's controls stay hidden.")
    return Place(room, teacher), notices


def owner() -> str:
    """This browser's token for its own entries (in the link, so a refresh keeps it)."""
    token = state.link_value(state.OWNER)
    if not token or len(token) > 32 or not token.isascii() or not token.replace("-", "").replace("_", "").isalnum():
        token = secrets.token_urlsafe(9)
        state.set_link(state.OWNER, token)
    return token


def enter() -> None:
    """At the top of a session's first run in a class: the room's task (its link's settings and lesson)
    fills in whatever the link itself does not set."""
    if not state.link_value(state.ROOM) or not state.once(state.TASK_APPLIED):
        return
    code = rooms.normalize_code(state.link_value(state.ROOM) or "")
    try:
        room = shared.reader().room(code) if code else None
    except StoreError:
        return
    if room is not None and room.task:
        given = state.link_values()
        for key, value in parse_qsl(room.task):
            if key in TASK_KEYS and key not in given:
                state.set_link(key, value)


def task_query(text: str) -> tuple[str, list[str]]:
    """A task link (a whole address or its query) as the query the room keeps, and notices for what was left out."""
    query = urlsplit(text.strip()).query if "?" in text or "://" in text else text.strip().lstrip("?")
    kept, notices = {}, []
    for key, value in parse_qsl(query):
        if key in TASK_KEYS:
            kept[key] = value
        elif key not in (state.ROOM, state.ROOM_KEY, state.OWNER, state.NAME, state.VIEW, state.BOARD):
            notices.append(f"{key[:20]!r} is not a setting")
    _, bad = from_query(kept)
    notices += bad
    return urlencode(kept), notices


def reference(room: Room) -> Experiment:
    """The experiment of the room's task (the default when there is none): what entries differ from."""
    return from_query(dict(parse_qsl(room.task)))[0] if room.task else DEFAULT
