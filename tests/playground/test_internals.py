"""The one place the page uses Streamlit internals still finds them (fails when Streamlit moves them).

End to end, tests/playground/test_app_hostile.py shows what they are for: a rejected integer link
(``epochs=inf``) never reaches Streamlit's own parsing.
"""

import inspect

from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
from streamlit.runtime.state import get_session_state
from streamlit.runtime.state.query_params import QueryParams
from streamlit.runtime.state.safe_session_state import SafeSessionState
from streamlit.runtime.state.session_state import SessionState
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager
from streamlit.testing.v1 import AppTest

from playground import internals


def test_the_load_time_copy_of_the_link_can_be_reset():
    # what internals.forget_initial_link reaches: get_session_state() → .query_params() → this method
    assert inspect.signature(get_session_state).return_annotation in (SafeSessionState, "SafeSessionState")
    assert callable(SafeSessionState.query_params)
    assert callable(QueryParams.set_initial_query_params_from_current)
    assert "set_initial_query_params_from_current" in inspect.getsource(internals.forget_initial_link)


def test_reading_session_state_is_a_yield_point():
    # what internals.yield_point relies on: the script runner's execution-control check runs on every read
    calls = []
    state = SafeSessionState(SessionState(), yield_callback=lambda: calls.append(1))
    assert "anything" not in state
    assert calls == [1]
    assert "get_session_state()" in inspect.getsource(internals.yield_point)


def test_a_closed_tab_stops_its_script_and_leaves_the_active_sessions():
    # what the page relies on when a tab closes (streamlit/runtime/websocket_session_manager.py): the session's
    # script runner is asked to stop (StopException at its next yield point) and the session stops being active,
    # which internals.connected asks through Runtime.is_active_session
    source = inspect.getsource(WebsocketSessionManager.disconnect_session)
    assert "request_script_stop()" in source and "del self._active_session_info_by_id[session_id]" in source
    assert "StopException" in inspect.getsource(ScriptRunner._maybe_handle_execution_control_request)
    assert callable(Runtime.exists) and callable(Runtime.is_active_session)
    assert "session_id" in inspect.signature(ScriptRunContext).parameters


def test_connected_asks_the_runtime_about_the_session(monkeypatch):
    assert internals.connected("anyone")  # no server running (a test, a benchmark): it cannot tell
    active = {"open-tab"}

    class FakeRuntime:  # what internals.connected calls, answered as the real runtime answers it
        def is_active_session(self, session_id: str) -> bool:
            return session_id in active

    monkeypatch.setattr(Runtime, "_instance", FakeRuntime())
    assert internals.connected("open-tab") and not internals.connected("closed-tab")
    assert internals.connected()  # outside a script: no session to ask about


def test_the_session_id_is_the_script_contexts():
    assert internals.session_id() is None  # outside a script
    at = AppTest.from_string(
        "import streamlit as st\nfrom playground import internals\nst.write(internals.session_id())")
    at.run()
    assert [m.value for m in at.markdown] == ["test session id"]  # AppTest's own session id
