"""What each process of tests/server/test_store_concurrency.py runs: importable by name, as the spawn context needs.

Every worker reports one tuple on `results` (never raises), so a failure shows in the test instead of a hang."""

import sqlite3
import traceback
from contextlib import closing

from server.schema import sqlite_setup
from server.store import Store, StoreError


def send_many(url: str, code: str, owner: str, names: list[str], start, results) -> None:
    """Opens the store, waits until every worker is ready, then sends one entry per name as fast as it can: as
    `owner`, or (owner "") as a new student per name, joining the room first."""
    try:
        with Store.open(url) as store:
            start.wait(timeout=60)
            outcomes = []
            for name in names:
                try:
                    store.send(code, name, "{}", owner or store.join(code).token)
                    outcomes.append((name, "sent"))
                except StoreError as error:
                    outcomes.append((name, type(error).__name__))
        results.put(("ok", outcomes))
    except Exception:
        results.put(("crash", traceback.format_exc()))


def new_boards(url: str, n: int, start, results) -> None:
    """Waits for the others, then asks for `n` new boards as fast as it can."""
    try:
        with Store.open(url) as store:
            start.wait(timeout=60)
            outcomes = []
            for i in range(n):
                try:
                    store.new_board()
                    outcomes.append((i, "made"))
                except StoreError as error:
                    outcomes.append((i, type(error).__name__))
        results.put(("ok", outcomes))
    except Exception:
        results.put(("crash", traceback.format_exc()))


def first_token(url: str, code: str, start, results) -> None:
    """Waits for the others, then asks a store with no secret yet to issue a token (each makes one if none is
    kept: only one may win)."""
    try:
        with Store.open(url) as store:
            start.wait(timeout=60)
            results.put(("ok", store.join(code).token))
    except Exception:
        results.put(("crash", traceback.format_exc()))


def open_store(url: str, start, results) -> None:
    """Waits for the others, then opens (creating and migrating) the same database at the same moment."""
    try:
        start.wait(timeout=60)
        with Store.open(url) as store:
            board = store.new_board()
            store.add(board, "after migrating", "{}")
            results.put(("ok", board))
    except Exception:
        results.put(("crash", traceback.format_exc()))


def switch_to_wal(paths: list[str], start, results) -> None:
    """For each path in turn, waits for the others, then connects to that new SQLite file as the store does."""
    try:
        for path in paths:
            start.wait(timeout=60)
            with closing(sqlite3.connect(path)) as connection:
                sqlite_setup(connection)
                mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                raise AssertionError(f"{path} is in {mode} mode")
        results.put(("ok", len(paths)))
    except Exception:
        start.abort()  # the others stop waiting for this one
        results.put(("crash", traceback.format_exc()))
