"""The sidebar: one control per field of `lab.experiment.Experiment`, bound to the URL, and the display options.

Every control's ``key`` is the field name, so the address bar always holds the whole experiment and a
copied link reproduces it. Links are checked by `lab.experiment.from_query` before any widget exists:
a bad value is replaced by its default in session state (which a bound widget obeys) and
reported in a notice naming the parameter. How each setting is labelled, grouped and explained is
this module's table, `CONTROLS`; the widget comes from the same table.

Two settings follow the data set: a setting at its data set's default (the output activation and the
learning rate, see `lab.experiment.moved_defaults`) takes the new one's when the data set changes, and
every widget's default is its data set's, so a link holds only what differs from it. The input features
are a multiselect, which Streamlit would bind to the URL as repeated keys; the link's form is one
comma-separated value (``features=x1,x2,x1sq``), which this module writes itself (`_link_features`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lab.experiment import DEFAULT, FIELDS, Experiment, Field, combine, from_query, moved_defaults, task_defaults
from mlp.data import FIXED_SIZE
from playground import internals, state
from playground.sections import Display

Widget = Callable[..., Any]  # (field, label, **widget kwargs) → the widget's value


def _selectbox(f: Field, label: str, **kw: Any) -> Any:
    return st.selectbox(label, f.choices, **kw)


def _slider(step: float) -> Widget:
    def widget(f: Field, label: str, **kw: Any) -> Any:
        lo, hi = (int(f.lo), int(f.hi)) if f.kind == "int" else (float(f.lo), float(f.hi))
        return st.slider(label, lo, hi, step=step, **kw)

    return widget


def _number(step: float, fmt: str | None = None) -> Widget:
    def widget(f: Field, label: str, **kw: Any) -> Any:
        if f.kind == "int":
            return st.number_input(label, int(f.lo), int(f.hi), step=int(step), **kw)
        return st.number_input(label, float(f.lo), float(f.hi), step=step, format=fmt, **kw)

    return widget


def _toggle(f: Field, label: str, **kw: Any) -> Any:
    return st.toggle(label, **kw)


def _text(f: Field, label: str, **kw: Any) -> Any:
    return st.text_input(label, **kw)


def _multiselect(f: Field, label: str, **kw: Any) -> Any:
    return st.multiselect(label, f.choices, **kw)


@dataclass(frozen=True)
class Control:
    """How the sidebar shows one setting."""

    label: str
    group: str  # "Data", "Network" or "Training"
    help: str
    widget: Widget | None  # None: set by the page itself, never drawn (the custom points)
    advanced: bool = False  # drawn only with "More settings" on, or when its value is not the default
    presets: tuple[Any, ...] = ()  # one-click values, as pills under the control
    bound: bool = True  # bound to the URL by Streamlit (False: this module writes the link, `_link_features`)


CONTROLS: dict[str, Control] = {
    "dataset": Control("Data set", "Data", "The lab's linear and xor (21 points), more shapes, or custom: your own "
                       "points (the Data tab).", _selectbox),
    "n": Control("Points", "Data", "How many points to generate.", _slider(1)),
    "noise": Control("Noise", "Data", "0 – 0.5; its meaning per data set is in mlp/data.py.", _slider(0.05)),
    "test": Control("Test fraction", "Data", "Share of points held out for testing; 0 tests on the training data, "
                    "as the lab does.", _slider(0.05)),
    "seed": Control("Data seed", "Data", "Seeds the points and the train/test split.", _number(1)),
    "points": Control("Custom points", "Data", "Your own points, encoded into the link by the page.", None),
    "features": Control("Input features", "Network", "What the first layer sees: x1, x2 as given; squares, "
                        "product and sines of the coordinates centred on the data's middle (TensorFlow "
                        "Playground's inputs).", _multiselect, bound=False),
    "hidden": Control("Hidden layers", "Network", "Units per hidden layer, e.g. 9,4 (the report's 9×4); 0 for "
                      "none (logistic regression).", _text, presets=("2,1", "9,4", "20,14")),  # the report's §4.2
    "activation": Control("Activation", "Network", "Hidden layers' activation; linear means none (the report's "
                          "§4.3).", _selectbox),
    "output_activation": Control("Output activation", "Network", "Sigmoid keeps the output a probability.",
                                 _selectbox, advanced=True),
    "loss": Control("Loss", "Network", "mse (the lab's) or bce (binary cross-entropy).", _selectbox),
    "init": Control("Initialisation", "Network", "normal is N(0, 1), what the lab's students use.", _selectbox,
                    advanced=True),
    "bias": Control("Biases", "Network", "Off gives the lab's bias-free Z = σ(X·W).", _toggle, advanced=True),
    "weight_seed": Control("Weight seed", "Network", "Seeds the initial weights and mini-batch order.", _number(1)),
    "optimizer": Control("Optimizer", "Training", "PyTorch's update rules; momentum and nesterov use 0.9.",
                         _selectbox),
    "lr": Control("Learning rate", "Training", "The report tries 0.1, 0.3 and 0.9.", _number(0.05, "%g"),
                  presets=(0.1, 0.3, 0.9)),
    "epochs": Control("Epochs", "Training", "Passes over the training set.", _number(1000)),
    "batch_size": Control("Batch size", "Training", "0 means full batch (the lab's).", _number(1), advanced=True),
    "reduction": Control("Gradient reduction", "Training", "sum: summed over samples, as lab solutions do (n× the "
                         "lr); mean: PyTorch's.", _selectbox, advanced=True),
    "l1": Control("L1 penalty", "Training", "l1·Σ|W| on weights.", _number(0.0001, "%g"), advanced=True),
    "l2": Control("L2 penalty", "Training", "(l2/2)·ΣW² on weights.", _number(0.0001, "%g"), advanced=True),
}
GROUPS = ("Data", "Network", "Training")
ADVANCED = frozenset(name for name, c in CONTROLS.items() if c.advanced)


def widget_value(f: Field, value: Any) -> Any:
    if f.kind == "names":
        return list(value)
    return f.format(value) if f.kind == "sizes" else value


def _default(name: str, dataset: str = DEFAULT.dataset) -> Any:
    """A field's default (for this data set) as its widget holds it."""
    return widget_value(FIELDS[name], task_defaults(dataset).get(name, getattr(DEFAULT, name)))


