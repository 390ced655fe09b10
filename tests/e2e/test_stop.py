"""Stop takes effect at the next rerun, queued or training: a real browser, a real server, real worker processes.

After Stop the page says "Stopped at epoch N", the run stays at N (a later rerun does not resume it), and the
job is cancelled: once every other page has closed, no worker trains any more. (How fast Stop answers against
any other click is a figure, not a test: benchmarks/stop.py prints it.)

The module runs its own server, so that the runs it starts are its own: the workers it watches train for
nobody else. So that Stop lands in a run's middle, and on a run still queued, on any machine, the workers are
suspended (SIGSTOP: a hung worker, as far as the service can tell) until Stop has answered (wsvisit.hung; the
server lets a chunk take minutes before its worker counts as hung). The service queues jobs round robin, a
chunk at a time, so without that a queued run trains within a chunk or two, and whether Stop lands before it
would be a race.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import Server, serving
from wsvisit import HOLDABLE, hung, idle, workers

pytestmark = pytest.mark.e2e

# three mini-batch runs at the bound on optimizer steps (the service cannot batch them), seconds of training each:
# both workers busy when they are suspended, and another run waiting
FILLERS = [f"batch_size=1&epochs=2000&activation=tanh&weight_seed={seed}" for seed in (1, 2, 3)]
MINE = "batch_size=1&epochs={}"  # 100 single-point steps an epoch: at 2,000 epochs, seconds of training
LET_GO_S = 2.0  # a job no page follows any more is cancelled within this


@pytest.fixture(scope="module")
def server(artifacts) -> Iterator[Server]:  # noqa: ANN001
    with serving(artifacts / "server-stop.log", HOLDABLE) as running:
        yield running


def epoch(app) -> int:  # noqa: ANN001
    return int(re.sub(r"\D", "", app.metric("Epoch")))


def stop(app) -> str:  # noqa: ANN001
    """Click the page's Stop (not the toolbar's) and return what the progress bar says once the page is done."""
    app.page.locator(".st-key-_stop button").first.click()
    said = app.page.get_by_text(re.compile(r"^Stopped at epoch [\d,]+\.$")).first
    said.wait_for(timeout=30_000)
    app.wait_finished()
    return said.inner_text().strip()


def test_stop_while_training_and_behind_a_queue_cancels_the_job(open_app, server):
    app = open_app(MINE.format(100))  # loaded once, its controls drawn
    procs = workers(server.url)

    # training (the link's job, which only this page follows): Stop leaves the run where the page took it
    box = app.page.locator(".st-key-epochs input")
    box.fill("2000")
    box.press("Enter")  # new settings: the run of the new link trains, live
    app.page.get_by_text(re.compile(r"· epoch [1-9]")).first.wait_for(timeout=60_000)
    with hung(procs):  # the run cannot end before Stop lands
        said = stop(app)
    stopped = epoch(app)
    assert said == f"Stopped at epoch {stopped:,}." and 0 < stopped < 2000
    assert app.page.get_by_text(f"Paused at epoch {stopped:,} of 2,000").first.is_visible()
    app.page.wait_for_timeout(LET_GO_S * 1000)
    assert idle(procs), "the stopped run's job still trains"

    # queued: other visitors' pages stay open, their runs take both workers, which hang; Train waits behind them
    others = [open_app(goto=False) for _ in FILLERS]
    for other, query in zip(others, FILLERS):  # opened together, so all three are still training below
        other.page.goto(f"{app.base_url}?{query}", wait_until="commit")
    for other in others:
        other.page.get_by_text(re.compile(r"Training|Queued|Starting")).first.wait_for(timeout=30_000)
    with hung(procs):
        app.button("Train").click()  # resumes from where it stopped, behind the others
        app.page.get_by_text(re.compile(r"Queued: \d+ runs? ahead")).first.wait_for(timeout=30_000)
        assert stop(app) == f"Stopped at epoch {stopped:,}."
    for other in others:
        other.page.context.close()  # the tabs close: their jobs are let go ...
    app.page.wait_for_timeout(LET_GO_S * 1000)
    assert idle(procs), "a worker still trains: a job survived Stop or a closed tab"  # ... and so was mine

    app.page.get_by_text("Log-scale loss").click()  # any other click reruns the page: the run stays stopped
    app.wait_finished()
    assert epoch(app) == stopped
    app.screenshot("stopped")
    assert app.exceptions() == [] and app.errors == []
