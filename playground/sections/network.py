"""The Network tab: the weight diagram (click a weight to edit it), what each hidden neuron computes, the
hidden space, and the gradient flow."""

from __future__ import annotations

import numpy as np
import streamlit as st

from lab.plane import domain, input_grids, neuron_grids
from lab.run import Run
from playground import shared, state
from playground.charts.curves import grad_flow_chart
from playground.charts.network import network_chart, neuron_maps_chart
from playground.sections import Page, chart, hidden, weights


def section(page: Page) -> None:
    st.subheader("The network")
    st.caption(
        "Blue lines are positive weights, orange negative; thicker is larger. Every neuron's bias is shown, "
        "the output's too. Each input is a small map of what it feeds the network over the data's square "
        "(orange = low, blue = high); below, what each hidden neuron computes over it."
    )
    pick = weights.picked(page.run)
    diagram, *maps = network_specs(page.run)
    if pick is not None:  # the picked weight in gold: drawn for this page alone (a shared run keeps one drawing)
        diagram = diagram_spec(page.run, weights.focus(page.run.net.layer_sizes, pick))
    chart(st, diagram, key=state.EDGE, select=("edge",))
    weights.section(page.run, pick)
    for spec in maps:
        chart(st, spec)
    if page.run.net.n_layers == 1 and page.run.net.output_activation.name == "linear":
        st.caption("No hidden layer: the inputs feed the output unit directly (linear regression with a linear "
                   "output): its output is a plane over the input features.")
    elif page.run.net.n_layers == 1:
        st.caption("No hidden layer: the inputs feed the output unit directly (logistic regression with a sigmoid "
                   "output): its boundary is a straight line in the input features.")
    hidden.section(page)
    st.subheader("Gradient flow")
    st.caption(
        "The size of each layer's weight gradient ‖∂L/∂W‖ (of the mean loss) over training. With sigmoid, "
        "each layer back multiplies by σ′ ≤ 0.25, so the first layers' gradients are the smallest."
    )
    chart(st, grad_flow_spec(page.run))


def diagram_spec(run: Run, focus: np.ndarray | None = None) -> dict:
    """The network diagram, its weights clickable; ``focus``: one flag a neuron (the picked weight's two, in gold)."""
    net = run.net
    names = net.features.names if net.features is not None else ("x1", "x2")
    return shared.spec(network_chart, net.weights, net.biases, input_names=names,
                       input_maps=input_grids(net, domain(run.data.X)), select=True, focus=focus)


@shared.per_run
def network_specs(run: Run) -> tuple[dict, ...]:
    """The specs of the network diagram and of the per-neuron maps (none without hidden layers)."""
    net = run.net
    diagram = diagram_spec(run)
    if net.n_layers == 1:
        return (diagram,)
    xs, ys, maps = neuron_grids(net, domain(run.data.X))
    # 4 small maps a row: fits a phone (about 360 px) and still reads on a projector
    return diagram, shared.spec(neuron_maps_chart, xs, ys, maps, size=64, columns=4)


@shared.per_run
def grad_flow_spec(run: Run) -> dict:
    h = run.columns()
    return shared.spec(grad_flow_chart, h["epoch"], list(h["grad_norms"].T))
