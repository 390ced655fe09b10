"""Boards and class rooms in SQL: one small interface, the same code on SQLite (one machine) and Postgres (several).
The tables, their versioned migrations and the engines' set-up are in `server.schema`.

Boards and rooms must outlive page refreshes and server restarts and be shared by several server processes, so they
live in a database, not in a session. SQLAlchemy Core with parameterized statements only; an entry's record is
opaque JSON text, never pickle. The schema carries a version number and `migrate` brings an older database up to
date when a store opens. Every limit is checked inside the write transaction that it guards, with the guarded row
locked first (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on Postgres), so concurrent senders queue and the
limits hold exactly, across every server on the database.

What a visitor can send is limited by identities the store issued: a student joins a room (`join`) and gets a token
signed with the servers' secret (`server.identity`; the host's PLAYGROUND_SECRET, else one the store makes once and
keeps, so every server on one database agrees); a send with any other token is refused before any work. The bounds
(`server.rooms`): per student, per room (sends and new students a window), per minute for the whole store (new
rooms and boards), and a purge that removes expired rooms and idle personal boards (`purge_if_due`, called on a
timer by `server.purge`).
"""

import math
import os
import random
import re
import secrets
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, exc, func, insert, select, update

from server import rooms
from server.identity import Signer, check_secret, new_secret
from server.rooms import (
    BOARD_TTL,
    JOIN_LIMIT,
    MAX_ENTRIES,
    MAX_TEXT,
    NEW_BOARDS_PER_MINUTE,
    NEW_ROOMS_PER_MINUTE,
    ROOM_SEND_LIMIT,
    ROOM_TTL,
    SEND_LIMIT,
    SEND_WINDOW,
)
from server.rounds import sending_round
from server.schema import (  # noqa: F401 (the store's public names include its schema's)
    BOARDS,
    CREATIONS,
    ENGINES,
    ENTRIES,
    META,
    MIGRATIONS,
    PURGED,
    ROOMS,
    SCHEMA_VERSION,
    SECRET,
    SENDS,
    SETTINGS,
    STUDENTS,
    StoreError,
    StoreUnavailable,
    make_engine,
    migrate,
    transaction,
)

ROOT = Path(__file__).resolve().parent.parent  # the folder holding streamlit_app.py
MAX_RECORD = 64 * 1024  # bytes (UTF-8) of one entry's record; a run record is ≤ ~20 KB
MAX_OWNER = 64  # characters of an owner token (a browser session's random id)
_BOARD_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe makes
_OWNER = re.compile(rf"[\x21-\x7e]{{0,{MAX_OWNER}}}")  # printable ASCII, no spaces


# --- where the store is ------------------------------------------------------------------------------------------


def resolve_url(
    env: Mapping[str, str] = os.environ,
    secrets: Path = Path(".streamlit/secrets.toml"),
    data_dir: Path = Path("data"),
) -> str:
    """The store's SQLAlchemy URL: $PLAYGROUND_DB, else `[connections.board] url` in the secrets file, else a
    SQLite file in `data_dir` (created). The environment wins so a host can point every process at one Postgres
    without editing files; the secrets file is where Streamlit's own `st.connection` looks. Relative paths are
    taken from the repository root, not the current directory, so `streamlit run` from anywhere finds one store.
    """
    url = env.get("PLAYGROUND_DB", "").strip()
    if url:
        return url
    path = ROOT / secrets
    if path.is_file():
        try:
            url = _secrets_file(path).get("connections", {}).get("board", {}).get("url")
        except AttributeError as error:
            raise ValueError(f"{path} is not valid TOML with a [connections.board] table ({error}).") from None
        if url is not None:
            if not isinstance(url, str) or not url.strip():
                raise ValueError(
                    f'{path}: [connections.board] url must be a database URL in quotes, e.g. "sqlite:///…".'
                )
            return url.strip()
    folder = ROOT / data_dir
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'playground.db'}"


