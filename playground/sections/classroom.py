"""The Class tab and the projector's page: a class's runs on one live board, kept in the store.

A teacher presses **Start a class**: a room with a short code (``?room=CODE``, for the projector, with a QR
code) and a teacher link that carries a secret key (``?room=CODE&key=…``; the store keeps only its hash,
compared in constant time). Students open the join link, see which class they are in, and **Send to
class** the run on screen under **Your name** (a random two-word nickname to start with). The board —
the Class tab, and ``?room=CODE&view=board`` on the projector — refreshes itself every few seconds from a
reading shared by the whole process (`server.boards`). The teacher sets the task (a link, lesson mode
included) and a one-line challenge, hides names, removes an entry, locks sending, clears the room and
downloads every entry. Text a visitor typed is shown as plain text; a store that cannot be reached, an
unknown or expired code and a wrong key each get a notice, and the page goes on without the class.
"""

from __future__ import annotations

import io
import random
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from lab.compare import score
from lab.experiment import DEFAULT, FIELDS, Experiment, from_query
from playground import shared, state
from playground.sections import Display, Page, plain
from playground.sections.board import landscape, losses, regions, settings_table
from server import rooms
from server.boards import BoardView, Posted
from server.store import Room, StoreError

REFRESH = 2.5  # s between two refreshes of a board on screen
TOP = 6  # decision regions of the best runs side by side
TASK_KEYS = (*FIELDS, "hide", "lock", "tab")  # what a task link may set


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
        elif key not in (state.ROOM, state.ROOM_KEY, state.OWNER, state.NAME, "view", "board"):
            notices.append(f"{key[:20]!r} is not a setting")
    _, bad = from_query(kept)
    notices += bad
    return urlencode(kept), notices


def reference(room: Room) -> Experiment:
    """The experiment of the room's task (the default when there is none): what entries differ from."""
    return from_query(dict(parse_qsl(room.task)))[0] if room.task else DEFAULT


