"""The sidebar: one widget per field of `mlp.config.Experiment`, bound to the URL.

Every widget's ``key`` is the field name, so the address bar always holds the whole experiment and a
copied link reproduces it. Links are checked by `mlp.config.from_query` before any widget exists:
a bad value is replaced by its default in ``st.session_state`` (which a bound widget obeys) and
reported in a notice naming the parameter. Widgets are chosen from a registry by field name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from mlp.config import DEFAULT, FIELDS, LR_PRESETS, Experiment, Field, from_query

GROUPS = ("Data", "Network", "Training")
HIDDEN_PRESETS = ("2,1", "9,4", "20,14")  # the report's §4.2


def _selectbox(f: Field, **kw: Any) -> Any:
    return st.selectbox(f.label, f.choices, **kw)


def _slider(step: float) -> Callable[..., Any]:
    def widget(f: Field, **kw: Any) -> Any:
        lo, hi = (int(f.lo), int(f.hi)) if f.kind == "int" else (float(f.lo), float(f.hi))
        return st.slider(f.label, lo, hi, step=step, **kw)

    return widget


def _number(step: float, fmt: str | None = None) -> Callable[..., Any]:
    def widget(f: Field, **kw: Any) -> Any:
        if f.kind == "int":
            return st.number_input(f.label, int(f.lo), int(f.hi), step=int(step), **kw)
        return st.number_input(f.label, float(f.lo), float(f.hi), step=step, format=fmt, **kw)

    return widget


def _toggle(f: Field, **kw: Any) -> Any:
    return st.toggle(f.label, **kw)


def _text(f: Field, **kw: Any) -> Any:
    return st.text_input(f.label, **kw)


# field name → widget; the widget's value is the field's value, except "hidden" (its text form)
WIDGETS: dict[str, Callable[..., Any]] = {
    "dataset": _selectbox,
    "n": _slider(1),
    "noise": _slider(0.05),
    "test": _slider(0.05),
    "seed": _number(1),
    "hidden": _text,
    "activation": _selectbox,
    "output_activation": _selectbox,
    "loss": _selectbox,
    "init": _selectbox,
    "bias": _toggle,
    "weight_seed": _number(1),
    "optimizer": _selectbox,
    "lr": _number(0.05, "%g"),
    "epochs": _number(1000),
    "batch_size": _number(1),
    "reduction": _selectbox,
    "l1": _number(0.0001, "%g"),
    "l2": _number(0.0001, "%g"),
}


def widget_value(f: Field, value: Any) -> Any:
    return f.format(value) if f.kind == "sizes" else value


@dataclass
class Sidebar:
    """What the sidebar produced: the experiment and the notices about ignored input."""

    exp: Experiment
    notices: list[str]


def check_link() -> list[str]:
    """On a session's first run, validate the URL's values and seed the widgets with them."""
    if st.session_state.get("_link_checked"):
        return st.session_state.get("_link_notices", [])
    params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    exp, notices = from_query(params)
    _forget({n.split(":", 1)[0] for n in notices} & set(params))
    for name, f in FIELDS.items():
        if name in params:
            st.session_state[name] = widget_value(f, getattr(exp, name))
    st.session_state["_link_checked"] = True
    st.session_state["_link_notices"] = notices
    return notices


def _forget(rejected: set[str]) -> None:
    """Drop rejected link values before any widget exists.

    On a first load a bound widget seeds itself from the URL *as it was at page load*, over session
    state, with Streamlit's own parsing (integers by int(float(text)), which raises OverflowError on
    "inf" — a traceback on the page). So the rejected keys leave the URL and the load-time copy too.
    The latter is Streamlit-internal (1.67); should it move, the notices still name the parameters.
    """
    if not rejected:
        return
    for name in rejected:
        del st.query_params[name]
    try:
        from streamlit.runtime.state import get_session_state

        with get_session_state().query_params() as qp:
            qp.set_initial_query_params_from_current()
    except (ImportError, AttributeError):  # pragma: no cover - another Streamlit version
        pass


def set_field(name: str, value: Any) -> None:
    """Change a control from code (a preset button, "new seed", a pinned run loaded back)."""
    st.session_state[name] = widget_value(FIELDS[name], value)


def _field_widget(f: Field, locked: bool) -> Any:
    default = widget_value(f, getattr(DEFAULT, f.name))
    # the default is always passed, even when session state holds the value: a bound widget drops its
    # parameter from the URL when the value equals this default, so it must be the config's default
    kw: dict[str, Any] = {"key": f.name, "help": f.help, "bind": "query-params", "disabled": locked}
    kw["value" if f.kind != "choice" else "index"] = (
        default if f.kind != "choice" else f.choices.index(default)
    )
    return WIDGETS[f.name](f, **kw)


def sidebar(hidden: frozenset[str] = frozenset(), locked: bool = False) -> Sidebar:
    """Draw the Data / Network / Training groups and return the experiment they describe."""
    notices = list(check_link())
    values: dict[str, Any] = {}
    # the last good values, in one session key (every key costs each widget a little: Streamlit copies the
    # whole session state when it draws a selectbox or a number input)
    last_good: dict[str, Any] = st.session_state.setdefault("_last_good", {})
    for group in GROUPS:
        fields = [f for f in FIELDS.values() if f.group == group]
        st.sidebar.subheader(group)
        with st.sidebar:
            basic = [f for f in fields if not f.advanced or f.name not in WIDGETS]
            for f in basic:
                _draw(f, values, last_good, hidden, locked, notices)
            advanced = [f for f in fields if f.advanced and f.name not in hidden and f.name in WIDGETS]
            if advanced:
                with st.expander(f"More {group.lower()} settings"):
                    for f in advanced:
                        _draw(f, values, last_good, hidden, locked, notices)
    return Sidebar(Experiment(**values), notices)


def _draw(f: Field, values: dict[str, Any], last_good: dict[str, Any], hidden: frozenset[str], locked: bool,
          notices: list[str]) -> None:
    if f.name in hidden or f.name not in WIDGETS:
        # hidden by a lesson, or set by the page itself (the custom points): the link's value or the default
        raw = st.session_state.get(f.name, widget_value(f, getattr(DEFAULT, f.name)))
    else:
        raw = _field_widget(f, locked)
        if f.name == "lr" and not locked:
            _preset_buttons("lr", LR_PRESETS, lambda v: v, "The report's learning rates")
        if f.name == "hidden" and not locked:
            _preset_buttons("hidden", HIDDEN_PRESETS, FIELDS["hidden"].parse, "The report's hidden units")
    try:
        values[f.name] = f.parse(raw) if f.kind == "sizes" else f.check(raw)
    except ValueError as exc:  # only the free-text field can get here
        last = last_good.get(f.name, getattr(DEFAULT, f.name))
        notices.append(f"{exc} — keeping {f.format(last)}.")
        values[f.name] = last
    last_good[f.name] = values[f.name]


def _preset_buttons(name: str, presets: tuple, parse: Callable[[Any], Any], label: str) -> None:
    """One-click values for a field, as a row of pills that sets the field and clears itself."""
    key = f"_preset_{name}"

    def apply() -> None:
        choice = st.session_state.get(key)
        if choice is not None:
            set_field(name, parse(choice))
        st.session_state[key] = None  # a pill is an action here, not a state

    st.pills(label, presets, key=key, format_func=lambda v: str(v).replace(",", "×"), on_change=apply,
             label_visibility="collapsed", width="stretch", help=f"{label}: one click sets the value.")
