"""Boards and class rooms in SQL: one small interface, the same code on SQLite (one machine) and Postgres (several).

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

Around the `Store` class, one idea a module: where the store is and its secret (`server.hosting`), the tables and
their migrations (`server.schema`), what it hands out and refuses with (`server.rows`), the statements and checks
its methods share (`server.statements`). Their public names are this module's too, so callers import from here.
"""

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, replace

from sqlalchemy import Engine, delete, exc, insert, select, update

from server import rooms
from server.hosting import ROOT, resolve_secret, resolve_url  # noqa: F401 (public through the store)
from server.identity import Signer, new_secret
from server.rooms import (
    JOIN_LIMIT,
    MAX_TEXT,
    NEW_BOARDS_PER_MINUTE,
    NEW_ROOMS_PER_MINUTE,
    ROOM_TTL,
    SEND_WINDOW,
)
from server.rounds import sending_round
from server.rows import (  # noqa: F401 (public through the store)
    BoardNotFound,
    Entry,
    LimitError,
    RateLimited,
    Room,
    RoomLocked,
    RoomNotFound,
    Student,
    UnknownStudent,
)
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
from server.statements import (
    MAX_RECORD,
    NO_BOARD,
    check_key_hash,
    check_owner,
    check_text,
    count_send,
    creation_bound,
    expire_rooms,
    insert_board,
    insert_entry,
    is_board_id,
    is_row_id,
    open_room,
    purge_boards,
    room_code,
    send_bounds,
    touch,
    window_bound,
)


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
            creation_bound(conn, now, BOARDS, NEW_BOARDS_PER_MINUTE, "new boards")
            insert_board(conn, board, now)
        return board

    def has_board(self, board: str) -> bool:
        if not is_board_id(board):
            return False
        with self._tx() as conn:
            return conn.scalar(select(BOARDS.c.id).where(BOARDS.c.id == board)) is not None

    def add(self, board: str, name: str, record: str, owner: str = "") -> Entry:
        """Appends an entry; LimitError when the board holds MAX_ENTRIES, BoardNotFound for an unknown board."""
        name = rooms.clean_name(name, rooms.MAX_RUN_NAME)
        record, owner = check_text(record, "record", MAX_RECORD), check_owner(owner)
        if not is_board_id(board):
            raise BoardNotFound(NO_BOARD)
        with self._tx(write=True) as conn:
            return insert_entry(conn, board, name, record, owner, self.clock())

    def entries(self, board: str) -> list[Entry]:
        """The board's entries, oldest first ([] for an unknown board)."""
        if not is_board_id(board):
            return []
        with self._tx() as conn:
            rows = conn.execute(select(ENTRIES).where(ENTRIES.c.board == board).order_by(ENTRIES.c.id))
            return [Entry(**row._mapping) for row in rows]

    def rename(self, board: str, entry_id: int, name: str) -> bool:
        name = rooms.clean_name(name, rooms.MAX_RUN_NAME)
        return (
            is_row_id(entry_id)
            and self._change(board, update(ENTRIES).where(ENTRIES.c.id == entry_id).values(name=name)) == 1
        )

    def remove(self, board: str, entry_id: int) -> bool:
        return is_row_id(entry_id) and self._change(board, delete(ENTRIES).where(ENTRIES.c.id == entry_id)) == 1

    def clear(self, board: str) -> int:
        """Removes every entry of the board; returns how many there were."""
        return self._change(board, delete(ENTRIES))

    def remove_by(self, board: str, owner: str) -> int:
        """Removes every entry one owner (a room's student) put on the board; returns how many there were."""
        return self._change(board, delete(ENTRIES).where(ENTRIES.c.owner == check_owner(owner))) if owner else 0

    def board_version(self, board: str) -> int:
        """A number that grows with every change to the board or its room (0 for an unknown board): cheap to poll."""
        if not is_board_id(board):
            return 0
        with self._tx() as conn:
            return conn.scalar(select(BOARDS.c.version).where(BOARDS.c.id == board)) or 0

    def _change(self, board: str, statement) -> int:
        """Runs an UPDATE or DELETE of entries restricted to `board`; bumps its version when rows changed."""
        if not is_board_id(board):
            return 0
        with self._tx(write=True) as conn:
            count = conn.execute(statement.where(ENTRIES.c.board == board)).rowcount
            if count:
                touch(conn, board, self.clock())
            return count

    # --- rooms ---

    def new_room(self, key_hash: str) -> Room:
        """A room with a fresh code and its own board; `key_hash` is rooms.key_hash(the teacher's key). RateLimited
        when the store started NEW_ROOMS_PER_MINUTE rooms (or made NEW_BOARDS_PER_MINUTE boards) in the last minute."""
        check_key_hash(key_hash)
        for _ in range(10):
            now = self.clock()
            room = Room(
                code=rooms.new_code(), board=secrets.token_urlsafe(16), key_hash=key_hash, task="", challenge="",
                anonymous=False, locked=False, created=now, active=now,
            )  # fmt: skip
            try:
                with self._tx(write=True) as conn:
                    creation_bound(conn, now, ROOMS, NEW_ROOMS_PER_MINUTE, "new classes")
                    creation_bound(conn, now, BOARDS, NEW_BOARDS_PER_MINUTE, "new boards")
                    insert_board(conn, room.board, now)
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
                changes[key] = check_text(value, key, MAX_TEXT)
        for key, value in (("anonymous", anonymous), ("locked", locked)):
            if value is None:
                continue
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be True or False.")
            changes[key] = value
        code, now = room_code(code), self.clock()
        with self._tx(write=True) as conn:
            room = open_room(conn, code, now)
            conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(**changes, active=now))
            touch(conn, room.board, now)
        return replace(room, **changes, active=now)

    def rotate_key(self, code: str, key_hash: str) -> Room:
        """Replaces the room's key hash (a new teacher link): the old key, and every teacher's pass signed under it,
        stop working at once on every server. Counts as activity."""
        code, key_hash, now = room_code(code), check_key_hash(key_hash), self.clock()
        with self._tx(write=True) as conn:
            room = open_room(conn, code, now)
            conn.execute(update(ROOMS).where(ROOMS.c.code == code).values(key_hash=key_hash, active=now))
            touch(conn, room.board, now)
        return replace(room, key_hash=key_hash, active=now)

    # --- the students of a room: identities the store issued ---

    def join(self, code: str) -> Student:
        """A new student of the room: a token signed for it and a random two-word nickname, recorded. RateLimited
        when JOIN_LIMIT students joined in the last SEND_WINDOW; RoomNotFound for a closed room."""
        code, now = room_code(code), self.clock()
        student = Student(token := self.signer.student(code), rooms.nickname(random.Random(token)))
        with self._tx(write=True) as conn:
            open_room(conn, code, now)
            window_bound(
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
        code, name = room_code(code), rooms.clean_name(name)
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
        code, name, record = room_code(code), rooms.clean_name(name), check_text(record, "record", MAX_RECORD)
        owner, now = self.issued(code, owner), self.clock()
        with self._tx(write=True) as conn:
            room = open_room(conn, code, now)
            if room.locked:
                raise RoomLocked("This room is locked: the teacher is not taking runs right now.")
            number = sending_round(conn, code, now)  # SendingClosed after a round's time, or the lesson's end
            send_bounds(conn, code, owner, now)
            entry = insert_entry(conn, room.board, name, record, owner, now, number)
            count_send(conn, code, owner, name, now)
        return entry

    def issued(self, code: str, owner: object) -> str:
        """``owner`` when it is a student token this store issued for the room (what a send, a ballot or a check
        needs), else UnknownStudent: a made-up token sends nothing. ValueError for no token or a malformed one."""
        owner = check_owner(owner)
        if not owner:
            raise ValueError("This needs the sender's owner token (the student's identity the class issued).")
        if not self.signer.is_student(code, owner):
            raise UnknownStudent(
                f"This page's student token was not issued for class {code}: open the class's join link again "
                "to get one.")
        return owner

    def expire(self) -> int:
        """Deletes rooms idle for more than ROOM_TTL with their boards, entries, students and sends; returns how
        many."""
        with self._tx(write=True) as conn:
            return expire_rooms(conn, self.clock())

    def purge(self) -> tuple[int, int]:
        """Deletes expired rooms (as `expire`) and personal boards unchanged for BOARD_TTL, with their entries;
        returns how many of each. Safe to run from several servers at once: each delete is one statement."""
        now = self.clock()
        with self._tx(write=True) as conn:
            return expire_rooms(conn, now), purge_boards(conn, now)

    def purge_if_due(self, every: float = 3600.0) -> tuple[int, int] | None:
        """`purge`, when no server of this database purged in the last `every` seconds (the claim and the purge
        are one transaction with the claim's row locked, so servers purging at once purge once); else None."""
        now = self.clock()
        with self._tx(write=True) as conn:
            last = conn.scalar(select(SETTINGS.c.value).where(SETTINGS.c.name == PURGED).with_for_update())
            if last is not None and now - float(last) < every:
                return None
            conn.execute(update(SETTINGS).where(SETTINGS.c.name == PURGED).values(value=repr(now)))
            return expire_rooms(conn, now), purge_boards(conn, now)
