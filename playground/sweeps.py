"""Sweeps on the page: one click reproduces a comparison of the report's Discussion on the board.

A sweep varies one setting over a list of values, everything else as in the sidebar, on the same data
and (where shapes allow) the same initial weights; `mlp.sweep` trains the runs together where it can.
Results are cached per (experiment, sweep), like single runs. The sweep is part of the share link
(``sweep=lr&values=0.1;0.3;0.9&both=1``), so a board can be handed to a class as a lesson link.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl

import streamlit as st

from mlp.config import FIELDS, MAX_WORK, Experiment, from_query
from mlp.presets import PRESETS
from mlp.sweep import RunResult, Sweep, run_sweep
from playground import board
from playground.pins import Pin, pin_from_history
from playground.runs import History, snapshot_every
from playground.session import experiment_key, training_gate

BOTH = ("linear", "xor")  # the lab's two data sets
SEP = ";"  # between values in the URL and the free-sweep box (hidden sizes contain commas)
SWEEPABLE = tuple(n for n in FIELDS if n != "points")


@st.cache_data(max_entries=32, show_spinner=False)
def _results(exp_key: str, setting: str, values: tuple) -> list[RunResult]:
    exp, _ = from_query(dict(parse_qsl(exp_key)))
    with training_gate():  # a sweep is bounded work: it takes its turn whole
        return run_sweep(exp, Sweep(setting, values), every=snapshot_every(exp.epochs))


def results(exp: Experiment, sweep: Sweep) -> list[RunResult]:
    """The sweep's runs (cached per experiment and sweep, shared by every visitor)."""
    return _results(experiment_key(exp), sweep.setting, sweep.values)


def to_pin(result: RunResult, label: str) -> Pin:
    exp = result.experiment
    train, _ = exp.split()
    history = History(list(result.snapshots))
    return pin_from_history(label, exp, history, result.net, train.X, train.y, result.seconds,
                            result.status, result.reason, exp.test > 0)


def parse_values(setting: str, text: str) -> Sweep:
    """A sweep from the free-sweep box or the URL: values separated by ';' (ValueError names what's wrong)."""
    if setting not in SWEEPABLE:
        raise ValueError(f"sweep: unknown setting {setting!r}; allowed: {', '.join(SWEEPABLE)}")
    values = tuple(v.strip() for v in text.split(SEP) if v.strip())
    if not 2 <= len(values) <= 6:
        raise ValueError(f"values: give 2 to 6 values separated by '{SEP}', e.g. 0.1; 0.3; 0.9")
    return Sweep(setting, values)


def work(exp: Experiment, sweep: Sweep, datasets: tuple[str, ...]) -> int:
    return sum(e.work() for d in datasets for e in sweep.experiments(exp.with_(dataset=d)))


def run(exp: Experiment, sweep: Sweep, both: bool) -> str:
    """Train the sweep (on both lab data sets if asked) and fill the board; returns an error or ''."""
    datasets = BOTH if both else (exp.dataset,)
    if both and exp.dataset == "custom":
        return "The 'both data sets' view compares the lab's linear and XOR sets; switch off custom data first."
    total = work(exp, sweep, datasets)
    if total > MAX_WORK:
        return (f"This sweep asks for {total:.2g} units of work (epochs × points × parameters over its runs); "
                f"the limit is {MAX_WORK:.0e}. Use fewer epochs or values.")
    board.clear()
    with st.spinner(f"Training {len(sweep.values) * len(datasets)} runs…"):
        for d in datasets:
            for value, result in zip(sweep.values, results(exp.with_(dataset=d), sweep)):
                label = f"{sweep.setting} = {FIELDS[sweep.setting].format(value)}"
                board.add(to_pin(result, f"{label} · {d}" if both else label))
    return ""


def section(exp: Experiment) -> None:
    """The sweep controls; the results land on the comparison board below them."""
    st.header("Sweeps: the report's comparisons in one click")
    names = ["—", *PRESETS, "free"]
    titles = {"—": "Choose a comparison…", "free": "Free sweep: any setting, your values",
              **{k: p.title for k, p in PRESETS.items()}}
    cols = st.columns([3, 1], vertical_alignment="bottom")
    choice = cols[0].selectbox("Comparison", names, format_func=titles.get, key="_sweep_choice")
    both = cols[1].toggle("Both data sets", key="_sweep_both", help="Run it on the lab's linear and XOR sets.")
    sweep = None
    if choice == "free":
        fc = st.columns([1, 2])
        setting = fc[0].selectbox("Setting", SWEEPABLE, index=SWEEPABLE.index("lr"), key="_sweep_setting")
        text = fc[1].text_input(f"Values, separated by '{SEP}'", "0.05; 0.1; 0.5", key="_sweep_values")
        try:
            sweep = parse_values(setting, text)
        except ValueError as exc:
            st.error(str(exc), icon=":material/error:")
    elif choice in PRESETS:
        preset = PRESETS[choice]
        sweep = preset.sweep
        st.markdown(preset.explanation)
        if preset.question:
            st.info(f"**{preset.question}** {preset.answer}", icon=":material/school:")
    if sweep is not None and st.button("Run sweep", key="_sweep_run", type="primary", icon=":material/compare:"):
        error = run(exp, sweep, both)
        if error:
            st.error(error, icon=":material/block:")
        else:
            st.session_state["_sweep_link"] = sweep_query(sweep, both)
    link = st.session_state.get("_sweep_link")
    if link and board.pins():
        st.caption("Share this board: the link below re-runs the same sweep for whoever opens it.")


def sweep_query(sweep: Sweep, both: bool) -> dict[str, str]:
    q = {"sweep": sweep.setting, "values": SEP.join(FIELDS[sweep.setting].format(v) for v in sweep.values)}
    if both:
        q["both"] = "1"
    return q


def from_link(exp: Experiment, on_fill: Callable[[], None] = lambda: None) -> list[str]:
    """On a session's first run, a link's ``sweep``/``values``/``both`` fill the board (then ``on_fill()``);
    returns notices."""
    if st.session_state.get("_sweep_checked"):
        return []
    st.session_state["_sweep_checked"] = True
    setting = st.query_params.get("sweep")
    if setting is None:
        return []
    both = st.query_params.get("both", "") in ("1", "true")
    try:
        sweep = parse_values(setting, st.query_params.get("values", ""))
    except ValueError as exc:
        return [f"{exc} — the sweep in the link was not run."]
    error = run(exp, sweep, both)
    if error:
        return [error]
    st.session_state["_sweep_link"] = sweep_query(sweep, both)
    on_fill()
    # show the link's sweep in the controls: its preset (with the explanation), or the free sweep's fields
    preset = next((name for name, p in PRESETS.items() if p.sweep == sweep), None)
    st.session_state["_sweep_choice"] = preset or "free"
    st.session_state["_sweep_both"] = both
    if preset is None:
        st.session_state["_sweep_setting"] = sweep.setting
        st.session_state["_sweep_values"] = sweep_query(sweep, both)["values"].replace(SEP, SEP + " ")
    return []
