"""How fast Stop answers behind a full queue, against any other click timed in the same run.

    python benchmarks/stop.py [--repeats 3]

Starts the page on a free loopback port and opens it in headless Chromium (as the browser tests do). Other
visitors' pages open heavy links and stay open: their runs keep both workers busy. Then, ``--repeats`` times,
on one page: the reference — a click on "Log-scale loss", timed from the click to the page's script having
run and finished again (as the browser saw it) — and Stop, clicked while the page waits for its Train in the
queue, timed the same way. Prints each pair and Stop's time as a multiple of the reference (target: Stop no
slower than any other click, ≤ 1.5×). Exit code 0 when the median ratio meets it, 1 otherwise. The server and
the browser are always stopped on exit.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from appserver import CHROMIUM, CHROMIUM_ARGS, CONNECTED, FINISHED, ROOT, start_app, stop  # noqa: E402

# the heaviest links in optimizer steps, which the service cannot batch: seconds each, both workers busy a while
FILLERS = [f"batch_size=1&epochs=2000&weight_seed={seed}" for seed in range(4)]
TARGET = 1.5

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


def finished(page, timeout_ms: int = 120_000) -> None:  # noqa: ANN001
    page.wait_for_selector(CONNECTED, state="attached", timeout=timeout_ms)
    page.wait_for_selector(FINISHED, state="attached", timeout=timeout_ms)


def timed_click(page, locator) -> float:  # noqa: ANN001
    """Seconds from a click to the page's script having run and finished again (as the browser saw it)."""
    page.evaluate(WATCH_STATE)
    t0 = page.evaluate("performance.now()")
    was_running = page.locator(FINISHED).count() == 0  # a live page waiting for its run: the click interrupts it
    locator.click()
    page.wait_for_function(RERUN_DONE, arg=[t0, was_running], timeout=60_000)
    done = page.evaluate("Math.max(...window.__states.map(([t, s]) => s === 'notRunning' ? t : 0))")
    finished(page)
    return (done - t0) / 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if args.repeats < 1:
        ap.error("--repeats takes a whole number ≥ 1")
    from playwright.sync_api import sync_playwright

    proc, url = start_app(ROOT, ROOT / "artifacts" / "stop" / "server.log")
    ratios = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(url + "?epochs=300")  # trained on arrival: a finished run
            finished(page)
            others = []
            for query in FILLERS:  # other visitors open heavy links and stay: their runs keep the workers busy
                other = browser.new_page()
                other.goto(f"{url}?{query}")
                other.get_by_text(re.compile(r"Queued|Training|Starting")).first.wait_for(timeout=60_000)
                others.append(other)
            print(f"behind {len(FILLERS)} heavy runs of other open pages")
            print(f"{'repeat':>6} {'a click s':>9} {'Stop s':>7} {'× click':>8}")
            for r in range(args.repeats):
                rerun = timed_click(page, page.get_by_text("Log-scale loss"))
                page.get_by_role("button", name="Train", exact=True).click()
                page.get_by_text(re.compile(r"Queued: \d+ runs? ahead")).first.wait_for(timeout=60_000)
                stopped = timed_click(page, page.locator(".st-key-_stop button").first)
                ratios.append(stopped / rerun)
                print(f"{r + 1:>6} {rerun:>9.2f} {stopped:>7.2f} {stopped / rerun:>8.2f}", flush=True)
            browser.close()
    finally:
        stop(proc)
    median = statistics.median(ratios)
    good = median <= TARGET
    print(f"{'PASS' if good else 'MISS'} Stop takes a median {median:.2f} × any other click (target ≤ {TARGET:g} ×)")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
