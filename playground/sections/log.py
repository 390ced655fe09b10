"""The Log tab: the lab's text output (what the CLI prints), yours pasted next to it (`pasted_log`), and
the downloads."""

from __future__ import annotations

import io as _io

import streamlit as st

from lab.cli import command_line
from lab.curves import log_every
from lab.report import test_lines, training_log
from lab.run import Run
from mlp import io as weights_io
from playground import state
from playground.sections import Page, pasted_log
from playground.sections.prediction import prediction_rows


def section(page: Page) -> None:
    training_log_section(page.run)
    pasted_log.section(page.run, page.display)
    downloads(page.run)


def lab_text(run: Run) -> str:
    """The CLI's output for this run: ``Epoch: N, Loss: L`` lines, then the per-sample test lines."""
    every = log_every(run.exp.epochs)
    lines = training_log(run.snapshots, every)
    lines += test_lines(run.test.y, run.net.forward(run.test.X), run.exp.task)
    return "\n".join(lines) + "\n"


def training_log_section(run: Run) -> None:
    st.subheader("Training log")
    text = lab_text(run)
    st.caption(f"What `{command_line(run.exp)}` prints.")
    st.code(text, language=None, height=320)
    st.download_button("Download the log", text, "training_log.txt", "text/plain", key=state.DL_LOG)


def history_csv(run: Run) -> str:
    h = run.columns()
    out = _io.StringIO()
    cols = ["epoch", "loss", "accuracy", "test_loss", "test_accuracy"]
    out.write(",".join(cols + [f"grad_norm_W{l + 1}" for l in range(h["grad_norms"].shape[1])]) + "\n")
    for i in range(len(h["epoch"])):
        row = [f"{int(h['epoch'][i])}"] + [repr(float(h[c][i])) for c in cols[1:]]
        row += [repr(float(v)) for v in h["grad_norms"][i]]
        out.write(",".join(row) + "\n")
    return out.getvalue()


def predictions_csv(run: Run) -> str:
    """The per-sample table of the page (`prediction.prediction_rows`) as CSV, full precision."""
    table, correct = prediction_rows(run)
    cols = table.to_pydict()
    if run.exp.task == "regression":
        lines = ["iter,x1,x2,ground_truth,prediction,error"]
        for k, x1, x2, t, q, e in zip(*(cols[c] for c in ("Iter", "x1", "x2", "Ground truth", "Prediction", "Error"))):
            lines.append(f"{k},{x1!r},{x2!r},{t!r},{q!r},{e!r}")
        return "\n".join(lines) + "\n"
    lines = ["iter,x1,x2,ground_truth,prediction,label,correct"]
    for k, x1, x2, t, q, label, ok in zip(cols["Iter"], cols["x1"], cols["x2"], cols["Ground truth"],
                                          cols["Prediction"], cols["Label"], correct):
        lines.append(f"{k},{x1!r},{x2!r},{t},{q!r},{label},{int(ok)}")
    return "\n".join(lines) + "\n"


def downloads(run: Run) -> None:
    st.subheader("Downloads")
    cols = st.columns(3)
    # the files are made when clicked (callables), not on every rerun of every visitor
    net = run.net.copy()
    cols[0].download_button(
        "Weights (JSON)", lambda: weights_io.dumps(net), "weights.json", "application/json", key=state.DL_WEIGHTS,
        help="Load it again with mlp.io.loads(text).", width="stretch",
    )
    cols[1].download_button(
        "Loss history (CSV)", lambda: history_csv(run), "history.csv", "text/csv", key=state.DL_HISTORY, width="stretch"
    )
    cols[2].download_button(
        "Predictions (CSV)", lambda: predictions_csv(run), "predictions.csv", "text/csv", key=state.DL_PREDICTIONS,
        width="stretch",
    )
