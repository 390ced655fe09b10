"""The live area: the action buttons, where the run is, its headline metrics, the loss curve and the
decision regions, and the run's training streaming in with a moving progress bar.

Training happens in the service's worker processes (`playground.shared`); this page follows its job:
first its place in the queue ("queued: 3 runs ahead"), then the snapshots as they arrive. Redraws are
bounded in rate (the progress bar about 10 times a second, the charts about 5 times), not per epoch.
Every redraw is a Streamlit call, which is where a click elsewhere (Stop, a changed control) interrupts
the script; the run lives in the session and takes the job's progress in place, so whatever was
trained before the interruption is kept. While it watches, the page renews its hold on the job every
0.1 s; a closed tab stops watching (and the service lets go of its jobs), and a job that shows no change
at all for `STALLED` seconds is given up with a message instead of being waited for forever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from lab.experiment import Experiment
from lab.plane import decision_grid, domain
from lab.run import PLATEAU, Run
from playground import internals, session, shared, state
from playground.charts.curves import loss_chart
from playground.charts.plane import decision_chart
from playground.sections import Display, chart, num, pct
from playground.sections.compare import pin_current
from playground.sections.sidebar import set_field
from playground.shared import Following

CLICKS = ("click", "click_point")  # the decision chart's selections (see charts.plane.decision_chart)
# A live run's updates: each visitor's at most this often, all visitors' together at most so many a second
PROGRESS_PERIOD, PROGRESS_RATE = 0.1, 40  # the progress bar (a message)
CHART_PERIOD, CHART_RATE = 0.2, 8  # the charts (some 20 ms of drawing each: at most 0.2 s of CPU a second)
# s without any change in the job (its place in the queue, its status, its epoch) before the page gives up on
# it: the service answers far sooner (a chunk has a deadline of seconds; a hung worker is replaced)
STALLED = 60.0


def actions(run: Run, exp: Experiment, blocked: bool) -> Run:
    """Train / Step / Stop / Reset / New seed / Pin, in one row that wraps on a phone; returns the run to show."""
    row = st.container(horizontal=True, vertical_alignment="bottom")
    train = row.button("Train", key=state.TRAIN, type="primary", icon=":material/play_arrow:", disabled=blocked,
                       help="Train to the configured epochs, live (from scratch if finished).")
    step = row.button("Step", key=state.STEP, icon=":material/skip_next:", disabled=blocked or run.diverged,
                      help="Train a few more epochs (the step size on the right).")
    row.button("Stop", key=state.STOP, icon=":material/pause:", on_click=session.pause,
               help="Pause live training; Train resumes.")
    reset = row.button("Reset", key=state.RESET, icon=":material/restart_alt:", disabled=blocked,
                       help="Back to epoch 0 with the same initial weights.")
    row.button("New seed", key=state.NEW_SEED, icon=":material/casino:", on_click=set_field,
               args=("weight_seed", (exp.weight_seed + 1) % 2**31), help="New initial weights (weight seed + 1).")
    row.button("Pin", key=state.PIN, icon=":material/push_pin:", on_click=pin_current,
               help="Keep this run on the comparison board (the Compare tab).")
    size = row.selectbox("Epochs per step", (1, 10, 100, 1000), index=2, key=state.STEP_SIZE, width=130)
    if reset:
        run = session.reset(exp)
    if train:
        if run.finished:
            run = session.reset(exp)
        session.start(exp.epochs)
    if step:
        session.start(run.epoch + size)  # a target past a bound is refused with the bound's name
    return run


# ----- where the run is ------------------------------------------------------------------------
def plateau_hint(run: Run) -> str:
    """A hint when a finished classification run sits on the constant-prediction plateau (loss ≈ 0.25 for MSE)."""
    last = run.last
    if run.exp.task != "classification" or run.exp.loss != "mse" or not run.finished or run.diverged \
            or last.accuracy > 0.8:
        return ""
    if abs(last.loss - PLATEAU) > 0.01:
        return ""
    return (
        f"The loss is stuck near {PLATEAU}: the network outputs nearly the same value everywhere — for XOR, "
        "the best constant guess, 10/21 ones, has exactly this MSE and 52% accuracy. Gradients through "
        "saturated sigmoids are tiny here (see Gradient flow). Try more epochs, a larger learning rate, "
        "momentum or Adam, tanh, or another weight seed."
    )


def edited(run: Run) -> str:
    """A sentence for the status line when weights were set by hand (the Network tab)."""
    return f" Weights edited by hand at epoch {run.edits[-1].epoch:,} (the Network tab)." if run.edits else ""


def status(run: Run) -> None:
    """One line on where the run is, and what to do about divergence or a plateau."""
    last = run.last
    if run.diverged:
        st.error(
            f"**Training diverged at epoch {last.epoch}.** {last.reason} Without a squashing activation the "
            "values multiply layer after layer; with summed gradients the step is n times the learning rate. "
            "This is the NaN the report shows in §4.3.",
            icon=":material/error:",
        )
    elif run.finished:
        score = f"**{pct(last.accuracy)}** training accuracy" if last.accuracy is not None else \
            f"training loss **{num(last.loss)}** (regression: the mean squared error)"
        st.success(f"Trained {run.epoch:,} epochs: {score}.{edited(run)}", icon=":material/check_circle:")
    elif run.epoch == 0:
        st.info("Untrained network. Press **Train** to watch it learn, or **Step** to go a few epochs at a time."
                + edited(run))
    else:
        st.info(f"Paused at epoch {run.epoch:,} of {run.exp.epochs:,}. **Train** resumes; **Step** goes on a little."
                + edited(run))
    hint = plateau_hint(run)
    if hint:
        st.warning(hint, icon=":material/trending_flat:")


def metrics(run: Run, target) -> None:  # noqa: ANN001
    last = run.last
    row = target.container(horizontal=True, gap="medium")  # a row that wraps on a phone
    scored = run.exp.task == "classification"  # a regression run has a loss and no accuracy
    values = {
        "Epoch": f"{last.epoch:,}",
        "Train loss": num(last.loss),
        **({"Train accuracy": pct(last.accuracy)} if scored else {}),
        "Test loss": num(last.test_loss) if run.has_test else "= train",
        **({"Test accuracy": pct(last.test_accuracy) if run.has_test else "= train"} if scored else {}),
        "Time": f"{run.elapsed:.2f} s",
    }
    for label, value in values.items():
        row.metric(label, value, width="content")


# ----- the two live charts ------------------------------------------------------------------------
@shared.per_run
def loss_spec(run: Run, display: Display) -> dict:
    h = run.columns()
    return shared.spec(loss_chart, h["epoch"], h["loss"], h["test_loss"] if run.has_test else None,
                       log_scale=display.log_scale,
                       edits=np.array([e.epoch for e in run.edits], float) if run.edits else None)


def points(run: Run, display: Display) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points to draw: training points, plus the test points (flagged) when shown."""
    if not run.has_test or not display.show_test:
        return run.train.X, run.train.y, np.zeros(len(run.train), bool)
    X = np.vstack([run.train.X, run.test.X])
    y = np.vstack([run.train.y, run.test.y])
    return X, y, np.r_[np.zeros(len(run.train), bool), np.ones(len(run.test), bool)]


