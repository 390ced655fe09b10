"""Check my backprop, on the Equations tab below the backward pass: a file of this network's weights and
training data to run your own backward pass on, and the check of a file with your gradients added
(`companion.gradcheck`): a table per parameter, the diagnosis, and the network with the wrong gradients marked.

An upload is read once (its file_id is remembered, as the Data tab's CSV upload does) and its report is
kept in the session, so a rerun or another tab and back still shows it. A file that cannot be checked gets
one error and changes nothing else: the last report stays, and the run on screen is never touched.

The check runs in a child process (`companion.checkrun`), never in this one: a check past its deadline or its
memory is stopped there and said so in one line. Any other failure is a bug, not the visitor's: the page
says so with an id, and the details go to this module's log under that id.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from companion import checkrun, gradcheck
from companion.checkfile import MAX_BYTES, MAX_NUMBERS, MAX_POINT_UNITS
from lab.run import Run
from playground import shared, state
from playground.charts.network import network_chart
from playground.sections import bullets, chart, plain
from playground.sections.classroom.checks import send_button

log = logging.getLogger(__name__)

FILE_NAME = "backprop_check.json"
MAX_DRAWN_WEIGHTS = 5_000  # a file may hold 100,000 numbers; the page's largest network has 3,168 weights
# what a student does with the downloaded file (docs/check.md shows the same; a test runs it)
SNIPPET = """\
import json
import numpy as np

with open("backprop_check.json") as f:
    data = json.load(f)  # it also says the activation, the loss and the reduction (sum or mean) to use
X, y = np.array(data["X"]), np.array(data["y"])  # (n, 2) and (n, 1)
W = [np.array(w) for w in data["weights"]]  # W[0] is your w1, (fan_in, fan_out): z = a @ w
b = [np.array(v) for v in data.get("biases", [])]  # empty when the network has no biases

# ... give your network these weights (and biases), run ONE forward and backward pass on X, y, no update ...

data["grad_weights"] = [np.asarray(g).tolist() for g in (dw1, dw2, dw3)]  # one per layer, input first
if b:
    data["grad_biases"] = [np.asarray(g).tolist() for g in (db1, db2, db3)]
with open("backprop_check.json", "w") as f:
    json.dump(data, f)
"""


@dataclass(frozen=True)
class Checked:
    """A checked file: its name (as uploaded), the report, and the network the file holds: weights
    (fan_in, fan_out) and biases (fan_out,), zeros for the lab's bias-free network."""

    name: str
    report: gradcheck.Report
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @property
    def wrong(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.report.rows if r.verdict != "ok")


def check_file(net, X: np.ndarray, y: np.ndarray, reduction: str) -> str:  # noqa: ANN001 (an mlp.MLP)
    """The check file for this network and data, without gradients, as JSON text (`gradcheck.make_file`)."""
    return json.dumps(gradcheck.make_file(net, X, y, reduction))


def read_check(name: str, data: bytes) -> Checked:
    """Check an uploaded file in a child process (`companion.checkrun.check`), in one of the process's turns.
    Raises `gradcheck.CheckFileError` with the checker's one-line message, `checkrun.CheckStopped`
    (deadline, memory, or no turn in time) or `CheckCrashed`."""
    with shared.check_slots().turn():
        done = checkrun.check(data)
    biases = done.biases if done.biases is not None else tuple(np.zeros(W.shape[1]) for W in done.weights)
    return Checked(name, done.report, done.weights, biases)


def take_upload(name: str, file_id: str, data: bytes) -> None:
    """What the uploader does with a file: read it once, keep its report, or keep why it can't be checked."""
    if state.get(state.CHECK_DONE) == file_id:
        return
    state.put(state.CHECK_DONE, file_id)
    try:
        checked = read_check(name, data)
    except (gradcheck.CheckFileError, checkrun.CheckStopped) as exc:
        state.put(state.CHECK_ERROR, f"{name}: {' '.join(str(exc).splitlines())}. Nothing else changed.")
    except Exception:  # noqa: BLE001 (a bug, not the file: an id on the page, the details in the log)
        ref = uuid.uuid4().hex[:8]
        log.exception("Check my backprop: checking an upload failed (id %s)", ref)
        state.put(
            state.CHECK_ERROR, f"{name}: the check failed on our side (id {ref}); it is logged. Nothing else changed."
        )
    else:
        state.put(state.CHECK_REPORT, checked)
        state.pop(state.CHECK_ERROR)


