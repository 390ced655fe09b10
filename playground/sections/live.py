"""Sections of the page, each drawing one part of a run. They read a `Run` and never train.

Chart-drawing sections take a target (a placeholder or a column) so the live loop can redraw the
same slots; the chart specs are built by `playground.charts` and sent with ``st.vega_lite_chart``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import streamlit as st

from playground import charts
from playground.chart_data import arrow_bytes
from playground.memo import RenderMemo, per_run
from playground.runs import Run, decision_grid, domain, neuron_grids, plateau_hint
from playground.session import CACHE_ENTRIES
from playground.specs import SpecCache


@dataclass(frozen=True)
class Display:
    """Display options: they change the drawing, never the model."""

    log_scale: bool = False
    show_test: bool = True
    discretize: bool = False


# each chart builder and the function that gives the same chart's numbers alone
FRAMES = {
    charts.loss_chart: charts.loss_frames,
    charts.grad_flow_chart: charts.grad_flow_frames,
    charts.overlay_loss_chart: charts.overlay_loss_frames,
    charts.decision_chart: charts.decision_frames,
    charts.small_multiples_chart: charts.small_multiples_frames,
    charts.labels_chart: charts.labels_frames,
    charts.network_chart: charts.network_frames,
    charts.neuron_maps_chart: charts.neuron_maps_frames,
}


@st.cache_resource(show_spinner=False)
def shared_specs() -> SpecCache:
    """One cache of chart skeletons for the whole process: they hold no visitor's data."""
    return SpecCache(256)


@st.cache_resource(show_spinner=False)
def shared_memo() -> RenderMemo:
    """What is drawn from shared finished runs, once for the whole process (as many runs as the run cache)."""
    return RenderMemo(CACHE_ENTRIES)


shared = per_run(shared_memo)  # a section's builder, computed once per shared finished run


def spec(builder, key: tuple, *args, **kwargs) -> dict:
    """The chart's Vega-Lite spec, its datasets as Arrow bytes. Altair builds (and validates) a chart once
    per structure ``key``; afterwards only the numbers are recomputed and dropped into the cached spec
    (see playground/specs.py)."""
    frames = FRAMES[builder]
    full = shared_specs().spec(builder.__name__, key, lambda: builder(*args, **kwargs),
                               lambda: frames(*args, **kwargs))
    return {**full, "datasets": {name: arrow_bytes(df) for name, df in full["datasets"].items()}}


def chart(target, spec: dict, key: str | None = None, select: tuple[str, ...] = ()) -> None:
    """Send a prebuilt Vega-Lite spec (its frames go as named Arrow datasets)."""
    if select:
        target.vega_lite_chart(spec, width="stretch", key=key, on_select="rerun", selection_mode=list(select))
    else:
        target.vega_lite_chart(spec, width="stretch", key=key)


def pct(x: float | None) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{100 * x:.2f}%"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}" if not np.isfinite(x) or x == 0 or abs(x) >= 1e-3 else f"{x:.2e}"


# ----- headline -----------------------------------------------------------------------------------
def status(run: Run) -> None:
    """One line on where the run is, and what to do about divergence or a plateau."""
    last = run.history.last
    if run.diverged:
        st.error(
            f"**Training diverged at epoch {last.epoch}.** {last.reason} Without a squashing activation the "
            "values multiply layer after layer; with summed gradients the step is n times the learning rate. "
            "This is the NaN the report shows in §4.3.",
            icon=":material/error:",
        )
    elif run.finished:
        st.success(f"Trained {run.epoch:,} epochs: **{pct(last.accuracy)}** training accuracy.", icon=":material/check_circle:")
    elif run.epoch == 0:
        st.info(
            "Untrained network. Press **Train** to watch it learn, or **Step** to go a few epochs at a time."
        )
    else:
        st.info(
            f"Paused at epoch {run.epoch:,} of {run.exp.epochs:,}. **Train** resumes; **Step** goes on a little."
        )
    hint = plateau_hint(run)
    if hint:
        st.warning(hint, icon=":material/trending_flat:")


def metrics(run: Run, target) -> None:
    last = run.history.last
    row = target.container(horizontal=True, gap="medium")  # a row that wraps on a phone
    values = {
        "Epoch": f"{last.epoch:,}",
        "Train loss": num(last.loss),
        "Train accuracy": pct(last.accuracy),
        "Test loss": num(last.test_loss) if run.has_test else "= train",
        "Test accuracy": pct(last.test_accuracy) if run.has_test else "= train",
        "Time": f"{run.elapsed:.2f} s",
    }
    for label, value in values.items():
        row.metric(label, value, width="content")


# ----- the two live charts ------------------------------------------------------------------------
@shared
def loss_spec(run: Run, display: Display) -> dict:
    h = run.history.arrays()
    test = h["test_loss"] if run.has_test else None
    key = (display.log_scale, test is None)
    return spec(charts.loss_chart, key, h["epoch"], h["loss"], test, log_scale=display.log_scale)


