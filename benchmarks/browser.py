"""Chromium's own CPU time to load and draw the page, next to a minimal Streamlit page measured in the same run.

    python benchmarks/browser.py [--root DIR] [--link "dataset=xor&epochs=5000"] [--repeats 3] [--widths 1366,390]

Starts two servers on free loopback ports, the way the browser tests do (``streamlit run streamlit_app.py``):
the project's page from ``--root`` (default: this repository) and a minimal page that this script writes
to a temporary directory (one Altair line chart of 300 points and one slider, with the project's
``.streamlit/config.toml``, so both servers run with the same settings).

Each load is a fresh browser context (no cache, no session) in Debian's headless Chromium. The measure is
the Chrome DevTools Protocol's ``TaskDuration`` (``Performance.enable``, then ``Performance.getMetrics``):
seconds of main-thread task time — script, style, layout, paint — whatever else runs on the machine,
unlike wall-clock time. It is read once the page has settled: Streamlit's script state is "notRunning",
no lazily loaded element still shows its skeleton, and then TaskDuration has grown by less than 10 ms in
1 s (charts keep drawing after the script has finished).

For each viewport width (height 900 px, or 844 px for a phone-sized width) the two pages are loaded in
turn, ``--repeats`` times each, after one unmeasured warm-up load of each (the server's first script run).
Prints per width the median TaskDuration of the page and of the minimal page, their ratio and whether it
meets the target (ratio ≤ 1.5): PASS or MISS. Exit code 0 either way; 2, with a one-line error, when the
measurement could not be set up or a page did not load. Both servers are always stopped on exit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from appserver import CHROMIUM, CHROMIUM_ARGS, FINISHED, LOADING, ROOT, start_app, stop  # noqa: E402

TARGET = 1.5  # the page's TaskDuration ≤ this × the minimal page's
PHONE_HEIGHT, DESKTOP_HEIGHT = 844, 900  # a 390 × 844 phone; a 1366 × 900 laptop
LOAD_TIMEOUT_S = 60  # a load slower than this is a failure, not a figure
QUIET_S, QUIET_GROWTH_S = 1.0, 0.010  # settled: TaskDuration grew by less than 10 ms during 1 s
POLL_S = 0.1

MINIMAL_APP = '''\
"""The reference page of benchmarks/browser.py: one Altair line chart (300 points) and one slider."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

