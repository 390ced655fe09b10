"""The run a visitor is looking at, kept in the session: which run the sidebar's experiment gets, and
Train / Step / Stop / Reset.

Rules:
- The page always shows a run of the sidebar's experiment. When the experiment changes (or on a
  first visit), the run starts at epoch 0 at once and follows the link's shared training job
  (`shared.finished_run`): trained once for everyone who opens the link, batched with other visitors'
  runs in the service's worker processes, and streamed into the page as it comes.
- Train and Step ask the service for a private job from where the run stands; Reset goes back to epoch 0.
- Stop, new settings and Reset stop following the run's job: the service cancels it (at its next chunk's
  end; what was trained is kept) unless another page follows it too (a link's shared job).
- A weight edited by hand (`edit`) changes the run on screen at its epoch and pauses live training; Train
  and Step go on from the edited weights.
- A run over the work bound (`lab.budget`) is not trained, and neither is a Step whose target epoch would
  be: the previous run stays on screen (nothing is lost) and the page says which bound.
- When the server is busy (its queue is full, or this page has its most trainings in progress) nothing is
  started: the run on screen stays and the page says so; the next rerun tries again.
"""

from __future__ import annotations

from dataclasses import asdict

from lab import budget
from lab.experiment import CUSTOM, FIELDS, MAX_EPOCHS, Experiment
from lab.run import Run, new_run
from mlp.data import Dataset
from playground import shared, state
from server.jobs import Busy


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
    is not of ``exp`` (no custom points yet, over the work bound, or the server busy).
    """
    run: Run | None = state.get(state.RUN)
    if run is not None and run.exp == exp:
        return run, "", ""
    data = session_data(exp)
    if exp.dataset == CUSTOM and not exp.points and data is None:
        missing = "There are no custom points yet: add them on the **Data** tab (click, table or CSV)."
        return _kept(run, Experiment(epochs=1)), "", missing + " The run on screen is the previous one."
    too_much = budget.error(exp, None if data is None else len(exp.split(data)[0]))
    if too_much:
        kept = _kept(run, exp.with_(epochs=1), data)
        return kept, "", too_much + " The run on screen is the last one within the limit."
    stop()
    carried = _carried(run, exp, data)
    if carried is not None:
        return carried, "New points: the network keeps its weights and trains on them (live).", ""
    return _fresh(run, exp, data)


def _kept(run: Run | None, untrained: Experiment, data: Dataset | None = None) -> Run:
    """The run on screen, which stays when the sidebar's experiment is not trained; on a first visit, the untrained
    network of ``untrained`` (nothing to keep)."""
    if run is None:
        run = new_run(untrained, data)
        state.put(state.RUN, run)
    return run


def _carried(run: Run | None, exp: Experiment, data: Dataset | None) -> Run | None:
    """New custom points for the same architecture: a run that goes on from the current weights, live; else None."""
    carry = state.pop(state.CARRY_WEIGHTS)
    if carry is None or exp.dataset != CUSTOM or run is None or carry.shape != (exp.n_params,):
        return None
    carried = new_run(exp, data, params=carry)
    state.put(state.RUN, carried)
    start(exp.epochs)
    return carried


def _fresh(run: Run | None, exp: Experiment, data: Dataset | None) -> tuple[Run, str, str]:
    """(run, note, error): the link's shared finished run of ``exp``, followed while it trains; while the server is
    busy, the run on screen (the next rerun asks again)."""
    try:
        fresh, following = shared.finished_run(exp, data)
    except Busy as busy:
        if run is None:
            return _kept(None, exp.with_(epochs=1), data), "", f"{busy} The network on screen is untrained."
        return run, "", f"{busy} The run on screen is the previous one."
    state.put(state.RUN, fresh)
    if not following.finished:
        state.put(state.FOLLOWING, following)
    note = f"Settings changed ({changes(run.exp, exp)}): a fresh network is trained from scratch." if run else ""
    return fresh, note, ""


def over_budget(run: Run, target: int) -> str:
    """'' when training ``run`` on to epoch ``target`` stays within what a run may ask for (`MAX_EPOCHS`, then
    `lab.budget`'s work and steps, counted to the target), else which bound it would pass."""
    if target > MAX_EPOCHS:
        return f"Not trained to epoch {target:,}: a run goes to at most {MAX_EPOCHS:,} epochs."
    too_much = budget.error(run.exp.with_(epochs=target), len(run.train))
    return f"Not trained to epoch {target:,}: {too_much}" if too_much else ""


def start(target: int) -> None:
    """Train the run on screen up to epoch ``target``, live (it continues across reruns until Stop); or say
    why not (over a bound, or the server busy) and leave the run as it is."""
    stop()
    state.pop(state.TRAIN_ERROR)
    run = state.get(state.RUN)
    why = over_budget(run, target)
    if why:
        state.put(state.TRAIN_ERROR, why)
        return
    try:
        state.put(state.FOLLOWING, shared.train(run, target))
    except Busy as busy:
        state.put(state.TRAIN_ERROR, f"{busy} The run stays at epoch {run.epoch:,}.")


def pause() -> None:
    """The Stop button: stop following the run's job, and have the next rerun say where the run stopped."""
    if state.get(state.FOLLOWING) is not None:
        state.put(state.STOPPED, True)
    stop()


def stop() -> None:
    """Stop following the run's job: the service cancels it unless another page follows it (a link's)."""
    following = state.pop(state.FOLLOWING)
    if following is not None:
        following.leave()


def edit(changes: list[tuple[int, int | None, int, object]]) -> str:
    """Set weights of the run on screen by hand, at its epoch (`lab.run.Run.edit`: each change is (layer, i, j,
    value), i None for a bias); live training pauses, so Train and Step go on from the edited weights. Returns
    '' or why nothing was changed (a refused change leaves the run, and its training, as they were)."""
    run = state.get(state.RUN)
    try:
        run.edit(changes)
    except ValueError as exc:
        return f"Not applied: {exc}. Nothing was changed."
    pause()
    return ""


def reset(exp: Experiment) -> Run:
    """Back to epoch 0 with the same initial weights."""
    stop()
    run = new_run(exp, session_data(exp))
    state.put(state.RUN, run)
    return run