def section(run: Run) -> None:
    st.subheader("Check my backprop")
    st.caption(
        "Download this network's weights and training data, run your own forward and backward pass on "
        "exactly these numbers (before any update), add your gradients to the file as `grad_weights` "
        "(and `grad_biases`), and upload it. Each gradient is compared with the exact one, and the "
        "classic mistakes are recognised by their numbers."
    )
    with st.expander("How to add your gradients to the file"):
        st.code(SNIPPET, language="python")
        st.caption("Any check file works, also one your own code writes (the format: docs/check.md in this "
                   "project, where `python -m mlp check FILE` gives the same report).")
    net = run.net.copy()  # the file is made when clicked, from the weights shown now
    # the file's X is what the first layer sees: the input features of the training points
    X, y, reduction = net.inputs(run.train.X), run.train.y, run.exp.reduction
    finite = bool(np.isfinite(net.params).all())
    labelled = run.exp.task == "classification"  # the check format holds labels 0 or 1
    st.download_button(
        "Download the network and data to check", lambda: check_file(net, X, y, reduction), FILE_NAME,
        "application/json", key=state.DL_CHECK, disabled=not (finite and labelled),
        help=f"{'-'.join(map(str, net.layer_sizes))}, {len(X)} training points, reduction {reduction}.",
    )
    if not finite:
        st.caption("This run's weights are not finite (it diverged): reset it or change a setting first.")
    elif not labelled:
        st.caption("A check file holds labels 0 or 1: this regression run's real targets cannot go into one. "
                   "Check your backprop on a classification set.")
    elif net.features is not None and not net.features.identity:
        st.caption(f"The file's X holds each point's input features ({', '.join(net.features.names)}), what the "
                   "first layer sees, as the network's first layer size says.")
    upload = st.file_uploader(
        "Upload a check file with your gradients", type=["json"], key=state.CHECK_UPLOAD,
        max_upload_size=max(1, MAX_BYTES // 1_000_000),
        help=f"JSON, at most 1 MB and {MAX_NUMBERS:,} numbers; points × units of all layers at most {MAX_POINT_UNITS:,}.",
    )
    if upload is not None and state.get(state.CHECK_DONE) != upload.file_id:
        with st.spinner("Checking your gradients…"):  # a large file takes a few seconds, once
            take_upload(upload.name, upload.file_id, upload.getvalue())
    if error := state.get(state.CHECK_ERROR):
        st.error(plain(error), icon=":material/error:")
    if checked := state.get(state.CHECK_REPORT):
        show(checked)
        send_button(checked.report)  # in a class: its verdict (never its numbers) to the teacher's board


def rows_table(report: gradcheck.Report) -> pd.DataFrame:
    return pd.DataFrame({
        "parameter": [r.name for r in report.rows],
        "shape": [str(r.shape) for r in report.rows],
        "relative error": [r.rel_error for r in report.rows],
        "verdict": ["✓" if r.verdict == "ok" else "✗" for r in report.rows],
        "transposed": ["yes" if r.transposed else "" for r in report.rows],
    })


def show(checked: Checked) -> None:
    """The report of a checked file: verdict, table, diagnoses, notes, and its network with the wrong marked."""
    report = checked.report
    st.caption(plain(f"{checked.name}: {report.network}"))
    verdict = plain(gradcheck.verdict_line(report))
    if report.ok:
        st.success(verdict, icon=":material/check_circle:")
    else:
        st.warning(verdict, icon=":material/warning:")
    st.dataframe(
        rows_table(report), hide_index=True, width="content",
        column_config={"relative error": st.column_config.NumberColumn(format="%.1e")},
    )
    if len(report.diagnoses) == 1:
        (d,) = report.diagnoses
        st.markdown("**Diagnosis** (together)" if len(d.mistakes) > 1 else "**Diagnosis**")
        st.markdown(bullets(d.sentences))
    elif report.diagnoses:
        st.markdown("**Diagnosis**: these explanations give the same numbers on this file")
        st.markdown("\n".join(f"{k}. " + " ".join(plain(s) for s in d.sentences) for k, d in enumerate(report.diagnoses, 1)))
    if report.notes:
        st.caption(bullets(report.notes))
    if sum(W.size for W in checked.weights) > MAX_DRAWN_WEIGHTS:
        st.caption(f"The network has more than {MAX_DRAWN_WEIGHTS:,} weights: too many lines to draw.")
    else:
        chart(st, shared.spec(network_chart, list(checked.weights), list(checked.biases), marked=checked.wrong))
