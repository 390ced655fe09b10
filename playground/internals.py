"""The one place the page reaches into Streamlit's internals (1.67); tests/playground/test_internals.py
fails when Streamlit moves them.

On a session's first load a widget bound to the URL seeds itself from the address bar *as it was at page
load*, over session state, with Streamlit's own parsing: integers by int(float(text)), which raises
OverflowError on "inf" (a traceback on the page). A link value the page rejects must therefore leave
that load-time copy too, not only the address bar.

A script is interrupted (a click: Stop, a new setting) only at a yield point: Streamlit checks for a pending
rerun whenever the script sends an element, and whenever it reads session state. A live run waiting for
its job reads session state to let a click in, instead of sending a message nobody needs.
"""

from __future__ import annotations

from streamlit.runtime.state import get_session_state

_NOTHING = "\0yield"  # a session-state key that is never set


def forget_initial_link() -> None:
    """Make the load-time copy of the address bar equal to the address bar as it is now."""
    with get_session_state().query_params() as qp:
        qp.set_initial_query_params_from_current()


def yield_point() -> None:
    """Let a pending click interrupt the script here (raises Streamlit's rerun exception), sending nothing."""
    _NOTHING in get_session_state()  # noqa: B015 (SafeSessionState.__contains__ runs the yield callback)
