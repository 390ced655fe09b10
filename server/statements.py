"""The statements and checks the store's methods share (and the lesson's, `server.lesson`): each statement runs inside
the caller's transaction, each check before any query (the page validates too; these are defence in depth).

Adding an entry, bumping a board's version, counting what happened in a window, locking a room's row: each is
written once here, so a limit holds the same way whichever method (or module) guards with it.
"""

import math
import re

from sqlalchemy import Connection, delete, func, insert, select, update

from server import rooms
from server.rooms import BOARD_TTL, MAX_ENTRIES, ROOM_SEND_LIMIT, ROOM_TTL, SEND_LIMIT, SEND_WINDOW
from server.rows import BoardNotFound, Entry, LimitError, RateLimited, Room, RoomNotFound
from server.schema import BOARDS, CREATIONS, ENTRIES, ROOMS, SENDS, SETTINGS, STUDENTS

MAX_RECORD = 64 * 1024  # bytes (UTF-8) of one entry's record; a run record is ≤ ~20 KB
MAX_OWNER = 64  # characters of an owner token (a browser session's random id)
_BOARD_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe makes
_OWNER = re.compile(rf"[\x21-\x7e]{{0,{MAX_OWNER}}}")  # printable ASCII, no spaces


# --- statements (each inside the caller's transaction) --------------------------------------------------------------

NO_BOARD = "There is no board with that id: the link may be mistyped or the board deleted."


def insert_board(conn: Connection, board: str, now: float) -> None:
    conn.execute(insert(BOARDS).values(id=board, created=now, updated=now, version=1))


def touch(conn: Connection, board: str, now: float) -> None:
    conn.execute(update(BOARDS).where(BOARDS.c.id == board).values(version=BOARDS.c.version + 1, updated=now))


def insert_entry(
    conn: Connection, board: str, name: str, record: str, owner: str, now: float, round: int | None = None
) -> Entry:
    """Locks the board's row, checks MAX_ENTRIES, inserts and bumps the version: the one way an entry is added."""
    if conn.scalar(select(BOARDS.c.id).where(BOARDS.c.id == board).with_for_update()) is None:
        raise BoardNotFound(NO_BOARD)
    if conn.scalar(select(func.count()).select_from(ENTRIES).where(ENTRIES.c.board == board)) >= MAX_ENTRIES:
        raise LimitError(f"This board is full: it holds at most {MAX_ENTRIES:,} runs. Remove some to make room.")
    values = dict(board=board, name=name, record=record, owner=owner, created=now, round=round)
    entry_id = conn.execute(insert(ENTRIES).values(**values)).inserted_primary_key[0]
    touch(conn, board, now)
    return Entry(id=entry_id, **values)


def window_bound(conn: Connection, times, now: float, limit: int, message: str, window: float = SEND_WINDOW) -> None:
    """RateLimited (message with {wait} filled in) when `times` (a select of the times of what happened in the last
    `window` seconds) holds `limit` or more: the oldest of them leaves the window first."""
    recent = conn.scalars(times.order_by(times.selected_columns[0])).all()
    if len(recent) >= limit:
        wait = recent[len(recent) - limit] + window - now
        raise RateLimited(message.format(wait=duration(wait)), retry_after=wait)


def creation_bound(conn: Connection, now: float, table, limit: int, what: str) -> None:
    """RateLimited when the store made `limit` rows of `table` (boards or rooms) in the last minute. The lock row
    makes servers counting at once count one after the other (SQLite's BEGIN IMMEDIATE already does)."""
    conn.execute(select(SETTINGS.c.name).where(SETTINGS.c.name == CREATIONS).with_for_update())
    window_bound(conn, select(table.c.created).where(table.c.created > now - 60), now, limit,
                 f"The server has made {limit} {what} in the last minute, the most it makes; try again in {{wait}}.",
                 window=60)


