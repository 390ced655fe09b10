"""How students join a class: its code, its join link and the link's QR code, large enough for a projector
(the teacher's panel and the projector's page both show it)."""

from __future__ import annotations

import io

import segno
import streamlit as st

from playground import state
from playground.sections.share import address
from server.store import Room


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2)
    return out.getvalue()


def join_card(room: Room) -> None:
    """The code, the join link and its QR code, large (for the projector)."""
    join = address({state.ROOM: room.code})
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(f"## Join class **{room.code}**")  # the code is letters and digits of rooms.ALPHABET only
    left.code(join, language=None, wrap_lines=True)
    right.image(qr_png(join), caption=f"Scan to join {room.code}", width=220)
