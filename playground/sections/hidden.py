"""The hidden space (ConvNetJS's 2-D demo), on the Network tab: how a hidden layer sees the input plane's
lattice and the points (`lab.hidden`).

It lives in an expander that draws nothing until opened, so a page that does not look at it pays nothing.
Open, it shows the network as it is now. Its training over time needs the weights at several epochs, which
no run keeps: **Replay the training** asks the training service to train the run again from its start,
keeping the weights at about 40 epochs (`lab.frames`, `playground.shared.replay`; a link's replay is one job
for everyone who opens it, and is kept). Then a slider moves through the frames and **Play** runs them;
both rerun only this part of the page (a fragment).
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from lab import frames, hidden
from lab.plane import domain, output_span
from lab.run import Run
from playground import internals, session, shared, state
from playground.charts.hidden import hidden_space_chart
from playground.sections import Page, chart, num, pct
from server.jobs import Busy

LOOK = ("The grid bends until the two classes can be cut by one straight line: that line is the output unit "
        "(dashed, drawn when the axes are the last hidden layer's two units).")
LOOK_REGRESSION = ("The grid bends until the output unit, a plane over this space, can fit the targets: the "
                   "colours are the output there, and the dashed line is where it is 0.")
HOW = ("Dark lines: x1 fixed; light lines: x2 fixed — the input square's lattice, each line sampled at 81 points and "
       "passed through the network's own layers.")
DIVERGED = ("This run diverged: its weights are no longer finite numbers, so there is no hidden space to draw. "
            "Lower the learning rate and train again.")
PCA_TEXT = ("PCA: the two directions in which the layer's activations over the lattice and the points vary most, "
            "fitted again at each frame.")
# a Play: one frame at most this often per visitor, and all visitors' frames together at most so many a second
FRAME_PERIOD, FRAME_RATE = 0.12, 40


def section(page: Page) -> None:
    box = st.expander("The hidden space: how a hidden layer sees the data", key=state.SPACE_OPEN,
                      on_change="rerun", icon=":material/grid_4x4:")
    if box.open:
        with box:
            view(page.run)


def view(run: Run) -> None:
    """The controls, the frames (a replay, or the network now) and the chart."""
    net = run.net
    st.caption(LOOK_REGRESSION if run.exp.task == "regression" else LOOK)
    if run.diverged:
        st.warning(DIVERGED, icon=":material/error:")
        return
    if net.n_layers == 1:
        st.info(hidden.problem(net, 1), icon=":material/info:")
        return
    layer, axes = controls(run)
    why = hidden.problem(net, layer)
    if why:
        st.info(why, icon=":material/info:")
        return
    if isinstance(axes, hidden.Units) and axes.a == axes.b:
        st.info("Choose two different units for the axes.", icon=":material/info:")
        return
    replay = state.get(state.SPACE_FRAMES)
    if replay is not None and not replay.fits(run):
        replay = None
    replay_button(run, replay)
    show_frames(run, layer, axes, replay)


def controls(run: Run) -> tuple[int, hidden.Axes]:
    """Which hidden layer, and which axes when it has more than two units."""
    net = run.net
    count = net.n_layers - 1
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    layer = row.selectbox("Hidden layer", range(1, count + 1), index=count - 1, key=state.SPACE_LAYER,
                          format_func=lambda k: f"{k} ({net.layer_sizes[k]} unit{'s' if net.layer_sizes[k] != 1 else ''})",
                          width=170)
    layer = min(layer, count)
    width = net.layer_sizes[layer]
    if width <= 2:
        return layer, hidden.Units(1, 2)
    how = row.segmented_control("Axes", ("PCA", "two units"), default="PCA", key=state.SPACE_AXES, required=True,
                                help=PCA_TEXT)
    if how != "two units":
        return layer, hidden.PCA()
    units = range(1, width + 1)
    a = row.selectbox("Across", units, index=0, key=state.SPACE_UNIT_A, format_func=lambda j: f"h{layer}.{j}", width=110)
    b = row.selectbox("Up", units, index=1, key=state.SPACE_UNIT_B, format_func=lambda j: f"h{layer}.{j}", width=110)
    return layer, hidden.Units(min(a, width), min(b, width))


def replay_button(run: Run, replay: frames.Frames | None) -> None:
    """Replay the run's training for frames (when there are none of its epoch yet), or say why it failed."""
    plan = frames.plan(run)
    count = len(range(0, plan.target, plan.every)) + 1
    if replay is not None and replay.plan.target == run.epoch:
        return
    again = replay is not None
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    pressed = row.button("Replay the training again" if again else "Replay the training", key=state.SPACE_REPLAY,
                         icon=":material/replay:", disabled=run.epoch == 0)
    if run.epoch == 0:
        row.caption("An untrained network: train it, then replay its training to watch the space change.")
    else:
        row.caption(f"{'The frames end at epoch ' + format(replay.plan.target, ',') + '. ' if again else ''}"
                    f"Trains this run again from epoch 0 on the server, keeping its weights every {plan.every:,} epochs "
                    f"(about {count} frames), to watch the space change; a link's replay is made once for everyone.")
    if pressed:
        state.pop(state.SPACE_ERROR)
        why = session.over_budget(run, run.epoch)
        if why:
            state.put(state.SPACE_ERROR, why)
        else:
            with st.spinner("Replaying the training on the server…"):
                try:
                    state.put(state.SPACE_FRAMES, shared.replay(run))
                except (Busy, shared.Unfinished) as exc:
                    state.put(state.SPACE_ERROR, f"No replay: {exc}")
            st.rerun()
    error = state.pop(state.SPACE_ERROR)
    if error:  # said once
        st.error(error, icon=":material/error:")