@dataclass
class Sidebar:
    """What the sidebar produced: the experiment, the display options and the notices about ignored input."""

    exp: Experiment
    display: Display
    notices: list[str]


def check_link() -> list[str]:
    """On a session's first run, validate the URL's values and seed the widgets with them."""
    if not state.once(state.LINK_CHECKED):
        return state.get(state.LINK_NOTICES, [])
    params = state.link_values()
    exp, notices = from_query(params)
    rejected = {n.split(":", 1)[0] for n in notices} & set(params)
    if rejected:
        state.drop_link(*rejected)
        internals.forget_initial_link()
    for name, f in FIELDS.items():
        if name in params:
            state.put(name, widget_value(f, getattr(exp, name)))
    state.put(state.LINK_NOTICES, notices)
    return notices


def set_field(name: str, value: Any) -> None:
    """Change a control from code (a preset, "new seed", a pinned run loaded back)."""
    state.put(name, widget_value(FIELDS[name], value))


def sidebar(hidden: frozenset[str] = frozenset(), locked: bool = False) -> Sidebar:
    """Draw the Data / Network / Training groups and the display options; return what they describe."""
    notices = list(check_link())
    values: dict[str, Any] = {}
    # the last good values, in one session key (every key costs each widget a little: Streamlit copies the
    # whole session state when it draws a selectbox or a number input)
    last_good: dict[str, Any] = state.setdefault(state.LAST_GOOD, {})
    more = bool(state.get(state.MORE_SETTINGS, False))
    # the data set its widget will show (the link's, or the last choice): its defaults, and what moved with it
    dataset = state.get(FIELDS["dataset"].name, DEFAULT.dataset)  # a widget keyed by its field
    dataset = dataset if dataset in FIELDS["dataset"].choices else DEFAULT.dataset
    _follow_dataset(dataset, last_good.get("dataset", dataset))
    changed = {name for name in ADVANCED if state.get(name, _default(name, dataset)) != _default(name, dataset)}
    shown = (ADVANCED if more else frozenset(changed)) - hidden
    for group in GROUPS:
        st.sidebar.subheader(group)
        with st.sidebar:
            for name, control in CONTROLS.items():
                if control.group == group:
                    _draw(FIELDS[name], values, last_good, hidden | (ADVANCED - shown), locked, notices)
    if ADVANCED - hidden:
        # the seldom-changed settings are drawn on demand: each widget costs the browser script time on every
        # load (benchmarks/browser.py), and a changed one is always on screen, so nothing is set out of sight
        more_names = ", ".join(c.label.lower() for n, c in CONTROLS.items() if n in ADVANCED - hidden)
        st.sidebar.toggle("More settings", key=state.MORE_SETTINGS,
                          help=f"Also show {more_names}. A setting that is not at its default is always shown.")
    st.sidebar.subheader("Display")
    display = Display(
        log_scale=st.sidebar.toggle("Log-scale loss", key=state.LOG_SCALE, bind="query-params"),
        show_test=st.sidebar.toggle("Show test points", value=True, key=state.SHOW_TEST, bind="query-params"),
        discretize=st.sidebar.toggle("Discretize output", key=state.DISCRETIZE, bind="query-params"),
    )
    exp, clashes = combine(values)  # a setting that does not go with the others (BCE on a regression set)
    return Sidebar(exp, display, notices + clashes)


