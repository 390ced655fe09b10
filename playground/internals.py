"""The one place the page reaches into Streamlit's internals (1.67); tests/playground/test_internals.py
fails when Streamlit moves them.

On a session's first load a widget bound to the URL seeds itself from the address bar *as it was at page
load*, over session state, with Streamlit's own parsing: integers by int(float(text)), which raises
OverflowError on "inf" (a traceback on the page). A link value the page rejects must therefore leave
that load-time copy too, not only the address bar.
"""

from __future__ import annotations

from streamlit.runtime.state import get_session_state


def forget_initial_link() -> None:
    """Make the load-time copy of the address bar equal to the address bar as it is now."""
    with get_session_state().query_params() as qp:
        qp.set_initial_query_params_from_current()
