"""Editing a weight and the hidden space, through the page (AppTest): exactly the weight edited, training going on
from it bit for bit, bad values refused; the hidden space drawn from the network's own layer outputs, its frames
replayed only when asked."""

from __future__ import annotations

import copy

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_app import open_tab, run_of, share_link, shown
from test_app import page as open_page
from test_app_backprop import rerun

from lab import edits, hidden
from lab.plane import domain
from lab.run import trainer
from playground import state

XOR = {"dataset": "xor", "epochs": "300", "tab": "Network"}


def page(**params) -> AppTest:
    return open_page(**{**XOR, **params})


def charts(at: AppTest) -> list[dict]:
    """Every chart's datasets on the page, as DataFrames by name."""
    return [{d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in c.proto.datasets}
            for c in at.get("vega_lite_chart")]


def chart_with(at: AppTest, name: str) -> dict:
    (found,) = [c for c in charts(at) if name in c]
    return found


def click_weight(at: AppTest, layer: int, i: int, j: int) -> AppTest:
    """What the browser sends when a line of the diagram is clicked: the "edge" selection."""
    at.session_state[state.EDGE] = {"selection": {"edge": [{"x_to": layer, "i": i, "j": j}]}}
    return rerun(at)


def set_weight(at: AppTest, value: str) -> AppTest:
    at.text_input(key=state.WEIGHT_VALUE).input(value)
    at.button(key=state.WEIGHT_SET).click()
    return rerun(at)


def test_a_clicked_weight_set_to_a_value_changes_exactly_that_weight():
    at = click_weight(page(), 2, 3, 1)
    run = run_of(at)
    before = run.net.params.copy()
    label = at.text_input(key=state.WEIGHT_VALUE).label
    assert label == f"New value for w[2][3→1] (h1.3 → h2.1), now {before[edits.index((2, 9, 4, 1), 2, 3, 1)]:.4f}"
    nodes = chart_with(at, "nodes")["nodes"]
    assert list(nodes.loc[nodes.focus, "name"]) == ["h1.3", "h2.1"]  # the picked weight's two neurons, in gold
    set_weight(at, "2.5")
    run = run_of(at)
    k = edits.index(run.net.layer_sizes, 2, 3, 1)
    assert np.flatnonzero(run.net.params != before).tolist() == [k] and run.net.params[k] == 2.5
    assert [(e.epoch, e.layer, e.i, e.j, e.old, e.new) for e in run.edits] == [(300, 2, 3, 1, before[k], 2.5)]
    assert run.record().edits == tuple(run.edits) and run.origin is None
    assert any(s.startswith("Edited w[2][3→1]") and "→ 2.5 at epoch 300" in s for s in shown(at.success))
    assert any("the link reproduces the run before the edits" in w for w in shown(at.warning))
    assert "points=" not in share_link(at) and "edit" not in share_link(at)  # the link carries the settings only
    loss = chart_with(at, "edits")
    assert list(loss["edits"]["epoch"]) == [300]
    diagram = chart_with(at, "edges")["edges"]
    assert diagram.loc[diagram.weight == "w[2][3→1]", "w"].item() == 2.5


def test_the_next_step_trains_from_the_edited_weights_bit_for_bit():
    at = set_weight(click_weight(page(optimizer="momentum", lr="0.05"), 3, 2, 1), "-6")
    run = run_of(at)
    edited = copy.deepcopy(run.state)
    at.button(key=state.STEP).click()  # 100 epochs, through the service
    run = rerun(at).session_state["run"]
    assert run.epoch == 400
    lone = trainer(run.exp, run.exp.network(run.train.X), run.train, run.test, edited)
    list(lone.run(100, run.every))
    np.testing.assert_array_equal(run.net.params, lone.net.params)
    assert run.edits[0].epoch == 300 and len(run.edits) == 1


