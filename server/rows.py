"""What the store hands out — an entry of a board, a room's student, a class room: frozen values of a row — and
what it refuses with: errors whose str() is plain words a page can show as is."""

from dataclasses import dataclass

from server.schema import StoreError


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
