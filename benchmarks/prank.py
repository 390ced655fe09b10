"""A prankster's forty heavy links, opened and closed at once, against the student who comes next.

    python benchmarks/prank.py [--pranks 40] [--repeats 3] [--timeout 120]

Starts the page on a free loopback port (as the browser tests do) and speaks Streamlit's websocket protocol
(tests/e2e/wsvisit.py). The reference is measured in the same run: a student's lone visit to a fresh normal
link (``dataset=xor&epochs=500``, a new weight seed each time), the median of ``--repeats``. Then, per round:
``--pranks`` tabs open the heaviest links a link may ask for in optimizer steps (``batch_size=1&epochs=2000``,
each its own seed: seconds of training each, which the service cannot batch) and close 0.3 s later, and the
workers are watched until they are idle (the closed tabs' jobs cancelled: target ≤ 2 s after the tabs
closed); then the pranks come again, and at once a student opens a fresh normal link. Prints, per round,
how long the workers took to go idle, the student's time as a multiple of the lone visit (target ≤ 3×) and
whether the student's page ever said "Queued". Exit code 0 when every round meets both targets, 1
otherwise. The server is always stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
from appserver import ROOT, start_app, stop  # noqa: E402
from wsvisit import idle, visit, workers  # noqa: E402

HEAVY = "batch_size=1&epochs=2000&weight_seed={}"
STUDENT = "dataset=xor&epochs=500&weight_seed={}"
RATIO_TARGET = 3.0  # the student's visit after the pranks, against a lone visit
IDLE_TARGET = 2.0  # s from the tabs closing to idle workers


async def lone(url: str, seeds: list[int], timeout: float) -> float:
    """The median of lone visits, one after another, each to a fresh link."""
    times = []
    for seed in seeds:
        v = await visit(url, STUDENT.format(seed), timeout=timeout)
        if v.error:
            raise RuntimeError(f"a lone visit failed: {v.error}")
        times.append(v.seconds)
    return statistics.median(times)


async def prank(url: str, seeds: range) -> None:
    """The tabs open the heavy links at once and close 0.3 s later."""
    await asyncio.gather(*(visit(url, HEAVY.format(s), close_after=0.3) for s in seeds))


def idle_after(url: str, closed: float, limit: float = 60.0) -> float | None:
    """Seconds from ``closed`` until the workers were seen idle for a quarter of a second (None: not within limit)."""
    procs = workers(url)
    while time.monotonic() - closed < limit:
        start = time.monotonic()
        if idle(procs, window=0.25):
            return start - closed
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pranks", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3, help="lone visits for the reference, and prank rounds")
    ap.add_argument("--timeout", type=float, default=120.0, help="s a visit may take before it counts as starved")
    args = ap.parse_args()
    if args.pranks < 1 or args.repeats < 1 or args.timeout <= 0:
        ap.error("--pranks and --repeats take whole numbers ≥ 1, --timeout seconds > 0")
    proc, url = start_app(ROOT, ROOT / "artifacts" / "prank" / "server.log")
    ok = True
    try:
        asyncio.run(lone(url, [1], args.timeout))  # warm-up: the service and its workers start
        reference = asyncio.run(lone(url, list(range(2, 2 + args.repeats)), args.timeout))
        print(f"lone visit (median of {args.repeats}): {reference:.2f} s; {args.pranks} pranks a round")
        print(f"{'round':>5} {'idle after s':>12} {'student s':>9} {'× lone':>7} {'queued':>6}")
        for r in range(args.repeats):
            base = 100_000 * (r + 1)
            asyncio.run(prank(url, range(base, base + args.pranks)))
            after = idle_after(url, time.monotonic())
            asyncio.run(prank(url, range(base + args.pranks, base + 2 * args.pranks)))
            student = asyncio.run(visit(url, STUDENT.format(100 + r), timeout=args.timeout))
            queued = any(re.match(r"Queued: [1-9]", t) for t in student.progress)
            ratio = student.seconds / reference if student.seconds else None
            good = (not student.error and ratio is not None and ratio <= RATIO_TARGET and after is not None
                    and after <= IDLE_TARGET)
            ok &= good
            print(f"{r + 1:>5} {after if after is not None else float('nan'):>12.2f} "
                  f"{student.seconds or float('nan'):>9.2f} {ratio or float('nan'):>7.1f} {'yes' if queued else 'no':>6}"
                  f"  {'PASS' if good else 'MISS'} {student.error}", flush=True)
    finally:
        stop(proc)
    print(f"targets: the student ≤ {RATIO_TARGET:g} × a lone visit; the workers idle ≤ {IDLE_TARGET:g} s after the "
          "tabs closed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
