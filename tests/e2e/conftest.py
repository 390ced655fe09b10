"""A real browser on the real page: the app on a loopback port, Debian's Chromium, Playwright's sync API.

Fixtures:
    server    (session)  starts ``streamlit run streamlit_app.py`` from the repo root on a free loopback
                         port, waits for ``/_stcore/health`` and always stops it.
    browser   (session)  headless Chromium from /usr/bin/chromium (never a downloaded browser).
    open_app  (function) ``open_app(query="", viewport=None)`` opens the page in a fresh browser context
                         and returns an `AppPage` once the script has finished; contexts close after the test.

Without Playwright or /usr/bin/chromium the browser tests skip with the reason, unless ``E2E_REQUIRED=1``
(CI sets it), where they fail instead. Screenshots go to ``artifacts/e2e/``; so does the server's log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from appserver import CHROMIUM, CHROMIUM_ARGS, CONNECTED, FINISHED, LOADING, ROOT, start_app, stop
from wsvisit import HOLDABLE

ARTIFACTS = ROOT / "artifacts" / "e2e"
REQUIRED = os.environ.get("E2E_REQUIRED") == "1"
RUN_TIMEOUT_MS = 60_000  # longest a script run may take in these tests


def unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them when the environment promises a browser (CI)."""
    if REQUIRED:
        pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Server:
    url: str  # "http://127.0.0.1:<port>/"
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextmanager
def serving(log: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """The app on a free loopback port (with ``env`` added to its environment), its output in ``log``, stopped when
    the block ends."""
    proc, url = start_app(ROOT, log, env)
    try:
        yield Server(url, log)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def server(artifacts: Path) -> Iterator[Server]:
    if not (ROOT / "streamlit_app.py").is_file():
        pytest.fail(f"{ROOT / 'streamlit_app.py'} does not exist", pytrace=False)
    with serving(artifacts / "server.log", HOLDABLE) as running:  # its workers may be held (wsvisit.hung)
        yield running


@pytest.fixture(scope="session")
def pw() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install playwright)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(pw: Any) -> Iterator[Any]:
    b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


@dataclass
class AppPage:
    """One browser tab on the app, with the console errors and page errors it has seen."""

    page: Any  # playwright.sync_api.Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def goto(self, query: str = "") -> AppPage:
        """Open the page (``query`` is what follows '?') and wait until its script has finished."""
        self.page.goto(self.base_url + (f"?{query.lstrip('?')}" if query else ""))
        return self.wait_finished()

    def wait_finished(self, timeout_ms: int = RUN_TIMEOUT_MS) -> AppPage:
        self.page.wait_for_selector(CONNECTED, state="attached", timeout=timeout_ms)
        self.page.wait_for_selector(FINISHED, state="attached", timeout=timeout_ms)
        # elements whose code loads lazily (charts) show a skeleton until their chunk arrives
        self.page.wait_for_function(f"!document.querySelector({LOADING!r})", timeout=timeout_ms)
        return self

    @property
    def script_running(self) -> bool:
        return self.page.locator(FINISHED).count() == 0

    def metric(self, label: str) -> str:
        """The value of the ``st.metric`` whose label is exactly ``label``."""
        box = self.page.locator("[data-testid=stMetric]").filter(
            has=self.page.locator("[data-testid=stMetricLabel]", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
        )
        return box.locator("[data-testid=stMetricValue]").first.inner_text(timeout=10_000).strip()

    def button(self, label: str) -> Any:
        return self.page.get_by_role("button", name=label, exact=True)

    def texts(self, selector: str) -> list[str]:
        return [t.strip() for t in self.page.locator(selector).all_inner_texts()]

    def warnings(self) -> list[str]:
        return self.texts("[data-testid=stAlertContentWarning]")

    def exceptions(self) -> list[str]:
        return self.texts("[data-testid=stException]")

    def screenshot(self, name: str) -> Path:
        """A PNG of the whole page: Streamlit scrolls inside its main area, so the viewport grows to fit."""
        size = self.page.viewport_size or {"width": 1366, "height": 900}
        height = self.page.evaluate(
            "Math.max(document.querySelector('[data-testid=stMain]')?.scrollHeight || 0,"
            " document.documentElement.scrollHeight)"
        )
        self.page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 16_000)})
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size(size)
        return path


@pytest.fixture
def open_app(browser: Any, server: Server) -> Iterator[Callable[..., AppPage]]:
    """``open_app(query="", viewport=None, goto=True)``: a fresh context (no shared cookies or session)."""
    contexts = []

    def _open(query: str = "", viewport: dict[str, int] | None = None, goto: bool = True) -> AppPage:
        ctx = browser.new_context(viewport=viewport or {"width": 1366, "height": 900})
        ctx.set_default_timeout(RUN_TIMEOUT_MS)
        contexts.append(ctx)
        app = AppPage(ctx.new_page(), server.url)
        return app.goto(query) if goto else app

    yield _open
    for ctx in contexts:
        ctx.close()

