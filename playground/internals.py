"""The one place the page reaches into Streamlit's internals (1.67); tests/playground/test_internals.py
fails when Streamlit moves them.

On a session's first load a widget bound to the URL seeds itself from the address bar *as it was at page
load*, over session state, with Streamlit's own parsing: integers by int(float(text)), which raises
OverflowError on "inf" (a traceback on the page). A link value the page rejects must therefore leave
that load-time copy too, not only the address bar.

A script is interrupted (a click: Stop, a new setting) only at a yield point: Streamlit checks for a pending
rerun whenever the script sends an element, and whenever it reads session state. A live run waiting for
its job reads session state to let a click in, instead of sending a message nobody needs.

Who asks the training service for work is the visitor's session: Streamlit's session id (issued by the
server, one per browser tab). When the tab closes, its websocket closes and Streamlit's session manager
(``WebsocketSessionManager.disconnect_session``) asks the session's script runner to stop and removes the
session from the active ones; the running script raises StopException at its next yield point. Until then
the script runs on: a loop that waits for training checks `connected` as well, and the training service
asks `connected` about each visitor that follows a job, so a closed tab's trainings are let go at once.
"""

from __future__ import annotations

from collections.abc import Hashable

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state import get_session_state

_NOTHING = "\0yield"  # a session-state key that is never set


def forget_initial_link() -> None:
    """Make the load-time copy of the address bar equal to the address bar as it is now."""
    with get_session_state().query_params() as qp:
        qp.set_initial_query_params_from_current()


def yield_point() -> None:
    """Let a pending click interrupt the script here (raises Streamlit's rerun exception), sending nothing."""
    _NOTHING in get_session_state()  # noqa: B015 (SafeSessionState.__contains__ runs the yield callback)


def session_id() -> str | None:
    """The visitor's session id (None outside a Streamlit script: tests, benchmarks)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_id


def connected(session: Hashable | None = None) -> bool:
    """Whether the session (by default the current script's) still has its browser tab open. True where
    Streamlit cannot tell: without a running server (AppTest), or outside a session. Safe from any thread."""
    session = session_id() if session is None else session
    if session is None or not Runtime.exists():
        return True
    return Runtime.instance().is_active_session(str(session))
