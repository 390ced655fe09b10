"""The page, headless (streamlit.testing.v1.AppTest): sections, controls, links, actions, downloads.

Runs stay small (a few hundred epochs through the link) so the suite stays fast.
"""

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lab.experiment import Experiment
from mlp import io as weights_io

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(elements) -> list[str]:
    """The texts of alerts as a visitor reads them: the page escapes markdown in what it did not write itself."""
    return [re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", e.value) for e in elements]


def share_link(at: AppTest) -> str:
    """The share link's text, as the visitor copies it."""
    return at.text_input(key="_share_link").value


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def button(at: AppTest, key: str):
    return at.button(key=key)


def run_of(at: AppTest):
    return at.session_state["run"]


def open_tab(at: AppTest, label: str) -> AppTest:
    at.session_state["tab"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_default_load_shows_the_live_area_and_the_prediction_tab():
    at = page()
    assert metric(at, "Epoch") == "10,000"
    assert metric(at, "Train accuracy") == "100.00%"  # the report's result, without a click
    headers = [h.value for h in at.subheader]
    for section in ("Ground truth vs prediction", "Per-sample predictions", "Share this experiment"):
        assert section in headers
    assert "The network" not in headers  # a closed tab's sections are not drawn at all
    assert [t.label for t in at.tabs] == ["Prediction", "Network", "Data", "Compare", "Class", "Log", "Equations"]
    # decision regions, loss, truth, prediction
    assert len(at.get("vega_lite_chart")) == 4
    assert len(at.dataframe) == 1  # the prediction table
    assert share_link(at).startswith("http")


# tab → (subheaders it draws, charts on the page with it open, what else it shows)
TAB_CONTENT = {
    "Network": (("The network", "Gradient flow"), 2 + 3, lambda at: True),
    "Data": (("Your data",), 2, lambda at: len(at.dataframe) == 1),  # the data editor
    "Log": (("Training log", "Downloads"), 2, lambda at: any("Iter1 | Ground truth:" in c.value for c in at.code)),
    "Equations": (("Backprop with numbers: one training point",), 2 + 1, lambda at: bool(at.latex)),  # + the network
}


@pytest.mark.parametrize("label", TAB_CONTENT)
def test_each_tab_draws_its_sections(label):
    headers, charts, extra = TAB_CONTENT[label]
    at = open_tab(page(dataset="xor", epochs="300"), label)
    assert metric(at, "Epoch") == "300"  # opening a tab never retrains
    shown = [h.value for h in at.subheader] + [h.value for h in at.header]
    assert all(h in shown for h in headers), shown
    assert "Ground truth vs prediction" not in shown
    assert len(at.get("vega_lite_chart")) == charts
    assert extra(at)


@pytest.mark.parametrize("name, choice, field, value", [
    ("hidden", "20,14", "hidden", "20,14"),
    ("lr", 0.9, "lr", 0.9),
])
def test_preset_pills_set_the_field_and_clear_themselves(name, choice, field, value):
    at = page(dataset="xor", epochs="100")
    at.pills(key=f"_preset_{name}").set_value(choice).run()
    assert not at.exception
    assert at.session_state[field] == value
    assert at.session_state[f"_preset_{name}"] is None  # an action, not a selection: it can be clicked again
    assert getattr(run_of(at).exp, field) == (tuple(int(v) for v in value.split(",")) if name == "hidden" else value)


def test_the_tab_comes_from_the_link_and_goes_into_the_share_link():
    at = page(dataset="xor", epochs="300", tab="Network")
    assert "The network" in [h.value for h in at.subheader]
    assert "tab=Network" in share_link(at)
    assert "tab=" not in share_link(page(dataset="xor", epochs="300"))  # the default needs none
    at = page(dataset="xor", epochs="300", tab="Nowhere")  # Streamlit ignores an unknown tab: the first opens
    assert "Ground truth vs prediction" in [h.value for h in at.subheader]


def test_link_seeds_every_group():
    at = page(dataset="xor", noise="0.1", hidden="5,3", activation="tanh", optimizer="momentum", lr="0.05",
              epochs="300", test="0.2")
    exp = run_of(at).exp
    assert exp == Experiment(dataset="xor", noise=0.1, hidden=(5, 3), activation="tanh", optimizer="momentum",
                             lr=0.05, epochs=300, test=0.2)
    assert at.selectbox(key="dataset").value == "xor"
    assert at.text_input(key="hidden").value == "5,3"
    assert at.number_input(key="lr").value == 0.05
    assert metric(at, "Epoch") == "300"
    assert metric(at, "Test accuracy") != "= train"


@pytest.mark.parametrize(
    "key, value",
    [("lr", "abc"), ("epochs", "-5"), ("hidden", "999"), ("dataset", "<script>"), ("noise", "nan"), ("bias", "2")],
)
def test_bad_link_values_fall_back_with_a_notice(key, value):
    at = page(**{key: value, "epochs": "200" if key != "epochs" else value, "dataset": "xor" if key != "dataset" else value})
    warnings = [w for w in shown(at.warning)]
    assert any(w.startswith(f"Ignored a link parameter: {key}:") for w in warnings), warnings
    assert getattr(run_of(at).exp, key) == getattr(Experiment(), key)


def test_changing_each_group_retrains_and_says_so():
    at = page(dataset="xor", epochs="200")
    at.selectbox(key="dataset").set_value("circle").run()  # Data
    assert run_of(at).exp.dataset == "circle"
    assert any("Settings changed (dataset xor → circle)" in i.value for i in at.info)
    at.selectbox(key="activation").set_value("relu").run()  # Network
    assert run_of(at).net.activation.name == "relu"
    at.selectbox(key="optimizer").set_value("adam").run()  # Training
    assert run_of(at).exp.optimizer == "adam" and run_of(at).epoch == 200
    at.text_input(key="hidden").set_value("not sizes").run()
    assert any("hidden:" in w and "keeping 9,4" in w for w in shown(at.warning))
    assert not at.exception


def test_train_step_reset():
    at = page(dataset="xor", epochs="300")
    button(at, "_reset").click().run()
    assert metric(at, "Epoch") == "0"
    at.selectbox(key="_step_size").set_value(10).run()
    button(at, "_step").click().run()
    assert metric(at, "Epoch") == "10"
    button(at, "_train").click().run()  # resumes to the configured epochs
    assert metric(at, "Epoch") == "300"
    stepped = run_of(at).net.params.copy()
    fresh = page(dataset="xor", epochs="300")
    np.testing.assert_array_equal(run_of(fresh).net.params, stepped)  # step+train = one run


def test_train_on_a_finished_run_starts_from_scratch_and_matches():
    at = page(dataset="xor", epochs="250")
    before = run_of(at).net.params.copy()
    button(at, "_train").click().run()
    assert metric(at, "Epoch") == "250"
    np.testing.assert_array_equal(run_of(at).net.params, before)
    assert len(run_of(at).snapshots) > 2


def test_new_seed_changes_the_weights():
    at = page(dataset="xor", epochs="100")
    before = run_of(at).net.params.copy()
    button(at, "_new_seed").click().run()
    assert run_of(at).exp.weight_seed == 1
    assert not np.array_equal(run_of(at).net.params, before)


def test_divergence_is_explained():
    at = page(activation="linear", output_activation="linear", epochs="500")
    errors = [e for e in shown(at.error)]
    assert any("Training diverged at epoch" in e and "learning rate" in e for e in errors), errors
    assert not at.exception


def test_plateau_hint():
    # 2-1-1 sigmoid with mean gradients barely moves in 300 epochs: loss stays near 0.2494 on XOR
    at = page(dataset="xor", hidden="1", reduction="mean", epochs="300", lr="0.01")
    assert any("stuck near 0.2494" in w for w in shown(at.warning))


def test_display_toggle_does_not_retrain():
    at = page(dataset="xor", epochs="200")
    run = run_of(at)
    at.toggle(key="log").set_value(True).run()
    at.toggle(key="discretize").set_value(True).run()
    assert run_of(at) is run  # the same object: nothing was retrained
    spec = json.loads(at.get("vega_lite_chart")[1].proto.spec)
    assert "log" in json.dumps(spec)


def test_over_budget_keeps_the_previous_run():
    at = page(dataset="linear", n="50", epochs="200")
    run = run_of(at)
    at.slider(key="n").set_value(1000)
    at.text_input(key="hidden").set_value("32,32,32,32")
    at.number_input(key="epochs").set_value(100_000).run()
    assert any("limit" in e for e in shown(at.error))
    assert run_of(at) is run
    assert at.button(key="_train").disabled


def test_downloads_are_parseable():
    from lab.run import finish, new_run
    from playground.sections import log

    run = finish(new_run(Experiment(dataset="xor", epochs=100, test=0.2)))
    net = weights_io.loads(weights_io.dumps(run.net))
    np.testing.assert_array_equal(net.forward(run.data.X), run.net.forward(run.data.X))
    rows = list(csv.DictReader(io.StringIO(log.history_csv(run))))
    assert [int(r["epoch"]) for r in rows][-1] == 100
    assert float(rows[-1]["loss"]) == pytest.approx(run.last.loss)
    preds = list(csv.DictReader(io.StringIO(log.predictions_csv(run))))
    assert len(preds) == len(run.test)
    acc = np.mean([int(r["correct"]) for r in preds])
    assert acc == pytest.approx(run.net.evaluate(run.test.X, run.test.y)[1])
    # plain numbers, full precision (numpy 2's repr once wrote "np.float64(0.5)" into the file)
    np.testing.assert_array_equal([[float(r["x1"]), float(r["x2"])] for r in preds], run.test.X)
    np.testing.assert_array_equal([float(r["prediction"]) for r in preds], run.net.forward(run.test.X).ravel())
    text = log.lab_text(run)
    assert text.startswith("Epoch: 0, Loss: ") and "accuracy=" in text.splitlines()[-1]


def test_a_fixed_size_data_set_shows_its_size_and_keeps_the_points_setting():
    at = page(dataset="linear", n="50", epochs="100")
    at.selectbox(key="dataset").set_value("xor").run()
    fixed = at.number_input(key="_n_fixed")
    assert fixed.value == 21 and fixed.disabled and "n" not in {s.key for s in at.slider}
    assert any("always has its 21 points" in c.value for c in at.caption)
    assert run_of(at).exp.n == 50 and len(run_of(at).data) == 21
    at.selectbox(key="activation").set_value("tanh").run()  # another rerun: the setting is not lost
    assert run_of(at).exp.n == 50 and not any("Settings changed (n" in i.value for i in at.info)
    at.selectbox(key="dataset").set_value("linear").run()
    assert at.slider(key="n").value == 50 and len(run_of(at).data) == 50


def test_the_seldom_changed_settings_are_drawn_on_demand_and_whenever_changed():
    at = page(epochs="50")
    keys = ("output_activation", "init", "bias", "batch_size", "reduction", "l1", "l2")
    drawn = lambda: {w.key for w in at.sidebar if getattr(w, "key", None) in keys}  # noqa: E731
    assert drawn() == set()
    at.toggle(key="_more_settings").set_value(True).run()
    assert drawn() == set(keys)
    at.number_input(key="l2").set_value(0.001).run()
    at.toggle(key="_more_settings").set_value(False).run()
    assert drawn() == {"l2"} and run_of(at).exp.l2 == 0.001  # a changed setting is never out of sight

    linked = page(epochs="50", batch_size="10", reduction="mean")  # a link's own settings are shown
    assert {w.key for w in linked.sidebar if getattr(w, "key", None) in keys} == {"batch_size", "reduction"}
    assert run_of(linked).exp.batch_size == 10 and run_of(linked).exp.reduction == "mean"
