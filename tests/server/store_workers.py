"""What each process of tests/server/test_store_concurrency.py runs: importable by name, as the spawn context needs.

Every worker reports one tuple on `results` (never raises), so a failure shows in the test instead of a hang."""

import traceback

from server.store import Store, StoreError


def send_many(url: str, code: str, owner: str, names: list[str], start, results) -> None:
    """Opens the store, waits until every worker is ready, then sends one entry per name as fast as it can."""
    try:
        with Store.open(url) as store:
            start.wait(timeout=60)
            outcomes = []
            for name in names:
                try:
                    store.send(code, name, "{}", owner)
                    outcomes.append((name, "sent"))
                except StoreError as error:
                    outcomes.append((name, type(error).__name__))
        results.put(("ok", outcomes))
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
