"""The run a visitor is looking at, kept in ``st.session_state``, and the shared cache of finished runs.

Rules:
- The page always shows a run of the sidebar's experiment. When the experiment changes (or on a
  first visit), the finished run comes from `finished_run`, cached per experiment and computed once
  for everyone (Streamlit's cache holds a per-key lock), so a class opening one link trains once.
  Each visitor gets an independent copy (`Run.copy`), which Train/Step/Reset then change. The cache
  is ``st.cache_resource`` holding the one shared run, copied on the way out: ``st.cache_data`` would
  give the same isolation by unpickling it for every visitor, about 4× slower than the copy.
- A run over the work bound (`Experiment.budget_error`) is not trained: the previous run stays on
  screen (nothing is lost) and the page says why.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict
from urllib.parse import parse_qsl, urlencode

import numpy as np
import streamlit as st

from mlp.config import CUSTOM, FIELDS, Experiment, from_query
from mlp.data import Dataset
from playground.runs import Run, finish, new_run

CACHE_ENTRIES = 64  # finished runs kept per process (each is a few hundred kB at most)


def experiment_key(exp: Experiment) -> str:
    """A canonical text for the experiment: its non-default settings, sorted."""
    return urlencode(sorted(exp.to_query().items()))


@st.cache_resource(show_spinner=False)
def training_gate() -> threading.Lock:
    """One lock for the process's trainings, so that they take turns instead of running side by side.

    Without it, N visitors training different links at once each wait on the GIL around every small
    BLAS call: 32 of them took 92 s where one after another takes 22 s (benchmarks/load.py, distinct).
    A link's finished run (bounded work) holds it for its whole training: the class's runs finish one
    after another, so half of them are done by half time; live training holds it only between two
    snapshots (see `Run.advance`), so a live run and the queue of links interleave; a live run (or a
    Stop click) may wait for the link's run in progress, at most about 10 s at the work bound.
    """
    return threading.Lock()


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _finished(key: str, X: np.ndarray | None, y: np.ndarray | None) -> Run:
    exp, _ = from_query(dict(parse_qsl(key)))
    run = new_run(exp, None if X is None else Dataset(CUSTOM, X, y))
    with training_gate():
        finish(run)
    run.origin = key if X is None else f"{key}#{hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()}"
    for d in (run.data, run.train, run.test):  # every visitor's copy shares these: nobody may write
        d.X.flags.writeable = d.y.flags.writeable = False
    return run


def finished_run(exp: Experiment, data: Dataset | None = None) -> Run:
    """The experiment trained to the end: a private copy of the shared cached result.

    ``data`` is only for a custom set too large for the link (the cache key then includes the points).
    """
    return _finished(experiment_key(exp), *((data.X, data.y) if data is not None else (None, None))).copy()


def session_data(exp: Experiment) -> Dataset | None:
    """The custom points a session holds when the link cannot carry them (over 200 points)."""
    if exp.dataset == CUSTOM and not exp.points:
        return st.session_state.get("custom_data")
    return None


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
    data = session_data(exp)
    if exp.dataset == CUSTOM and not exp.points and data is None:
        missing = "There are no custom points yet: add them in **Your data** (click, table or CSV)."
        if run is None:
            run = ss["run"] = new_run(Experiment(epochs=1))
        return run, "", missing + " The run on screen is the previous one."
    budget = exp.budget_error(None if data is None else len(exp.split(data)[0]))
    if budget:
        if run is None:  # nothing to keep: show the untrained network of the experiment
            run = ss["run"] = new_run(exp.with_(epochs=1), data)
        return run, "", budget + " The run on screen is the last one within the limit."
    carry = ss.pop("_carry_weights", None)
    if carry is not None and exp.dataset == CUSTOM:
        fresh = new_run(exp, data)
        if fresh.net.params.shape == carry.shape:  # same architecture: go on from the current weights, live
            fresh.net.params[...] = carry
            fresh.history.snaps.clear()
            fresh.history.add(fresh.trainer.snapshot())
            ss["run"] = fresh
            start(fresh, exp.epochs)
            return fresh, "New points: the network keeps its weights and trains on them (live).", ""
    note = ""
    if run is not None:
        note = f"Settings changed ({changes(run.exp, exp)}): a fresh network was trained from scratch."
    with st.spinner(f"Training {exp.epochs:,} epochs… (shared: everyone opening this link gets this run)"):
        run = finished_run(exp, data)
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
    run = st.session_state["run"] = new_run(exp, session_data(exp))
    return run
