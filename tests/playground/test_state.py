"""Page state in one place: only playground/state.py touches ``st.session_state`` and ``st.query_params``
(playground/internals.py reaches Streamlit's own copy of the link), and no other module names a session key
or a link parameter by a string of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lab.sweep import Sweep
from playground import state

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "playground" / "state.py", ROOT / "playground" / "internals.py"}
PAGE = sorted([*(ROOT / "playground").rglob("*.py"), ROOT / "streamlit_app.py"])
STATE_CALLS = {"get", "put", "pop", "once", "setdefault", "link_value", "set_link", "drop_link"}


def touches_streamlit_state(tree: ast.AST) -> list[str]:
    """Every use of ``session_state`` or ``query_params`` as an attribute (``st.session_state[…]``,
    ``st.query_params.get``) or an imported name (``from streamlit import session_state``)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("session_state", "query_params"):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name in ("session_state", "query_params")]
    return found


def raw_keys(tree: ast.AST) -> list[str]:
    """String literals used as keys: ``state.get("x")``, ``state.drop_link("x")``, a widget's ``key="x"``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr in STATE_CALLS and isinstance(f.value, ast.Name) \
                and f.value.id == "state":
            named = node.args if f.attr == "drop_link" else node.args[:1]  # drop_link takes several names
            if any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in named):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        for kw in node.keywords:
            if kw.arg == "key" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                found.append(f"{node.lineno}: key={kw.value.value!r}")
    return found


@pytest.mark.parametrize("path", [p for p in PAGE if p not in ALLOWED], ids=lambda p: str(p.relative_to(ROOT)))
def test_only_state_touches_session_state_and_the_link(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    assert touches_streamlit_state(tree) == [], f"{path.relative_to(ROOT)}: go through playground.state"
    assert raw_keys(tree) == [], f"{path.relative_to(ROOT)}: name the key in playground/state.py"


def test_the_checks_see_what_they_look_for() -> None:
    """Each way of reaching around state.py that the test above refuses, written out, is found."""
    code = ast.parse(
        "import streamlit as st\nfrom streamlit import session_state\n"
        "st.session_state['x'] = 1\nst.session_state.get('x')\nst.query_params['y'] = 'z'\n"
        "state.get('run')\nstate.drop_link(state.ROOM, 'hide')\nst.button('Go', key='_go')\n"
        "state.get(state.RUN)\nst.button('Go', key=state.TRAIN)\n"
    )
    assert len(touches_streamlit_state(code)) == 4
    assert [k.split(":")[0] for k in raw_keys(code)] == ["6", "7", "8"]


def test_the_sweep_link_names_are_the_labs() -> None:
    """A board's sweep link is written by `lab.sweep.Sweep.query` and read back with state's names."""
    assert set(Sweep.parse("lr", "0.1; 0.3").query()) == {state.SWEEP, state.VALUES}
