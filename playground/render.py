"""Render caches: chart skeletons built once per structure, and what is drawn from a shared run computed once.

No Streamlit here; the page keeps one of each for the whole process (``playground.shared``).

`SpecCache`. Building an Altair chart costs far more than the frames behind it (Altair validates every
object it constructs). A builder's spec apart from its
``datasets`` depends only on its arguments' *structure* (see `structure`), so the cache builds the
chart the first time a structure is seen, keeps the spec without its datasets (the skeleton), and
afterwards only computes the frames. The key is derived from the call; nobody writes it by hand.

`RenderMemo`. A class opening one link gets one shared finished run, but every visitor would still
recompute its decision grid, neuron maps and chart frames, a large share of a visitor's page. A run taken
from that cache carries ``Run.origin``, which names its numbers exactly (any training clears it);
`per_run` makes a section's builder compute once per origin and share the result read-only.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from playground.charts import Figure, ipc_bytes


def structure(value: Any) -> Hashable:
    """What of a builder's argument can shape its chart: plain values as they are, containers item by item
    (a dict by its keys too), a 1-D array by nothing (a series: its length and numbers never shape a chart)
    and any other array by its shape (a grid's size, a layer's width)."""
    if isinstance(value, np.ndarray):
        return ("array", value.ndim) if value.ndim <= 1 else ("array", value.shape)
    if isinstance(value, dict):
        return ("dict", tuple((k, structure(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(structure(v) for v in value))
    if value is None or isinstance(value, (bool, int, float, str, np.bool_, np.integer, np.floating)):
        return value
    raise TypeError(f"a chart builder's argument must be plain data or numpy arrays, got {type(value).__name__}")


def arrow_bytes(df: pd.DataFrame) -> bytes:
    """The frame as Arrow IPC stream bytes, what ``st.vega_lite_chart`` sends for a dataset.

    A frame from `charts.frame` brings them (made from its numpy columns). Any other DataFrame is converted
    here: Streamlit would convert it itself, but pyarrow then starts a thread pool for every long frame
    (rows > 100 × columns), which under the GIL only costs; and bytes can be shared between visitors.
    """
    made = df.attrs.get("arrow")
    if made is not None and made[0] == len(df) and made[1] == tuple(df.columns):
        return made[2]
    plain = df.copy(deep=False)
    plain.attrs = {}  # pyarrow would try to write attrs into its metadata as JSON (bytes cannot be)
    return ipc_bytes(pa.Table.from_pandas(plain, preserve_index=False, nthreads=1))


class SpecCache:
    """Skeletons (Vega-Lite specs without ``datasets``) by (builder, structure), least recently used dropped.

    ``hits`` and ``misses`` count the calls. Thread-safe: one page process serves every visitor.
    """

    def __init__(self, max_entries: int = 64) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._skeletons: OrderedDict[Hashable, dict] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._skeletons)

    def spec(self, builder: Callable[..., Figure], *args: Any, **kwargs: Any) -> dict:
        """``builder(*args, **kwargs)``'s full spec, ``datasets`` (DataFrames) included, in a new top-level dict.

        On a miss the chart is built and its spec returned as is; on a hit only the frames are computed.
        The skeleton is shared below the top level between calls: read it, don't mutate it.
        """
        key = (builder.__module__, builder.__qualname__, structure(args), structure(kwargs))
        figure = builder(*args, **kwargs)
        with self._lock:
            skeleton = self._skeletons.get(key)
            if skeleton is not None:
                self.hits += 1
                self._skeletons.move_to_end(key)
        if skeleton is not None:
            return {**skeleton, "datasets": figure.frames}
        full = figure.spec()  # outside the lock: building is slow, and a duplicate build is harmless
        with self._lock:
            self.misses += 1
            # a private deep copy: whatever the caller does to this first spec cannot reach later ones
            self._skeletons[key] = copy.deepcopy({k: v for k, v in full.items() if k != "datasets"})
            while len(self._skeletons) > self.max_entries:
                self._skeletons.popitem(last=False)
        return full
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


class Pace:
    """How often a live run's page is updated while many visitors of the process watch runs at once: each
    visitor at most every ``least`` seconds, and all of them together at most ``rate`` times a second.

    A chart redraw (the decision grid, its picture, the specs' numbers) is work on the server's one Python
    thread, and even a progress message costs a wake-up of the event loop; forty students watching
    their own runs five times a second would keep that thread busy with frames nobody needs that often,
    while their runs wait (benchmarks/load.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watching = 0

    @property
    def watching(self) -> int:
        return self._watching

    def period(self, least: float, rate: float) -> float:
        """Seconds between two updates of one visitor's page now."""
        if least <= 0 or rate <= 0:
            raise ValueError(f"least and rate must be > 0, not {least} and {rate}")
        return max(least, self._watching / rate)

    @contextmanager
    def watch(self) -> Iterator[Pace]:
        """``with pace.watch():`` counts one more visitor watching for the block's duration."""
        self._add(1)
        try:
            yield self
        finally:
            self._add(-1)

    def _add(self, n: int) -> None:
        with self._lock:
            self._watching += n