def _follow_dataset(new: str, old: str) -> None:
    """Before the other widgets are drawn: the settings at the old data set's default take the new one's."""
    if new == old:
        return
    current = {name: state.get(name, _default(name, old)) for name in FIELDS}
    for name, value in moved_defaults(current, old, new).items():
        state.put(name, widget_value(FIELDS[name], value))


def _link_features(f: Field, value: Any) -> None:
    """The features in the address bar as one comma-separated value, only when not the default."""
    text = f.format(value)
    if text == f.format(f.default):
        state.drop_link(f.name)
    elif state.link_value(f.name) != text:
        state.set_link(f.name, text)


def _draw(f: Field, values: dict[str, Any], last_good: dict[str, Any], hidden: frozenset[str], locked: bool,
          notices: list[str]) -> None:
    control = CONTROLS[f.name]
    fixed = FIXED_SIZE.get(values.get("dataset", "")) if f.name == "n" else None
    default = _default(f.name, values.get("dataset", DEFAULT.dataset))
    if f.name in hidden or control.widget is None or fixed is not None:
        # hidden by a lesson or behind "More settings", set by the page itself (the custom points), or
        # meaningless for this data set:
        # the link's value or the default, kept as it is. Written back, so that Streamlit does not clean it
        # up as the state of a widget that was not drawn this run (the value returns with the widget).
        raw = state.get(f.name, default)
        state.put(f.name, raw)
        if fixed is not None and f.name not in hidden:
            st.number_input(control.label, value=fixed, disabled=True, key=state.N_FIXED,
                            help=f"{values['dataset']} is the lab's fixed set of {fixed} points.")
            st.caption(f"{values['dataset']} always has its {fixed} points.")
    else:
        # the default is always passed, even when session state holds the value: a bound widget drops its
        # parameter from the URL when the value equals this default, so it must be the experiment's default
        kw: dict[str, Any] = {"key": f.name, "help": control.help, "disabled": locked}
        if control.bound:
            kw["bind"] = "query-params"
        if f.kind == "choice":
            kw["index"] = f.choices.index(default)
        elif f.kind == "names":
            kw["default"] = default
        else:
            kw["value"] = default
        raw = control.widget(f, control.label, **kw)
        if control.presets and not locked:
            _presets(f, control)
    try:
        values[f.name] = f.parse(raw) if f.kind == "sizes" else f.check(raw)
    except ValueError as exc:  # the free-text field, or no input feature chosen
        last = last_good.get(f.name, getattr(DEFAULT, f.name))
        notices.append(f"{exc} — keeping {f.format(last)}.")
        values[f.name] = last
    last_good[f.name] = values[f.name]
    if not control.bound and control.widget is not None:
        _link_features(f, values[f.name])


def _presets(f: Field, control: Control) -> None:
    """One-click values for a field, as a row of pills that sets the field and clears itself."""
    key = state.preset_key(f.name)
    label = f"The report's {control.label.lower()}"

    def apply() -> None:
        choice = state.get(key)
        if choice is not None:
            set_field(f.name, f.parse(choice) if isinstance(choice, str) else choice)
        state.put(key, None)  # a pill is an action here, not a state

    st.pills(label, control.presets, key=key, format_func=lambda v: str(v).replace(",", "×"), on_change=apply,
             label_visibility="collapsed", width="stretch", help=f"{label}: one click sets the value.")
