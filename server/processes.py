"""Worker processes: ``python -m server.worker`` children, each talking to the service over its own pipe.

A child started this way imports only what training needs (mlp, lab) — not the server's main module, as
multiprocessing's spawn and forkserver children would (for ``streamlit run`` that is all of Streamlit).
The pipe is a ``multiprocessing.connection`` pair, so tasks and results travel as they would to a
process pool. When the pipe closes — the service closed it, or the server process died, however it
died — the child's next read fails and it exits: no worker outlives its server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from multiprocessing import Pipe
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # s for a new worker to import numpy and answer
# one BLAS thread per worker: the workers are the parallelism (their matrices are tiny anyway)
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class WorkerDied(RuntimeError):
    """The worker process stopped while holding a task (or could not be started)."""


class WorkerProcess:
    """One child process; `call` hands it a task and waits for its reply (one task at a time)."""

    def __init__(self) -> None:
        ours, theirs = Pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.worker", str(theirs.fileno())], pass_fds=[theirs.fileno()], cwd=ROOT,
            stdin=subprocess.DEVNULL, env=os.environ | ONE_THREAD,
        )
        theirs.close()
        self.conn = ours
        self._ready = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _await_ready(self) -> None:
        if self._ready:
            return
        if not self.conn.poll(START_TIMEOUT):
            raise WorkerDied(f"the worker process did not start within {START_TIMEOUT:.0f} s")
        self._read()
        self._ready = True

    def _read(self):  # noqa: ANN202
        try:
            return self.conn.recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied(f"the worker process {self.pid} stopped ({self.proc.poll()})") from exc

    def call(self, task: object) -> tuple[str, object]:
        """("ok", result) or ("error", message); raises WorkerDied when the process is gone."""
        self._await_ready()
        try:
            self.conn.send(task)
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(f"the worker process {self.pid} stopped") from exc
        return self._read()

    def close(self, timeout: float = 5.0) -> None:
        """Close the pipe (the child exits on its own) and wait; kill it if it does not go."""
        self.conn.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)
