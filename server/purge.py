"""The store's cleanup on a timer: expired rooms and idle personal boards go even when nobody looks them up.

One daemon thread per server process wakes every `check` seconds and asks the store to purge if no server of
that database purged in the last `every` seconds (`Store.purge_if_due`: the claim is made in the write
transaction, so however many servers share the database, the purge runs at most once an `every`). The thread
holds the store weakly: when the process drops its store, the thread ends.
"""

from __future__ import annotations

import logging
import threading
import weakref

from server.store import Store, StoreError

EVERY = 3600.0  # s between two purges of one database, at most once
CHECK = 600.0  # s between two looks at whether a purge is due

log = logging.getLogger(__name__)


class Purger:
    """Purges `store` on a timer in a daemon thread, from `start()` until `stop()` (or the store is gone)."""

    def __init__(self, store: Store, every: float = EVERY, check: float = CHECK):
        self._store = weakref.ref(store)
        self.every, self.check = every, check
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="store-purge", daemon=True)
        self.purges = 0  # purges this thread ran (not those of other servers)

    def start(self) -> Purger:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while True:
            store = self._store()
            if store is None:
                return
            try:
                if store.purge_if_due(self.every) is not None:
                    self.purges += 1
            except StoreError as error:  # the database is away: try again at the next look
                log.warning("store purge skipped: %s", getattr(error, "detail", "") or error)
            del store  # hold no strong reference while asleep
            if self._stop.wait(self.check):
                return