@pytest.mark.parametrize("typed, words", [
    ("abc", "Not applied: 'abc' is not a number; a weight is a number from -100 to 100. Nothing was changed."),
    ("1e400", "Not applied: '1e400' is not allowed; a weight is a number from -100 to 100. Nothing was changed."),
    ("-100.5", "is not allowed"),
    ("", "an empty cell is not a number"),
])
def test_a_bad_value_is_refused_with_a_message_and_changes_nothing(typed, words):
    at = click_weight(page(), 1, 2, 7)
    run = run_of(at)
    before, snaps = run.net.params.copy(), list(run.snapshots)
    set_weight(at, typed)
    run = run_of(at)
    assert any(words in e for e in shown(at.error)), shown(at.error)
    np.testing.assert_array_equal(run.net.params, before)
    assert run.edits == [] and run.snapshots == snaps
    assert not any("edited by hand" in w for w in shown(at.warning))


def test_the_weights_table_sets_a_bias_and_refuses_a_bad_cell_whole():
    at = page()
    at.session_state[state.WEIGHTS_OPEN] = True
    rerun(at)
    at.selectbox(key=state.WEIGHTS_LAYER).set_value(2)
    rerun(at)
    table = at.data_editor[0].value
    assert list(table.columns) == ["h2.1", "h2.2", "h2.3", "h2.4"] and list(table.index)[-1] == "bias"
    run = run_of(at)
    np.testing.assert_array_equal(table.to_numpy()[:9], run.net.weights[1])
    key = state.weights_table_key(2, at.session_state[state.TABLE_VERSION] if state.TABLE_VERSION in at.session_state
                                  else 0)
    at.session_state[key] = {"edited_rows": {9: {"h2.3": 1.25}, 0: {"h2.1": -0.5}}, "added_rows": [],
                             "deleted_rows": []}
    run = rerun(at).session_state["run"]
    assert run.net.biases[1][2] == 1.25 and run.net.weights[1][0, 0] == -0.5
    assert [e.name for e in run.edits] == ["w[2][1→1]", "b[2][3]"]
    before = run.net.params.copy()
    key = state.weights_table_key(2, at.session_state[state.TABLE_VERSION])
    at.session_state[key] = {"edited_rows": {1: {"h2.2": 3.0}, 2: {"h2.2": None}}, "added_rows": [], "deleted_rows": []}
    run = rerun(at).session_state["run"]
    assert any("an empty cell is not a number" in e for e in shown(at.error))
    np.testing.assert_array_equal(run.net.params, before)  # the good cell is not made either


# ----- the hidden space --------------------------------------------------------------------------------
def open_space(at: AppTest) -> AppTest:
    at.session_state[state.SPACE_OPEN] = True
    return rerun(at)


def replay(at: AppTest) -> AppTest:
    at.button(key=state.SPACE_REPLAY).click()
    return rerun(at)


def test_the_hidden_space_is_the_layers_own_outputs_and_draws_only_when_open():
    at = page(hidden="6,2", activation="tanh")
    assert not any("lattice" in c for c in charts(at)) and state.SPACE_FRAMES not in at.session_state
    open_space(at)
    run = run_of(at)
    space = chart_with(at, "lattice")
    h = run.net.layer_outputs(run.train.X)[1]  # the last hidden layer, its two units the axes
    np.testing.assert_array_equal(space["points"][["u", "v"]].to_numpy(), h.astype(np.float32))
    grid = run.net.layer_outputs(hidden.lattice(domain(run.data.X)).reshape(-1, 2))[1]
    np.testing.assert_array_equal(space["lattice"][["u", "v"]].to_numpy(), grid.astype(np.float32))
    assert len(space["boundary"]) == 2 and "background" in space
    assert state.SPACE_FRAMES not in at.session_state  # no frames until asked for
    assert any(c.startswith("The grid bends until the two classes can be cut by one straight line") for c in
               (c.value for c in at.caption))