@shared.per_run
def decision_spec(run: Run, display: Display, res: int = 72, select: bool = False) -> dict:
    """The decision regions (a regression's output map) with the points; computed once per redraw, and once
    for everyone for a shared finished run."""
    dom = domain(run.data.X)
    xs, ys, values = decision_grid(run.net, dom, res)
    X, y, is_test = points(run, display)
    p = run.net.forward(X)
    kw = dict(is_test=is_test, discretize=display.discretize, domain=dom, select=select, task=run.exp.task)
    if run.exp.task == "regression":  # the targets and the predictions themselves
        return shared.spec(decision_chart, xs, ys, values, X, y, p, **kw)
    return shared.spec(decision_chart, xs, ys, values, X, y, (p >= 0.5), p=p, **kw)


@dataclass
class Slots:
    """Placeholders the live loop redraws: metrics, progress bar, loss curve, decision regions."""

    metrics: object
    progress: object
    loss: object
    decision: object


def draw(run: Run, slots: Slots, display: Display, final: bool = False) -> None:
    """Draw the live slots; the final drawing's decision regions also take clicks (to edit the data)."""
    metrics(run, slots.metrics.container())
    chart(slots.loss, loss_spec(run, display))
    if final:
        chart(slots.decision, decision_spec(run, display, select=True), key=state.DECISION, select=CLICKS)
    else:
        chart(slots.decision, decision_spec(run, display))


