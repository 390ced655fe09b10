"""What only a browser shows: charts drawn, progress while training, share links, a phone's width, hostile links.

Each test opens the page in a fresh browser context, waits for Streamlit's own "script finished" state
(no sleeps) and saves a screenshot to artifacts/e2e/.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from wsvisit import hung, workers

from lab.points import decode_points

pytestmark = pytest.mark.e2e

METRICS = ("Epoch", "Train loss", "Train accuracy", "Test loss", "Test accuracy")
HOSTILE = "lr=abc&epochs=-5&hidden=999&dataset=%3Cscript%3E"


# Record every distinct progress value the page shows from now on (Streamlit re-renders in place).
WATCH_PROGRESS = """() => {
    window.__progress = [];
    const seen = () => document.querySelectorAll('[data-testid=stProgress] [role=progressbar]').forEach(e => {
        const v = e.getAttribute('aria-valuenow');
        if (window.__progress[window.__progress.length - 1] !== v) window.__progress.push(v);
    });
    new MutationObserver(seen).observe(document.body,
        {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow']});
}"""


def wait_drawn(chart, timeout: int = 20_000) -> None:  # noqa: ANN001
    """Wait until Vega has drawn ``chart`` (a locator): a canvas or an svg of non-zero size inside it. The locator
    is resolved afresh on every try, so a rerun that replaces the chart's element is followed."""
    chart.locator("canvas:visible, svg:visible").first.wait_for(timeout=timeout)


def epoch(app) -> int:
    return int(re.sub(r"\D", "", app.metric("Epoch")))


def assert_healthy(app) -> None:
    assert app.exceptions() == [], f"the page shows an exception: {app.exceptions()}"
    assert app.errors == [], f"browser console errors: {app.errors}"


def assert_charts_drawn(app, expected: int) -> None:
    """Exactly ``expected`` charts on the page, each drawn by Vega at a non-zero size."""
    page = app.page
    charts = page.locator("[data-testid=stVegaLiteChart]")
    try:  # a rerun (a tab opened) replaces the elements: wait for the count, not a moment's snapshot
        page.wait_for_function(
            f"document.querySelectorAll('[data-testid=stVegaLiteChart]').length === {expected}", timeout=20_000)
    except Exception:
        pass  # the assertion below says what was found
    app.wait_finished()
    assert charts.count() == expected, f"{charts.count()} charts on the page, expected {expected}"
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        wait_drawn(chart)


def test_first_load_draws_every_chart_and_the_finished_metrics(open_app):
    app = open_app()
    page = app.page
    assert page.get_by_role("heading", name="Backprop Playground").count() >= 1
    assert_charts_drawn(app, 4)  # decision regions, loss, ground truth, prediction (the Prediction tab)
    for label in METRICS:
        assert app.metric(label), f"metric {label!r} is empty"
    # opening a link shows the finished experiment: the default runs all its epochs without a click
    assert epoch(app) == 10_000
    app.screenshot("first-load")
    assert_healthy(app)


def test_train_shows_progress_then_the_result(open_app, server):
    app = open_app("epochs=20000")
    page = app.page
    page.evaluate(WATCH_PROGRESS)
    with hung(workers(server.url)):  # the run cannot end before the page has drawn its bar, on any machine
        app.button("Train").click()
        page.wait_for_function("window.__progress.some(v => v !== '100')", timeout=30_000)  # the run has started
    app.wait_finished()
    seen = page.evaluate("window.__progress")
    assert any(v != "100" for v in seen) and seen[-1] == "100", f"the progress bar never moved: values {seen}"
    assert "%" in app.metric("Train accuracy")
    assert epoch(app) == 20_000
    app.screenshot("after-train")
    assert_healthy(app)


def test_share_link_reproduces_the_run_in_a_fresh_browser(open_app):
    app = open_app("dataset=xor&epochs=3000")
    page = app.page
    before = page.url
    app.button("New seed").click()
    page.wait_for_url(lambda url: url != before, timeout=30_000)
    app.wait_finished()
    link = page.url
    query = parse_qs(urlsplit(link).query)
    assert query.get("dataset") == ["xor"] and query.get("epochs") == ["3000"], link
    assert any("seed" in k for k in query), f"the new seed is not in the URL: {link}"
    expected = {m: app.metric(m) for m in ("Train accuracy", "Train loss")}
    shared = page.get_by_label("Share link", exact=True).input_value()  # the link the page offers is the address bar's
    assert parse_qs(urlsplit(shared).query) == query, (shared, link)
    app.screenshot("share-source")

    fresh = open_app(urlsplit(link).query)
    got = {m: fresh.metric(m) for m in ("Train accuracy", "Train loss")}
    assert got == expected, f"{link} shows {got}, the page that made it showed {expected}"
    fresh.screenshot("share-opened")
    assert_healthy(app)
    assert_healthy(fresh)


# Widths on a phone, and the elements that stick out of the main column without a scroller of their own,
# each with the section (last heading above it) it belongs to.
MEASURE_OVERFLOW = """() => {
    const W = window.innerWidth + 1;
    const main = document.querySelector('[data-testid=stMainBlockContainer]');
    const scrolls = e => { for (let a = e.parentElement; a && a !== main; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
    let section = '(top)';
    const sectionOf = new Map();
    for (const box of main.querySelectorAll('[data-testid=stElementContainer]')) {
        const h = box.querySelector('[data-testid=stHeading]');
        if (h) section = h.innerText.trim();
        sectionOf.set(box, section);
    }
    const offenders = [];
    for (const e of main.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && r.right > W && e.parentElement.getBoundingClientRect().right <= W && !scrolls(e)) {
            const box = e.closest('[data-testid=stElementContainer]');
            const kind = box?.firstElementChild?.getAttribute('data-testid');
            offenders.push(`<${e.tagName.toLowerCase()}> in ${kind} under "${sectionOf.get(box)}": `
                           + `${Math.round(r.width)} px wide, right edge at ${Math.round(r.right)}`);
        }
    }
    return {inner: window.innerWidth, doc: document.documentElement.scrollWidth, main: main.scrollWidth,
            mainClient: main.clientWidth, mainRight: main.getBoundingClientRect().right, offenders};
}"""


def test_phone_width_has_no_horizontal_overflow(open_app):
    app = open_app(viewport={"width": 390, "height": 844})
    w = app.page.evaluate(MEASURE_OVERFLOW)
    app.screenshot("phone-390")
    sizes = {k: v for k, v in w.items() if k != "offenders"}
    assert w["doc"] <= w["inner"] + 1, (sizes, w["offenders"])
    assert w["main"] <= w["mainClient"] + 1 and w["mainRight"] <= w["inner"] + 1, (sizes, w["offenders"])
    assert_healthy(app)


def test_hostile_link_warns_and_does_not_break(open_app, server):
    log_before = len(server.log_text())
    app = open_app(HOSTILE)
    app.screenshot("hostile-link")
    warnings = " ".join(app.warnings())
    for key in ("lr", "epochs", "hidden", "dataset"):
        assert re.search(rf"\b{key}\b", warnings), f"no warning names {key!r}: {warnings!r}"
    assert app.page.locator("[data-testid=stApp] script").count() == 0, "a <script> from the URL reached the DOM"
    for label in METRICS:  # fell back to defaults and still ran
        assert app.metric(label)
    assert_healthy(app)
    assert "Traceback" not in server.log_text()[log_before:]


def test_run_over_the_work_limit_says_so_without_training(open_app):
    app = open_app("n=1000&hidden=32,32,32,32&epochs=100000")
    app.screenshot("over-limit")
    errors = " ".join(app.texts("[data-testid=stAlertContentError]"))
    assert "limit" in errors, f"no error mentions the limit: {errors!r}"
    assert_healthy(app)


def test_after_a_hostile_link_the_address_bar_holds_the_experiment_on_screen(open_app):
    """Rejected values leave the URL (a copied address reproduces what is on screen), each warned about once."""
    app = open_app(HOSTILE)
    query = parse_qs(urlsplit(app.page.url).query)
    assert not {"lr", "epochs", "hidden", "dataset"} & set(query), f"rejected values stay in the URL: {query}"
    assert len(app.warnings()) == 4, app.warnings()


def test_a_click_on_the_decision_regions_adds_a_point(open_app):
    """The named Vega selection reaches the page: a click in an empty part of the plane adds a point there."""
    app = open_app("dataset=xor&epochs=300&tab=Data")  # the Data tab counts the points
    page = app.page
    chart = page.locator("[data-testid=stVegaLiteChart]").first  # the decision regions
    chart.scroll_into_view_if_needed()
    wait_drawn(chart)
    box = chart.bounding_box()
    assert box is not None
    before = page.get_by_text(re.compile(r"^21 points")).count()
    # the regions are one picture spanning the plot area, the square (-0.1, 1.1)² of the lab's sets
    plot = chart.locator("image").first.bounding_box()
    x, y = plot["x"] + plot["width"] * 0.3, plot["y"] + plot["height"] * 0.4
    page.mouse.move(x - 3, y - 3)  # the pointer arrives, as a hand's does: the cells under it are made
    page.mouse.move(x, y)
    page.mouse.click(x, y)  # an empty part of the plane: a point of class 0 there
    page.wait_for_function("() => document.body.innerText.includes('22 points')", timeout=60_000)
    app.wait_finished()
    assert before == 1
    assert "points=" in page.url  # the link now carries the custom points
    code = parse_qs(urlsplit(page.url).query)["points"][0]
    added = decode_points(code).X[-1]
    cell = 1.2 / 72  # the map's cells: the click lands on the one under the pointer, as precise as the map
    assert added == pytest.approx([-0.1 + 1.2 * 0.3, 1.1 - 1.2 * 0.4], abs=cell)
    app.screenshot("click-adds-a-point")
    assert_healthy(app)


def test_each_tab_draws_its_charts_and_the_address_bar_follows(open_app):
    app = open_app("dataset=xor&epochs=500")
    # tab → charts on the page with it open: the live two, plus the tab's own
    for label, charts in (("Network", 2 + 3), ("Data", 2), ("Compare", 2), ("Prediction", 2 + 2)):
        app.page.get_by_role("tab", name=label).click()
        app.page.wait_for_function(
            f"[...document.querySelectorAll('[role=tab]')].some(t => t.textContent.includes({label!r}) "
            "&& t.getAttribute('aria-selected') === 'true')")
        app.wait_finished()
        assert_charts_drawn(app, charts)
        if label != "Prediction":
            app.page.wait_for_url(re.compile(rf"tab={label}"), timeout=20_000)
        query = parse_qs(urlsplit(app.page.url).query)
        assert query.get("tab") == (None if label == "Prediction" else [label]), app.page.url  # the first is the default
        assert epoch(app) == 500  # changing tabs never retrains
    app.screenshot("tab-prediction")
    assert_healthy(app)