st.title("Minimal page")
frequency = st.slider("Frequency", 1, 10, 3)
x = np.linspace(0, 1, 300)
data = pd.DataFrame({"x": x, "y": np.sin(2 * np.pi * frequency * x)})
st.altair_chart(alt.Chart(data).mark_line().encode(x="x:Q", y="y:Q"), width="stretch")
'''


class SetupError(Exception):
    """The measurement could not be made: the one line to print before exiting with code 2."""


def viewport(width: int) -> dict[str, int]:
    return {"width": width, "height": PHONE_HEIGHT if width < 600 else DESKTOP_HEIGHT}


def task_duration(cdp: Any) -> float:
    """Seconds of main-thread task time of the page's renderer so far (CDP ``Performance.getMetrics``)."""
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def settled_task_seconds(browser: Any, url: str, size: dict[str, int]) -> float:
    """Load ``url`` in a fresh context of ``browser`` (Playwright, sync) at viewport ``size``; return its
    TaskDuration once the page has settled (see the module's docstring). Raises SetupError when the page
    does not settle within LOAD_TIMEOUT_S or shows an exception."""
    context = browser.new_context(viewport=size)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        try:
            page.goto(url, timeout=LOAD_TIMEOUT_S * 1000)
            page.wait_for_selector(FINISHED, state="attached", timeout=LOAD_TIMEOUT_S * 1000)
            page.wait_for_function(f"!document.querySelector({LOADING!r})", timeout=LOAD_TIMEOUT_S * 1000)
        except Exception as exc:  # Playwright's TimeoutError, a refused connection
            raise SetupError(f"{url} did not load: {str(exc).splitlines()[0]}") from exc
        if page.locator("[data-testid=stException]").count():
            raise SetupError(f"{url} shows an exception")
        since, base = time.monotonic(), task_duration(cdp)
        while time.monotonic() < deadline:
            time.sleep(POLL_S)
            now, value = time.monotonic(), task_duration(cdp)
            if value - base >= QUIET_GROWTH_S:
                since, base = now, value
            elif now - since >= QUIET_S:
                return base
        raise SetupError(f"{url} kept the main thread busy for more than {LOAD_TIMEOUT_S} s")
    finally:
        context.close()


def write_minimal_app(directory: Path, root: Path) -> Path:
    """The minimal page in ``directory``, with ``root``'s Streamlit config when it has one."""
    (directory / "streamlit_app.py").write_text(MINIMAL_APP)
    config = root / ".streamlit" / "config.toml"
    if config.is_file():
        (directory / ".streamlit").mkdir()
        shutil.copy(config, directory / ".streamlit" / "config.toml")
    return directory


def serve(stack: ExitStack, root: Path, log: Path) -> str:
    """Start ``streamlit run streamlit_app.py`` in ``root``, stopped when ``stack`` closes; returns its URL."""
    try:
        proc, url = start_app(root, log)
    except RuntimeError as exc:
        raise SetupError(f"{str(exc).splitlines()[0]} (see {log})") from exc
    stack.callback(stop, proc)
    return url


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.strip() or "?"


def measure(args: argparse.Namespace) -> dict[int, tuple[list[float], list[float]]]:
    """{width: (page seconds, minimal seconds)}, ``args.repeats`` loads of each, taken in turn."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise SetupError("Playwright for Python is not installed (pip install playwright)") from exc
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise SetupError(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if not (args.root / "streamlit_app.py").is_file():
        raise SetupError(f"{args.root / 'streamlit_app.py'} does not exist")

    logs = ROOT / "artifacts" / "browser"
    with ExitStack() as stack:
        minimal_root = write_minimal_app(Path(stack.enter_context(tempfile.TemporaryDirectory())), args.root)
        page_url = serve(stack, args.root, logs / "page.log") + (f"?{args.link.lstrip('?')}" if args.link else "")
        minimal_url = serve(stack, minimal_root, logs / "minimal.log")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(
            f"{chromium_version()}; cores={os.cpu_count()} load={os.getloadavg()[0]:.1f}; "
            f"page {page_url}; minimal {minimal_url}; logs in {logs}",
            flush=True,
        )

        for url in (page_url, minimal_url):  # warm-up: each server's first script run, not measured
            settled_task_seconds(browser, url, viewport(args.widths[0]))
        results: dict[int, tuple[list[float], list[float]]] = {}
        for width in args.widths:
            page_s, minimal_s = [], []
            for _ in range(args.repeats):
                page_s.append(settled_task_seconds(browser, page_url, viewport(width)))
                minimal_s.append(settled_task_seconds(browser, minimal_url, viewport(width)))
            print(
                f"  {width} px: page {' '.join(f'{s:.2f}' for s in page_s)} s; "
                f"minimal {' '.join(f'{s:.2f}' for s in minimal_s)} s",
                flush=True,
            )
            results[width] = page_s, minimal_s
        return results


def report(results: dict[int, tuple[list[float], list[float]]]) -> None:
    header = f"{'width px':>8} {'page s':>7} {'minimal s':>9} {'ratio':>6}  target"
    print(header)
    print("-" * len(header))
    for width, (page_s, minimal_s) in results.items():
        page, minimal = statistics.median(page_s), statistics.median(minimal_s)
        ratio = page / minimal
        verdict = "PASS" if ratio <= TARGET else "MISS"
        print(f"{width:>8} {page:>7.2f} {minimal:>9.2f} {ratio:>6.2f}  ≤ {TARGET:g}: {verdict}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="the repository whose page to measure (default: this one)")
    ap.add_argument("--link", default="", help="a query string for the page (default: none, the default experiment)")
    ap.add_argument("--repeats", type=int, default=3, help="loads of each page per width (default 3)")
    ap.add_argument("--widths", default="1366,390", help="comma-separated viewport widths in px (default 1366,390)")
    args = ap.parse_args()
    try:
        args.widths = [int(w) for w in args.widths.split(",") if w.strip()]
    except ValueError:
        ap.error("--widths takes comma-separated whole numbers")
    if not args.widths or min(args.widths) < 200 or args.repeats < 1:
        ap.error("--widths must be at least 200 px each and --repeats at least 1")
    args.root = args.root.resolve()
    # a terminated run still stops both servers (the ExitStack unwinds on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    try:
        results = measure(args)
    except SetupError as exc:
        print(f"browser.py: {exc}", file=sys.stderr)
        return 2
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