@shared
def decision_spec(run: Run, display: Display, res: int = 72, select: bool = False) -> dict:
    dom = domain(run.data.X)
    xs, ys, probs = decision_grid(run.net, dom, res)
    X, y, is_test = points(run, display)
    p = run.net.forward(X)
    key = (dom, display.discretize, select)
    return spec(charts.decision_chart, key, xs, ys, probs, X, y, (p >= 0.5), is_test=is_test, p=p,
                discretize=display.discretize, domain=dom, select=select)


def points(run: Run, display: Display) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points to draw: training points, plus the test points (flagged) when shown."""
    if not run.has_test or not display.show_test:
        return run.train.X, run.train.y, np.zeros(len(run.train), bool)
    X = np.vstack([run.train.X, run.test.X])
    y = np.vstack([run.train.y, run.test.y])
    return X, y, np.r_[np.zeros(len(run.train), bool), np.ones(len(run.test), bool)]


# ----- the report's figures -----------------------------------------------------------------------
def truth_vs_prediction(run: Run) -> None:
    st.subheader("Ground truth vs prediction")
    st.caption(
        "The lab's `show_result` figure, on the test data (the training data when nothing is held out)."
    )
    truth, prediction = labels_specs(run)
    left, right = st.columns(2)
    chart(left, truth)
    chart(right, prediction)


@shared
def labels_specs(run: Run) -> tuple[dict, dict]:
    """The specs of the ground truth and the prediction on the test data."""
    X, y = run.test.X, run.test.y
    pred = run.net.predict(X)
    dom = domain(run.data.X)
    return (spec(charts.labels_chart, ("Ground truth", dom), X, y, title="Ground truth", domain=dom),
            spec(charts.labels_chart, ("Prediction", dom), X, pred, title="Prediction", domain=dom))


def prediction_table(run: Run) -> None:
    st.subheader("Per-sample predictions")
    table, correct = prediction_rows(run)
    st.markdown(
        f"**Accuracy {pct(correct.mean())}** — {int(correct.sum())} of {len(correct)} "
        f"{'test' if run.has_test else 'training'} points right."
    )
    if st.toggle("Only mistakes", key="_only_mistakes", disabled=bool(correct.all())):
        table = table.filter(pa.array(~correct))
    st.dataframe(
        table,
        hide_index=True,
        height=min(400, 38 + 35 * max(1, table.num_rows)),
        column_config={
            "x1": st.column_config.NumberColumn(format="%.4f"),
            "x2": st.column_config.NumberColumn(format="%.4f"),
            "Prediction": st.column_config.ProgressColumn(
                "Prediction",
                help="The network's output P(class 1)",
                format="%.5f",
                min_value=0.0,
                max_value=1.0,
            ),
        },
        width="stretch",
    )


@shared
def prediction_rows(run: Run) -> tuple[pa.Table, np.ndarray]:
    """The lab's per-sample table on the test data (an Arrow table), and which rows are right (read-only)."""
    X, y = run.test.X, run.test.y.reshape(-1)
    p = run.net.forward(X).reshape(-1)
    label = (p >= 0.5).astype(int)
    correct = label == y
    correct.flags.writeable = False
    table = pa.table(
        {
            "Iter": np.arange(1, len(y) + 1),
            "x1": X[:, 0],
            "x2": X[:, 1],
            "Ground truth": y.astype(int),
            "Prediction": p,
            "Label": label,
            "Correct": np.where(correct, "✓", "✗"),
        }
    )
    return table, correct


def network(run: Run) -> None:
    st.subheader("The network")
    st.caption(
        "Blue lines are positive weights, orange negative; thicker is larger. Every neuron's bias is shown, "
        "the output's too. Below, what each hidden neuron computes over the input square."
    )
    for s in network_specs(run):
        chart(st, s)


@shared
def network_specs(run: Run) -> tuple[dict, dict]:
    """The specs of the network diagram and of the per-neuron maps."""
    net = run.net
    xs, ys, maps = neuron_grids(net, domain(run.data.X))
    # 4 small maps a row: fits a phone (about 360 px) and still reads on a projector
    return (spec(charts.network_chart, net.layer_sizes, net.weights, net.biases),
            spec(charts.neuron_maps_chart, net.layer_sizes, xs, ys, maps, size=64, columns=4))


def gradient_flow(run: Run, display: Display) -> None:
    st.subheader("Gradient flow")
    st.caption(
        "The size of each layer's weight gradient ‖∂L/∂W‖ (of the mean loss) over training. With sigmoid, "
        "each layer back multiplies by σ′ ≤ 0.25, so the first layers' gradients are the smallest."
    )
    chart(st, grad_flow_spec(run))


@shared
def grad_flow_spec(run: Run) -> dict:
    h = run.history.arrays()
    return spec(charts.grad_flow_chart, (h["grad_norms"].shape[1],), h["epoch"], h["grad_norms"])
