"""The run a visitor is looking at, kept in the session: which run the sidebar's experiment gets, and
Train / Stop / Reset.

Rules:
- The page always shows a run of the sidebar's experiment. When the experiment changes (or on a
  first visit), the finished run comes from the process-wide cache (`shared.finished_run`), computed
  once for everyone; each visitor gets an independent copy, which Train/Step/Reset then change.
- A run over the work bound (`lab.budget`) is not trained: the previous run stays on screen (nothing
  is lost) and the page says why.
"""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from lab import budget
from lab.experiment import CUSTOM, FIELDS, Experiment
from lab.run import Run, new_run
from mlp.data import Dataset
from playground import shared, state


def session_data(exp: Experiment) -> Dataset | None:
    """The custom points a session holds when the link cannot carry them (over 200 points)."""
    if exp.dataset == CUSTOM and not exp.points:
        return state.get(state.CUSTOM_DATA)
    return None


def changes(old: Experiment, new: Experiment) -> str:
    a, b = asdict(old), asdict(new)
    return ", ".join(f"{k} {FIELDS[k].format(a[k])} → {FIELDS[k].format(b[k])}" for k in a if a[k] != b[k])


def current_run(exp: Experiment) -> tuple[Run, str, str]:
    """(run, note, error) for the sidebar's experiment.

    ``note`` says what changed when a new run replaced the old one; ``error`` says why the shown run
    is not of ``exp`` (no custom points yet, or over the work bound).
    """
    run: Run | None = state.get(state.RUN)
    if run is not None and run.exp == exp:
        return run, "", ""
    data = session_data(exp)
    if exp.dataset == CUSTOM and not exp.points and data is None:
        missing = "There are no custom points yet: add them on the **Data** tab (click, table or CSV)."
        if run is None:
            run = new_run(Experiment(epochs=1))
            state.put(state.RUN, run)
        return run, "", missing + " The run on screen is the previous one."
    too_much = budget.error(exp, None if data is None else len(exp.split(data)[0]))
    if too_much:
        if run is None:  # nothing to keep: show the untrained network of the experiment
            run = new_run(exp.with_(epochs=1), data)
            state.put(state.RUN, run)
        return run, "", too_much + " The run on screen is the last one within the limit."
    carry = state.pop(state.CARRY_WEIGHTS)
    if carry is not None and exp.dataset == CUSTOM:
        fresh = new_run(exp, data)
        if fresh.net.params.shape == carry.shape:  # same architecture: go on from the current weights, live
            fresh.net.params[...] = carry
            fresh.snapshots.clear()
            fresh.add(fresh.trainer.snapshot())
            state.put(state.RUN, fresh)
            start(exp.epochs)
            return fresh, "New points: the network keeps its weights and trains on them (live).", ""
    note = f"Settings changed ({changes(run.exp, exp)}): a fresh network was trained from scratch." if run else ""
    with st.spinner(f"Training {exp.epochs:,} epochs… (shared: everyone opening this link gets this run)"):
        run = shared.finished_run(exp, data)
    state.put(state.RUN, run)
    state.put(state.TRAINING, False)
    return run, note, ""


def start(target: int) -> None:
    """Ask for live training up to ``target`` epochs (it continues across reruns until Stop)."""
    state.put(state.TRAINING, True)
    state.put(state.TARGET, target)


def stop() -> None:
    state.put(state.TRAINING, False)


def reset(exp: Experiment) -> Run:
    """Back to epoch 0 with the same initial weights."""
    stop()
    run = new_run(exp, session_data(exp))
    state.put(state.RUN, run)
    return run
