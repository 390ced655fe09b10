"""Worker processes: ``python -m server.worker`` children, each talking to the service over its own pipe.

A child started this way imports only what training needs (mlp, lab) — not the server's main module, as
multiprocessing's spawn and forkserver children would (for ``streamlit run`` that is all of Streamlit).
The pipe is a ``multiprocessing.connection`` pair, so tasks and results travel as they would to a
process pool. When the pipe closes — the service closed it, or the server process died, however it
died — the child's next read fails and it exits: no worker outlives its server.

Every call has a deadline. A child that gives no answer within it — hung, stopped with SIGSTOP, starved —
is killed with SIGKILL (which ends a stopped process too) and the call raises `WorkerDied`: its slot is
never blocked for good, whether the child stopped while training or while idle, before it read the task.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from multiprocessing import Pipe
from pathlib import Path

from mlp.stack import ONE_BLAS_THREAD

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # s for a new worker to import numpy and answer


class WorkerDied(RuntimeError):
    """The worker process stopped while holding a task (or could not be started)."""


class WorkerProcess:
    """One child process; `call` hands it a task and waits for its reply (one task at a time)."""

    def __init__(self) -> None:
        ours, theirs = Pipe()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server.worker", str(theirs.fileno())], pass_fds=[theirs.fileno()], cwd=ROOT,
            stdin=subprocess.DEVNULL, env=os.environ | ONE_BLAS_THREAD,
        )
        theirs.close()
        self.conn = ours
        self._ready = False
        self.overdue = False  # killed for missing a call's deadline

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
            raise self._died() from exc

    def call(self, task: object, timeout: float) -> tuple[str, object]:
        """("ok", result) or ("error", message); raises WorkerDied when the process is gone, or when it gave no
        answer within ``timeout`` s (it is killed then). The deadline counts from the task's hand-over, not
        from the start of a fresh child (bounded by START_TIMEOUT)."""
        self._await_ready()
        end = time.monotonic() + timeout
        watchdog = threading.Timer(timeout, self._kill_overdue)  # a send blocks while a stopped child reads nothing
        watchdog.start()
        try:
            self.conn.send(task)
        except (BrokenPipeError, OSError) as exc:
            raise self._died() from exc
        finally:
            watchdog.cancel()
        try:
            answered = self.conn.poll(max(0.0, end - time.monotonic()))
        except OSError as exc:
            raise self._died() from exc
        if not answered or self.overdue:
            self._kill_overdue()
            raise self._died(f"gave no answer within {timeout:.3g} s and was killed")
        return self._read()

    def _kill_overdue(self) -> None:
        self.overdue = True
        self.kill(wait=False)

    def _died(self, how: str = "") -> WorkerDied:
        if self.overdue and not how:
            how = "gave no answer in time and was killed"
        return WorkerDied(f"the worker process {self.pid} {how or f'stopped ({self.proc.poll()})'}")

    def kill(self, wait: bool = True) -> None:
        """End the child now (SIGKILL); waits for it unless ``wait`` is False. Safe to call again."""
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
        if wait:
            self.conn.close()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                pass  # not reaped yet (the kernel finishes it); nothing of it is used any more

    def close(self, timeout: float = 5.0) -> None:
        """Close the pipe (the child exits on its own) and wait; kill it if it does not go."""
        self.conn.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout)
