"""Check my backprop in a real browser: the uploader widget itself, the report as a visitor reads it, and a
hostile file name drawn as typed (what AppTest cannot show: how the frontend renders markdown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_page import assert_charts_drawn, assert_healthy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab"))
from student_backprop import file_for, problem, student  # noqa: E402

from lab.gradcheck import check, load  # noqa: E402

pytestmark = pytest.mark.e2e

NAME = "**bold** <script>alert(1)</script> :red[x].json"


def test_uploading_a_mistaken_file_shows_the_diagnosis_and_the_marked_network(open_app):
    W, b, X, y = problem()
    dW, db = student(W, b, X, y, mistake="hidden_on_z")
    data = json.dumps(file_for(W, b, X, y, dW, db)).encode()
    (sentence,) = check(load(data)).diagnoses[0].sentences  # "dW1, db1, dW2, db2: … z*(1-z) …"
    app = open_app("dataset=xor&epochs=300&tab=Equations")
    page = app.page
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        {"name": NAME, "mimeType": "application/json", "buffer": data}
    )
    page.get_by_text("Diagnosis", exact=True).wait_for()
    app.wait_finished()
    main = page.locator("[data-testid=stMain]")
    text = main.inner_text()
    assert sentence in text, "the diagnosis is not on the page as written"  # its * survived: no markdown
    assert "Verdict: 4 of 6 gradients are wrong" in text
    assert NAME in text  # the file name as typed
    assert main.locator("strong", has_text="bold").count() == 0 and main.locator("script").count() == 0
    table = page.locator("[data-testid=stDataFrame]")
    assert table.count() == 2  # backprop with numbers' layer table above, the report
    assert_charts_drawn(app, 4)  # the live area's decision regions and loss, backprop's network, the file's
    assert page.get_by_text("red = wrong gradient: dW1, db1, dW2, db2").count() >= 1
    app.screenshot("check-my-backprop")
    assert_healthy(app)
