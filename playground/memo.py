"""What the page draws from a shared finished run, computed once per process instead of once per visitor.

A class opening one link gets one cached finished run (``session.finished_run``) but, without this, every
visitor would still recompute its decision grid, neuron maps and chart frames and convert them to Arrow:
about 40% of a visitor's page. A run taken from that cache carries ``Run.origin`` (the cache key), which
names its numbers exactly (same experiment, same data, trained to the end; any training clears it).
``RenderMemo`` keeps, per origin, the values computed from such runs; ``per_run`` makes a section's
builder use it. A run without an origin (trained live, stepped, reset) is computed as before.

The values are shared between visitors' threads: they must be immutable in practice (specs whose
datasets are Arrow bytes, tuples, strings). Pure Python: no Streamlit.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class RenderMemo:
    """{origin: {name: value}}, the least recently used origin dropped beyond ``max_runs``.

    ``hits`` and ``misses`` count ``get`` calls. Thread-safe, and each value is computed once: when a
    class opens one link, its visitors all ask at the same moment, and the first computes while the
    others wait for it (a lock per value, so different values still compute side by side).
    """

    def __init__(self, max_runs: int = 64) -> None:
        if max_runs < 1:
            raise ValueError(f"max_runs must be at least 1, got {max_runs}")
        self.max_runs = max_runs
        self.hits = 0
        self.misses = 0
        self._runs: OrderedDict[str, dict[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()  # guards _runs, _computing and the counters
        self._computing: dict[tuple[str, Hashable], threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._runs)

    def _lookup(self, origin: str, name: Hashable) -> tuple[bool, Any]:
        with self._lock:
            values = self._runs.get(origin)
            if values is not None and name in values:
                self.hits += 1
                self._runs.move_to_end(origin)
                return True, values[name]
        return False, None

    def get(self, origin: str, name: Hashable, compute: Callable[[], Any]) -> Any:
        """The value ``name`` of the run ``origin``: ``compute()`` the first time, the kept value after.

        An exception in ``compute`` reaches its caller and keeps nothing (the next caller tries again).
        """
        found, value = self._lookup(origin, name)
        if found:
            return value
        with self._lock:
            slot = self._computing.setdefault((origin, name), threading.Lock())
        with slot:  # the first caller computes; the others wait here, then find its value
            found, value = self._lookup(origin, name)
            if found:
                return value
            try:
                value = compute()
                with self._lock:
                    self.misses += 1
                    self._runs.setdefault(origin, {})[name] = value
                    self._runs.move_to_end(origin)
                    while len(self._runs) > self.max_runs:
                        self._runs.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop((origin, name), None)
        return value


def per_run(memo: Callable[[], RenderMemo]):
    """Decorate ``fn(run, *args, **kwargs)`` (hashable args): memoised in ``memo()`` while ``run.origin`` is set."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(run, *args, **kwargs):
            if getattr(run, "origin", None) is None:
                return fn(run, *args, **kwargs)
            name = (f"{fn.__module__}.{fn.__qualname__}", args, tuple(sorted(kwargs.items())))
            return memo().get(run.origin, name, lambda: fn(run, *args, **kwargs))

        return wrapper

    return decorate
