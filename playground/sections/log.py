"""Text sections: the lab's training log, downloads, the share link and "How it works"."""

from __future__ import annotations

import io as _io
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np
import streamlit as st

from mlp import io as weights_io
from mlp.config import Experiment
from mlp.report import test_lines, training_log
from playground.runs import Run, log_every
from playground.views import prediction_rows


def lab_text(run: Run) -> str:
    """The CLI's output for this run: ``Epoch: N, Loss: L`` lines, then the per-sample test lines."""
    every = log_every(run.exp.epochs)
    lines = training_log(run.history.snaps, every)
    lines += test_lines(run.test.y, run.net.forward(run.test.X))
    return "\n".join(lines) + "\n"


def training_log_section(run: Run) -> None:
    st.subheader("Training log")
    text = lab_text(run)
    st.caption(f"What `python -m mlp {cli_args(run.exp)}` prints.")
    st.code(text, language=None, height=320)
    st.download_button("Download the log", text, "training_log.txt", "text/plain", key="_dl_log")


def cli_args(exp: Experiment) -> str:
    parts = []
    for key, value in exp.to_query().items():
        flag = "--" + key.replace("_", "-")
        parts.append(f"{flag} {value.replace(',', ' ')}" if key == "hidden" else f"{flag} {value}")
    return " ".join(parts)


def history_csv(run: Run) -> str:
    h = run.history.arrays()
    out = _io.StringIO()
    cols = ["epoch", "loss", "accuracy", "test_loss", "test_accuracy"]
    out.write(",".join(cols + [f"grad_norm_W{l + 1}" for l in range(h["grad_norms"].shape[1])]) + "\n")
    for i in range(len(h["epoch"])):
        row = [f"{int(h['epoch'][i])}"] + [repr(float(h[c][i])) for c in cols[1:]]
        row += [repr(float(v)) for v in h["grad_norms"][i]]
        out.write(",".join(row) + "\n")
    return out.getvalue()


def predictions_csv(run: Run) -> str:
    """The per-sample table of the page (`views.prediction_rows`) as CSV, full precision."""
    table, correct = prediction_rows(run)
    cols = table.to_pydict()
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
        "Weights (JSON)", lambda: weights_io.dumps(net), "weights.json", "application/json", key="_dl_weights",
        help="Load it again with mlp.io.loads(text).", width="stretch",
    )
    cols[1].download_button(
        "Loss history (CSV)", lambda: history_csv(run), "history.csv", "text/csv", key="_dl_history", width="stretch"
    )
    cols[2].download_button(
        "Predictions (CSV)", lambda: predictions_csv(run), "predictions.csv", "text/csv", key="_dl_pred",
        width="stretch",
    )


def share_link(exp: Experiment, extra: dict[str, str] | None = None) -> str:
    """The page's address with the experiment's non-default settings (and ``extra``) as the query."""
    query = urlencode(exp.to_query() | (extra or {}))
    base = st.context.url or "http://localhost:8501/"
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def share(exp: Experiment, extra: dict[str, str] | None = None) -> None:
    st.subheader("Share this experiment")
    st.caption("The address bar always holds the whole experiment; this is the same link. It reproduces the run exactly.")
    st.code(share_link(exp, extra), language=None, wrap_lines=True)


def how_it_works(run: Run) -> None:
    net, exp = run.net, run.exp
    st.subheader("How it works: the equations of this network")
    sizes = net.layer_sizes
    L = net.n_layers
    n = len(run.train)
    f, g = net.activation, net.output_activation
    st.markdown(
        f"**Forward pass** over the whole training set, $n = {n}$ points as rows of $X$ "
        f"(layers {'-'.join(map(str, sizes))}):"
    )
    lines = []
    for l in range(1, L + 1):
        prev = "X" if l == 1 else f"A^{{[{l - 1}]}}"
        act = "f" if l < L else "g"
        bias = f" + b^{{[{l}]}}" if net.bias else ""
        lines.append(
            rf"Z^{{[{l}]}} = {prev}\,W^{{[{l}]}}{bias},\quad A^{{[{l}]}} = {act}(Z^{{[{l}]}})"
            rf"\qquad \underbrace{{({n}\times{sizes[l - 1]})({sizes[l - 1]}\times{sizes[l]})}}_{{{n}\times{sizes[l]}}}"
        )
    st.latex(r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}")
    st.markdown(f"with $f$ = {f.name}: ${f.latex}$ and $g$ = {g.name}: ${g.latex}$. The loss is {exp.loss}:")
    st.latex(net.loss.latex.replace("p_i", rf"A^{{[{L}]}}_i"))
    st.markdown("**Backward pass** (chain rule, from the output down):")
    scale = "" if exp.reduction == "sum" else r"\frac{1}{n}"
    st.latex(
        r"\begin{aligned}"
        + rf"\delta^{{[{L}]}} &= {scale}\frac{{\partial \textstyle\sum_i \ell_i}}{{\partial A^{{[{L}]}}}}"
        + rf"\odot g'(Z^{{[{L}]}})\\"
        + r"\delta^{[l]} &= \big(\delta^{[l+1]}\,W^{[l+1]\top}\big)\odot f'(Z^{[l]})\\"
        + r"\frac{\partial L}{\partial W^{[l]}} &= A^{[l-1]\top}\delta^{[l]},\qquad"
        + r"\frac{\partial L}{\partial b^{[l]}} = \mathbf{1}^\top\delta^{[l]}"
        + r"\end{aligned}"
    )
    st.markdown(
        f"Reduction **{exp.reduction}**: "
        + (
            "gradients are summed over the samples (as most lab solutions do) — the same as the mean's "
            f"gradient with an {n}× larger learning rate."
            if exp.reduction == "sum"
            else "the exact gradient of the mean loss (PyTorch's convention)."
        )
        + f" Then the **{exp.optimizer}** update with learning rate {exp.lr:g}; "
        f"the network has {net.n_params if net.bias else int(np.sum(net.weight_mask))} trainable parameters."
    )
