"""Edit a weight by hand (TensorFlow Playground's "click a weight to edit it"), on the Network tab.

A click on a line of the network diagram picks that weight, and a small form under the diagram sets it; or a
layer's weights and biases are edited in a table (drawn only while its expander is open). Either way the
edit goes to the run on screen at its epoch (`playground.session.edit`, `lab.run.Run.edit`): live training
pauses, the run's training state takes the new value, and Train / Step go on from it through the training
service like any resumed run. A value that is not a finite number from −100 to 100 is refused with a message
and nothing changes. The run keeps its edits (its record carries them; the loss curve marks their epochs),
and the share link says that it reproduces the run before them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from lab.edits import ALLOWED
from lab.run import Run
from playground import session, state
from playground.charts.network import neuron_names
from playground.sections import num, plain

KEPT_OPTIMIZER = ("The optimizer's state is kept as it was (momentum and Adam go on from their running averages; "
                  "TensorFlow Playground, with plain gradient descent, simply changes the weight).")


def input_names(run: Run) -> tuple[str, ...]:
    net = run.net
    return net.features.names if net.features is not None else ("x1", "x2")


def picked(run: Run) -> tuple[int, int, int] | None:
    """The weight (layer, i, j) the diagram's click selects, when it is one of this network's; else None.
    A new click replaces the pick; an empty selection (a click beside the lines) clears it."""
    event = state.get(state.EDGE)
    selection = (event or {}).get("selection", {}) if isinstance(event, dict) else {}
    chosen = [p for p in selection.get("edge") or [] if p]  # the browser sends [{}] for no selection
    token = repr(event)
    if state.get(state.EDGE_SEEN) != token:
        state.put(state.EDGE_SEEN, token)
        pick = None
        if chosen:
            try:
                pick = tuple(int(chosen[-1][k]) for k in ("x_to", "i", "j"))
            except (KeyError, TypeError, ValueError):
                pick = None
        state.put(state.WEIGHT_PICK, pick)
    pick = state.get(state.WEIGHT_PICK)
    sizes = run.net.layer_sizes
    if pick is None or not (1 <= pick[0] < len(sizes) and 1 <= pick[1] <= sizes[pick[0] - 1]
                            and 1 <= pick[2] <= sizes[pick[0]]):
        return None
    return pick


def focus(sizes: tuple[int, ...], pick: tuple[int, int, int]) -> np.ndarray:
    """The diagram's gold focus for a picked weight: the two neurons it joins (and so the line between them)."""
    flags = np.zeros(sum(sizes), bool)
    starts = np.cumsum([0, *sizes])
    layer, i, j = pick
    flags[starts[layer - 1] + i - 1] = flags[starts[layer] + j - 1] = True
    return flags


def _apply(changes: list[tuple[int, int | None, int, object]]) -> None:
    """Make the edits, or keep why not for the page to say (before the page is drawn: as a callback, or
    followed by a rerun)."""
    error = session.edit(changes)
    state.put(state.EDIT_ERROR, error)
    state.put(state.TABLE_VERSION, state.get(state.TABLE_VERSION, 0) + 1)  # the table is drawn afresh from the run
    if not error:
        run = state.get(state.RUN)
        made = run.edits[-len(changes):]
        goes_on = ("Step goes on from the edited weights (Train starts over: the run has all its epochs)."
                   if run.finished else "Train and Step go on from the edited weights.")
        state.put(state.EDIT_DONE, "; ".join(f"{e.name} {num(e.old)} → {num(e.new)}" for e in made)
                  + f" at epoch {run.epoch:,}. {goes_on}")


def _from_form(layer: int, i: int, j: int) -> None:
    _apply([(layer, i, j, state.get(state.WEIGHT_VALUE))])
    if not state.get(state.EDIT_ERROR):
        state.put(state.WEIGHT_VALUE, "")  # done: the field is ready for the next value


def table_changes(edited: dict, layer: int, fan_in: int, columns: list[str]) -> list[tuple[int, int | None, int, object]]:
    """The edits of a weights table's ``edited_rows`` ({row: {column: value}}): rows 0 … fan_in − 1 are
    weights, row fan_in the biases; columns are the units the weights go to."""
    changes = []
    for row, cells in sorted(edited.items(), key=lambda item: int(item[0])):
        for column, value in cells.items():
            if column in columns:
                i = None if int(row) >= fan_in else int(row) + 1
                changes.append((layer, i, columns.index(column) + 1, value))
    return changes


