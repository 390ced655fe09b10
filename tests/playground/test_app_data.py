"""Bring your own data, through the page: click to add/remove, the table, CSV upload, links, downloads."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_app import shown

from lab import points

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"dataset": "xor", "epochs": "200", "tab": "Data", **params}.items():  # the Data tab open
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_of(at):
    return at.session_state["run"]


def click(at: AppTest, cell=None, point=None) -> AppTest:
    """What the browser sends when the decision chart is clicked (its selection state)."""
    # as the browser sends it: the selection the click did not touch is [{}]
    sel = {"click": [cell] if cell else [{}], "click_point": [point] if point else [{}]}
    at.session_state["_decision"] = {"selection": sel}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_click_adds_a_point_of_the_chosen_class_and_the_link_carries_it():
    at = page()
    at.segmented_control(key="_click_mode").set_value("add class 1").run()
    click(at, cell={"x1_lo": 0.5, "x1_hi": 0.52, "x2_lo": 0.1, "x2_hi": 0.12})
    run = run_of(at)
    assert run.exp.dataset == "custom" and len(run.data) == 22
    np.testing.assert_allclose(run.data.X[-1], [0.51, 0.11], atol=1e-5)
    assert run.data.y[-1, 0] == 1.0
    code = at.query_params["points"]
    assert len(points.decode_points(code)) == 22
    at.run()  # the same selection again is not a second click
    assert len(run_of(at).data) == 22
    assert any("share link carries these 22 points" in c.value for c in at.caption)


def test_click_removes_the_nearest_point():
    at = page()
    at.segmented_control(key="_click_mode").set_value("remove").run()
    click(at, point={"x1": 0.0, "x2": 0.0})
    data = run_of(at).data
    assert len(data) == 20
    assert not np.any(np.all(np.abs(data.X - [0.0, 0.0]) < 1e-4, axis=1))


def test_keep_training_carries_the_weights_over():
    at = page()
    before = run_of(at).net.params.copy()
    at.toggle(key="_keep_training").set_value(True).run()
    click(at, cell={"x1_lo": 0.9, "x1_hi": 0.92, "x2_lo": 0.5, "x2_hi": 0.52})
    run = run_of(at)
    assert any("keeps its weights" in i.value for i in at.info)
    assert run.epoch == 200  # trained on, live, to the configured epochs
    fresh = page(dataset="custom", points=at.query_params["points"])
    assert not np.array_equal(run_of(fresh).net.params, run.net.params)  # a fresh run differs
    assert not np.array_equal(before, run.net.params)


def test_upload_replaces_the_data_and_round_trips():
    at = page()
    csv = "x1;x2;label\n0,1;0,2;0\n0,8;0,9;1\n0,2;0,9;1\n0,7;0,1;0\n"
    at.file_uploader(key="_upload").upload("mine.csv", csv.encode(), "text/csv").run()
    at.run()
    run = run_of(at)
    assert not at.exception
    assert run.exp.dataset == "custom" and len(run.data) == 4
    np.testing.assert_allclose(run.data.X[0], [0.1, 0.2], atol=1e-5)
    again = points.parse_csv(points.to_csv(run.data))
    np.testing.assert_array_equal(again.X, run.data.X)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"x1,x2,label\n0.1,0.2,0\n0.3,abc,1\n", ["row 3", "column 2", "abc"]),
        (b"x1,x2,label\n0.1,0.2,0\n0.3,0.4,2\n", ["row 3", "label"]),
        (b"x1,x2\n0.1,0.2\n0.3,0.4\n", ["header"]),
        (b"0.1,0.2,0\n0.3,nan,1\n", ["row 2", "column 2"]),
        (b"", ["empty"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["not a text file"]),
        ("\n".join(["0.1,0.2,0"] * 2001).encode(), ["2,000"]),
    ],
)
def test_bad_files_get_one_message_and_keep_the_data(content, words):
    at = page()
    before = run_of(at)
    at.file_uploader(key="_upload").upload("bad.csv", content, "text/csv").run()
    at.run()
    errors = [e for e in shown(at.error)]
    assert len(errors) == 1, errors
    assert "bad.csv" in errors[0] and "current data stays" in errors[0]
    for w in words:
        assert w in errors[0], errors[0]
    assert run_of(at) is before and run_of(at).exp.dataset == "xor"


def test_using_the_table_makes_the_data_custom():
    at = page()
    at.button(key="_apply_table").click().run()
    assert run_of(at).exp.dataset == "custom" and len(run_of(at).data) == 21


def test_large_custom_sets_stay_in_the_session_and_the_page_says_so():
    at = page(dataset="linear", n="300")
    at.button(key="_apply_table").click().run()
    run = run_of(at)
    assert run.exp.dataset == "custom" and run.exp.points == "" and len(run.data) == 300
    assert any("link carries the settings only" in w for w in shown(at.warning))
    assert "points" not in at.query_params


def test_a_link_with_points_reproduces_the_data():
    d = points.decode_points(points.encode_points([[0.1, 0.1], [0.9, 0.9], [0.1, 0.9], [0.9, 0.1]], [0, 0, 1, 1]))
    at = page(dataset="custom", points=points.encode_points(d.X, d.y))
    np.testing.assert_array_equal(run_of(at).data.X, d.X)


def test_a_broken_points_code_falls_back_with_a_notice():
    at = page(dataset="custom", points="!!not-a-code")
    assert any(w.startswith("Ignored a link parameter: points:") for w in shown(at.warning))
    assert any("no custom points yet" in e for e in shown(at.error))
