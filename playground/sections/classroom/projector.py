"""The projector's page, ``?room=CODE&view=board``: how to join and the class's board, large, refreshing
itself, and nothing else (the sidebar starts collapsed)."""

from __future__ import annotations

import streamlit as st

from playground import state
from playground.sections import Display, plain
from playground.sections.classroom.board import live_board
from playground.sections.classroom.join import join_card
from playground.sections.classroom.link import place


def projector() -> bool:
    """Draw the projector's page when the link asks for it. True when drawn."""
    if not state.projecting() or not state.link_value(state.ROOM):
        return False
    top, board = st.container(), st.container()  # the board's fragment keeps its address, whatever is above it
    where, notices = place()
    with top:
        for notice in notices:
            st.warning(plain(notice), icon=":material/warning:")
        if where is not None:
            join_card(where.room)
    if where is None:
        return False
    with board:
        live_board(where.room, "", Display(), projector=True)
    return True
