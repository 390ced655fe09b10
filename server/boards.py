"""What every page of one server process reads of a board or a room, cached for about a second.

A class's projector and forty students' boards refresh every few seconds: each reads through one
`BoardReader`, which asks the database at most once a `ttl` per board (one cheap version number), and
reads the entries only when that number moved. Records are parsed once per entry and kept. So forty open
boards cost about one database read a second, not forty (`reads` counts them, for benchmarks/class.py).

The caches are bounded (least recently used first out) and hold only boards and rooms that exist, so a
visitor asking for junk ids costs a cheap read each and leaves nothing behind. No database work happens under
the process-wide lock: each key has its own flight, so pages asking for one board at once wait for one read,
and a slow read of one board holds up no other.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from lab.record import Record
from server.store import Room, Store

TTL = 1.0  # s
MAX_BOARDS = 512  # boards kept per process (a class's, and the Compare tabs' open at once)
MAX_ROOMS = 512  # rooms kept per process
MAX_RECORDS = 20_000  # parsed records kept per process (20 full class boards)


@dataclass(frozen=True)
class Posted:
    """One entry as a page shows it: its id, name, owner token, time and the parsed run record."""

    id: int
    name: str
    owner: str
    created: float
    record: Record
    round: int | None = None  # the class round it was sent in


@dataclass(frozen=True)
class BoardView:
    """A board at one moment: its version and entries (oldest first); entries whose record cannot be read
    are left out, their ids in ``unreadable`` (they still count towards the board's limit: remove them)."""

    board: str
    version: int
    entries: tuple[Posted, ...]
    unreadable: tuple[int, ...] = ()


class _Lru:
    """A bounded mapping, least recently used first out (the caller holds the lock)."""

    def __init__(self, size: int):
        self.size, self.items = size, OrderedDict()

    def get(self, key: Hashable, default: Any = None) -> Any:
        if key not in self.items:
            return default
        self.items.move_to_end(key)
        return self.items[key]

    def put(self, key: Hashable, value: Any) -> None:
        self.items[key] = value
        self.items.move_to_end(key)
        while len(self.items) > self.size:
            self.items.popitem(last=False)

    def pop(self, key: Hashable) -> None:
        self.items.pop(key, None)

    def __len__(self) -> int:
        return len(self.items)


class _Flight:
    """One read in progress; whoever asks for the same key meanwhile waits for its outcome."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.stale = False  # forgotten while in flight: its outcome is not kept, and nobody new joins it


class BoardReader:
    """Board and room reads through a short-lived, process-wide cache (thread-safe)."""

    def __init__(self, store: Callable[[], Store], ttl: float = TTL, clock: Callable[[], float] = time.monotonic):
        self._store, self.ttl, self._clock = store, ttl, clock
        self._lock = threading.Lock()  # guards the dicts below, never held during database work
        self._boards = _Lru(MAX_BOARDS)  # board id → (time read, BoardView)
        self._rooms = _Lru(MAX_ROOMS)  # room code → (time read, Room)
        self._records = _Lru(MAX_RECORDS)  # entry id → Record, or None when unreadable
        self._flights: dict[Hashable, _Flight] = {}
        self.reads = 0  # database queries made

    def board(self, board: str) -> BoardView:
        """The board as it is (at most ``ttl`` seconds old; an unknown board is empty, version 0, and not kept);
        StoreError when the store cannot answer."""
        return self._cached(("board", board), self._boards, board, lambda cached: self._read_board(board, cached))

    def room(self, code: str) -> Room | None:
        """The room (None: unknown or expired, not kept), at most ``ttl`` seconds old."""
        return self._cached(("room", code), self._rooms, code, lambda _: self._read_room(code))

    def forget(self, board: str | None = None, code: str | None = None) -> None:
        """Drop what is cached of a board or a room (after this process changed it: its page shows it at once).
        A read already under way may predate the change: the next caller starts a new one instead of joining it."""
        with self._lock:
            for cache, flight_key, key in ((self._boards, "board", board), (self._rooms, "room", code)):
                if key is not None:
                    cache.pop(key)
                    flight = self._flights.pop((flight_key, key), None)
                    if flight is not None:
                        flight.stale = True

    def sizes(self) -> dict[str, int]:
        """How many boards, rooms and records the caches hold (for tests and benchmarks)."""
        with self._lock:
            return {"boards": len(self._boards), "rooms": len(self._rooms), "records": len(self._records)}

    def _cached(self, flight_key: Hashable, cache: _Lru, key: str, read: Callable[[Any], Any]) -> Any:
        """The fresh cached value, or the outcome of one read shared by everyone asking meanwhile. `read` gets the
        stale cached value (or None) and returns the new one; a None or a version-0 board is not kept."""
        with self._lock:
            cached = cache.get(key)
            if cached is not None and self._clock() - cached[0] < self.ttl:
                return cached[1]
            flight = self._flights.get(flight_key)
            leader = flight is None
            if leader:
                flight = self._flights[flight_key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = read(None if cached is None else cached[1])
            with self._lock:
                if flight.stale:
                    pass
                elif _exists(flight.value):
                    cache.put(key, (self._clock(), flight.value))
                else:
                    cache.pop(key)
            return flight.value
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                if self._flights.get(flight_key) is flight:
                    del self._flights[flight_key]
            flight.done.set()

    def _read_board(self, board: str, cached: BoardView | None) -> BoardView:
        store = self._store()
        version = store.board_version(board)
        self._count(1)
        if cached is not None and cached.version == version:
            return cached
        if version == 0:
            return BoardView(board, 0, ())
        rows = store.entries(board)
        self._count(1)
        with self._lock:
            known = {row.id: self._records.get(row.id, ...) for row in rows}
        parsed = {row.id: _parse(row.record) for row in rows if known[row.id] is ...}  # outside the lock
        posted, unreadable = [], []
        with self._lock:
            for row in rows:
                record = known[row.id] if row.id not in parsed else parsed[row.id]
                self._records.put(row.id, record)
                if record is None:
                    unreadable.append(row.id)
                else:
                    posted.append(Posted(row.id, row.name, row.owner, row.created, record, row.round))
        return BoardView(board, version, tuple(posted), tuple(unreadable))

    def _read_room(self, code: str) -> Room | None:
        room = self._store().room(code)
        self._count(1)
        return room

    def _count(self, queries: int) -> None:
        with self._lock:
            self.reads += queries


def _exists(value: object) -> bool:
    return value is not None and not (isinstance(value, BoardView) and value.version == 0)


def _parse(text: str) -> Record | None:
    """The entry's run record, or None when it cannot be read — whatever the parse raises (a stored record is
    whatever was written: a number too large for a float, JSON nested too deep, a wrong type)."""
    try:
        return Record.from_json(text)
    except Exception:  # every failure of one entry is that entry's, never the board's
        return None