def send_bounds(conn: Connection, code: str, owner: str, now: float) -> None:
    """RateLimited when the student sent SEND_LIMIT runs, or the room took ROOM_SEND_LIMIT, in the last SEND_WINDOW
    seconds (the room's row locked by the caller, so concurrent senders count one after the other)."""
    minutes = f"{SEND_WINDOW / 60:g} minutes"
    recent = SENDS.c.at > now - SEND_WINDOW
    window_bound(conn, select(SENDS.c.at).where(SENDS.c.room == code, SENDS.c.owner == owner, recent), now,
                 SEND_LIMIT, f"You have sent {SEND_LIMIT} runs in the last {minutes}, the most allowed; "
                 "you can send again in {wait}.")
    window_bound(conn, select(SENDS.c.at).where(SENDS.c.room == code, recent), now, ROOM_SEND_LIMIT,
                 f"Class {code} has taken {ROOM_SEND_LIMIT} runs in the last {minutes}, the most a class takes; "
                 "the next can be sent in {wait}.")


def count_send(conn: Connection, code: str, owner: str, name: str, now: float) -> None:
    """A send that was taken: counted in its sender's window (whose sends past it drop out), the room's activity,
    and the name it was sent under kept with the student."""
    mine = (SENDS.c.room == code) & (SENDS.c.owner == owner)
    conn.execute(delete(SENDS).where(mine, SENDS.c.at <= now - SEND_WINDOW))
    conn.execute(insert(SENDS).values(room=code, owner=owner, at=now))
    conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(active=now))
    conn.execute(update(STUDENTS).where(STUDENTS.c.room == code, STUDENTS.c.token == owner).values(name=name))


def expire_rooms(conn: Connection, now: float) -> int:
    idle = select(ROOMS.c.board).where(ROOMS.c.active < now - ROOM_TTL)
    count = conn.execute(delete(BOARDS).where(BOARDS.c.id.in_(idle))).rowcount  # rooms, students, sends cascade
    conn.execute(delete(SENDS).where(SENDS.c.at <= now - SEND_WINDOW))  # past every rate window
    return count


def purge_boards(conn: Connection, now: float) -> int:
    personal = BOARDS.c.id.not_in(select(ROOMS.c.board))
    return conn.execute(delete(BOARDS).where(personal, BOARDS.c.updated < now - BOARD_TTL)).rowcount


def open_room(conn: Connection, code: str, now: float) -> Room:
    """The room's row, locked for the rest of the transaction; RoomNotFound when missing or expired."""
    row = conn.execute(select(ROOMS).where(ROOMS.c.code == code).with_for_update()).first()
    if row is None or now - row.active > ROOM_TTL:
        raise RoomNotFound(
            f"There is no open room {code}: check the code (rooms close {ROOM_TTL / 86400:g} days after their last activity)."
        )
    return Room(**row._mapping)


# --- checks before any query ----------------------------------------------------------------------------------------


def room_code(code: object) -> str:
    normal = rooms.normalize_code(code)
    if normal is None:
        raise RoomNotFound(
            f"That is not a room code: a code is {rooms.CODE_LENGTH} letters and digits, without O, 0, I or 1."
        )
    return normal


def check_key_hash(key_hash: object) -> str:
    if not (isinstance(key_hash, str) and re.fullmatch(r"[0-9a-f]{64}", key_hash)):
        raise ValueError("key_hash must be the 64 hex digits that rooms.key_hash(key) returns.")
    return key_hash


def is_board_id(board: object) -> bool:
    return isinstance(board, str) and _BOARD_ID.fullmatch(board) is not None


def is_row_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def check_owner(owner: object) -> str:
    if not isinstance(owner, str) or _OWNER.fullmatch(owner) is None:
        raise ValueError(f"An owner token is at most {MAX_OWNER} printable ASCII characters without spaces.")
    return owner


def check_text(value: object, what: str, limit: int) -> str:
    """Text the databases can hold (UTF-8, no NUL: Postgres refuses it), at most `limit` bytes (LimitError)."""
    if not isinstance(value, str):
        raise ValueError(f"A {what} must be text.")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError(f"A {what} must be valid Unicode text (it holds a lone surrogate).") from None
    if "\x00" in value:
        raise ValueError(f"A {what} may not contain NUL characters.")
    if size > limit:
        raise LimitError(f"A {what} is at most {limit:,} bytes; this one has {size:,}.")
    return value


def duration(seconds: float) -> str:
    """'40 s', '10 min', '2 min 5 s': a wait in words, rounded up to whole seconds."""
    minutes, rest = divmod(max(1, math.ceil(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes and rest else f"{minutes} min" if minutes else f"{rest} s"
