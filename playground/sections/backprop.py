"""Backprop with numbers, on the Equations tab: one training point through the forward and the backward pass.

Every step is one of the tab's formulas with this point's numbers in (`playground.formulas`), for one unit
of the layer (chosen, since a layer may have 32), beside the whole layer as a small table, and the step's
neurons and weights ringed in gold on the network. The numbers are the engine's own passes on this one point
(`lab.sample.trace`). The steps run in the order the engine computes them: z and a layer by layer, the loss,
then from the output down, each layer's δ followed by its gradients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import mlp
from lab.plane import domain, input_grids
from lab.run import Run
from lab.sample import Trace, feature_names, trace
from playground import formulas, shared, state
from playground.charts.network import network_chart, neuron_names
from playground.sections import chart, sample

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
TABLE_ROWS = 8  # a layer's table shows this many rows before it scrolls


@dataclass(frozen=True)
class Step:
    """One step of the calculation: its kind (a key of `KINDS`) and its weight layer (from 1; 0 for the loss)."""

    kind: str
    layer: int

    def label(self, L: int, bias: bool) -> str:
        n = str(self.layer).translate(_SUPERSCRIPT)
        return {"z": f"z{n}", "a": "p" if self.layer == L else f"a{n}", "loss": "loss", "delta": f"δ{n}",
                "grad": f"dW{n} db{n}" if bias else f"dW{n}"}[self.kind]


def steps(L: int) -> list[Step]:
    """z¹, a¹, …, z^L, p, the loss, then δ^L, dW^L, δ^{L−1}, dW^{L−1}, … (as the engine's backward pass runs)."""
    forward = [Step(kind, l) for l in range(1, L + 1) for kind in ("z", "a")]
    backward = [Step(kind, l) for l in range(L, 0, -1) for kind in ("delta", "grad")]
    return [*forward, Step("loss", 0), *backward]


@dataclass(frozen=True)
class Point:
    """What every step draws from: the run's network, this point's trace, the neuron names, the batch."""

    net: mlp.MLP
    t: Trace
    names: list[list[str]]  # per layer, inputs first, as the network diagram names them
    reduction: str
    batch: int  # how many points each update's gradient takes this point's share with
    full: bool  # the batch is the whole training set


def names_of(net: mlp.MLP) -> list[list[str]]:
    """The neurons' names as the diagram shows them: the inputs (their feature names when the network
    computes features), h1.1 …, "out"."""
    return neuron_names(list(net.layer_sizes), feature_names(net) or ("x1", "x2"))


# ----- what each kind of step shows: the formula, the layer's table, the neurons it looks at --------------
def _z(pt: Point, s: Step, j: int) -> tuple[list[str], pd.DataFrame, str]:
    l = s.layer
    table = pd.DataFrame({"unit": pt.names[l], "z": pt.t.z[l - 1]})
    words = "Each unit adds up its inputs, each times its weight" + (", plus its bias." if pt.net.bias else ".")
    return formulas.z_step(pt.t, pt.net, l, j), table, words


def _a(pt: Point, s: Step, j: int) -> tuple[list[str], pd.DataFrame, str]:
    l = s.layer
    table = pd.DataFrame({"unit": pt.names[l], "z": pt.t.z[l - 1], "a": pt.t.a[l - 1]})
    last = l == pt.net.n_layers
    f = pt.net.output_activation if last else pt.net.activation
    words = (f"The output unit's activation g = {f.name}: p = {pt.t.p:.4g} is the network's answer "
             f"(predicted label {int(pt.t.p >= 0.5)}, the label is {pt.t.y:g})." if last
             else f"The activation f = {f.name} turns each unit's z into its output a.")
    return formulas.a_step(pt.t, pt.net, l, j), table, words


def _loss(pt: Point, s: Step, j: int) -> tuple[list[str], pd.DataFrame | None, str]:
    return formulas.loss_step(pt.t, pt.net), None, (
        f"This point's loss ℓ ({pt.net.loss.name}): how far p is from the label. The loss the page reports "
        "is the mean of ℓ over the training points.")


def _delta(pt: Point, s: Step, j: int) -> tuple[list[str], pd.DataFrame, str]:
    l, t = s.layer, pt.t
    table = pd.DataFrame({"unit": pt.names[l], "∂ℓ/∂a": t.da[l - 1], "f′(z)": t.fprime[l - 1], "δ": t.delta[l - 1]})
    if l == pt.net.n_layers:
        tex = formulas.output_delta_step(t, pt.net)
        words = ("δ = ∂ℓ/∂z: how this point's loss changes with the output unit's z. "
                 + ("With BCE and a sigmoid output, σ′ cancels and the engine uses p − y directly."
                    if t.fused else "The loss's slope times the output activation's.")
                 + (" The equations above scale δ by 1/n for the mean loss; here δ is this point's own."
                    if pt.reduction == "mean" else ""))
    else:
        tex = formulas.hidden_delta_step(t, pt.net, l, j)
        words = "The next layer's δ flows back through the weights, times the slope f′ of this unit's activation."
    return tex, table, words


def _grad(pt: Point, s: Step, j: int) -> tuple[list[str], pd.DataFrame, str]:
    l, t = s.layer, pt.t
    table = pd.DataFrame(t.dW[l - 1], columns=pt.names[l])
    table.insert(0, "from", pt.names[l - 1])
    if pt.net.bias:
        table.loc[len(table)] = ["bias", *t.db[l - 1]]
    over = f"the {pt.batch} points of its batch" if not pt.full else f"the {pt.batch} training points"
    share = (f"Training adds this point's gradients to those of {over} (reduction sum)." if pt.reduction == "sum"
             else f"With reduction mean, this point's share of the update's gradient is 1/{pt.batch} of these "
                  f"(the mean over {over}).")
    words = "A weight's gradient is its input times the δ of the unit it feeds. " + share
    mean_over = pt.batch if pt.reduction == "mean" else None
    return formulas.grad_step(t, pt.net, l, j, mean_over), table, words


KINDS: dict[str, Callable[[Point, Step, int], tuple[list[str], pd.DataFrame | None, str]]] = {
    "z": _z, "a": _a, "loss": _loss, "delta": _delta, "grad": _grad,
}


def _feeding(marks: list[np.ndarray], l: int, j: int) -> None:  # the unit and the layer feeding it
    marks[l - 1][:] = True
    marks[l][j] = True


def _back(marks: list[np.ndarray], l: int, j: int) -> None:  # the unit and the layer its error comes from
    marks[l][j] = True
    if l + 1 < len(marks):
        marks[l + 1][:] = True


def _unit(marks: list[np.ndarray], l: int, j: int) -> None:
    marks[l][j] = True


def _output(marks: list[np.ndarray], l: int, j: int) -> None:
    marks[-1][:] = True


LOOKS_AT: dict[str, Callable[[list[np.ndarray], int, int], None]] = {
    "z": _feeding, "a": _unit, "loss": _output, "delta": _back, "grad": _feeding,
}


def focus(names: list[list[str]], s: Step, j: int) -> np.ndarray:
    """The neurons a step looks at, one flag per neuron (inputs first), for the diagram's gold rings."""
    marks = [np.zeros(len(layer), bool) for layer in names]
    LOOKS_AT[s.kind](marks, s.layer, j)
    return np.concatenate(marks)


# ----- the section ---------------------------------------------------------------------------------------
def _move(by: int) -> None:
    state.put(state.BACKPROP_AT, int(state.get(state.BACKPROP_AT, 0)) + by)


def _stepped() -> None:
    state.put(state.BACKPROP_AT, state.get(state.BACKPROP_STEP))


def _unit_picked(layer: int) -> None:
    state.put(state.BACKPROP_UNITS, {**state.get(state.BACKPROP_UNITS, {}), layer: state.get(state.BACKPROP_UNIT)})


def stepper(labels: list[str]) -> int:
    """The step slider with Previous / Next; returns the step shown (kept in the session)."""
    at = min(max(int(state.get(state.BACKPROP_AT, 0)), 0), len(labels) - 1)
    state.put(state.BACKPROP_AT, at)
    state.put(state.BACKPROP_STEP, at)
    st.select_slider("Step", range(len(labels)), format_func=lambda i: labels[i], key=state.BACKPROP_STEP,
                     on_change=_stepped)
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button("Previous", key=state.BACKPROP_PREV, on_click=_move, args=(-1,), disabled=at == 0,
               icon=":material/arrow_back:")
    row.markdown(f"**Step {at + 1} of {len(labels)}: {labels[at]}**", width="content")
    row.button("Next", key=state.BACKPROP_NEXT, on_click=_move, args=(1,), disabled=at == len(labels) - 1,
               icon=":material/arrow_forward:")
    return at


def unit_picker(names: list[str], layer: int) -> int:
    """The unit whose formula is shown (0-based), kept per layer; no control for a layer of one unit."""
    if len(names) == 1:
        return 0
    kept = state.get(state.BACKPROP_UNITS, {}).get(layer, 0)
    state.put(state.BACKPROP_UNIT, min(kept, len(names) - 1))
    st.selectbox("Unit", range(len(names)), format_func=lambda j: names[j], key=state.BACKPROP_UNIT,
                 on_change=_unit_picked, args=(layer,))
    return int(state.get(state.BACKPROP_UNIT))


def section(run: Run) -> None:
    """One training point's numbers, step by step (the Equations tab draws it for the run on screen)."""
    st.subheader("Backprop with numbers: one training point")
    st.caption("The equations above with one point's numbers filled in: the engine's own forward and backward "
               "pass on this point alone. Pick it here, click a row of the prediction table, or click near it on "
               "the chart above (choose “inspect” under the decision regions first; on an output map any click).")
    k = sample.chooser(run)
    net = run.net
    diverged = bool(run.snapshots) and run.last.status == "diverged"
    if diverged or not np.isfinite(net.params).all():
        st.info(f"{'Training diverged' if diverged else 'The weights are not finite numbers'}: the weights grew "
                "without bound, so a point's numbers would only be overflow (infinite or NaN). Lower the learning "
                "rate and train again.", icon=":material/info:")
        return
    t = trace(net, run.train.X[k - 1], float(run.train.y[k - 1, 0]))
    _describe(net, run, k, t)
    if not t.finite:
        st.info("This point's numbers overflow (they reach infinity or NaN in this network): nothing readable "
                "to show. Lower the learning rate and train again.", icon=":material/info:")
        return
    batch = run.exp.batch_size if 0 < run.exp.batch_size < len(run.train) else len(run.train)
    pt = Point(net, t, names_of(net), run.exp.reduction, batch, batch == len(run.train))
    all_steps = steps(net.n_layers)
    s = all_steps[stepper([step.label(net.n_layers, net.bias) for step in all_steps])]
    left, right = st.columns([3, 2], gap="medium")
    with left:
        j = unit_picker(pt.names[s.layer], s.layer) if s.kind != "loss" else 0
        lines, table, words = KINDS[s.kind](pt, s, j)
        st.caption(words)
        st.markdown(math(lines))
        if table is not None:
            _table(table)
    spec = shared.spec(network_chart, net.weights, net.biases, input_names=tuple(pt.names[0]),
                       focus=focus(pt.names, s, j), height=300 if max(net.layer_sizes) <= 12 else 440,
                       input_maps=input_grids(net, domain(run.data.X)))
    chart(right, spec)
    right.caption("Gold: what this step uses and computes.")


def _describe(net: mlp.MLP, run: Run, k: int, t: Trace) -> None:
    """The point: its coordinates, label (a regression's target) and output, and the features the network sees
    when it has any."""
    x = run.train.X[k - 1]
    if run.exp.task == "regression":
        st.markdown(f"Point **{k}**: x1 = {x[0]:.4g}, x2 = {x[1]:.4g}, target **{t.y:.4g}**, output p = {t.p:.4g} "
                    f"(error p − y = {t.p - t.y:+.4g}).")
    else:
        right = (t.p >= 0.5) == (t.y >= 0.5) if np.isfinite(t.p) else False
        st.markdown(f"Point **{k}**: x1 = {x[0]:.4g}, x2 = {x[1]:.4g}, label **{t.y:g}**, output p = {t.p:.4g} "
                    f"({'right' if right else 'wrong'}).")
    if feature_names(net) is not None:
        st.caption("The network's inputs are the features of this point: "
                   + ", ".join(f"{n} = {v:.4g}" for n, v in zip(feature_names(net), t.x)) + ".")


def math(lines: list[str]) -> str:
    """Lines of math as markdown: inline math in display style wraps at its plus and equals signs to the
    screen's width, which a display block (st.latex) would not."""
    return "  \n".join(f"$\\displaystyle {line}$" for line in lines)


def _table(table: pd.DataFrame) -> None:
    numbers = {c: st.column_config.NumberColumn(format="%.4g") for c in table.columns if table[c].dtype.kind == "f"}
    st.dataframe(table, hide_index=True, column_config=numbers,
                 height=38 + 35 * min(len(table), TABLE_ROWS) if len(table) > TABLE_ROWS else "auto")