def resolve_secret(env: Mapping[str, str] = os.environ, secrets: Path = Path(".streamlit/secrets.toml")) -> str | None:
    """The secret identities are signed with: $PLAYGROUND_SECRET, else a top-level PLAYGROUND_SECRET in the secrets
    file (where Streamlit Community Cloud keeps secrets), else None: the store then makes one and keeps it in the
    database, which every server on that database reads. ValueError for a secret under 32 characters."""
    value = env.get("PLAYGROUND_SECRET", "").strip()
    if value:
        return check_secret(value, "PLAYGROUND_SECRET")
    path = ROOT / secrets
    value = _secrets_file(path).get("PLAYGROUND_SECRET") if path.is_file() else None
    return None if value is None else check_secret(value, f"{path}: PLAYGROUND_SECRET")


def _secrets_file(path: Path) -> dict:
    """Streamlit's secrets file, read; ValueError naming it when it is not TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not valid TOML ({error}).") from None


# --- errors: str(error) is plain words a page can show as is -----------------------------------------------------


class BoardNotFound(StoreError):
    """No board has that id (a mistyped or stale ?board= link)."""


class RoomNotFound(StoreError):
    """No open room has that code (mistyped, never made, or expired)."""


class RoomLocked(StoreError):
    """The teacher has locked the room: no new sends."""


class RateLimited(StoreError):
    """Too much too fast (a student's sends, a room's sends or new students, the store's new rooms or boards);
    `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


class LimitError(StoreError):
    """A valid request beyond a bound: a full board, an oversized record or text."""


class UnknownStudent(StoreError):
    """A send under a token this store did not issue for that room (made up, altered, or another room's)."""


# --- values ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One run on a board; `record` is the run record's JSON text, untouched by the store."""

    id: int
    board: str
    name: str
    record: str
    owner: str
    created: float
    round: int | None = None  # the class round it was sent in (server.rounds)


@dataclass(frozen=True)
class Student:
    """An identity a room issued: its signed token (the entries' owner) and the name the student goes by."""

    token: str
    name: str


@dataclass(frozen=True)
class Room:
    """A class room: a join code, its own board, the hash of the teacher's key, the task and flags. Times are
    seconds since the epoch; `active` is the last send or change, from which the room expires after ROOM_TTL.
    `board` stays on the server: whoever holds a board id can add, rename and remove its entries past the room's
    rules, so links carry the code (and the teacher's key), never the room's board id."""

    code: str
    board: str
    key_hash: str
    task: str
    challenge: str
    anonymous: bool
    locked: bool
    created: float
    active: float


# --- the store -----------------------------------------------------------------------------------------------------


class Store:
    """Boards (lists of entries) and class rooms (a code, a board, a task and flags) in one SQL database.

    Safe to share between threads and processes; `clock` (seconds) is injectable so tests can move time.
    The store does not check teacher keys: the page compares `rooms.key_matches(key, room.key_hash)` first.
    `secret` signs identities (`signer`); without one, the store makes one on first use and keeps it in the database.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time, secret: str | None = None):
        self.engine = engine
        self.clock = clock
        self._signer = None if secret is None else Signer(secret)

    @classmethod
    def open(
        cls, url: str | None = None, *, clock: Callable[[], float] = time.time, secret: str | None = None
    ) -> "Store":
        """Connects to `url` (default: resolve_url()) and creates or migrates the schema; `secret` defaults to
        resolve_secret() (the host's), else the one kept in the database."""
        secret = secret if secret is not None else resolve_secret()
        engine = make_engine(url or resolve_url())
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, clock=clock, secret=secret)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _tx(self, write: bool = False):
        return transaction(self.engine, write)

    @property
    def signer(self) -> Signer:
        """What signs and checks identities: the host's secret, or the one this database keeps (made by whichever
        server asked first: insert-if-absent, then read back, so two servers starting at once end with one)."""
        if self._signer is None:
            try:
                with self._tx(write=True) as conn:
                    if conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.name == SECRET)) is None:
                        conn.execute(insert(SETTINGS).values(name=SECRET, value=new_secret()))
            except exc.IntegrityError:
                pass  # another server inserted it between our read and our insert: theirs is the one
            with self._tx() as conn:
                self._signer = Signer(conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.name == SECRET)))
        return self._signer

    # --- boards ---

    def new_board(self) -> str:
        """A new empty board; its id (22 random URL-safe characters) is the only way to reach it. RateLimited when
        the store made NEW_BOARDS_PER_MINUTE boards in the last minute (every server together)."""
        board = secrets.token_urlsafe(16)
        with self._tx(write=True) as conn:
            now = self.clock()
            _creation_bound(conn, now, BOARDS, NEW_BOARDS_PER_MINUTE, "new boards")
            _insert_board(conn, board, now)
        return board

    def has_board(self, board: str) -> bool:
        if not _is_board_id(board):
            return False
        with self._tx() as conn:
            return conn.scalar(select(BOARDS.c.id).where(BOARDS.c.id == board)) is not None

    def add(self, board: str, name: str, record: str, owner: str = "") -> Entry:
        """Appends an entry; LimitError when the board holds MAX_ENTRIES, BoardNotFound for an unknown board."""
        name = rooms.clean_name(name, rooms.MAX_RUN_NAME)
        record, owner = _check_text(record, "record", MAX_RECORD), _check_owner(owner)
        if not _is_board_id(board):
            raise BoardNotFound(_NO_BOARD)
        with self._tx(write=True) as conn:
            return _insert_entry(conn, board, name, record, owner, self.clock())

    def entries(self, board: str) -> list[Entry]:
        """The board's entries, oldest first ([] for an unknown board)."""
        if not _is_board_id(board):
            return []
        with self._tx() as conn:
            rows = conn.execute(select(ENTRIES).where(ENTRIES.c.board == board).order_by(ENTRIES.c.id))
            return [Entry(**row._mapping) for row in rows]

    def rename(self, board: str, entry_id: int, name: str) -> bool:
        name = rooms.clean_name(name, rooms.MAX_RUN_NAME)
        return (
            _is_row_id(entry_id)
            and self._change(board, update(ENTRIES).where(ENTRIES.c.id == entry_id).values(name=name)) == 1
        )

    def remove(self, board: str, entry_id: int) -> bool:
        return _is_row_id(entry_id) and self._change(board, delete(ENTRIES).where(ENTRIES.c.id == entry_id)) == 1

    def clear(self, board: str) -> int:
        """Removes every entry of the board; returns how many there were."""
        return self._change(board, delete(ENTRIES))

    def remove_by(self, board: str, owner: str) -> int:
        """Removes every entry one owner (a room's student) put on the board; returns how many there were."""
        return self._change(board, delete(ENTRIES).where(ENTRIES.c.owner == _check_owner(owner))) if owner else 0

    def board_version(self, board: str) -> int:
        """A number that grows with every change to the board or its room (0 for an unknown board): cheap to poll."""
        if not _is_board_id(board):
            return 0
        with self._tx() as conn:
            return conn.scalar(select(BOARDS.c.version).where(BOARDS.c.id == board)) or 0

    def _change(self, board: str, statement) -> int:
        """Runs an UPDATE or DELETE of entries restricted to `board`; bumps its version when rows changed."""
        if not _is_board_id(board):
            return 0
        with self._tx(write=True) as conn:
            count = conn.execute(statement.where(ENTRIES.c.board == board)).rowcount
            if count:
                _touch(conn, board, self.clock())
            return count

    # --- rooms ---

    def new_room(self, key_hash: str) -> Room:
        """A room with a fresh code and its own board; `key_hash` is rooms.key_hash(the teacher's key). RateLimited
        when the store started NEW_ROOMS_PER_MINUTE rooms (or made NEW_BOARDS_PER_MINUTE boards) in the last minute."""
        _check_key_hash(key_hash)
        for _ in range(10):
            now = self.clock()
            room = Room(
                code=rooms.new_code(), board=secrets.token_urlsafe(16), key_hash=key_hash, task="", challenge="",
                anonymous=False, locked=False, created=now, active=now,
            )  # fmt: skip
            try:
                with self._tx(write=True) as conn:
                    _creation_bound(conn, now, ROOMS, NEW_ROOMS_PER_MINUTE, "new classes")
                    _creation_bound(conn, now, BOARDS, NEW_BOARDS_PER_MINUTE, "new boards")
                    _insert_board(conn, room.board, now)
                    conn.execute(insert(ROOMS).values(**asdict(room)))
                return room
            except exc.IntegrityError:
                continue  # the code is taken (about 1 in 10**9 per existing room): draw another
        raise StoreError("No free room code was found; try again.")

    def room(self, code: str) -> Room | None:
        """The open room with that code, or None (unknown, malformed or expired; an expired room is deleted)."""
        code = rooms.normalize_code(code)
        if code is None:
            return None
        with self._tx() as conn:
            row = conn.execute(select(ROOMS).where(ROOMS.c.code == code)).first()
        if row is None:
            return None
        if self.clock() - row.active > ROOM_TTL:
            self.expire()
            return None
        return Room(**row._mapping)

    def update_room(
        self,
        code: str,
        *,
        task: str | None = None,
        challenge: str | None = None,
        anonymous: bool | None = None,
        locked: bool | None = None,
    ) -> Room:
        """Sets the given fields (None leaves one as it is); counts as activity and bumps the board's version."""
        changes: dict[str, str | bool] = {}
        for key, value in (("task", task), ("challenge", challenge)):
            if value is not None:
                changes[key] = _check_text(value, key, MAX_TEXT)
        for key, value in (("anonymous", anonymous), ("locked", locked)):
            if value is None:
                continue
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be True or False.")
            changes[key] = value
        code, now = _room_code(code), self.clock()
        with self._tx(write=True) as conn:
            room = _open_room(conn, code, now)
            conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(**changes, active=now))
            _touch(conn, room.board, now)
        return replace(room, **changes, active=now)

    def rotate_key(self, code: str, key_hash: str) -> Room:
        """Replaces the room's key hash (a new teacher link): the old key, and every teacher's pass signed under it,
        stop working at once on every server. Counts as activity."""
        code, key_hash, now = _room_code(code), _check_key_hash(key_hash), self.clock()
        with self._tx(write=True) as conn:
            room = _open_room(conn, code, now)
            conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(key_hash=key_hash, active=now))
            _touch(conn, room.board, now)
        return replace(room, key_hash=key_hash, active=now)

    # --- the students of a room: identities the store issued ---

    def join(self, code: str) -> Student:
        """A new student of the room: a token signed for it and a random two-word nickname, recorded. RateLimited
        when JOIN_LIMIT students joined in the last SEND_WINDOW; RoomNotFound for a closed room."""
        code, now = _room_code(code), self.clock()
        student = Student(token := self.signer.student(code), rooms.nickname(random.Random(token)))
        with self._tx(write=True) as conn:
            _open_room(conn, code, now)
            _window_bound(
                conn, select(STUDENTS.c.created).where(STUDENTS.c.room == code, STUDENTS.c.created > now - SEND_WINDOW),
                now, JOIN_LIMIT, f"Class {code} has taken {JOIN_LIMIT} new students in the last "
                f"{SEND_WINDOW / 60:g} minutes, the most it takes; a new student can join in {{wait}}.")  # fmt: skip
            conn.execute(insert(STUDENTS).values(room=code, token=student.token, name=student.name, created=now))
        return student

    def student(self, code: str, token: object) -> Student | None:
        """The room's student with that token, or None: a token not signed for this room (made up, altered,
        another room's) or no longer recorded. Only a signed token costs a query."""
        code = rooms.normalize_code(code)
        if code is None or not self.signer.is_student(code, token):
            return None
        with self._tx() as conn:
            name = conn.scalar(select(STUDENTS.c.name).where(STUDENTS.c.room == code, STUDENTS.c.token == token))
        return None if name is None else Student(token, name)

    def rename_student(self, code: str, token: str, name: str) -> bool:
        """Keeps the name a student typed with their identity (a refresh shows it again); False for a token the
        room did not issue. Not activity: a room's life is its sends and changes."""
        code, name = _room_code(code), rooms.clean_name(name)
        if not self.signer.is_student(code, token):
            return False
        with self._tx(write=True) as conn:
            changed = conn.execute(
                update(STUDENTS).where(STUDENTS.c.room == code, STUDENTS.c.token == token).values(name=name))
            return changed.rowcount == 1

    def send(self, code: str, name: str, record: str, owner: str) -> Entry:
        """A student's run onto the room's board (in the round running, if any: `server.rounds`), if `owner` is a
        student's token this store issued for the room, the room is open and unlocked and its round not over, the
        student is under SEND_LIMIT sends and the room under ROOM_SEND_LIMIT in SEND_WINDOW seconds, and the board
        under MAX_ENTRIES. The room's row is locked while the limits are checked, so concurrent senders queue and the
        limits hold exactly; a refused send is not counted. The name is kept with the student too."""
        code, name, record = _room_code(code), rooms.clean_name(name), _check_text(record, "record", MAX_RECORD)
        owner = _check_owner(owner)
        if not owner:
            raise ValueError("A send needs the sender's owner token (the browser session's id).")
        if not self.signer.is_student(code, owner):
            raise UnknownStudent(
                f"This page's student token was not issued for class {code}: open the class's join link again "
                "to get one.")
        now = self.clock()
        with self._tx(write=True) as conn:
            room = _open_room(conn, code, now)
            if room.locked:
                raise RoomLocked("This room is locked: the teacher is not taking runs right now.")
            number = sending_round(conn, code, now)  # SendingClosed after a round's time, or the lesson's end
            mine = (SENDS.c.room == code) & (SENDS.c.owner == owner)
            minutes = f"{SEND_WINDOW / 60:g} minutes"
            _window_bound(conn, select(SENDS.c.at).where(mine, SENDS.c.at > now - SEND_WINDOW), now, SEND_LIMIT,
                          f"You have sent {SEND_LIMIT} runs in the last {minutes}, the most allowed; "
                          "you can send again in {wait}.")
            _window_bound(conn, select(SENDS.c.at).where(SENDS.c.room == code, SENDS.c.at > now - SEND_WINDOW), now,
                          ROOM_SEND_LIMIT, f"Class {code} has taken {ROOM_SEND_LIMIT} runs in the last {minutes}, "
                          "the most a class takes; the next can be sent in {wait}.")  # fmt: skip
            entry = _insert_entry(conn, room.board, name, record, owner, now, number)
            conn.execute(delete(SENDS).where(mine, SENDS.c.at <= now - SEND_WINDOW))
            conn.execute(insert(SENDS).values(room=code, owner=owner, at=now))
            conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(active=now))
            conn.execute(update(STUDENTS).where(STUDENTS.c.room == code, STUDENTS.c.token == owner).values(name=name))
        return entry

    def expire(self) -> int:
        """Deletes rooms idle for more than ROOM_TTL with their boards, entries, students and sends; returns how
        many."""
        with self._tx(write=True) as conn:
            return _expire(conn, self.clock())

    def purge(self) -> tuple[int, int]:
        """Deletes expired rooms (as `expire`) and personal boards unchanged for BOARD_TTL, with their entries;
        returns how many of each. Safe to run from several servers at once: each delete is one statement."""
        now = self.clock()
        with self._tx(write=True) as conn:
            return _expire(conn, now), _purge_boards(conn, now)

    def purge_if_due(self, every: float = 3600.0) -> tuple[int, int] | None:
        """`purge`, when no server of this database purged in the last `every` seconds (the claim and the purge
        are one transaction with the claim's row locked, so servers purging at once purge once); else None."""
        now = self.clock()
        with self._tx(write=True) as conn:
            last = conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.name == PURGED).with_for_update())
            if last is not None and now - float(last) < every:
                return None
            conn.execute(update(SETTINGS).where(SETTINGS.c.name == PURGED).values(value=repr(now)))
            return _expire(conn, now), _purge_boards(conn, now)


# --- statements shared by the methods above (each runs inside the caller's transaction) ------------------------------

_NO_BOARD = "There is no board with that id: the link may be mistyped or the board deleted."


def _insert_board(conn: Connection, board: str, now: float) -> None:
    conn.execute(insert(BOARDS).values(id=board, created=now, updated=now, version=1))


def _touch(conn: Connection, board: str, now: float) -> None:
    conn.execute(update(BOARDS).where(BOARDS.c.id == board).values(version=BOARDS.c.version + 1, updated=now))


def _insert_entry(
    conn: Connection, board: str, name: str, record: str, owner: str, now: float, round: int | None = None
) -> Entry:
    """Locks the board's row, checks MAX_ENTRIES, inserts and bumps the version: the one way an entry is added."""
    if conn.scalar(select(BOARDS.c.id).where(BOARDS.c.id == board).with_for_update()) is None:
        raise BoardNotFound(_NO_BOARD)
    if conn.scalar(select(func.count()).select_from(ENTRIES).where(ENTRIES.c.board == board)) >= MAX_ENTRIES:
        raise LimitError(f"This board is full: it holds at most {MAX_ENTRIES:,} runs. Remove some to make room.")
    values = dict(board=board, name=name, record=record, owner=owner, created=now, round=round)
    entry_id = conn.execute(insert(ENTRIES).values(**values)).inserted_primary_key[0]
    _touch(conn, board, now)
    return Entry(id=entry_id, **values)


def _window_bound(conn: Connection, times, now: float, limit: int, message: str, window: float = SEND_WINDOW) -> None:
    """RateLimited (message with {wait} filled in) when `times` (a select of the times of what happened in the last
    `window` seconds) holds `limit` or more: the oldest of them leaves the window first."""
    recent = conn.scalars(times.order_by(times.selected_columns[0])).all()
    if len(recent) >= limit:
        wait = recent[len(recent) - limit] + window - now
        raise RateLimited(message.format(wait=_duration(wait)), retry_after=wait)


def _creation_bound(conn: Connection, now: float, table, limit: int, what: str) -> None:
    """RateLimited when the store made `limit` rows of `table` (boards or rooms) in the last minute. The lock row
    makes servers counting at once count one after the other (SQLite's BEGIN IMMEDIATE already does)."""
    conn.execute(select(SETTINGS.c.name).where(SETTINGS.c.name == CREATIONS).with_for_update())
    _window_bound(conn, select(table.c.created).where(table.c.created > now - 60), now, limit,
                  f"The server has made {limit} {what} in the last minute, the most it makes; try again in {{wait}}.",
                  window=60)


def _expire(conn: Connection, now: float) -> int:
    idle = select(ROOMS.c.board).where(ROOMS.c.active < now - ROOM_TTL)
    count = conn.execute(delete(BOARDS).where(BOARDS.c.id.in_(idle))).rowcount  # rooms, students, sends cascade
    conn.execute(delete(SENDS).where(SENDS.c.at <= now - SEND_WINDOW))  # past every rate window
    return count


def _purge_boards(conn: Connection, now: float) -> int:
    personal = BOARDS.c.id.not_in(select(ROOMS.c.board))
    return conn.execute(delete(BOARDS).where(personal, BOARDS.c.updated < now - BOARD_TTL)).rowcount


def _open_room(conn: Connection, code: str, now: float) -> Room:
    """The room's row, locked for the rest of the transaction; RoomNotFound when missing or expired."""
    row = conn.execute(select(ROOMS).where(ROOMS.c.code == code).with_for_update()).first()
    if row is None or now - row.active > ROOM_TTL:
        raise RoomNotFound(
            f"There is no open room {code}: check the code (rooms close {ROOM_TTL / 86400:g} days after their last activity)."
        )
    return Room(**row._mapping)


# --- validation before any query (the page validates too; this is defence in depth) ---------------------------------


def _room_code(code: object) -> str:
    normal = rooms.normalize_code(code)
    if normal is None:
        raise RoomNotFound(
            f"That is not a room code: a code is {rooms.CODE_LENGTH} letters and digits, without O, 0, I or 1."
        )
    return normal


def _check_key_hash(key_hash: object) -> str:
    if not (isinstance(key_hash, str) and re.fullmatch(r"[0-9a-f]{64}", key_hash)):
        raise ValueError("key_hash must be the 64 hex digits that rooms.key_hash(key) returns.")
    return key_hash


def _is_board_id(board: object) -> bool:
    return isinstance(board, str) and _BOARD_ID.fullmatch(board) is not None


def _is_row_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _check_owner(owner: object) -> str:
    if not isinstance(owner, str) or _OWNER.fullmatch(owner) is None:
        raise ValueError(f"An owner token is at most {MAX_OWNER} printable ASCII characters without spaces.")
    return owner


def _check_text(value: object, what: str, limit: int) -> str:
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


def _duration(seconds: float) -> str:
    """'40 s', '10 min', '2 min 5 s': a wait in words, rounded up to whole seconds."""
    minutes, rest = divmod(max(1, math.ceil(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes and rest else f"{minutes} min" if minutes else f"{rest} s"
