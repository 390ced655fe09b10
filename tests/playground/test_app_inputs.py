"""The page with input features, without hidden layers and on the regression sets: every tab opens, the link
carries the settings, and a regression run shows a loss and no accuracy (streamlit.testing.v1.AppTest)."""

import csv
import io
import json

import numpy as np
import pytest
from test_app import metric, open_tab, page, run_of, share_link, shown

from lab.experiment import Experiment
from playground.sections import log

TABS = ("Prediction", "Network", "Data", "Compare", "Log", "Equations")
CIRCLE = {"dataset": "circle", "hidden": "0", "features": "x1,x2,x1sq,x2sq"}


def test_a_circle_link_without_hidden_layer_opens_without_a_notice():
    at = page(**CIRCLE, epochs="2000")
    assert not [w for w in shown(at.warning) if any(k in w for k in ("hidden", "features", "dataset"))]
    run = run_of(at)
    assert run.exp == Experiment(dataset="circle", hidden=(), features=("x1", "x2", "x1sq", "x2sq"), epochs=2000)
    assert run.net.layer_sizes == (4, 1) and run.net.features.names == ("x1", "x2", "x1sq", "x2sq")
    assert run.last.accuracy >= 0.95  # a circle is one straight boundary in (x1sq, x2sq)
    assert at.multiselect(key="features").value == ["x1", "x2", "x1sq", "x2sq"]
    link = share_link(at)
    assert "features=x1%2Cx2%2Cx1sq%2Cx2sq" in link or "features=x1,x2,x1sq,x2sq" in link
    assert "hidden=0" in link


@pytest.mark.parametrize("label", TABS)
def test_every_tab_opens_without_hidden_layer_and_with_features(label):
    at = open_tab(page(**CIRCLE, epochs="200"), label)
    assert metric(at, "Epoch") == "200"
    if label == "Network":  # the diagram with four inputs, and no neuron maps: there is no hidden neuron
        diagram = json.loads(at.get("vega_lite_chart")[2].proto.spec)
        assert "Network" in json.dumps(diagram) and any("No hidden layer" in c.value for c in at.caption)
    if label == "Equations":
        assert any("x1sq" in x.value for x in at.latex)


def test_choosing_features_in_the_sidebar_goes_into_the_link_and_the_network():
    at = page(dataset="circle", epochs="100")
    at.multiselect(key="features").set_value(["x1", "x2", "x1x2"]).run()
    assert not at.exception
    assert run_of(at).net.layer_sizes == (3, 9, 4, 1) and run_of(at).exp.features == ("x1", "x2", "x1x2")
    assert at.query_params["features"] in ("x1,x2,x1x2", ["x1,x2,x1x2"])
    at.multiselect(key="features").set_value([]).run()  # none: kept as it was, with a notice
    assert run_of(at).exp.features == ("x1", "x2", "x1x2")
    assert any(w.startswith("Ignored a link parameter: features:") for w in shown(at.warning))
    at.multiselect(key="features").set_value(["x2", "x1"]).run()  # the lab's inputs: the link needs none
    assert "features" not in at.query_params and run_of(at).net.layer_sizes == (2, 9, 4, 1)


def test_a_bad_features_link_falls_back_with_a_notice():
    at = page(dataset="xor", features="x1,radius", epochs="100")
    assert any(w.startswith("Ignored a link parameter: features: unknown name 'radius'") for w in shown(at.warning))
    assert run_of(at).exp.features == ("x1", "x2")


def test_a_regression_link_trains_with_a_linear_output_and_shows_no_accuracy():
    at = page(dataset="reg_plane", epochs="300")
    run = run_of(at)
    assert run.exp == Experiment(dataset="reg_plane", epochs=300) and run.net.output_activation.name == "linear"
    assert run.last.loss < run.snapshots[0].loss and run.last.accuracy is None
    labels = [m.label for m in at.metric]
    assert "Train loss" in labels and not [m for m in labels if "accuracy" in m.lower()]
    assert not [s for s in at.success if "accuracy" in s.value]
    decision = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert decision["title"]["text"] == "Output" and "predicted value" in json.dumps(decision)
    assert "output_activation" not in share_link(at) and "lr=" not in share_link(at)


@pytest.mark.parametrize("label", TABS)
def test_every_tab_opens_on_a_regression_set(label):
    at = open_tab(page(dataset="reg_gaussians", epochs="200", test="0.2"), label)
    assert metric(at, "Epoch") == "200"
    assert not [e.value for e in at.error]
    if label == "Log":
        text = next(c.value for c in at.code if "Iter1 | Ground truth:" in c.value)
        assert text.rstrip().splitlines()[-1].startswith("loss=") and "accuracy" not in text
    if label == "Prediction":
        assert any(m.label == "Mean squared error" for m in at.metric)


def test_the_sidebar_moves_the_data_sets_defaults():
    at = page(dataset="xor", epochs="100")
    at.selectbox(key="dataset").set_value("reg_plane").run()
    assert (at.session_state["output_activation"], at.session_state["lr"]) == ("linear", 0.003)
    assert run_of(at).exp == Experiment(dataset="reg_plane", epochs=100)
    at.selectbox(key="dataset").set_value("linear").run()
    assert run_of(at).exp == Experiment(epochs=100)
    at.selectbox(key="loss").set_value("bce").run()
    at.selectbox(key="dataset").set_value("reg_gaussians").run()  # BCE needs labels: MSE
    assert run_of(at).exp.loss == "mse" and not at.exception


def test_bce_on_a_regression_link_falls_back_with_a_notice():
    at = page(dataset="reg_plane", loss="bce", epochs="100")
    assert any(w.startswith("Ignored a link parameter: loss: bce needs labels") for w in shown(at.warning))
    assert run_of(at).exp.loss == "mse"


def test_regression_downloads_and_the_check_file():
    from lab.run import finish, new_run
    from playground.sections import check

    run = finish(new_run(Experiment(dataset="reg_plane", epochs=100, test=0.2)))
    preds = list(csv.DictReader(io.StringIO(log.predictions_csv(run))))
    assert list(preds[0]) == ["iter", "x1", "x2", "ground_truth", "prediction", "error"]
    np.testing.assert_array_equal([float(r["ground_truth"]) for r in preds], run.test.y.ravel())
    history = list(csv.DictReader(io.StringIO(log.history_csv(run))))
    assert history[-1]["accuracy"] == "nan" and float(history[-1]["loss"]) == pytest.approx(run.last.loss)
    # with features, the check file's X is the features: the first layer's input
    featured = finish(new_run(Experiment(dataset="circle", features=("x1", "x2", "x1sq"), hidden=(3,), epochs=10)))
    data = json.loads(check.check_file(featured.net, featured.net.inputs(featured.train.X), featured.train.y, "sum"))
    assert data["layer_sizes"] == [3, 3, 1] and np.shape(data["X"]) == (len(featured.train), 3)


@pytest.mark.parametrize("name", ["plateau", "no_activation"])
def test_the_reports_single_runs_are_one_click_away(name):
    from lab.presets import FIGURES

    at = open_tab(page(epochs="50"), "Compare")
    at.button(key=f"_figure_{name}").click().run()
    assert not at.exception
    assert run_of(at).exp == FIGURES[name].exp
    for key, value in FIGURES[name].query().items():
        assert f"{key}={value}" in share_link(at)
