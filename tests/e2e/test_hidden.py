"""Editing a weight and the hidden space, in a real browser: what only a browser shows.

A click on a line of the network diagram must reach the page as the Vega selection "edge" (AppTest can only
pretend a click); the edited weight then shows in the diagram and the share link says the run was edited.
The hidden space draws after its replay, and fits a phone's width.
"""

from __future__ import annotations

import re

import pytest
from test_page import MEASURE_OVERFLOW, assert_healthy, wait_drawn
from wsvisit import hung, workers

pytestmark = pytest.mark.e2e

XOR = "dataset=xor&epochs=300&tab=Network"
DIAGRAM = 2  # charts on the Network tab: the two live ones, then the network diagram

# the screen point a fraction t along the k-th clickable weight line, from its source neuron (its left end)
ALONG_EDGE = """(chart, [k, t]) => {
    const line = chart.querySelectorAll('g.edge_targets_marks line')[k];
    const m = line.getScreenCTM();
    const at = (x, y) => new DOMPoint(x, y).matrixTransform(m);
    const a = at(+line.getAttribute('x1') || 0, +line.getAttribute('y1') || 0);
    const b = at(+line.getAttribute('x2') || 0, +line.getAttribute('y2') || 0);
    const [from, to] = a.x <= b.x ? [a, b] : [b, a];
    return {x: from.x + t * (to.x - from.x), y: from.y + t * (to.y - from.y)};
}"""


