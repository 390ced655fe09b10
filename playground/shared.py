"""What one page process shares between its visitors (``st.cache_resource``, created once per process).

- Finished runs: a class opening one link trains once. The cache is keyed on the frozen `Experiment`
  itself (and on the points when a custom set is too large for the link), holds the one shared run
  under Streamlit's per-key lock, and gives each visitor an independent copy (`Run.copy`, about 4×
  cheaper than unpickling a copy as ``st.cache_data`` would).
- The training gate: trainings take turns instead of fighting over the GIL.
- Chart skeletons and what is drawn from shared runs (``playground.render``).
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import streamlit as st

from lab.experiment import Experiment
from lab.run import Run, finish, new_run
from mlp.data import Dataset
from playground import render
from playground.charts import Figure

CACHE_ENTRIES = 64  # finished runs kept per process (each is a few hundred kB at most)


@st.cache_resource(show_spinner=False)
def training_gate() -> threading.Lock:
    """One lock for the process's trainings, so that they take turns instead of running side by side.

    Without it, N visitors training different links at once each wait on the GIL around every small
    BLAS call: 32 of them took 92 s where one after another takes 22 s (benchmarks/load.py, distinct).
    A link's finished run (bounded work) holds it for its whole training; live training holds it only
    between two snapshots (see `Run.advance`), so a live run and the queue of links interleave.
    """
    return threading.Lock()


@st.cache_resource(show_spinner=False)
def specs() -> render.SpecCache:
    """Chart skeletons for the whole process: they hold no visitor's data."""
    return render.SpecCache(256)


@st.cache_resource(show_spinner=False)
def memo() -> render.RenderMemo:
    """What is drawn from shared finished runs, once for the whole process (as many runs as the run cache)."""
    return render.RenderMemo(CACHE_ENTRIES)


per_run = render.per_run(memo)  # a section's builder, computed once per shared finished run


def spec(builder, *args, **kwargs) -> dict:  # noqa: ANN001 (any chart builder returning a Figure)
    """The chart's Vega-Lite spec, its datasets as Arrow bytes (built once per structure, see render)."""
    full = specs().spec(builder, *args, **kwargs)
    return {**full, "datasets": {name: render.arrow_bytes(df) for name, df in full["datasets"].items()}}


def figure_spec(figure: Figure) -> dict:
    """A one-off figure's spec (not kept), its datasets as Arrow bytes."""
    full = figure.spec()
    return {**full, "datasets": {name: render.arrow_bytes(df) for name, df in full["datasets"].items()}}


@st.cache_resource(max_entries=CACHE_ENTRIES, show_spinner=False)
def _finished(exp: Experiment, X: np.ndarray | None, y: np.ndarray | None) -> Run:
    run = new_run(exp, None if X is None else Dataset("custom", X, y))
    with training_gate():
        finish(run)
    run.origin = exp if X is None else (exp, hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest())
    for d in (run.data, run.train, run.test):  # every visitor's copy shares these: nobody may write
        d.X.flags.writeable = d.y.flags.writeable = False
    return run


def finished_run(exp: Experiment, data: Dataset | None = None) -> Run:
    """The experiment trained to the end: a private copy of the shared run.

    ``data`` is only for a custom set too large for the link (the cache key then includes the points).
    """
    return _finished(exp, *((data.X, data.y) if data is not None else (None, None))).copy()
