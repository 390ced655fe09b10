"""The share link: the page's address with the whole experiment (and the open tab, a lesson, a board's sweep)."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from lab.experiment import Experiment


def share_link(exp: Experiment, extra: dict[str, str] | None = None) -> str:
    """The page's address with the experiment's non-default settings (and ``extra``) as the query."""
    query = urlencode(exp.to_query() | (extra or {}))
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def share(exp: Experiment, extra: dict[str, str] | None = None) -> None:
    st.subheader("Share this experiment")
    st.caption("The address bar always holds the whole experiment; this is the same link. It reproduces the run exactly.")
    st.code(share_link(exp, extra), language=None, wrap_lines=True)
