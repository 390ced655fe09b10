"""The page below the live area: one tab a section group, and only the open tab's sections run.

The tabs are bound to the URL (``tab=Network``), so a lesson link can open on the part it is about.
Drawing only the open tab is what lets a class open one link at once: every visitor's page is
rendered by the one shared process, and the hidden tabs would be most of it (see benchmarks/load.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from mlp.config import Experiment
from playground import board, mydata, sweeps, views, views_text
from playground.runs import Run
from playground.views import Display


@dataclass(frozen=True)
class Page:
    """What the sections draw from: the run on screen, the sidebar's experiment, the display options."""

    run: Run
    exp: Experiment
    display: Display


def _prediction(p: Page) -> None:
    views.truth_vs_prediction(p.run)
    views.prediction_table(p.run)


def _network(p: Page) -> None:
    views.network(p.run)
    views.gradient_flow(p.run, p.display)


def _compare(p: Page) -> None:
    sweeps.section(p.exp)
    board.board_section(p.display)


def _log(p: Page) -> None:
    views_text.training_log_section(p.run)
    views_text.downloads(p.run)


# label (as it appears in the URL) → the sections it draws; the first is open by default
TABS: dict[str, Callable[[Page], None]] = {
    "Prediction": _prediction,
    "Network": _network,
    "Data": lambda p: mydata.section(p.run),
    "Compare": _compare,
    "Log": _log,
    "Equations": lambda p: views_text.how_it_works(p.run),
}
KEY = "tab"  # the session-state key and URL parameter of the open tab
COMPARE = "Compare"


def open_tab(label: str) -> None:
    """Open a tab from code (before the tabs are drawn in this run, or in a callback)."""
    if label not in TABS:
        raise ValueError(f"no tab {label!r}; tabs: {', '.join(TABS)}")
    st.session_state[KEY] = label


def query() -> dict[str, str]:
    """The open tab as a link parameter (none for the first, the default), for share links."""
    label = st.session_state.get(KEY)
    return {KEY: label} if label in TABS and label != next(iter(TABS)) else {}


def show(page: Page) -> None:
    """The tab bar, and the open tab's sections."""
    tabs = st.tabs(list(TABS), key=KEY, bind="query-params", on_change="rerun")
    for tab, draw in zip(tabs, TABS.values(), strict=True):
        if tab.open:
            with tab:
                draw(page)