# Record every frame's epoch the hidden space's caption shows from now on (Streamlit re-renders in place).
WATCH_FRAMES = """() => {
    window.__frames = [];
    const seen = () => document.querySelectorAll('[data-testid=stCaptionContainer]').forEach(e => {
        const m = /^Epoch ([\\d,]+) ·/.exec(e.innerText);
        const epoch = m && +m[1].replace(/,/g, '');
        if (m && window.__frames.at(-1) !== epoch) window.__frames.push(epoch);
    });
    new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def diagram(app):
    """The network diagram, once Vega has drawn its clickable lines."""
    chart = app.page.locator("[data-testid=stVegaLiteChart]").nth(DIAGRAM)
    chart.scroll_into_view_if_needed()
    wait_drawn(chart)
    chart.locator("g.edge_targets_marks line").first.wait_for(state="attached", timeout=20_000)
    return chart


def test_a_click_on_a_weight_edits_it_and_the_page_says_the_run_was_edited(open_app):
    app = open_app(XOR)
    page = app.page
    chart = diagram(app)
    # 2-9-4-1: the weights of layer 3 come after 2·9 + 9·4 = 54 others; w[3][2→1] is the 56th. Near its source
    # the four lines into the output are far apart, so the click lands on this one alone.
    point = chart.evaluate(ALONG_EDGE, [55, 0.2])
    page.mouse.move(point["x"] - 2, point["y"])
    page.mouse.click(point["x"], point["y"])
    field = page.get_by_label(re.compile(r"^New value for w\[3\]\[2→1\] \(h2\.2 → out\)"))
    field.wait_for(timeout=30_000)
    app.wait_finished()
    app.screenshot("edit-weight-picked")
    field.fill("7.5")
    field.press("Enter")
    page.get_by_text(re.compile(r"^Edited w\[3\]\[2→1\] .* → 7\.5 at epoch 300")).wait_for(timeout=30_000)
    app.wait_finished()
    assert page.get_by_text("This run's weights were edited by hand; the link reproduces the run before the edits",
                            exact=False).count() == 1
    # the diagram shows the new value: its tooltip data is the weight's, and the line is now the thickest
    widths = chart.evaluate("c => [...c.querySelectorAll('g.weight_lines_marks line')].map(l => +l.getAttribute('stroke-width'))")
    assert max(widths) == widths[55], widths
    app.screenshot("edit-weight-done")
    field.fill("1e9")
    field.press("Enter")
    page.get_by_text(re.compile(r"Not applied: '1e9' is not allowed; a weight is a number from -100 to 100")).wait_for()
    assert_healthy(app)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_hidden_space_replays_and_fits_the_screen(open_app, width):
    app = open_app("dataset=xor&hidden=2&lr=0.5&epochs=2000&tab=Network",
                   viewport={"width": width, "height": 900 if width > 600 else 844})
    page = app.page
    page.get_by_text("The hidden space: how a hidden layer sees the data").click()
    page.get_by_role("button", name="Replay the training").wait_for()
    app.wait_finished()
    app.button("Replay the training").click()
    app.button("Play").wait_for(timeout=60_000)  # drawn with the replay's frames only (the caption was there before)
    app.wait_finished()
    charts = page.locator("[data-testid=stVegaLiteChart]")
    space = charts.nth(charts.count() - 2)  # the hidden space, above the gradient flow
    space.scroll_into_view_if_needed()
    wait_drawn(space)
    assert space.locator("g.mark-line").count() >= 2  # the lattice and the output unit's line
    w = page.evaluate(MEASURE_OVERFLOW)
    assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["mainClient"] + 1, w["offenders"]
    app.screenshot(f"hidden-space-{width}")
    if width > 600:  # Play: the frames go by in the browser, in order, and it stops on the last
        page.evaluate(WATCH_FRAMES)
        app.button("Play").click()
        page.wait_for_function("() => window.__frames.length > 5 && window.__frames.at(-1) === 2000", timeout=60_000)
        app.wait_finished()
        seen = page.evaluate("() => window.__frames")
        # from the first frame drawn after Play (before it, the last frame, shown when Play was pressed). A busy
        # browser may draw two frames that arrive together as one, so not every epoch need be seen
        start = next((i for i, e in enumerate(seen) if e < 2000), len(seen))
        played = seen[start:]
        assert played == sorted(played) and len(played) > 5 and played[-1] == 2000, seen
    assert_healthy(app)


def test_a_cell_typed_into_the_weights_table_is_applied_on_a_phone(open_app):
    app = open_app(XOR, viewport={"width": 390, "height": 844})
    page = app.page
    page.get_by_text("Edit the weights in a table").click()
    grid = page.locator("[data-testid=stDataFrame]")
    grid.wait_for()
    app.wait_finished()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # the first row's cell right of the row names (its header and each row are 35 px high): open it, type, Enter.
    # (Typing on a cell without opening it starts the grid's number editor, which takes no leading minus.)
    page.mouse.dblclick(box["x"] + box["width"] * 0.55, box["y"] + 35 + 17)
    editor = page.locator("input.gdg-input")  # the grid's cell editor, open on the cell's value
    editor.fill("-3.5")
    editor.press("Enter")
    page.get_by_text(re.compile(r"^Edited w\[1\]\[1→\d\] .* → -3\.5 at epoch 300")).wait_for(timeout=30_000)
    app.wait_finished()
    w = page.evaluate(MEASURE_OVERFLOW)
    assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["mainClient"] + 1, w["offenders"]
    app.screenshot("edit-weight-table-390")
    assert_healthy(app)


def test_an_edit_while_the_run_trains_pauses_it_at_the_epoch_it_stands(open_app, server):
    # a run of seconds (100,000 epochs of a 2-32-16-1 network), whose workers then hang while the edit is made, so
    # that the edit lands in its middle on any machine
    app = open_app("dataset=xor&hidden=32,16&epochs=100000&tab=Network")
    page = app.page
    chart = diagram(app)
    last = chart.evaluate("c => c.querySelectorAll('g.edge_targets_marks line').length") - 1
    point = chart.evaluate(ALONG_EDGE, [last, 0.5])  # the last weight, into the output
    page.mouse.click(point["x"], point["y"])
    field = page.get_by_label(re.compile(r"^New value for w\[3\]\[16→1\]"))
    field.wait_for(timeout=30_000)
    app.wait_finished()
    app.button("Train").click()  # the run has all its epochs: Train starts it over, live
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stProgress] p')]"
                           ".some(p => /^Epoch [1-9][\\d,]* of 100,000/.test(p.innerText))", timeout=60_000)
    with hung(workers(server.url)):
        field.fill("-9")  # the form is still on the page while the run streams in
        field.press("Enter")
        done = page.get_by_text(re.compile(r"^Edited w\[3\]\[16→1\] .* → -9 at epoch ([\d,]+)\. Train and Step go on"))
        done.wait_for(timeout=60_000)
        app.wait_finished()
    at = int(re.search(r"at epoch ([\d,]+)", done.inner_text()).group(1).replace(",", ""))
    assert 0 < at < 100_000
    assert int(app.metric("Epoch").replace(",", "")) == at  # training paused where the edit was made
    assert page.get_by_text(re.compile(rf"^Paused at epoch {at:,} of 100,000")).count() == 1
    assert_healthy(app)