def progress_text(run: Run, following: Following, target: int) -> str:
    job = following.job
    if job.status == "queued" and job.state is None:
        ahead = job.ahead
        return (f"Queued: {ahead:,} run{'s' if ahead != 1 else ''} ahead of this one…" if ahead
                else "Starting…")
    if job.request.key is not None:  # a link's shared run
        return f"Training {target:,} epochs for everyone who opens this link · epoch {run.epoch:,}"
    return f"Epoch {run.epoch:,} of {target:,} · loss {run.last.loss:.4g}"


def stream(run: Run, following: Following, slots: Slots, display: Display) -> None:
    """Follow the run's job to its end: its place in the queue, then the run streaming in.

    The charts are redrawn when the run moved, the progress bar when its text changed, each paced (see
    the constants) by how many visitors watch a run at once. Every 0.1 s the loop lets a click (Stop)
    interrupt the script, without sending anything, and renews the visitor's hold on the job. A class of
    32 waiting in the queue costs the server next to nothing. A closed tab stops following at once; a job
    without any change for `STALLED` s is left, and the page says so.
    """
    job = following.job
    start, target = run.epoch, job.request.target
    total = max(1, target - start)
    drawn, text = run.epoch, ""
    last_progress = last_chart = float("-inf")
    looked, changed = None, time.monotonic()
    with shared.pace().watch() as pace:
        while True:
            job.wait(PROGRESS_PERIOD, following.seen)
            internals.yield_point()
            if not internals.connected():  # the tab closed (Streamlit stops the script at its next yield)
                following.leave()
                return
            following.renew()
            following.take(run)
            now = time.perf_counter()
            new_text = progress_text(run, following, target)
            if new_text != text and now - last_progress >= pace.period(PROGRESS_PERIOD, PROGRESS_RATE):
                slots.progress.progress(min(1.0, max(0.0, (run.epoch - start) / total)), text=new_text)
                text, last_progress = new_text, now
            if following.finished:  # as of the take above: everything the job made is on the run
                break
            if run.epoch > drawn and now - last_chart >= pace.period(CHART_PERIOD, CHART_RATE):
                draw(run, slots, display)
                drawn, last_chart = run.epoch, time.perf_counter()
            if (job.status, job.ahead, run.epoch) != looked:
                looked, changed = (job.status, job.ahead, run.epoch), time.monotonic()
            elif time.monotonic() - changed > STALLED:
                following.leave()
                state.put(state.TRAIN_ERROR, f"The training showed no progress for {STALLED:g} s and was "
                                             "stopped; press Train to try again.")
                break
    if job.status == "failed":
        state.put(state.TRAIN_ERROR, job.error)
    slots.progress.progress(1.0, text=f"Done: epoch {run.epoch:,}." if job.status == "done" else
                            f"Stopped at epoch {run.epoch:,}.")


def live_area(run: Run, display: Display, blocked: bool, below_decision) -> None:  # noqa: ANN001
    """Status, metrics, progress and the two charts; trains live when asked. ``below_decision(target, task)``
    draws what sits under the decision regions (what a click on them does)."""
    status_slot = st.container()
    slots = Slots(metrics=st.empty(), progress=st.empty(), loss=None, decision=None)
    left, right = st.columns([1.1, 1])
    slots.decision, slots.loss = left.empty(), right.empty()
    below_decision(left, run.exp.task)
    if state.pop(state.STOPPED, False):  # Stop took effect: the run stays where the page last took it
        slots.progress.progress(min(1.0, run.epoch / max(1, run.exp.epochs)), text=f"Stopped at epoch {run.epoch:,}.")
    following = state.get(state.FOLLOWING)
    if following is not None and not blocked:
        following.renew()
        draw(run, slots, display)  # the settings and the data at once, before the run streams in
        stream(run, following, slots, display)
        state.pop(state.FOLLOWING)
        following.leave()  # ended (or left already): nothing more to follow
    draw(run, slots, display, final=True)
    with status_slot:
        status(run)
        if state.get(state.TRAIN_ERROR):
            st.error(state.get(state.TRAIN_ERROR), icon=":material/error:")
