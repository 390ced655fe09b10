"""Chart specs built once per structure, refilled with new numbers on every redraw.

Building an Altair chart costs tens of milliseconds (Altair validates every object it constructs),
while the frames behind it cost about a millisecond. A builder's spec apart from ``datasets`` depends
only on its structural arguments (each builder's docstring lists them), so ``SpecCache`` builds the
chart the first time a structure is seen, keeps the spec without its datasets (the skeleton), and
afterwards only computes the frames. No Streamlit here: the page keeps one cache for the whole process
(skeletons do not depend on anyone's data, so every visitor shares them); a lock guards the table.

    specs = SpecCache()
    spec = specs.spec(
        "decision",
        (dom, display.discretize, p is not None),  # the structural arguments
        lambda: charts.decision_chart(*args, **kwargs),
        lambda: charts.decision_frames(*args, **kwargs),
    )
    st.vega_lite_chart(spec)
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import altair as alt

from playground.chart_data import Frames, vega_spec


class SpecCache:
    """Skeletons (Vega-Lite specs without ``datasets``) by (name, structural key), least recently used dropped.

    The key must hold every structural argument of the builder; a key that misses one returns the
    skeleton of another structure with these frames. ``hits`` and ``misses`` count the calls.
    """

    def __init__(self, max_entries: int = 64) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._skeletons: OrderedDict[tuple[str, Hashable], dict] = OrderedDict()
        self._lock = threading.Lock()  # one page process serves every visitor, each in its own thread

    def __len__(self) -> int:
        return len(self._skeletons)

    def __contains__(self, name_and_key: tuple[str, Hashable]) -> bool:
        return name_and_key in self._skeletons

    def spec(
        self,
        name: str,
        key: tuple,
        builder: Callable[[], alt.TopLevelMixin],
        frames: Callable[[], Frames],
    ) -> dict:
        """The full spec, ``datasets`` included, in a new top-level dict on every call.

        On a miss ``builder()`` makes the chart and its spec is returned as is; on a hit only
        ``frames()`` runs. The skeleton is shared below the top level between calls: read it, don't
        mutate it (Streamlit copies the top level before it edits).
        """
        slot = (name, key)
        with self._lock:
            skeleton = self._skeletons.get(slot)
            if skeleton is not None:
                self.hits += 1
                self._skeletons.move_to_end(slot)
        if skeleton is not None:
            return {**skeleton, "datasets": frames()}
        full = vega_spec(builder())  # outside the lock: building is slow, and a duplicate build is harmless
        # a private deep copy: whatever the caller does to this first spec cannot reach later ones
        with self._lock:
            self.misses += 1
            self._skeletons[slot] = copy.deepcopy({k: v for k, v in full.items() if k != "datasets"})
            while len(self._skeletons) > self.max_entries:
                self._skeletons.popitem(last=False)
        return full
