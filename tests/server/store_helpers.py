"""Small helpers shared by the store's test files: counting rows and filling a board without 1,000 transactions."""

from sqlalchemy import func, insert, select

from server import rooms
from server.store import ENTRIES, Room, Store


def count(store: Store, table, *where) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table).where(*where))


def fill(store: Store, board: str, n: int) -> None:
    """n entries in one statement: the limit tests need a nearly full board."""
    rows = [dict(board=board, name=f"r{i}", owner="", record="{}", created=0.0) for i in range(n)]
    with store.engine.begin() as conn:
        conn.execute(insert(ENTRIES), rows)


def new_room(store: Store) -> Room:
    return store.new_room(rooms.key_hash(rooms.new_key()))


def student(store: Store, room: Room) -> str:
    """A new student's token in the room, as the store issues it."""
    return store.join(room.code).token
