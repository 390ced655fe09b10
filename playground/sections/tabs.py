"""The page below the live area: one tab a section group, and only the open tab's sections run.

The tabs are bound to the URL (``tab=Network``), so a lesson link can open on the part it is about.
Drawing only the open tab is what lets a class open one link at once: every visitor's page is
rendered by the one shared process, and the hidden tabs would be most of it (see benchmarks/load.py).
A new tab is a section module with ``section(page)`` and one line in `TABS`.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground import state
from playground.sections import Page, classroom, compare, data, equations, log, network, prediction

# label (as it appears in the URL) → what it draws; the first is open by default
TABS: dict[str, Callable[[Page], None]] = {
    "Prediction": prediction.section,
    "Network": network.section,
    "Data": data.section,
    "Compare": compare.section,
    "Class": classroom.section,
    "Log": log.section,
    "Equations": equations.section,
}
COMPARE, CLASS, EQUATIONS = "Compare", "Class", "Equations"


def open_tab(label: str) -> None:
    """Open a tab from code (before the tabs are drawn in this run, or in a callback)."""
    if label not in TABS:
        raise ValueError(f"no tab {label!r}; tabs: {', '.join(TABS)}")
    state.put(state.TAB, label)


def query() -> dict[str, str]:
    """The open tab as a link parameter (none for the first, the default), for share links."""
    label = state.get(state.TAB)
    return {state.TAB: label} if label in TABS and label != next(iter(TABS)) else {}


def show(page: Page) -> None:
    """The tab bar, and the open tab's sections."""
    tabs = st.tabs(list(TABS), key=state.TAB, bind="query-params", on_change="rerun")
    for tab, draw in zip(tabs, TABS.values(), strict=True):
        if tab.open:
            with tab:
                draw(page)
