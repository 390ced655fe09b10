"""The share link: the page's address with the whole experiment (and the open tab, a lesson, a board's sweep).

`address` builds every address the page hands out (this share link, a class's join, teacher and projector
links): the page's own scheme, host and path, with a query of our choosing.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from lab.experiment import Experiment
from playground import state


def address(params: Mapping[str, str]) -> str:
    """This page's address with ``params`` as its query (and nothing else of the address bar's)."""
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(params), ""))


def share_link(exp: Experiment, extra: dict[str, str] | None = None) -> str:
    """The page's address with the experiment's non-default settings (and ``extra``) as the query."""
    return address(exp.to_query() | (extra or {}))


EDITED = ("This run's weights were edited by hand; the link reproduces the run before the edits (a link carries "
          "the settings, not the edits: the run's record, pinned to a board, keeps them).")


def share(exp: Experiment, extra: dict[str, str] | None = None, edited: bool = False) -> None:
    st.subheader("Share this experiment")
    if edited:
        st.warning(EDITED, icon=":material/edit:")
    else:
        st.caption("The address bar always holds the whole experiment; this is the same link. It reproduces the run "
                   "exactly.")
    # a text field, not st.code: the code block's syntax highlighter is the heaviest script the browser would load
    # for the default page (about 0.3 s of Chromium's CPU, benchmarks/browser.py). Written before it is drawn, so
    # it always shows the current link whatever was typed into it.
    state.put(state.SHARE_LINK, share_link(exp, extra))
    st.text_input("Share link", key=state.SHARE_LINK, label_visibility="collapsed",
                  help="Select it and copy it (Ctrl+A, Ctrl+C).")
