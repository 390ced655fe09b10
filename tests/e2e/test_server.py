"""The page's server and its training workers: stopping the server, however it stops, leaves no worker behind."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
from appserver import ROOT, start_app
from conftest import ARTIFACTS, RUN_TIMEOUT_MS, AppPage

from server.cores import usable_cores

pytestmark = pytest.mark.e2e


def workers_of(pid: int) -> list[psutil.Process]:
    """The training workers (python -m server.worker) under the server process."""
    return [p for p in psutil.Process(pid).children(recursive=True) if "server.worker" in " ".join(p.cmdline())]


def gone(procs: list[psutil.Process], timeout: float) -> bool:
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return not alive


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_stopping_the_server_leaves_no_worker_process(browser, how):
    proc, url = start_app(ROOT, ARTIFACTS / f"server-{how}.log")
    try:
        ctx = browser.new_context()
        ctx.set_default_timeout(RUN_TIMEOUT_MS)
        AppPage(ctx.new_page(), url).goto("dataset=xor&epochs=300")  # the page starts the training service
        ctx.close()
        workers = workers_of(proc.pid)
        assert len(workers) == usable_cores()  # one per core this process may use
        os.kill(proc.pid, getattr(signal, how))
        proc.wait(timeout=30)
        assert gone(workers, timeout=15), [w.pid for w in workers if w.is_running()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        time.sleep(0)
