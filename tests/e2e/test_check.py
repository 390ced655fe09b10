"""Check my backprop in a real browser: the uploader widget itself, the report as a visitor reads it, and a
hostile file name drawn as typed (what AppTest cannot show: how the frontend renders markdown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psutil
import pytest
from test_page import assert_charts_drawn, assert_healthy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "companion"))
from student_backprop import file_for, problem, student  # noqa: E402

from companion.gradcheck import check, load  # noqa: E402

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


# ----- one upload cannot take the server down -------------------------------------------------------
SERVER_RSS_LIMIT = 1.5 * 2**30
ANSWER_MS = 30_000  # the page answers the largest legal file within this


def server_process(server) -> psutil.Process:
    """The ``streamlit run`` process behind the page (a child of this test process)."""
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    (proc,) = [p for p in psutil.Process().children() if "streamlit" in " ".join(p.cmdline()) and port in p.cmdline()]
    return proc


def upload_file(app, data: bytes, name: str) -> None:
    app.page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": data}
    )


def test_the_largest_legal_file_is_checked_in_its_own_process_and_the_server_stays_small(open_app, server):
    from check_limits import PeakRSS, Watch, largest_file

    proc = server_process(server)
    app = open_app("dataset=xor&epochs=300&tab=Equations")
    with PeakRSS(proc) as rss, Watch(of=proc) as watch:
        upload_file(app, largest_file(), "heavy.json")
        verdict = app.page.get_by_text("Verdict: 8 of 8 gradients are wrong", exact=False)
        verdict.wait_for(timeout=ANSWER_MS)
        app.wait_finished()
    text = app.page.locator("[data-testid=stMain]").inner_text()
    assert "delta at the output is wrong" in text and "too many lines to draw" in text
    assert rss.peak < SERVER_RSS_LIMIT, f"the server grew to {rss.peak / 2**20:.0f} MB"
    assert len(watch.seen) == 1 and watch.all_gone()  # checked in a child of the server, which has ended
    app.screenshot("check-largest-legal-file")
    assert_healthy(app)


def test_the_reviewers_file_is_refused_at_once_with_the_bound_named(open_app, server):
    from check_limits import PeakRSS, reviewers_file

    proc = server_process(server)
    app = open_app("dataset=xor&epochs=300&tab=Equations")
    with PeakRSS(proc) as rss:
        upload_file(app, reviewers_file(), "big.json")
        error = app.page.locator("[data-testid=stAlertContentError]")
        error.wait_for(timeout=ANSWER_MS)
        app.wait_finished()
    assert error.inner_text().strip().splitlines()[-1] == (  # after the icon's name
        "big.json: X: 30,000 points × 10,002 units (of all layers) is more than 1,000,000, the most a check "
        "computes; this network can be checked on up to 99 points: check a smaller batch of points or a smaller "
        "network. Nothing else changed."
    )
    assert rss.peak < SERVER_RSS_LIMIT, f"the server grew to {rss.peak / 2**20:.0f} MB"
    assert_healthy(app)
