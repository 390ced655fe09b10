"""What every page of one server process reads of a board or a room, cached for about a second.

A class's projector and forty students' boards refresh every few seconds: each reads through one
`BoardReader`, which asks the database at most once a `ttl` per board (one cheap version number), and
reads the entries only when that number moved. Records are parsed once per entry and kept. So forty open
boards cost about one database read a second, not forty (`reads` counts them, for benchmarks/class.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from lab.record import Record
from server.store import Room, Store

TTL = 1.0  # s


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
    are left out and counted in ``unreadable``."""

    board: str
    version: int
    entries: tuple[Posted, ...]
    unreadable: int = 0


class BoardReader:
    """Board and room reads through a short-lived, process-wide cache (thread-safe)."""

    def __init__(self, store: Callable[[], Store], ttl: float = TTL, clock: Callable[[], float] = time.monotonic):
        self._store, self.ttl, self._clock = store, ttl, clock
        self._lock = threading.Lock()
        self._boards: dict[str, tuple[float, BoardView]] = {}
        self._rooms: dict[str, tuple[float, Room | None]] = {}
        self._records: dict[int, Record | None] = {}
        self.reads = 0  # database queries made

    def board(self, board: str) -> BoardView:
        """The board as it is (at most ``ttl`` seconds old); StoreError when the store cannot answer."""
        with self._lock:
            now = self._clock()
            cached = self._boards.get(board)
            if cached is not None and now - cached[0] < self.ttl:
                return cached[1]
            store = self._store()
            version = store.board_version(board)
            self.reads += 1
            if cached is None or cached[1].version != version:
                rows = store.entries(board)
                self.reads += 1
                posted, unreadable = [], 0
                for row in rows:
                    record = self._records.get(row.id, ...)
                    if record is ...:
                        record = self._records[row.id] = _parse(row.record)
                    if record is None:
                        unreadable += 1
                    else:
                        posted.append(Posted(row.id, row.name, row.owner, row.created, record, row.round))
                view = BoardView(board, version, tuple(posted), unreadable)
            else:
                view = cached[1]
            self._boards[board] = (now, view)
            if len(self._records) > 20_000:  # bounded: entries of boards long gone
                self._records.clear()
            return view

    def room(self, code: str) -> Room | None:
        """The room (None: unknown or expired), at most ``ttl`` seconds old."""
        with self._lock:
            now = self._clock()
            cached = self._rooms.get(code)
            if cached is not None and now - cached[0] < self.ttl:
                return cached[1]
            room = self._store().room(code)
            self.reads += 1
            self._rooms[code] = (now, room)
            return room

    def forget(self, board: str | None = None, code: str | None = None) -> None:
        """Drop what is cached of a board or a room (after this process changed it: its page shows it at once)."""
        with self._lock:
            if board is not None:
                self._boards.pop(board, None)
            if code is not None:
                self._rooms.pop(code, None)


def _parse(text: str) -> Record | None:
    try:
        return Record.from_json(text)
    except ValueError:
        return None
