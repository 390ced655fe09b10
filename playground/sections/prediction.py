"""The Prediction tab: the lab's "Ground truth vs prediction" figure (a regression's predicted-against-true
plot) and the per-sample table, whose rows (when they are the training points) pick the point the Equations
tab follows through backprop; or, one click away, the report's Figs. 11–12: the same figure for both lab data
sets, one above the other (`both_sets`).

Figs. 11–12 are the finished runs of the sidebar's experiment on the linear and on the XOR set: each the shared
job of its own link (trained once for everyone who asks, and the page's own run when the sidebar is on that
set), within the bounds any link has (`lab.budget`). Nothing is trained until the view is opened."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st

from lab import budget
from lab.experiment import Experiment
from lab.plane import domain
from lab.run import Run
from playground import shared, state
from playground.charts.fit import fit_chart
from playground.charts.plane import labels_chart
from playground.sections import Page, chart, pct, sample

THIS_RUN, BOTH_SETS = "This run", "Both data sets (the report's Figs. 11–12)"
FIGURES = {"linear": "Fig. 11 · the linear set", "xor": "Fig. 12 · XOR"}  # the report's figure for each lab set
BOTH_TIMEOUT = 120.0  # s the view waits for its two runs (behind a busy queue) before it says so


def section(page: Page) -> None:
    run = page.run
    view = st.segmented_control("Show", (THIS_RUN, BOTH_SETS), default=THIS_RUN, key=state.PREDICTION_VIEW,
                                label_visibility="collapsed")
    if view == BOTH_SETS:
        both_sets(page.exp)
        return
    if run.exp.task == "regression":
        fit_section(run)
    else:
        st.subheader("Ground truth vs prediction")
        st.caption("The lab's `show_result` figure, on the test data (the training data when nothing is held out).")
        truth, prediction = labels_specs(run)
        left, right = st.columns(2)
        chart(left, truth)
        chart(right, prediction)
    prediction_table(run)


def fit_section(run: Run) -> None:
    """A regression's figure: each point's prediction against its true value, and how far off it is."""
    st.subheader("Predicted against true")
    table, _ = prediction_rows(run)
    error = np.asarray(table.column("Error"))
    left, right = st.columns([3, 2])
    chart(left, fit_spec(run))
    with np.errstate(all="ignore"):
        worst = int(np.nanargmax(np.abs(error))) if np.isfinite(error).any() else None
    right.metric("Mean squared error", f"{np.mean(error**2):.4g}")
    if worst is not None:
        right.metric("Largest error", f"{error[worst]:+.3g}", help=f"Point {worst + 1} (Iter in the table below).")
    right.caption(f"The {'test' if run.has_test else 'training'} points, one dot each: the true value (target) "
                  "across, the network's prediction up. A perfect network puts every dot on the dashed line; a "
                  "dot's height above or below it is its error. The regression counterpart of the lab's "
                  "`show_result` figure; the output map above shows the same network over the whole plane.")


@shared.per_run
def fit_spec(run: Run) -> dict:
    return shared.spec(fit_chart, run.test.y, run.net.forward(run.test.X),
                       title="Test points" if run.has_test else "Training points")


@shared.per_run
def labels_specs(run: Run) -> tuple[dict, dict]:
    """The specs of the ground truth and the prediction on the test data (a classifier's)."""
    X, y = run.test.X, run.test.y
    dom = domain(run.data.X)
    return (shared.spec(labels_chart, X, y, title="Ground truth", domain=dom),
            shared.spec(labels_chart, X, run.net.predict(X), title="Prediction", domain=dom))


def both_experiments(exp: Experiment) -> list[Experiment]:
    """The sidebar's experiment on each lab data set (what follows the data set, such as a regression set's
    linear output, goes back to the classification default; your own points stay out)."""
    return [exp.with_(dataset=name, points="") for name in FIGURES]


def both_sets(exp: Experiment) -> None:
    """The report's Figs. 11–12: ground truth and prediction on the linear and the XOR set, the sidebar's
    network and training on each."""
    st.subheader("Ground truth vs prediction on both data sets")
    exps = both_experiments(exp)
    st.caption(f"The report's Figs. 11 and 12: the sidebar's network and training ({exps[0].epochs:,} epochs from "
               "its initial weights) on the lab's linear and XOR sets, on the test data (the training data when "
               "nothing is held out). Each is the shared run of its own link, trained once for everyone.")
    too_much = next(filter(None, (budget.error(e) for e in exps)), "") or budget.sweep_error(exps)
    if too_much:
        st.warning(f"Not trained: {too_much}", icon=":material/block:")
        return
    try:
        with st.spinner("Training the linear and the XOR run…"):
            runs = shared.finished_runs(exps, BOTH_TIMEOUT)
    except RuntimeError as exc:  # Busy, Unfinished: words for the page
        st.warning(str(exc), icon=":material/hourglass_empty:")
        return
    for run, title in zip(runs, FIGURES.values()):
        last = run.last
        accuracy = last.test_accuracy if run.has_test else last.accuracy
        st.markdown(f"**{title}** — {'test' if run.has_test else 'training'} accuracy **{pct(accuracy)}**, "
                    f"final loss {last.loss:.3g}" + (" (the run diverged)" if run.diverged else ""))
        truth, prediction = labels_specs(run)
        left, right = st.columns(2)
        chart(left, truth)
        chart(right, prediction)


REGRESSION_COLUMNS = {c: st.column_config.NumberColumn(format="%.4f")
                      for c in ("x1", "x2", "Ground truth", "Prediction", "Error")}
CLASS_COLUMNS = {
    "x1": st.column_config.NumberColumn(format="%.4f"),
    "x2": st.column_config.NumberColumn(format="%.4f"),
    "Prediction": st.column_config.ProgressColumn(
        "Prediction", help="The network's output P(class 1)", format="%.5f", min_value=0.0, max_value=1.0,
    ),
}


def prediction_table(run: Run) -> None:
    """Every point's target and prediction (a classifier's with its label and a mistakes filter, a regression's
    with its error); a row click picks a training point for backprop with numbers."""
    st.subheader("Per-sample predictions")
    table, correct = prediction_rows(run)
    where = "test" if run.has_test else "training"
    if run.exp.task == "regression":  # no labels, no accuracy: the targets, the predictions, the errors
        error = np.asarray(table.column("Error"))
        st.markdown(f"{len(error)} {where} points; error = prediction − target (mean squared error "
                    f"{np.mean(error**2):.4g}).")
        columns = REGRESSION_COLUMNS
    else:
        st.markdown(f"**Accuracy {pct(correct.mean())}** — {int(correct.sum())} of {len(correct)} {where} points right.")
        if st.toggle("Only mistakes", key=state.ONLY_MISTAKES, disabled=bool(correct.all())):
            table = table.filter(pa.array(~correct))
        columns = CLASS_COLUMNS
    # rows are training points unless some are held out: then they are test points, which take no part
    # in training, and backprop with numbers follows training points only
    pick = {} if run.has_test else dict(key=state.PREDICTIONS, on_select="rerun", selection_mode="single-row")
    event = st.dataframe(table, hide_index=True, height=min(400, 38 + 35 * max(1, table.num_rows)),
                         column_config=columns, width="stretch", **pick)
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
