"""Check a student's file in a child process, where a runaway can be stopped: how the page checks.

One page process serves every visitor, so a check must not run in it. `check` starts ``python -m
companion.checkrun`` (the interpreter, numpy and the checker; no Streamlit), hands it the file's bytes on
stdin and waits at most ``DEADLINE_S``; a child still running then is killed. Before it reads a byte,
the child caps its own address space (RLIMIT_AS, on Linux) at what its imports hold plus ``MEMORY_MB``,
so a check that wants more fails inside the child with MemoryError instead of taking the server's
memory. Either way `CheckStopped` says so in one line. The child also caps its CPU time just past the
deadline (RLIMIT_CPU), so it cannot outlive a server that died before it could kill it. The file's
bounds (`MAX_POINT_UNITS` in the checkfile module) keep every legal check far inside these limits:
they stop whatever the bounds missed.

A server process runs at most one check per core at once (`Slots`, shared by the page's visitors); a
visitor waits at most ``WAIT_S`` for a turn, then is told the checker is busy.

What travels: the visitor's bytes go in as bytes and are parsed only as JSON, in the child. The answer
comes back as JSON too (no pickle, either way): ``{"kind": "ok", "value": the report and the network}``,
``"file"`` with the message of a `CheckFileError`, ``"memory"``, or ``"crash"`` with a traceback, which
`check` raises as `CheckCrashed` for the caller to log. Nothing else reaches the answer's pipe: the
child's prints and warnings go to its stderr.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion import gradcheck
from companion.checkfile import MAX_BYTES
from companion.diagnose import Diagnosis
from mlp.stack import ONE_BLAS_THREAD

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_S = 20.0  # a legal check takes a few seconds; the child's start (numpy's import) is included
MEMORY_MB = 256  # what the check may map beyond the child's imports; a legal check needs a fraction
WAIT_S = 20.0  # longest a visitor waits for a turn while the server's checks are all busy


class CheckStopped(RuntimeError):
    """The check ran past its deadline or its memory and was stopped, or never had its turn; the message
    says which, in one line."""


class CheckCrashed(RuntimeError):
    """The check failed in a way no file should make it fail; the message holds the details (for a log)."""


@dataclass(frozen=True)
class Checked:
    """What a check gives back: the report, and the network the file holds: weights (fan_in, fan_out) and
    biases (fan_out,), or None for the lab's bias-free network."""

    report: gradcheck.Report
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None


class Slots:
    """Turns for checks in one server process: at most ``size`` children at once (default: one per core)."""

    def __init__(self, size: int | None = None) -> None:
        self.size = size or os.cpu_count() or 1
        self._free = threading.BoundedSemaphore(self.size)

    @contextmanager
    def turn(self, wait_s: float | None = None) -> Iterator[None]:
        """Hold a turn for the block; `CheckStopped` when none comes free within ``wait_s`` (``WAIT_S``)."""
        wait_s = WAIT_S if wait_s is None else wait_s
        if not self._free.acquire(timeout=wait_s):
            raise CheckStopped(
                f"the checker is busy ({self.size} checks at once, none finished within {wait_s:g} s); "
                "try again in a moment"
            )
        try:
            yield
        finally:
            self._free.release()


def check(data: bytes, deadline_s: float | None = None, memory_mb: int | None = None) -> Checked:
    """Check a file's bytes in a child process (defaults: ``DEADLINE_S``, ``MEMORY_MB``).

    Raises `gradcheck.CheckFileError` (the checker's one-line message), `CheckStopped` (deadline or
    memory), or `CheckCrashed` (anything else; details in the message, not meant for a visitor).
    """
    deadline_s = DEADLINE_S if deadline_s is None else deadline_s
    memory_mb = MEMORY_MB if memory_mb is None else memory_mb
    try:  # run() kills the child on a timeout (or on any exception here) and waits for it
        done = subprocess.run(
            [sys.executable, "-m", "companion.checkrun", str(memory_mb), str(math.ceil(deadline_s))],
            input=bytes(data[: MAX_BYTES + 1]),
            capture_output=True, timeout=deadline_s, cwd=ROOT, env=os.environ | ONE_BLAS_THREAD,
        )
    except subprocess.TimeoutExpired:
        raise CheckStopped(f"the check took longer than {deadline_s:g} s and was stopped") from None
    try:
        reply = json.loads(done.stdout)  # the child's own answer
        kind, value = reply["kind"], reply["value"]
    except Exception as exc:  # noqa: BLE001 (no answer: the child died, e.g. killed from outside)
        tail = done.stderr.decode("utf-8", "replace")[-2000:]
        raise CheckCrashed(f"the check process ended with code {done.returncode} and no answer: {tail}") from exc
    if kind == "ok":
        return decode(value)
    if kind == "file":
        raise gradcheck.CheckFileError(value)
    if kind == "memory":
        raise CheckStopped(f"the check needed more than {memory_mb:,} MB and was stopped")
    raise CheckCrashed(f"the check failed: {value}")


