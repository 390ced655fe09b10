"""Where classes are kept, told to the teacher when the store is the embedded SQLite file: a host whose disk is not
kept (Streamlit Community Cloud) loses that file, and every class in it, on a restart."""

from __future__ import annotations

import streamlit as st

from playground import shared
from playground.sections import plain
from server.store import StoreError


def where_kept() -> None:
    """A caption naming the SQLite file and what a host without a lasting disk needs; nothing on Postgres."""
    try:
        url = shared.store().engine.url
    except StoreError:
        return
    if url.get_backend_name() != "sqlite":
        return
    st.caption(plain(f"Classes are kept in a SQLite file on this server: {url.database}. On a host whose disk is "
                     "not kept — Streamlit Community Cloud — they are lost when the app restarts: set a Postgres URL "
                     "in the app's secrets ([connections.board] url; docs/hosting.md says how)."),
               help="The store's place is PLAYGROUND_DB, else [connections.board] url in .streamlit/secrets.toml, "
                    "else data/playground.db.")
