"""The class the address bar names: where this visitor stands in it (`place`: a student, or the teacher —
`is_teacher`), this student's identity, issued by the store (`owner`), and the teacher's task, a link whose
settings fill in what a student's link leaves out (`enter`, `task_query`, `reference`).

The teacher's key leaves the address bar on the first load: the session keeps it (for "Your teacher link"), and
the link gets a teacher's pass instead (``teacher=…``, signed by the server, ending after 12 hours or when the key
is rotated), so a refresh is still the teacher's page while the key itself is in no later address."""

from __future__ import annotations

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
        state.drop_link(state.ROOM, state.ROOM_KEY, state.TEACHER_PASS, state.OWNER)
        return None, [f"room: {text[:30]!r} is not a class code ({rooms.CODE_LENGTH} letters and digits) — the page "
                      "goes on without the class."]
    try:
        room = shared.reader().room(code)
    except StoreError as exc:
        return None, [f"room: class {code} cannot be opened: {exc} The page goes on without the class."]
    if room is None:
        state.drop_link(state.ROOM, state.ROOM_KEY, state.TEACHER_PASS, state.OWNER)
        return None, [f"room: there is no class {code} (a code that was never made, or a class idle for 30 days) "
                      "— the page goes on without the class."]
    notices = []
    key = state.link_value(state.ROOM_KEY)
    if key is not None:
        state.drop_link(state.ROOM_KEY)  # never left in the address bar, a later address or a share link
        stored = _stored(code)
        if stored is not None and rooms.key_matches(key, stored.key_hash):
            state.put(state.TEACHER_KEY, (code, key))
        else:
            notices.append(f"key: that is not the teacher's key of class {code}; the teacher's controls stay hidden.")
    teacher = is_teacher(room)
    if teacher:
        _renew_pass(code)
    elif state.link_value(state.TEACHER_PASS) is not None:
        state.drop_link(state.TEACHER_PASS)
        notices.append(f"teacher: that teacher's pass of class {code} has ended (after 12 hours, or a new teacher "
                       "link was made): open your teacher link again.")
    return Place(room, teacher), notices


def is_teacher(room: Room) -> bool:
    """Whether this page holds `room`'s teacher controls: the key (in the session, or still in the link) or a
    teacher's pass in the link, checked against the room as the store holds it now — not a cached reading, so a
    rotated key stops every page at once. A page holding none of them costs no query."""
    held = state.get(state.TEACHER_KEY)
    key = held[1] if held and held[0] == room.code else state.link_value(state.ROOM_KEY)
    ticket = state.link_value(state.TEACHER_PASS)
    stored = _stored(room.code) if key is not None or ticket is not None else None
    return stored is not None and (rooms.key_matches(key, stored.key_hash) or _pass_valid(stored, ticket))


def _stored(code: str) -> Room | None:
    """The room as the store holds it now (None: gone, or the store cannot be reached)."""
    try:
        return shared.store().room(code)
    except StoreError:
        return None


def _pass_valid(room: Room, ticket: str | None) -> bool:
    try:
        store = shared.store()
        return store.signer.is_teacher_pass(room.code, room.key_hash, ticket, store.clock())
    except StoreError:
        return False


def _renew_pass(code: str) -> None:
    """A fresh teacher's pass in the link when the session holds the key and the link's pass is missing, ended or
    signed under an older key (a page holding only a pass cannot make itself a new one: a pass ends)."""
    held = state.get(state.TEACHER_KEY)
    stored = _stored(code) if held and held[0] == code else None
    if stored is None or _pass_valid(stored, state.link_value(state.TEACHER_PASS)):
        return
    try:
        store = shared.store()
        state.set_link(state.TEACHER_PASS, store.signer.teacher_pass(code, stored.key_hash, store.clock()))
    except StoreError:
        return


def leaves_lesson() -> bool:
    """Whether this page may leave lesson mode: anywhere but a student's page in a class whose task locks the
    settings (there the way out is the teacher's)."""
    code = rooms.normalize_code(state.link_value(state.ROOM) or "")
    try:
        room = shared.reader().room(code) if code else None
    except StoreError:
        return True
    return room is None or dict(parse_qsl(room.task)).get(state.LOCK) != "1" or is_teacher(room)


def owner() -> str:
    """This student: the token the store issued this page for the class in the link (kept in the link as ``me=``,
    so a refresh keeps it, with the name kept in the store). A token the store did not issue for this class —
    made up, altered, another class's — is replaced by a new one. '' on the teacher's page, outside a class, and
    when the store issues none (the student's panel says why)."""
    code = rooms.normalize_code(state.link_value(state.ROOM) or "")
    token = state.link_value(state.OWNER)
    if code is None:
        return ""
    if token and state.get(state.STUDENT) == (code, token):
        return token  # checked with the store earlier in this session
    try:
        room = shared.reader().room(code)
        if room is None or is_teacher(room):
            return ""
        student = shared.store().student(code, token) if token else None
        if student is None:
            student = shared.store().join(code)
            state.set_link(state.OWNER, student.token)
    except StoreError as exc:
        state.put(state.JOIN_ERROR, f"You cannot send to this class right now: {exc}")
        return ""
    state.pop(state.JOIN_ERROR)
    state.put(state.STUDENT, (code, student.token))
    state.put(state.NAME, student.name)
    return student.token


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
            # the task's lesson (hide=, lock=) wins over the link's: a student's link cannot loosen it
            if key in TASK_KEYS and (key not in given or key in (state.HIDE, state.LOCK)):
                state.set_link(key, value)


def task_query(text: str) -> tuple[str, list[str]]:
    """A task link (a whole address or its query) as the query the room keeps, and notices for what was left out."""
    query = urlsplit(text.strip()).query if "?" in text or "://" in text else text.strip().lstrip("?")
    kept, notices = {}, []
    for key, value in parse_qsl(query):
        if key in TASK_KEYS:
            kept[key] = value
        elif key not in (state.ROOM, state.ROOM_KEY, state.TEACHER_PASS, state.OWNER, state.NAME, state.VIEW,
                         state.BOARD):
            notices.append(f"{key[:20]!r} is not a setting")
    _, bad = from_query(kept)
    notices += bad
    return urlencode(kept), notices


def reference(room: Room) -> Experiment:
    """The experiment of the room's task (the default when there is none): what entries differ from."""
    return from_query(dict(parse_qsl(room.task)))[0] if room.task else DEFAULT
