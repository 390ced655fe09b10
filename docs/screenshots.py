"""Make the README's picture: the page on a link, as a visitor's browser first shows it, once its run is done.

    .venv/bin/python docs/screenshots.py            # writes docs/page.png (1366 px wide)

It starts ``streamlit run streamlit_app.py`` on a free loopback port with a throwaway store (as the browser
tests do, tests/e2e/appserver.py), opens the page in Debian's Chromium (/usr/bin/chromium, through
Playwright), waits until the script has finished and every chart is drawn, takes the top of the page and
stops the server. Run it again when the page changes how it looks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from appserver import CHROMIUM, CHROMIUM_ARGS, CONNECTED, FINISHED, LOADING, ROOT, start_app, stop  # noqa: E402

LINK = "dataset=xor"  # the lab's XOR: its decision regions show what the network learned at a glance
WIDTH, HEIGHT = 1366, 1080  # a laptop's width, tall enough for the live area's two charts
TIMEOUT_MS = 120_000
DRAWN = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].length > 0 &&
    [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].every(el =>
        [...el.querySelectorAll('canvas, svg')].some(c => c.getBoundingClientRect().width > 0))"""


def shoot(out: Path, link: str = LINK) -> Path:
    """The page at ``?link`` as a PNG of WIDTH × HEIGHT pixels at ``out``."""
    from playwright.sync_api import sync_playwright

    store = tempfile.mkdtemp(prefix="playground-screenshot-")
    proc, url = start_app(ROOT, Path(store) / "server.log", env={"PLAYGROUND_DB": f"sqlite:///{store}/store.db"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.goto(f"{url}?{link}")
            for selector in (CONNECTED, FINISHED):
                page.wait_for_selector(selector, state="attached", timeout=TIMEOUT_MS)
            page.wait_for_function(f"!document.querySelector({LOADING!r})", timeout=TIMEOUT_MS)
            page.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
            page.wait_for_timeout(500)  # Vega's transitions settle
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
            browser.close()
    finally:
        stop(proc)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "page.png", help="where the PNG goes")
    parser.add_argument("--link", default=LINK, help=f"the page's query, without '?' (default: {LINK})")
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        parser.exit(2, f"{parser.prog}: error: no Chromium at {CHROMIUM} (apt-get install chromium)\n")
    path = shoot(args.out, args.link)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
