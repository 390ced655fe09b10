"""The page's overhead: a full default training run through the page vs the engine alone, in one run.

    python benchmarks/app.py [--repeats 3] [--epochs 10000]

Runs the page headless (streamlit.testing.v1.AppTest) on the report's default experiment, clicks
Train (a live run from scratch: progress bar and live charts redrawn ~5-10 times a second, then the
final sections), and times the script run. The engine-only reference trains the same experiment with
`mlp.Trainer` and the same snapshot interval, without any page. Prints both and their ratio
(target ≤ 1.5). The best of ``repeats`` is kept for each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from lab.experiment import Experiment  # noqa: E402
from lab.run import finish, new_run  # noqa: E402


def page_time(epochs: int) -> tuple[float, float]:
    """(seconds for the Train click's script run, seconds the run itself spent training)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    if epochs != 10_000:
        at.query_params["epochs"] = str(epochs)
    at.run()  # first load: the finished run (from the cache after the first repeat)
    t = time.perf_counter()
    at.button(key="_train").click().run()
    wall = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["run"]
    assert run.epoch == epochs
    return wall, run.elapsed


def engine_time(epochs: int) -> float:
    t = time.perf_counter()
    finish(new_run(Experiment(epochs=epochs)))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10_000)
    a = ap.parse_args()
    pages = [page_time(a.epochs) for _ in range(a.repeats)]
    engine = min(engine_time(a.epochs) for _ in range(a.repeats))
    wall = min(p[0] for p in pages)
    print(f"default experiment, {a.epochs:,} epochs, live updates on")
    print(f"page (Train click, whole script run): {wall:6.2f} s   (of which training {min(p[1] for p in pages):.2f} s)")
    print(f"engine only (same run, no page):      {engine:6.2f} s")
    print(f"overhead ratio page/engine:           {wall / engine:6.2f}   (target <= 1.5)")


if __name__ == "__main__":
    main()