def test_a_replay_gives_frames_at_the_right_epochs_and_the_slider_shows_each():
    at = replay(open_space(page()))
    run = run_of(at)
    slider = at.select_slider(key=state.SPACE_EPOCH)
    assert [int(o.replace(",", "")) for o in slider.options] == list(range(0, 301, 10)) and slider.value == 300
    slider.set_value(120)
    rerun(at)
    frames = at.session_state[state.SPACE_FRAMES]
    twin = run.net.copy()
    twin.params[...] = frames.params[12]
    expected = hidden.space(twin, 2, hidden.lattice(domain(run.data.X)), run.train.X, hidden.PCA())
    space = chart_with(at, "lattice")
    np.testing.assert_allclose(space["points"][["u", "v"]].to_numpy(), expected.points.astype(np.float32), atol=1e-6)
    assert any(c.value.startswith("Epoch **120** · training loss") and "PC1 and PC2 keep" in c.value for c in at.caption)


def test_two_chosen_units_are_the_axes():
    at = open_space(page())
    at.segmented_control(key=state.SPACE_AXES).set_value("two units")
    rerun(at)
    at.selectbox(key=state.SPACE_UNIT_A).set_value(4)
    at.selectbox(key=state.SPACE_UNIT_B).set_value(2)
    rerun(at)
    run = run_of(at)
    h = run.net.layer_outputs(run.train.X)[1]
    np.testing.assert_array_equal(chart_with(at, "lattice")["points"][["u", "v"]].to_numpy(),
                                  h[:, [3, 1]].astype(np.float32))
    at.selectbox(key=state.SPACE_LAYER).set_value(1)
    rerun(at)
    assert at.selectbox(key=state.SPACE_UNIT_A).options[-1] == "h1.9"


@pytest.mark.parametrize("params, words", [
    (dict(hidden="0"), "This network has no hidden layer: the inputs feed the output unit directly"),
    (dict(hidden="2,1"), "Hidden layer 2 has one unit"),
])
def test_no_hidden_space_is_said_in_plain_words(params, words):
    at = open_space(page(**params))
    assert any(words in i for i in shown(at.info)), shown(at.info)
    assert not any("lattice" in c for c in charts(at))


def test_a_diverged_run_gets_one_plain_sentence():
    at = open_space(page(dataset="linear", activation="linear", output_activation="linear"))
    assert run_of(at).diverged
    assert any(w.startswith("This run diverged: its weights are no longer finite numbers") for w in shown(at.warning))
    assert not any("lattice" in c for c in charts(at))


def test_a_regression_run_shows_its_output_over_the_space():
    at = replay(open_space(page(dataset="reg_plane", hidden="4,2")))
    space = chart_with(at, "lattice")
    assert "background" in space and len(space["boundary"]) == 2
    assert set(space["points"]["truth"]) == {"0", "1"}  # the target's sign
    assert any(c.value.startswith("The grid bends until the output unit") for c in at.caption)


def test_play_runs_every_frame_and_ends_on_the_last():
    at = replay(open_space(page(epochs="40")))
    at.select_slider(key=state.SPACE_EPOCH).set_value(0)
    rerun(at)
    at.button(key=state.SPACE_PLAY).click()
    rerun(at)
    assert at.select_slider(key=state.SPACE_EPOCH).value == 40
    assert any(c.value.startswith("Epoch **40** ·") for c in at.caption)


def test_an_edited_runs_replay_follows_its_edits():
    at = set_weight(click_weight(page(), 3, 1, 1), "9")
    open_space(at)
    replay(at)
    frames = at.session_state[state.SPACE_FRAMES]
    np.testing.assert_array_equal(frames.params[-1], run_of(at).net.params)
    assert frames.losses[-1] is None
    assert any(c.value.startswith("Epoch **300** · weights just edited by hand") for c in at.caption)


def test_opening_the_network_tab_computes_no_frames():
    at = open_tab(page(tab="Prediction"), "Network")
    assert state.SPACE_FRAMES not in at.session_state and len(at.get("vega_lite_chart")) == 2 + 3
