"""The one place the page uses Streamlit internals still finds them (fails when Streamlit moves them).

End to end, tests/playground/test_app_hostile.py shows what they are for: a rejected integer link
(``epochs=inf``) never reaches Streamlit's own parsing.
"""

import inspect

from streamlit.runtime.state import get_session_state
from streamlit.runtime.state.query_params import QueryParams
from streamlit.runtime.state.safe_session_state import SafeSessionState
from streamlit.runtime.state.session_state import SessionState

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