def _to_end(epoch: int) -> None:
    state.put(state.SPACE_EPOCH, epoch)  # Play ends on the last frame: the slider is drawn there


@st.fragment
def show_frames(run: Run, layer: int, axes: hidden.Axes, replay: frames.Frames | None) -> None:
    """The frames (the replay's, or the network now), a slider over them and Play; a fragment, so moving
    through them reruns only this."""
    if replay is None:
        epochs, params, losses = [run.epoch], [run.net.params.copy()], [run.last.loss]
    else:
        keep = [k for k, p in enumerate(replay.params) if np.isfinite(p).all()]
        epochs = [replay.epochs[k] for k in keep]
        params = [replay.params[k] for k in keep]
        losses = [replay.losses[k] for k in keep]
        if replay.diverged is not None:
            st.caption(f"The training diverged at epoch {replay.diverged:,}: the frames end before it.")
    task = run.exp.task
    span = output_span(task)
    middle = sum(span) / 2
    X, y = run.train.X, run.train.y
    truth = y >= middle if task == "regression" else y
    try:
        spaces = hidden.frames(run.net, params, layer, hidden.lattice(domain(run.data.X)), X, axes, middle)
    except ValueError as exc:  # not even the first frame can be drawn
        st.info(str(exc), icon=":material/info:")
        return
    if len(spaces) < len(epochs):
        st.caption(f"The weights after epoch {epochs[len(spaces) - 1]:,} grow too large to draw: the frames end there.")
        epochs, losses = epochs[: len(spaces)], losses[: len(spaces)]
    extent = hidden.union([s.extent for s in spaces])
    k = len(spaces) - 1
    play = False
    if len(spaces) > 1:
        if state.get(state.SPACE_EPOCH) not in epochs:
            state.put(state.SPACE_EPOCH, epochs[-1])
        row = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
        at = row.select_slider("Epoch", epochs, key=state.SPACE_EPOCH, format_func=lambda e: f"{e:,}")
        play = row.button("Play", key=state.SPACE_PLAY, icon=":material/play_arrow:", on_click=_to_end,
                          args=(epochs[-1],))
        k = epochs.index(at)
    caption, picture = st.empty(), st.empty()

    def draw(i: int) -> None:
        s = spaces[i]
        caption.caption(frame_text(epochs[i], losses[i], s, layer, run))
        boundary = None if s.boundary is None else hidden.clip_line(s.boundary, tuple(extent))
        background = None if s.readout is None else hidden.output_grid(run.net, s.readout, tuple(extent))
        chart(picture, shared.spec(hidden_space_chart, s.lines, s.points, truth, extent=extent, titles=s.titles,
                                   boundary=boundary, background=background, span=span))

    if not play:
        draw(k)
        return
    with shared.pace().watch() as pace:
        for i in range(len(spaces)):
            began = time.perf_counter()
            draw(i)
            if not internals.connected():
                return
            time.sleep(max(0.0, pace.period(FRAME_PERIOD, FRAME_RATE) - (time.perf_counter() - began)))


def frame_text(epoch: int, loss: float | None, s: hidden.Space, layer: int, run: Run) -> str:
    """What the frame shows, in a line: its epoch and loss, and for PCA the variance the axes keep."""
    parts = [f"Epoch **{epoch:,}**"]
    if loss is not None:
        parts.append(f"training loss {num(loss)}")
    else:
        parts.append("weights just edited by hand")
    if s.shares is not None:
        parts.append(f"PC1 and PC2 keep {pct(s.shares[0])} and {pct(s.shares[1])} of the variance of hidden layer "
                     f"{layer}'s {run.net.layer_sizes[layer]} units")
    return " · ".join(parts)
