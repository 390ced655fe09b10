"""Start the page on a loopback port and name what a browser waits for: shared by the browser tests
(tests/e2e/conftest.py) and the load benchmark (benchmarks/load.py). No pytest, no Playwright here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"  # Debian's; no browser is ever downloaded
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit's own e2e tests wait for these: the websocket is up, then the script has finished.
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
FINISHED = "[data-testid='stApp'][data-test-script-state='notRunning']"
# Elements whose code loads lazily (charts, tables) show a skeleton until their chunk has arrived.
LOADING = "[data-testid=stMain] [data-testid=stSkeleton]"
STARTUP_S = 60  # the server must answer its health check within this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(root: Path, log: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Run ``streamlit run streamlit_app.py`` from ``root`` on a free loopback port (with ``env`` added to the
    environment); wait (bounded) until ``/_stcore/health`` answers "ok". Returns the process and the page's
    URL ("http://127.0.0.1:<port>/"); output goes to ``log``. On failure the process is stopped and
    RuntimeError carries the log's tail."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=os.environ | (env or {}))
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    stop(proc)
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"streamlit did not become healthy within {STARTUP_S} s (exit code {proc.returncode}):\n{tail}")


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server we started (kill it if it does not exit within 10 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
