"""The page's views of issue 19 (streamlit.testing.v1.AppTest): input features drawn as maps in the network
diagram, a regression run in its own words and charts (an output map, predicted against true, boards ranked by
loss), Discretize output as TensorFlow Playground has it, the report's Figs. 11–12 on the Prediction tab, and
one figure per data set when the Compare tab runs a sweep on both."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from test_raster import decode_png

from lab.experiment import Experiment
from lab.plane import cells, domain
from mlp.features import FEATURES
from playground import shared
from playground.charts import BLUE_TINT, RED_TINT
from playground.charts.network import MAP_COLOURS, MAP_STOPS
from playground.charts.raster import hex_rgb, linear_rgb
from playground.sections import prediction
from playground.sections.classroom.board import ranking

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.usefixtures("fresh_store")
ALL_FEATURES = ",".join(FEATURES)
CLASS_WORDS = re.compile(r"\baccuracy\b|\bclass(es)?\b|\blabels?\b|\bmisclassified\b|\bP\(class", re.IGNORECASE)


def page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_of(at: AppTest):
    return at.session_state["run"]


def charts(at: AppTest) -> list[tuple[dict, dict]]:
    """Every chart on the page: its spec and its frames, decoded from the Arrow the page sends."""
    return [(json.loads(c.proto.spec), {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                                        for d in c.proto.datasets}) for c in at.get("vega_lite_chart")]


def titled(at: AppTest, title: str) -> list[tuple[dict, dict]]:
    def text(spec: dict) -> str | None:
        t = spec.get("title")
        return t.get("text") if isinstance(t, dict) else t

    return [(spec, frames) for spec, frames in charts(at) if text(spec) == title]


def picture(url: str) -> np.ndarray:
    """A map's pixels, row 0 the lowest x2 (as the grid's rows)."""
    return decode_png(base64.b64decode(url.removeprefix("data:image/png;base64,")))[::-1]


def colours(url: str) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in c) for c in picture(url).reshape(-1, 3)}


def texts(at: AppTest, kinds=("markdown", "caption", "subheader", "header", "success", "info", "warning",
                                "error")) -> list[str]:
    """What a visitor reads: headings, text, metrics, alerts, table columns, and every chart's titles, legends
    and tooltips (the spec without its data)."""
    out = [e.value for kind in kinds for e in getattr(at, kind)]
    out += [m.label for m in at.metric] + [str(m.value) for m in at.metric]
    out += [str(c) for d in at.dataframe for c in d.value.columns]
    out += [json.dumps({k: v for k, v in spec.items() if k != "datasets"}) for spec, _ in charts(at)]
    return out


# ----- 1. input features as maps -----------------------------------------------------------------------------
def test_the_diagram_draws_each_input_as_a_map_of_the_numbers_the_network_sees():
    at = page(dataset="circle", features=ALL_FEATURES, epochs="50", tab="Network")
    run = run_of(at)
    ((spec, frames),) = titled(at, "Network")
    inputs = frames["inputs"]
    assert list(inputs["name"]) == list(FEATURES)  # each input neuron, in the network's order
    assert np.allclose(inputs["y"], frames["nodes"].loc[frames["nodes"]["kind"] == "input", "y"])  # at its place
    # the network's own feature transform over the data's square: each map is that feature, on its own range
    _, _, centres = cells(domain(run.data.X), 24)
    seen = run.net.inputs(centres).reshape(24, 24, -1)
    for j, row in inputs.iterrows():
        m = seen[:, :, j]
        assert (row["low"], row["high"]) == pytest.approx((m.min(), m.max()), rel=1e-6)
        np.testing.assert_array_equal(picture(row["url"]),
                                      linear_rgb((m - m.min()) / (m.max() - m.min()), MAP_STOPS, MAP_COLOURS))
    layers = [lay for top in spec["layer"] for lay in top.get("layer", [top])]  # the discs and maps are one layer
    images = [lay for lay in layers if lay.get("mark", {}).get("type") == "image"]
    assert len(images) == 1 and images[0]["data"] == {"name": "inputs"}
    # the lab's inputs: two maps, x1 rising to the right and x2 upwards
    lab = page(dataset="xor", epochs="50", tab="Network")
    ((_, frames),) = titled(lab, "Network")
    x1, x2 = (picture(u) for u in frames["inputs"]["url"])
    blue = hex_rgb(MAP_COLOURS[-1])
    assert tuple(x1[0, -1]) == tuple(x2[-1, 0]) == blue


def test_the_equations_tab_diagram_has_the_input_maps_too():
    at = page(dataset="circle", features="x1,x2,x1sq", hidden="3", epochs="20", tab="Equations")
    ((_, frames),) = titled(at, "Network")
    assert list(frames["inputs"]["name"]) == ["x1", "x2", "x1sq"]


# ----- 2. regression ---------------------------------------------------------------------------------------------
def test_a_regression_run_draws_its_output_map_with_the_targets_and_says_nothing_of_classes():
    at = page(dataset="reg_plane", epochs="400", test="0.2")
    run = run_of(at)
    ((spec, frames),) = titled(at, "Output")
    points = frames["points"]
    assert len(points) == len(run.data) and (points["set"] == "test").sum() == len(run.test)
    X = points[["x1", "x2"]].to_numpy(float)
    np.testing.assert_allclose(points["predicted"], run.net.forward(X).ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(points["error"], points["predicted"] - points["target"], atol=1e-5)
    targets = np.sort(np.r_[run.train.y.ravel(), run.test.y.ravel()])
    np.testing.assert_allclose(np.sort(points["target"]), targets, atol=1e-6)
    # the map: the network's output over the plane on red −1 · white 0 · blue +1
    xs_lo, xs_hi = frames["regions"]["x1_lo"][0], frames["regions"]["x1_hi"][0]
    assert (xs_lo, xs_hi) == pytest.approx(domain(run.data.X)[:2], abs=1e-6)
    assert not [t for t in texts(at) if CLASS_WORDS.search(t)], [t for t in texts(at) if CLASS_WORDS.search(t)]
    assert any("A click on the output map picks the nearest training point" in c.value for c in at.caption)
    assert not [s for s in at.get("segmented_control") if s.label.startswith("A click")]  # no "add class 0"


def test_the_prediction_tab_shows_a_regression_predicted_against_true():
    at = page(dataset="reg_gaussians", epochs="300", test="0.25", tab="Prediction")
    run = run_of(at)
    assert any(h.value == "Predicted against true" for h in at.subheader)
    ((spec, frames),) = titled(at, "Test points")
    fit = frames["fit"]
    assert len(fit) == len(run.test)
    p = run.net.forward(run.test.X).ravel()
    np.testing.assert_allclose(fit["target"], run.test.y.ravel(), atol=1e-6)
    np.testing.assert_allclose(fit["predicted"], p, rtol=1e-5, atol=1e-6)
    lo, hi = frames["diagonal"]["v"]
    assert lo <= min(-1, p.min()) + 1e-6 and hi >= max(1, p.max()) - 1e-6  # y = x across every dot
    mse = float(np.mean((p - run.test.y.ravel()) ** 2))
    assert next(m.value for m in at.metric if m.label == "Mean squared error") == f"{mse:.4g}"
    (table,) = [d.value for d in at.dataframe if "Error" in d.value.columns]
    assert list(table.columns) == ["Iter", "x1", "x2", "Ground truth", "Prediction", "Error"]
    assert not titled(at, "Ground truth") and not titled(at, "Ground truth (sign)")  # no labels figure
    assert not [t for t in texts(at) if CLASS_WORDS.search(t)]


def test_a_regression_table_row_picks_the_point_for_backprop():
    at = page(dataset="reg_plane", epochs="100", tab="Prediction")
    at.session_state["_predictions"] = {"selection": {"rows": [6], "columns": [], "cells": []}}
    rerun(at)
    assert at.session_state["_sample"] == 7
    at.session_state["tab"] = "Equations"
    rerun(at)
    line = next(m.value for m in at.markdown if m.value.startswith("Point **7**"))
    assert "target" in line and "label" not in line and "right" not in line and "wrong" not in line


def test_a_click_on_a_regression_map_inspects_the_nearest_training_point():
    at = page(dataset="reg_plane", epochs="100")
    x1, x2 = run_of(at).train.X[3]
    at.session_state["_decision"] = {"selection": {"click": [{}], "click_point": [{"x1": x1 + 0.005, "x2": x2}]}}
    rerun(at)
    assert at.session_state["_sample"] == 4 and run_of(at).exp.dataset == "reg_plane"  # the data stay
    assert not [e.value for e in at.error]


def test_a_regression_board_has_no_accuracy_and_is_ranked_by_loss():
    at = page(dataset="reg_plane", epochs="200", tab="Compare")
    at.selectbox(key="_sweep_choice").set_value("lr").run()
    at.button(key="_sweep_run").click()
    rerun(at)
    (table,) = [d.value for d in at.dataframe if "train loss" in d.value.columns]
    assert len(table) == 3 and not [c for c in table.columns if "accuracy" in c or "100%" in c]
    assert any(h.value == "The pinned runs' output maps" for h in at.subheader)
    panels = [frames for _, frames in charts(at) if "regions_0" in frames]
    assert len(panels) == 3 and all(list(f["info_0"].columns) == ["loss"] for f in panels)
    np.testing.assert_allclose(sorted(float(f["info_0"]["loss"][0]) for f in panels), sorted(table["train loss"]),
                               rtol=1e-5)
    # the board's own words (the presets' texts above it are about the report's classification runs)
    board = texts(at, kinds=("caption", "subheader"))
    assert not [t for t in board if CLASS_WORDS.search(t)], [t for t in board if CLASS_WORDS.search(t)]


def test_the_class_boards_ranking_says_what_it_ranks_by():
    from lab.run import finish, new_run

    def rec(dataset: str) -> tuple:
        return dataset, finish(new_run(Experiment(dataset=dataset, epochs=1))).record()

    assert ranking([rec("reg_plane")]) == "best first: the lower test loss (or training loss)."
    assert "accuracy" in ranking([rec("xor")]) and "regression" not in ranking([rec("xor")])
    assert "regression runs after them" in ranking([rec("xor"), rec("reg_plane")])


# ----- 3. discretize output ---------------------------------------------------------------------------------------
TINTS = {hex_rgb(RED_TINT), hex_rgb(BLUE_TINT)}


@pytest.mark.parametrize(("dataset", "cut"), [("xor", 0.5), ("reg_plane", 0.0)])
def test_discretize_draws_two_flat_colours_split_at_the_tasks_middle(dataset, cut):
    at = page(dataset=dataset, epochs="200")
    title = "Decision regions" if dataset == "xor" else "Output"
    ((_, frames),) = titled(at, title)
    assert len(colours(frames["regions"]["url"][0])) > 2  # a gradient
    at.toggle(key="discretize").set_value(True)
    rerun(at)
    ((spec, frames),) = titled(at, title)
    url = frames["regions"]["url"][0]
    assert colours(url) == TINTS  # two colours, no gradient
    run = run_of(at)
    dom = domain(run.data.X)
    xs, ys, centres = cells(dom, 72)
    blue = (picture(url) == hex_rgb(BLUE_TINT)).all(axis=2)
    np.testing.assert_array_equal(blue, run.net.forward(centres).reshape(72, 72) >= cut)
    legend = next(lay for lay in spec["layer"] if lay.get("mark", {}).get("type") == "rect")
    assert legend["encoding"]["color"]["scale"] == {"type": "threshold", "domain": [cut],
                                                     "range": [RED_TINT, BLUE_TINT]}


def test_discretize_splits_the_boards_panels_too():
    at = page(dataset="xor", epochs="200", tab="Compare")
    at.selectbox(key="_sweep_choice").set_value("lr").run()
    at.button(key="_sweep_run").click()
    rerun(at)
    panels = [f["regions_0"]["url"][0] for _, f in charts(at) if "regions_0" in f]
    assert len(panels) == 3 and all(len(colours(u)) > 2 for u in panels)
    at.toggle(key="discretize").set_value(True)
    rerun(at)
    panels = [f["regions_0"]["url"][0] for _, f in charts(at) if "regions_0" in f]
    assert len(panels) == 3 and all(colours(u) <= TINTS for u in panels)


def test_discretize_splits_the_class_boards_panels_too():
    from test_app_class import send, start_class, student

    _, code, _ = start_class()
    ann = student(code, "Ann", dataset="reg_plane", epochs="200")
    send(ann)
    panels = [f["regions_0"]["url"][0] for _, f in charts(ann) if "regions_0" in f]
    assert len(panels) == 1 and len(colours(panels[0])) > 2
    assert any(h.value == "The run's output maps" for h in ann.subheader)
    ann.toggle(key="discretize").set_value(True)
    rerun(ann)
    panels = [f["regions_0"]["url"][0] for _, f in charts(ann) if "regions_0" in f]
    assert len(panels) == 1 and colours(panels[0]) == TINTS


# ----- 4. the report's Figs. 11–12 -----------------------------------------------------------------------------
def test_both_data_sets_on_the_prediction_tab_are_the_reports_figs_11_and_12():
    at = page(dataset="reg_plane", epochs="300", tab="Prediction")  # the sidebar on a regression set
    at.segmented_control(key="_prediction_view").set_value(prediction.BOTH_SETS)
    rerun(at)
    heads = [m.value for m in at.markdown if m.value.startswith("**Fig.")]
    assert len(heads) == 2 and heads[0].startswith("**Fig. 11 · the linear set**") and "Fig. 12 · XOR" in heads[1]
    truths, predictions = titled(at, "Ground truth"), titled(at, "Prediction")
    assert len(truths) == len(predictions) == 2
    for (_, truth), (_, predicted), name in zip(truths, predictions, ("linear", "xor")):
        # the finished run of the sidebar's settings on that set: the classification defaults come back
        exp = Experiment(dataset=name, epochs=300)
        run = shared.finished_run(exp)[0]
        assert run.finished and run.exp == exp
        assert list(truth["labels"]["label"]) == [str(int(v)) for v in run.test.y.ravel()]
        assert list(predicted["labels"]["label"]) == [str(int(v)) for v in run.net.predict(run.test.X).ravel()]
    # the same two runs for the next visitor: trained once, shared
    other = page(dataset="xor", epochs="300", tab="Prediction")
    other.segmented_control(key="_prediction_view").set_value(prediction.BOTH_SETS)
    rerun(other)
    assert len(titled(other, "Ground truth")) == 2


def test_both_data_sets_beyond_the_bound_train_nothing():
    at = page(dataset="xor", epochs="200", tab="Prediction")
    at.text_input(key="hidden").set_value("32,32,32,32")
    at.number_input(key="epochs").set_value(60_000)
    rerun(at)
    at.segmented_control(key="_prediction_view").set_value(prediction.BOTH_SETS)
    rerun(at)
    assert any(w.value.startswith("Not trained: This run asks for") for w in at.warning)
    assert not titled(at, "Ground truth")


# ----- 5. both data sets on the Compare tab ------------------------------------------------------------------------
def test_a_sweep_on_both_data_sets_draws_a_loss_chart_and_a_group_of_maps_per_set():
    at = page(dataset="xor", epochs="200", tab="Compare")
    at.selectbox(key="_sweep_choice").set_value("lr").run()
    at.toggle(key="_sweep_both").set_value(True).run()
    at.button(key="_sweep_run").click()
    rerun(at)
    for name in ("linear", "xor"):
        ((spec, frames),) = titled(at, f"Loss per run · {name}")
        assert sorted(set(frames["runs"]["run"])) == [f"lr = {v} · {name}" for v in ("0.1", "0.3", "0.9")]
    assert not titled(at, "Loss per run")
    assert [m.value for m in at.markdown if m.value in ("**linear**", "**xor**")] == ["**linear**", "**xor**"]
    panels = [spec["concat"][0]["title"]["text"] for spec, f in charts(at) if "regions_0" in f]
    assert panels == [f"lr = {v} · {name}" for name in ("linear", "xor") for v in ("0.1", "0.3", "0.9")]
