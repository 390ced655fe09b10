"""The Prediction tab: the lab's "Ground truth vs prediction" figure and the per-sample table, whose rows
(when they are the training points) pick the point the Equations tab follows through backprop."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from lab.plane import domain
from lab.run import Run
from playground import shared, state
from playground.charts.plane import labels_chart
from playground.sections import Page, chart, pct, sample


def section(page: Page) -> None:
    run = page.run
    st.subheader("Ground truth vs prediction")
    st.caption("The lab's `show_result` figure, on the test data (the training data when nothing is held out)."
               + (" A regression run's targets are real numbers: red below 0, blue from 0 up; the table below has "
                  "the values." if run.exp.task == "regression" else ""))
    truth, prediction = labels_specs(run)
    left, right = st.columns(2)
    chart(left, truth)
    chart(right, prediction)
    prediction_table(run)


@shared.per_run
def labels_specs(run: Run) -> tuple[dict, dict]:
    """The specs of the ground truth and the prediction on the test data."""
    X, y = run.test.X, run.test.y
    dom = domain(run.data.X)
    if run.exp.task == "regression":  # the sign of the target and of the prediction
        return (shared.spec(labels_chart, X, (y >= 0).astype(float), title="Ground truth (sign)", domain=dom),
                shared.spec(labels_chart, X, (run.net.forward(X) >= 0).astype(float), title="Prediction (sign)",
                            domain=dom))
    return (shared.spec(labels_chart, X, y, title="Ground truth", domain=dom),
            shared.spec(labels_chart, X, run.net.predict(X), title="Prediction", domain=dom))


def prediction_table(run: Run) -> None:
    st.subheader("Per-sample predictions")
    table, correct = prediction_rows(run)
    if run.exp.task == "regression":  # no labels, no accuracy: the targets, the predictions, the errors
        error = np.asarray(table.column("Error"))
        st.markdown(f"**Mean squared error {np.mean(error**2):.4g}** on {len(error)} "
                    f"{'test' if run.has_test else 'training'} points.")
        st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * max(1, table.num_rows)), width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="%.4f")
                                    for c in ("x1", "x2", "Ground truth", "Prediction", "Error")})
        return
    st.markdown(
        f"**Accuracy {pct(correct.mean())}** — {int(correct.sum())} of {len(correct)} "
        f"{'test' if run.has_test else 'training'} points right."
    )
    if st.toggle("Only mistakes", key=state.ONLY_MISTAKES, disabled=bool(correct.all())):
        table = table.filter(pa.array(~correct))
    # rows are training points unless some are held out: then they are test points, which take no part
    # in training, and backprop with numbers follows training points only
    pick = {} if run.has_test else dict(key=state.PREDICTIONS, on_select="rerun", selection_mode="single-row")
    event = st.dataframe(
        table,
        hide_index=True,
        height=min(400, 38 + 35 * max(1, table.num_rows)),
        column_config={
            "x1": st.column_config.NumberColumn(format="%.4f"),
            "x2": st.column_config.NumberColumn(format="%.4f"),
            "Prediction": st.column_config.ProgressColumn(
                "Prediction", help="The network's output P(class 1)", format="%.5f", min_value=0.0, max_value=1.0,
            ),
        },
        width="stretch",
        **pick,
    )
    if run.has_test:
        st.caption("These are held-out test points. Backprop with numbers follows a training point: "
                   "pick one on the Equations tab.")
        return
    sample.from_table(event.selection.rows, table.column("Iter").to_numpy())
    k = sample.current(run)
    st.caption(f"Point {k} is picked: the Equations tab follows it through the forward and backward pass, "
               "with numbers." if k else "Click a row to follow that point through backprop, with numbers, "
               "on the Equations tab.")


@shared.per_run
def prediction_rows(run: Run) -> tuple[pa.Table, np.ndarray]:
    """The lab's per-sample table on the test data (an Arrow table), and which rows are right (read-only).
    A regression run's table has the real target, the prediction and the error (prediction − target), and
    no row is right or wrong (all True)."""
    X, y = run.test.X, run.test.y.reshape(-1)
    p = run.net.forward(X).reshape(-1)
    if run.exp.task == "regression":
        correct = np.ones(len(y), bool)
        correct.flags.writeable = False
        with np.errstate(all="ignore"):  # a diverged run's outputs are inf or NaN
            error = p - y
        return pa.table({"Iter": np.arange(1, len(y) + 1), "x1": X[:, 0], "x2": X[:, 1], "Ground truth": y,
                         "Prediction": p, "Error": error}), correct
    label = (p >= 0.5).astype(int)
    correct = label == y
    correct.flags.writeable = False
    table = pa.table({
        "Iter": np.arange(1, len(y) + 1),
        "x1": X[:, 0],
        "x2": X[:, 1],
        "Ground truth": y.astype(int),
        "Prediction": p,
        "Label": label,
        "Correct": np.where(correct, "✓", "✗"),
    })
    return table, correct