def answer(data: bytes) -> tuple[str, object]:
    """The child's work on a file's bytes: ("ok", `Checked`), ("file", message), ("memory", None) or
    ("crash", traceback)."""
    try:
        f = gradcheck.load(data)
        report = gradcheck.check(f)
        biases = None if f["biases"] is None else tuple(f["biases"])
        return "ok", Checked(report, tuple(f["weights"]), biases)
    except gradcheck.CheckFileError as exc:
        return "file", str(exc)
    except MemoryError:
        return "memory", None
    except Exception:  # noqa: BLE001 (sent back whole: the parent logs it)
        return "crash", traceback.format_exc()


def encode(checked: Checked) -> dict:
    """`Checked` as plain JSON values (floats as Python writes them: every bit comes back; NaN and inf too)."""
    r = checked.report
    return {
        "network": r.network, "first_wrong_layer": r.first_wrong_layer, "notes": list(r.notes),
        "rows": [[w.name, list(w.shape), w.rel_error, w.verdict, w.transposed] for w in r.rows],
        "diagnoses": [[list(d.mistakes), list(d.params), list(d.sentences)] for d in r.diagnoses],
        "weights": [W.tolist() for W in checked.weights],
        "biases": None if checked.biases is None else [b.tolist() for b in checked.biases],
    }


def decode(value: dict) -> Checked:
    """`encode`'s values as the `Checked` they were."""
    report = gradcheck.Report(
        value["network"],
        tuple(gradcheck.Row(n, tuple(shape), float(e), v, bool(t)) for n, shape, e, v, t in value["rows"]),
        value["first_wrong_layer"],
        tuple(Diagnosis(tuple(m), tuple(p), tuple(s)) for m, p, s in value["diagnoses"]),
        tuple(value["notes"]),
    )
    weights = tuple(np.array(W, dtype=np.float64) for W in value["weights"])
    biases = None if value["biases"] is None else tuple(np.array(b, dtype=np.float64) for b in value["biases"])
    return Checked(report, weights, biases)


def cap(megabytes: int, seconds: int) -> None:
    """Let this process use at most ``seconds`` (+1) of CPU time and map at most ``megabytes`` more than it
    holds now (the memory cap on Linux only)."""
    _lower(resource.RLIMIT_CORE, 0)  # past its CPU time it is killed: no core file
    _lower(resource.RLIMIT_CPU, seconds + 1)
    try:
        with open("/proc/self/statm") as fh:
            held = int(fh.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    _lower(resource.RLIMIT_AS, held + megabytes * 2**20)


def _lower(kind: int, value: int) -> None:
    """Set a resource's soft limit to ``value``, or to its hard limit when that is lower."""
    _, hard = resource.getrlimit(kind)
    resource.setrlimit(kind, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def main(argv: list[str]) -> int:
    """``python -m companion.checkrun MEGABYTES SECONDS``: the file's bytes on stdin, the answer as JSON on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # only the answer goes down the pipe
    np.dot(np.ones((256, 256)), np.ones((256, 256)))  # OpenBLAS maps its buffers at its first product: before the cap
    cap(int(argv[0]), int(argv[1]))
    kind, value = answer(sys.stdin.buffer.read(MAX_BYTES + 1))
    out.write(json.dumps({"kind": kind, "value": encode(value) if kind == "ok" else value}).encode())
    out.flush()
    return 0


if __name__ == "__main__":  # python -m companion.checkrun MEGABYTES SECONDS: one check, for `check`
    sys.exit(main(sys.argv[1:]))