def _from_table(key: str, layer: int, fan_in: int, columns: list[str]) -> None:
    """The table's edited cells, made at once (a callback: live training pauses before it goes on any further)."""
    changes = table_changes((state.get(key) or {}).get("edited_rows", {}), layer, fan_in, columns)
    if changes:
        _apply(changes)


def form(run: Run, pick: tuple[int, int, int]) -> None:
    """Set the weight picked on the diagram."""
    layer, i, j = pick
    names = neuron_names(list(run.net.layer_sizes), input_names(run))
    now = float(run.net.weights[layer - 1][i - 1, j - 1])
    with st.form(state.WEIGHT_FORM, border=False, enter_to_submit=True):
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.text_input(f"New value for w[{layer}][{i}→{j}] ({names[layer - 1][i - 1]} → {names[layer][j - 1]}), "
                       f"now {now:.4f}", key=state.WEIGHT_VALUE, placeholder="e.g. -2.5", width=320,
                       help=f"{ALLOWED}. {KEPT_OPTIMIZER}")
        row.form_submit_button("Set", key=state.WEIGHT_SET, on_click=_from_form, args=pick,
                               icon=":material/edit:")


def table(run: Run, layer: int) -> tuple[pd.DataFrame, list[str]]:
    """Layer ``layer``'s weights as a table: a row per unit below (and the biases last), a column per unit."""
    net = run.net
    names = neuron_names(list(net.layer_sizes), input_names(run))
    W = net.weights[layer - 1]
    rows = list(names[layer - 1]) + (["bias"] if net.bias else [])
    values = np.vstack([W, net.biases[layer - 1][None, :]]) if net.bias else W
    return pd.DataFrame(values, index=rows, columns=names[layer]), names[layer]


def table_editor(run: Run) -> None:
    """One layer's W (and b) in a table; an edited cell is applied at once."""
    net = run.net
    heads = ["inputs", *[f"hidden {k}" for k in range(1, net.n_layers)], "output"]
    layer = st.selectbox("Layer", range(1, net.n_layers + 1), key=state.WEIGHTS_LAYER,
                         format_func=lambda l: f"W{l}, b{l}: {heads[l - 1]} → {heads[l]}")
    if layer > net.n_layers:  # a layer of the last network: start from the first
        layer = 1
    df, columns = table(run, layer)
    key = state.weights_table_key(layer, state.get(state.TABLE_VERSION, 0))
    where = (key, layer, net.layer_sizes[layer - 1], columns)
    st.data_editor(df, key=key, column_config={c: st.column_config.NumberColumn(c, format="%.4f") for c in columns},
                   width="stretch", height=min(36 * (len(df) + 1) + 3, 420), on_change=_from_table, args=where)
    if (state.get(key) or {}).get("edited_rows"):  # edits the callback did not take (set from code): take them now
        _from_table(*where)
        st.rerun()
    st.caption(f"Rows: the unit a weight comes from{' (the last row: each unit’s bias)' if net.bias else ''}; "
               f"columns: the unit it goes to. A weight is {ALLOWED}.")


def section(run: Run, pick: tuple[int, int, int] | None) -> None:
    """Under the diagram: what a click on it does, the form for the picked weight, the table, the edits made."""
    error = state.pop(state.EDIT_ERROR)
    if error:
        st.error(plain(error), icon=":material/error:")
    done = state.pop(state.EDIT_DONE)
    if done:
        st.success(f"Edited {done}", icon=":material/edit:")
    if pick is not None:
        form(run, pick)
    else:
        st.caption("Click a line to edit its weight (TensorFlow Playground's *click a weight*), or edit a layer's "
                   "weights and biases in the table below.")
    box = st.expander("Edit the weights in a table", key=state.WEIGHTS_OPEN, on_change="rerun",
                      icon=":material/table_edit:")
    if box.open:
        with box:
            table_editor(run)
    if run.edits:
        shown = run.edits[-5:]
        more = f" (and {len(run.edits) - len(shown)} before)" if len(run.edits) > len(shown) else ""
        st.caption(plain("Edited by hand in this run" + more + ": " + "; ".join(
            f"{e.name} {num(e.old)} → {num(e.new)} at epoch {e.epoch:,}" for e in shown) + ". ") + KEPT_OPTIMIZER)
