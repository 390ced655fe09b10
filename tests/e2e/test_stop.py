"""Stop answers at once, even behind a full queue: a real browser, a real server, real worker processes.

The module runs its own server: the runs that fill its queue are left to train when the test ends, and die
with it instead of slowing the other browser tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import Server, serving

pytestmark = pytest.mark.e2e

# six families (no two can share a batch), each some 4 s of training: two workers are busy for about 12 s
FILLERS = [f"hidden=20,14&epochs=50000&activation={a}&optimizer={o}"
           for a in ("tanh", "relu", "sigmoid") for o in ("gd", "adam")]
MARGIN_S = 0.5  # Stop may take at most this much longer than any other click under the same load


@pytest.fixture(scope="module")
def server(artifacts) -> Iterator[Server]:  # noqa: ANN001
    with serving(artifacts / "server-stop.log") as running:
        yield running


# the moments the page's script state changes (Streamlit sets it on the app's root element)
WATCH_STATE = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    window.__states = [];
    new MutationObserver(() => window.__states.push([performance.now(), app.getAttribute('data-test-script-state')]))
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RERUN_DONE = """([t0, wasRunning]) => {
    const after = window.__states.filter(([t]) => t >= t0);
    const ran = wasRunning ? 0 : after.findIndex(([, s]) => s === 'running');
    return ran >= 0 && after.slice(ran).some(([, s]) => s === 'notRunning');
}"""


def timed_click(app, locator) -> float:  # noqa: ANN001
    """Seconds from a click to the page's script having run and finished again (as the browser saw it)."""
    page = app.page
    page.evaluate(WATCH_STATE)
    t0 = page.evaluate("performance.now()")
    was_running = app.script_running  # a live page waiting for its run: the click interrupts it
    locator.click()
    page.wait_for_function(RERUN_DONE, arg=[t0, was_running], timeout=30_000)
    done = page.evaluate("Math.max(...window.__states.map(([t, s]) => s === 'notRunning' ? t : 0))")
    app.wait_finished(timeout_ms=30_000)
    return (done - t0) / 1000


def test_stop_answers_at_once_behind_a_full_queue(open_app):
    app = open_app("epochs=300")  # trained on arrival: a finished run
    for query in FILLERS:  # other visitors open heavy links: their runs fill the queue and keep training
        other = open_app(query, goto=False)
        other.page.goto(app.base_url + "?" + query)
        other.page.get_by_text(re.compile(r"Queued|Training|Starting")).first.wait_for(timeout=30_000)
        other.page.context.close()  # their browsers gone, only the server's load remains
    page = app.page
    # any click reruns the page: what one costs here, with the workers busy, is the yardstick
    rerun = timed_click(app, page.get_by_text("Log-scale loss"))

    app.button("Train").click()  # a finished run starts again from epoch 0, behind the others
    page.get_by_text(re.compile(r"Queued: \d+ runs? ahead")).first.wait_for(timeout=30_000)
    stopped = timed_click(app, page.locator(".st-key-_stop button").first)  # the page's Stop, not the toolbar's
    page.get_by_text("Untrained network").first.wait_for(timeout=5_000)  # nothing was trained: epoch 0
    assert re.sub(r"\D", "", app.metric("Epoch")) == "0"
    print(f"behind {len(FILLERS)} heavy runs: a rerun {rerun:.2f} s, Stop {stopped:.2f} s")
    assert stopped < rerun + MARGIN_S, f"Stop took {stopped:.2f} s; any other click {rerun:.2f} s"
    app.screenshot("stopped-behind-a-queue")
    assert app.exceptions() == [] and app.errors == []
