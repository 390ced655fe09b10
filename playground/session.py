"""The run a visitor is looking at, kept in ``st.session_state``, and the shared cache of finished runs.

Rules:
- The page always shows a run of the sidebar's experiment. When the experiment changes (or on a
  first visit), the finished run comes from `finished_run`, cached per experiment and computed once
  for everyone (Streamlit's cache holds a per-key lock), so a class opening one link trains once.
  Each visitor gets an independent copy, which Train/Step/Reset then change.
- A run over the work bound (`Experiment.budget_error`) is not trained: the previous run stays on
  screen (nothing is lost) and the page says why.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import parse_qsl, urlencode

import streamlit as st

from mlp.config import FIELDS, Experiment, from_query
from playground.runs import Run, finish, new_run

CACHE_ENTRIES = 64  # finished runs kept per process (each is a few hundred kB at most)


def experiment_key(exp: Experiment) -> str:
    """A canonical text for the experiment: its non-default settings, sorted."""
    return urlencode(sorted(exp.to_query().items()))


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _finished(key: str) -> Run:
    exp, _ = from_query(dict(parse_qsl(key)))
    return finish(new_run(exp))


def finished_run(exp: Experiment) -> Run:
    """The experiment trained to the end: a private copy of the shared cached result."""
    return _finished(experiment_key(exp))


def changes(old: Experiment, new: Experiment) -> str:
    a, b = asdict(old), asdict(new)
    diff = [f"{k} {FIELDS[k].format(a[k])} → {FIELDS[k].format(b[k])}" for k in a if a[k] != b[k]]
    return ", ".join(diff)


def current_run(exp: Experiment) -> tuple[Run, str, str]:
    """(run, note, error) for the sidebar's experiment.

    ``note`` says what changed when a new run replaced the old one; ``error`` says why the shown run
    is not of ``exp`` (over the work bound).
    """
    ss = st.session_state
    run: Run | None = ss.get("run")
    if run is not None and run.exp == exp:
        return run, "", ""
    budget = exp.budget_error()
    if budget:
        if run is None:  # nothing to keep: show the untrained network of the experiment
            run = ss["run"] = new_run(exp.with_(epochs=1))
        return run, "", budget + " The run on screen is the last one within the limit."
    note = ""
    if run is not None:
        note = f"Settings changed ({changes(run.exp, exp)}): a fresh network was trained from scratch."
    with st.spinner(f"Training {exp.epochs:,} epochs… (shared: everyone opening this link gets this run)"):
        run = finished_run(exp)
    ss["run"] = run
    ss["training"] = False
    return run, note, ""


def start(run: Run, target: int) -> None:
    """Ask for live training up to ``target`` epochs (it continues across reruns until Stop)."""
    st.session_state["training"] = True
    st.session_state["target"] = target


def stop() -> None:
    st.session_state["training"] = False


def reset(exp: Experiment) -> Run:
    st.session_state["training"] = False
    run = st.session_state["run"] = new_run(exp)
    return run