def address(**params: str) -> str:
    """This page's address with ``params`` as its query."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(params), ""))


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2)
    return out.getvalue()


# ----- actions (widget callbacks) ----------------------------------------------------------------
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


# ----- the board -----------------------------------------------------------------------------------
def ranked(view: BoardView) -> list[Posted]:
    """Best first (`lab.compare.score`): by accuracy, then loss; regression runs by loss."""
    return sorted(view.entries, key=lambda p: score(p.record))


def display_names(entries: list[Posted], anonymous: bool) -> list[str]:
    """Unique names for the board: the names given, or "Student 1", "Student 2"… per sender when hidden."""
    seen: dict[str, int] = {}
    names, taken = [], set()
    for p in entries:
        name = f"Student {seen.setdefault(p.owner, len(seen) + 1)}" if anonymous else p.name
        base, k = name, 2
        while name in taken:
            name, k = f"{base} ({k})", k + 1
        taken.add(name)
        names.append(name)
    return names


def class_board(room: Room, me: str, display: Display, projector: bool = False) -> None:
    """The class's board: counts, the leaderboard, the losses, the best runs' regions and the landscape."""
    try:
        room = shared.reader().room(room.code) or room  # the teacher may have changed a flag
        view = shared.reader().board(room.board)
    except StoreError as exc:
        st.warning(f"The class board cannot be read right now: {exc}", icon=":material/cloud_off:")
        return
    entries = ranked(view)
    students = len({p.owner for p in entries})
    st.subheader(f"{len(entries)} run{'s' if len(entries) != 1 else ''} from {students} "
                 f"student{'s' if students != 1 else ''}" + (" · sending is locked" if room.locked else ""))
    if room.challenge:
        st.text(f"Challenge: {room.challenge}")
    if not entries:
        st.caption("No runs yet: students press **Send to class** on their page.")
        return
    names = display_names(entries, room.anonymous)
    pairs = list(zip(names, (p.record for p in entries)))
    origin = ("board", view.board, view.version, room.anonymous)  # the same board for everyone at this version
    settings_table(pairs, reference(room), marks=["★" if p.owner == me else "" for p in entries])
    if any(p.owner == me for p in entries) and not projector:
        st.caption("★ your runs · best first: test accuracy (or training accuracy), then the lower final loss; "
                   "regression runs by the lower (test) loss.")
    losses(pairs, display, title="Loss per run (click a name to highlight it)", origin=origin)
    st.subheader(f"The best {min(TOP, len(pairs))} runs' decision regions")
    regions(pairs[:TOP], display, columns=3, origin=origin)
    st.subheader("Class landscape")
    landscape(pairs, key=state.LANDSCAPE, origin=origin)


live_board = st.fragment(run_every=REFRESH)(class_board)  # reruns alone, without reloading the page


def csv_of(view: BoardView) -> str:
    """Every entry, one row each: name, when, every setting, the final figures."""
    head = ["name", "sent_at", *FIELDS, "final_loss", "accuracy", "test_accuracy", "epochs_to_100", "status"]
    lines = [",".join(head)]
    for p in view.entries:
        r, last = p.record, p.record.last
        cells = [p.name, f"{p.created:.0f}", *(FIELDS[k].format(getattr(r.exp, k)) for k in FIELDS),
                 repr(last.loss), "" if last.accuracy is None else repr(last.accuracy),
                 "" if last.test_accuracy is None else repr(last.test_accuracy),
                 "" if r.epochs_to_100 is None else str(r.epochs_to_100), r.status]
        lines.append(",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n') else c for c in cells))
    return "\n".join(lines) + "\n"


# ----- the Class tab ------------------------------------------------------------------------------
def section(page: Page) -> None:
    st.header("Class")
    where, _ = place()
    if state.get(state.CLASS_ERROR):
        st.error(plain(state.get(state.CLASS_ERROR)), icon=":material/error:")
    if where is None:
        st.markdown("Run a lesson on one live board: students open your link, try their own settings and "
                    "**send** their runs; everyone sees the whole class side by side, and so does your projector.")
        st.button("Start a class", key=state.START_CLASS, type="primary", icon=":material/groups:",
                  on_click=start_class)
        return
    me = owner()
    if where.teacher:
        teacher_panel(where.room)
    else:
        student_panel(where.room, me)
    live_board(where.room, me, page.display)


def join_card(room: Room) -> None:
    """The code, the join link and its QR code, large (for the projector)."""
    join = address(**{state.ROOM: room.code})
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"## Join class **{room.code}**")  # the code is letters and digits of rooms.ALPHABET only
    left.code(join, language=None, wrap_lines=True)
    right.image(qr_png(join), caption=f"Scan to join {room.code}", width=220)


def teacher_panel(room: Room) -> None:
    join_card(room)
    st.link_button("Open the projector's view", address(**{state.ROOM: room.code, "view": "board"}),
                   icon=":material/cast:")
    with st.expander("Your teacher link (keep it private: it opens these controls)"):
        st.code(address(**{state.ROOM: room.code, state.ROOM_KEY: state.link_value(state.ROOM_KEY) or ""}),
                language=None, wrap_lines=True)
    with st.form(state.TASK_FORM):
        st.markdown("**The task**: a link with the settings to start from (lesson mode's `hide=` and `lock=` "
                    "too), and a one-line challenge.")
        st.text_input("Task link", room.task, max_chars=2000, key=state.TASK_LINK,
                      placeholder="e.g. the share link of this page, or dataset=spiral&hide=dataset")
        st.text_input("Challenge", room.challenge, max_chars=200, key=state.TASK_CHALLENGE,
                      placeholder="e.g. reach 100% on spiral with the fewest parameters")
        st.form_submit_button("Set the task", on_click=set_task, args=(room,))
    cols = st.columns(2)
    cols[0].toggle("Hide names (anonymous board)", room.anonymous, key=state.ANONYMOUS,
                   on_change=lambda: change(room, anonymous=bool(state.get(state.ANONYMOUS))))
    cols[1].toggle("Lock sending", room.locked, key=state.LOCKED,
                   on_change=lambda: change(room, locked=bool(state.get(state.LOCKED))))
    try:
        view = shared.reader().board(room.board)
    except StoreError:
        return
    with st.expander(f"Manage the {len(view.entries)} entries"):
        if view.entries:
            labels = {p.id: f"#{p.id} · {p.name}" for p in view.entries}
            pick = st.selectbox("Entry", list(labels), format_func=labels.get, key=state.ENTRY_PICK)
            st.button("Remove this entry", key=state.REMOVE_ENTRY, on_click=remove, args=(room, pick))
            sure = st.checkbox("Yes, remove every entry of this class", key=state.CLEAR_SURE)
            st.button("Clear the room", key=state.CLEAR_ROOM, disabled=not sure, on_click=clear, args=(room,))
        st.download_button("Download every entry (CSV)", lambda: csv_of(shared.reader().board(room.board)),
                           f"class-{room.code}.csv", "text/csv", key=state.CLASS_CSV)


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


def student_panel(room: Room, me: str) -> None:
    st.markdown(f"You are in class **{room.code}**.")
    if room.task:
        st.caption("Your teacher set the settings to start from; the sidebar holds them.")
    if state.get(state.NAME) is None:
        state.put(state.NAME, rooms.nickname(random.Random(me)))
    cols = st.columns([2, 1], vertical_alignment="bottom")
    cols[0].text_input("Your name", key=state.NAME, max_chars=rooms.MAX_NAME)
    cols[1].button("Send to class", key=state.SEND, type="primary", icon=":material/send:", disabled=room.locked,
                   on_click=send, args=(room, me),
                   help="Send the run on screen (finished or paused) to the class board.")
    if room.locked:
        st.info("The teacher has locked sending for now.", icon=":material/lock:")


# ----- the projector's page ------------------------------------------------------------------------
def projector() -> bool:
    """``?room=CODE&view=board``: only the class's board, large, refreshing itself. True when drawn."""
    if state.link_value("view") != "board" or not state.link_value(state.ROOM):
        return False
    where, notices = place()
    for notice in notices:
        st.warning(plain(notice), icon=":material/warning:")
    if where is None:
        return False
    join_card(where.room)
    live_board(where.room, "", Display(), projector=True)
    return True
