"""The views of issue 19 in a real browser: input features drawn as small maps in the network diagram (on a
desktop and a phone), a regression run's output map and its tooltips, predicted against true, the report's
Figs. 11–12 one click away, and a sweep on both data sets drawn as a figure per set.

AppTest reads the specs and frames the page sends; only a browser shows that Vega draws the maps as images
where the input neurons are, that a point's tooltip names what it says, and that the views fit a phone.
"""

from __future__ import annotations

import re

import pytest
from test_page import MEASURE_OVERFLOW, assert_charts_drawn, assert_healthy, wait_drawn

pytestmark = pytest.mark.e2e

FEATURES = "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2"
PHONE = {"width": 390, "height": 844}

# the input maps Vega drew in a chart: every <image> whose picture is a small square (the decision regions'
# and the neuron maps' pictures are larger), with its place on the screen
INPUT_MAPS = """el => [...el.querySelectorAll('image')].map(i => {
    const r = i.getBoundingClientRect();
    return {x: r.x, y: r.y, w: r.width, h: r.height, png: (i.getAttribute('href') || '').startsWith('data:image/png')};
}).filter(r => r.w > 5 && r.w < 40)"""


def chart_titled(app, title: str):
    """The chart whose Vega title (an SVG text) is ``title``, once drawn."""
    chart = app.page.locator("[data-testid=stVegaLiteChart]").filter(
        has=app.page.locator("text", has_text=re.compile(rf"^{re.escape(title)}$"))).first
    chart.scroll_into_view_if_needed()
    wait_drawn(chart)
    return chart


def assert_fits(app) -> None:
    w = app.page.evaluate(MEASURE_OVERFLOW)
    assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["mainClient"] + 1, w["offenders"]


def looked_at(app, name: str, phone: bool) -> None:
    """The screenshot ``name``-desktop or ``name``-phone; on a phone nothing sticks out; no error anywhere."""
    app.screenshot(f"{name}-{'phone' if phone else 'desktop'}")
    if phone:
        assert_fits(app)
    assert_healthy(app)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_each_input_feature_is_a_small_map_where_its_neuron_is(open_app, viewport):
    app = open_app(f"dataset=circle&features={FEATURES}&epochs=500&tab=Network", viewport=viewport)
    assert_charts_drawn(app, 5)  # the live two, the diagram, the neuron maps, the gradient flow
    chart = chart_titled(app, "Network")
    maps = app.page.evaluate(INPUT_MAPS, chart.element_handle())
    assert len(maps) == 7 and all(m["png"] for m in maps), maps
    assert all(abs(m["w"] - m["h"]) < 1 and abs(m["w"] - maps[0]["w"]) < 0.5 for m in maps)  # squares, one size
    ys = [m["y"] for m in maps]
    assert ys == sorted(ys) and min(b - a for a, b in zip(ys, ys[1:])) >= maps[0]["h"]  # a column, none overlapping
    box = chart.bounding_box()
    assert all(box["x"] <= m["x"] and m["x"] + m["w"] <= box["x"] + box["width"] / 3 for m in maps)  # the input side
    # each map's name to its left, inside the chart
    for name in FEATURES.split(","):
        label = chart.locator("text", has_text=re.compile(rf"^{name}$")).first.bounding_box()
        assert label["x"] >= box["x"] - 1, (name, label, box)
    looked_at(app, "input-maps", phone=viewport is not None)


def test_a_regression_run_has_an_output_map_with_tooltips_and_predicted_against_true(open_app):
    app = open_app("dataset=reg_gaussians&epochs=3000&test=0.2&activation=tanh&optimizer=adam&lr=0.01")
    assert_charts_drawn(app, 3)  # the output map, the loss, predicted against true
    page = app.page
    chart = chart_titled(app, "Output")
    dot = chart.locator("g.dots_marks path").first
    dot.hover()
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=10_000)
    text = tooltip.inner_text()
    for word in ("target", "predicted", "error", "set"):
        assert word in text, text
    assert "class" not in text.lower() and "truth" not in text
    chart_titled(app, "Test points")
    assert app.page.get_by_text("Predicted against true", exact=True).count() == 1
    looked_at(app, "regression", phone=False)
    phone = open_app("dataset=reg_gaussians&epochs=3000&test=0.2&activation=tanh&optimizer=adam&lr=0.01",
                     viewport=PHONE)
    assert_charts_drawn(phone, 3)
    looked_at(phone, "regression", phone=True)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_reports_figs_11_and_12_are_one_click_away(open_app, viewport):
    app = open_app("dataset=xor&epochs=2000", viewport=viewport)
    app.page.get_by_text("Both data sets (the report's Figs. 11–12)", exact=True).click()
    app.page.get_by_text("Fig. 12 · XOR").wait_for(timeout=60_000)
    app.wait_finished()
    assert_charts_drawn(app, 2 + 4)  # the live two, then ground truth and prediction for each set
    for fig in ("Fig. 11 · the linear set", "Fig. 12 · XOR"):
        assert app.page.get_by_text(fig).count() == 1
    looked_at(app, "figs-11-12", phone=viewport is not None)


def test_a_sweep_on_both_data_sets_draws_a_figure_per_set(open_app):
    app = open_app("epochs=1000&sweep=lr&values=0.1;0.3;0.9&both=1")
    app.button("Run this sweep").click()
    app.page.get_by_text("Loss per run · xor").wait_for(timeout=120_000)
    app.wait_finished()
    assert_charts_drawn(app, 2 + 2 + 6)  # the live two, a loss chart per set, a map per run
    linear, xor = chart_titled(app, "Loss per run · linear"), chart_titled(app, "Loss per run · xor")
    a, b = linear.bounding_box(), xor.bounding_box()
    assert abs(a["y"] - b["y"]) < 2 and a["x"] + a["width"] <= b["x"] + 1  # side by side
    looked_at(app, "compare-both-sets", phone=False)


def test_a_regression_board_shows_output_maps_and_losses(open_app):
    app = open_app("dataset=reg_plane&epochs=2000&sweep=lr&values=0.001;0.003;0.01")
    app.button("Run this sweep").click()
    app.page.get_by_text("The pinned runs' output maps", exact=True).wait_for(timeout=120_000)
    app.wait_finished()
    assert_charts_drawn(app, 2 + 1 + 3)  # the live two, the losses, a map per run
    board = app.page.locator("[data-testid=stMain]").inner_text()
    assert re.search(r"\bloss \d", board), "no run's loss under its name"
    assert "accuracy" not in board.lower().split("the report's single runs")[-1]  # the board's own words
    looked_at(app, "regression-board", phone=False)
