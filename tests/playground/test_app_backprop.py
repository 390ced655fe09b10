"""Backprop with numbers on the Equations tab, through the page: picking a point, stepping, links, a diverged run."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app import page as open_page
from test_app import run_of, share_link, shown

import mlp
from lab.sample import trace
from playground.formulas import num
from playground.sections.backprop import KINDS, LOOKS_AT, Step, focus, names_of, steps

XOR = {"dataset": "xor", "epochs": "300"}


def page(**params) -> AppTest:
    return open_page(**{**XOR, **params})


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def math(at: AppTest) -> str:
    """The step's formula lines, as the page writes them."""
    return "\n".join(m.value for m in at.markdown if r"$\displaystyle" in m.value)


def step_title(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Step "))


def point_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Point **"))


def engine_trace(at: AppTest, k: int):
    run = run_of(at)
    return trace(run.net, run.train.X[k - 1], float(run.train.y[k - 1, 0]))


def test_a_linked_point_shows_its_forward_pass_with_the_engines_numbers():
    at = page(tab="Equations", sample="3")
    assert point_line(at).startswith("Point **3**:")
    assert step_title(at) == "**Step 1 of 13: z¹**"
    t = engine_trace(at, 3)
    assert math(at).splitlines()[-1] == f"$\\displaystyle = {num(t.z[0][0])}$"
    assert "sample=3" in share_link(at)
    assert at.number_input(key="_sample_pick").value == 3


def test_next_and_previous_step_through_the_calculation():
    at = page(tab="Equations", sample="4")
    t = engine_trace(at, 4)
    at.button(key="_bp_next").click()
    rerun(at)
    assert step_title(at) == "**Step 2 of 13: a¹**"
    assert f"= {num(t.a[0][0])}" in math(at)
    at.button(key="_bp_prev").click()
    rerun(at)
    assert step_title(at) == "**Step 1 of 13: z¹**" and at.button(key="_bp_prev").disabled
    at.select_slider(key="_bp_step").set_value(6)  # the loss
    rerun(at)
    assert step_title(at) == "**Step 7 of 13: loss**"
    assert math(at).splitlines()[-1] == f"$\\displaystyle = {num(t.loss)}$"
    at.select_slider(key="_bp_step").set_value(12)
    rerun(at)
    assert step_title(at) == "**Step 13 of 13: dW¹ db¹**" and at.button(key="_bp_next").disabled
    assert f"= {num(t.dW[0][0, 0])}" in math(at)


def test_the_unit_shown_is_kept_per_layer():
    at = page(tab="Equations", sample="2")
    at.selectbox(key="_bp_unit").set_value(2)  # h1.3
    rerun(at)
    assert r"z^{[1]}_{3}" in math(at)
    at.button(key="_bp_next").click()
    rerun(at)
    assert r"a^{[1]}_{3}" in math(at)  # the same layer: the same unit
    at.button(key="_bp_next").click()
    rerun(at)
    assert r"z^{[2]}_{1}" in math(at) and at.selectbox(key="_bp_unit").value == 0  # layer 2's own, first


def test_a_row_of_the_prediction_table_picks_the_point():
    at = page()
    at.session_state["_predictions"] = {"selection": {"rows": [4], "columns": [], "cells": []}}
    rerun(at)
    assert at.session_state["_sample"] == 5
    assert at.query_params["sample"] == "5"
    assert any(c.value.startswith("Point 5 is picked") for c in at.caption)
    at.session_state["tab"] = "Equations"
    rerun(at)
    assert point_line(at).startswith("Point **5**:")
    at.number_input(key="_sample_pick").set_value(8)
    rerun(at)
    assert at.session_state["_sample"] == 8 and point_line(at).startswith("Point **8**:")


def test_only_training_points_are_picked_from_the_table():
    at = page(test="0.2")
    assert any("held-out test points" in c.value for c in at.caption)
    assert "_predictions" not in at.session_state  # the table takes no selection


def test_the_inspect_click_mode_picks_the_nearest_point_and_leaves_the_data():
    at = page()
    data = run_of(at).data
    at.segmented_control(key="_click_mode").set_value("inspect")
    rerun(at)
    x1, x2 = run_of(at).train.X[6]
    at.session_state["_decision"] = {"selection": {"click": [{}], "click_point": [{"x1": x1 + 0.01, "x2": x2}]}}
    rerun(at)
    assert at.session_state["_sample"] == 7
    assert point_line(at).startswith("Point **7**:")  # the Equations tab opened on it
    assert run_of(at).exp.dataset == "xor" and run_of(at).data is data


@pytest.mark.parametrize("value, message", [
    ("abc", "sample: 'abc' is not a point number; allowed: 1 to 21"),
    ("500", "sample: 500 is out of range; allowed: 1 to 21"),
    ("0", "sample: 0 is out of range"),
])
def test_a_bad_sample_in_the_link_gets_a_notice_and_the_page_goes_on(value, message):
    at = page(tab="Equations", sample=value)
    assert any(w.startswith(f"Ignored a link parameter: {message}") for w in shown(at.warning)), shown(at.warning)
    assert point_line(at).startswith("Point **1**:")  # the first point, until one is picked
    assert "sample" not in at.query_params and "sample=" not in share_link(at)


@pytest.mark.parametrize("value, k", [(" 7 ", 7), ("Iter7", 7), ("12.0", 12), ("#21", 21)])
def test_the_link_is_read_forgivingly(value, k):
    at = page(sample=value)
    assert at.session_state["_sample"] == k
    assert any(c.value.startswith(f"Point {k} is picked") for c in at.caption)  # on the Prediction tab
    assert not [w for w in shown(at.warning) if "sample" in w]


def no_numbers(at: AppTest) -> bool:
    """No formula, no stepper, no table of the point's numbers."""
    return not math(at) and "_bp_step" not in at.session_state and not any(d.key is None for d in at.dataframe)


def test_a_diverged_run_gets_a_plain_message_instead_of_numbers():
    at = page(activation="linear", output_activation="linear", epochs="500", tab="Equations", sample="2")
    assert run_of(at).last.status == "diverged"
    assert any(i.value.startswith("Training diverged: the weights grew without bound") for i in at.info)
    assert no_numbers(at)


def test_nan_weights_get_a_plain_message_instead_of_nan_tables():
    at = page(tab="Equations", sample="2")
    assert not no_numbers(at)
    run_of(at).net.params[3] = np.nan
    rerun(at)
    assert any(i.value.startswith("The weights are not finite numbers") for i in at.info)
    assert no_numbers(at) and not any("nan" in m.value.lower() for m in at.markdown)


# ----- the section's pieces, for any depth ---------------------------------------------------------------
@pytest.mark.parametrize("L", [1, 2, 5])
def test_the_steps_run_forward_then_back_down_layer_by_layer(L):
    all_steps = steps(L)
    labels = [s.label(L, bias=True) for s in all_steps]
    assert len(all_steps) == 4 * L + 1
    assert labels[:2] == ["z¹", "a¹" if L > 1 else "p"] and labels[2 * L - 1] == "p" and labels[2 * L] == "loss"
    assert labels[2 * L + 1 :] == [x for l in range(L, 0, -1) for x in (f"δ{sup(l)}", f"dW{sup(l)} db{sup(l)}")]
    assert steps(L)[-1].label(L, bias=False) == "dW¹"


def sup(layer: int) -> str:
    return str(layer).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def test_each_step_focuses_the_neurons_it_uses():
    net = mlp.MLP((2, 3, 2, 1))
    names = names_of(net)
    assert names == [["x1", "x2"], ["h1.1", "h1.2", "h1.3"], ["h2.1", "h2.2"], ["out"]]
    flat = [n for layer in names for n in layer]

    def focused(kind: str, layer: int, j: int) -> list[str]:
        return [n for n, on in zip(flat, focus(names, Step(kind, layer), j)) if on]

    assert focused("z", 2, 1) == ["h1.1", "h1.2", "h1.3", "h2.2"]  # the unit and what feeds it
    assert focused("a", 1, 2) == ["h1.3"]
    assert focused("loss", 0, 0) == ["out"]
    assert focused("delta", 3, 0) == ["out"]
    assert focused("delta", 1, 0) == ["h1.1", "h2.1", "h2.2"]  # the unit and the layer its error comes from
    assert focused("grad", 1, 2) == ["x1", "x2", "h1.3"]
    assert names_of(mlp.MLP((4, 1))) == [["x1", "x2", "x3", "x4"], ["out"]]


def test_every_kind_of_step_is_drawn_and_focused():
    assert set(KINDS) == set(LOOKS_AT) == {s.kind for s in steps(3)}
