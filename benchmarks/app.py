"""The page's overhead: a full default training run through the page vs the engine alone, in one run.

    python benchmarks/app.py [--repeats 3] [--epochs 10000] [--query "features=x1,x2,x1sq&dataset=circle" ...]

Runs the page headless (streamlit.testing.v1.AppTest) on the report's default experiment (or on each
``--query``, a share link's settings), clicks Train (a live run from scratch: progress bar and live charts
redrawn ~5-10 times a second, then the final sections), and times the script run. The engine-only
reference trains the same experiment with `mlp.Trainer` and the same snapshot interval, without any page.
Prints both, their ratio (target ≤ 1.5) and the page's time per point and epoch, so that links of other
kinds (input features, a regression set) can be held to the default's. The best of ``repeats`` is kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from lab.experiment import Experiment, from_query  # noqa: E402
from lab.run import finish, new_run  # noqa: E402


def experiment(query: str, epochs: int) -> tuple[Experiment, dict[str, str]]:
    """The link's experiment at ``epochs``, and its parameters as the page's address bar holds them (no
    ``epochs`` at the default, so that the default link is the page's own)."""
    params = dict(parse_qsl(query)) | ({"epochs": str(epochs)} if epochs != 10_000 else {})
    exp, notices = from_query(params)
    if notices:
        raise SystemExit(f"--query: {'; '.join(notices)}")
    return exp, params


def page_time(params: dict[str, str], epochs: int) -> tuple[float, float]:
    """(seconds for the Train click's script run, seconds the run itself spent training)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=600)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()  # first load: the finished run (from the cache after the first repeat)
    t = time.perf_counter()
    at.button(key="_train").click().run()
    wall = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["run"]
    assert run.epoch == epochs
    return wall, run.elapsed


def engine_time(exp: Experiment) -> float:
    t = time.perf_counter()
    finish(new_run(exp))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=10_000)
    ap.add_argument("--query", action="append", default=None,
                    help="a share link's settings (what follows '?'); repeat for several; default: the default link")
    a = ap.parse_args()
    for query in a.query or [""]:
        exp, params = experiment(query, a.epochs)
        pages = [page_time(params, a.epochs) for _ in range(a.repeats)]
        engine = min(engine_time(exp) for _ in range(a.repeats))
        wall = min(p[0] for p in pages)
        per = wall / (a.epochs * exp.train_size()) * 1e6
        print(f"{query or 'default experiment'}: {a.epochs:,} epochs, {exp.train_size()} training points, live updates on")
        print(f"  page (Train click, whole script run): {wall:6.2f} s   (of which training {min(p[1] for p in pages):.2f} s)")
        print(f"  engine only (same run, no page):      {engine:6.2f} s")
        print(f"  overhead ratio page/engine:           {wall / engine:6.2f}   (target <= 1.5)")
        print(f"  page per point and epoch:             {per:6.3f} µs")


if __name__ == "__main__":
    main()
