"""The Equations tab: the forward and backward equations of the current network, with its shapes; below
them the same with one training point's numbers filled in (`backprop`), and Check my backprop (`check`),
which tests a student's backward pass against them."""

from __future__ import annotations

import numpy as np
import streamlit as st

from mlp.features import FEATURES
from playground.sections import Page, backprop, check


def section(page: Page) -> None:
    run = page.run
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
    if net.features is not None and not net.features.identity:
        c1, c2 = net.features.centre
        st.markdown(f"The rows of $X$ are the input features, computed from each point's coordinates and "
                    f"$v = 2\\,(x - c)$ with the centre $c = ({c1:g}, {c2:g})$:")
        st.latex(r",\quad ".join(rf"\mathrm{{{name}}} = {FEATURES[name].latex}" for name in net.features.names))
    if L == 1:
        st.markdown("No hidden layer: the inputs feed the output unit directly (logistic regression with a "
                    "sigmoid output, linear regression with a linear one).")
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
    backprop.section(run)
    check.section(run)
