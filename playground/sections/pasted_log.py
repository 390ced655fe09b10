"""Paste my training log, on the Log tab next to the lab's own: what a student's solution printed, read back
(`companion.studentlog`), its loss over this run's, the accuracy of its predictions, and what the curve shows.

The log is read when the button is clicked and kept in the session; text that cannot be read gets one
error and changes nothing else (the last log read stays). Everything the text holds is shown as typed.
"""

from __future__ import annotations

import streamlit as st

from companion.studentlog import StudentLog, compare, parse_log, symptoms
from lab.run import Run
from playground import shared, state
from playground.charts.curves import overlay_loss_chart
from playground.sections import Display, bullets, chart, pct, plain

MAX_CHARS = 200_000  # a 10,000-epoch log printed every epoch is about 450,000: print every few epochs
EXAMPLE = "Epoch: 0, Loss: 0.2531\nEpoch: 500, Loss: 0.0229\n…\nIter1 | Ground truth: 0 | prediction: 0.00012 |"


def read_log(text: str) -> StudentLog:
    """The pasted text as a log; ValueError with the parser's one-line message when it cannot be read."""
    if len(text) > MAX_CHARS:  # the text area stops at MAX_CHARS, but only in the browser
        raise ValueError(f"text: longer than {MAX_CHARS:,} characters; paste the training and test lines only")
    return parse_log(text)


def take_text(text: str) -> None:
    """What the button does: read the text, keep the log, or keep why it can't be read."""
    try:
        log = read_log(text)
    except ValueError as exc:
        state.put(state.PASTE_ERROR, f"{exc}. Nothing else changed.")
    else:
        state.put(state.PASTED_LOG, log)
        state.pop(state.PASTE_ERROR)


def section(run: Run, display: Display) -> None:
    st.subheader("Paste your training log")
    st.caption(
        "Paste what your solution printed: `Epoch: N, Loss: L` lines, and the test lines "
        "`Iter… | Ground truth: … | prediction: … |` if you have them. Anything else in between is skipped. "
        "Your loss is drawn over this run's, with the same settings as the sidebar."
    )
    text = st.text_area("Your training log", key=state.LOG_TEXT, max_chars=MAX_CHARS, height=180,
                        placeholder=EXAMPLE)
    if st.button("Read my log", key=state.LOG_READ, icon=":material/insights:"):
        take_text(text)
    if error := state.get(state.PASTE_ERROR):
        st.error(plain(error), icon=":material/error:")
    if log := state.get(state.PASTED_LOG):
        show(log, run, display)


def show(log: StudentLog, run: Run, display: Display) -> None:
    h = run.columns()
    if log.epochs.size:
        curves = {"this run": (h["epoch"], h["loss"]), "yours": (log.epochs, log.losses)}
        chart(st, shared.spec(overlay_loss_chart, curves, log_scale=display.log_scale,
                              title="Your loss and this run's"))
        st.markdown(bullets(compare(log, h["epoch"], h["loss"])))
    if log.predictions or log.printed_accuracy is not None:
        cols = st.columns(3)
        cols[0].metric("Your accuracy, recomputed", pct(log.accuracy),
                       help=f"From the {len(log.predictions)} prediction lines: prediction ≥ 0.5 is class 1.")
        cols[1].metric("Your printed accuracy", pct(log.printed_accuracy))
        if run.exp.task == "classification":  # a regression run has a loss and no accuracy
            cols[2].metric("This run's accuracy", pct(run.last.test_accuracy if run.has_test else run.last.accuracy),
                           help="On its test set when it has one, as the lab's test lines are.")
    for s in symptoms(log):
        st.warning(plain(s), icon=":material/troubleshoot:")
    if log.notes:
        st.caption(bullets(log.notes))
