"""The training service alone, without pages: a class's runs through the queue against one lone run.

    python benchmarks/service.py [--runs 32] [--workers 2] [--gap 0.03]

What `benchmarks/load.py` times includes drawing every page; this is the training part of it, the floor
under those figures. Two classes of ``--runs`` runs each: *distinct* (the default link, each its own weight
seed: one family, one batch) and *mix* (`load.mix_links`: both lab data sets, three learning rates, hidden
2×1 to 20×14, three activations). Each is submitted to a fresh `server.service.TrainingService` twice: all at
once, and one every ``--gap`` seconds (a class's clicks spread over a second). The reference is measured in
the same run: a lone run, ``lab.run.finish`` in this process (the mean of the class's first 3 runs for
distinct, of its first 8 for mix, whose runs differ in size).

Prints per class and arrival: seconds until the last run is done, that time as a multiple of a lone run, and
how many chunks held how many runs (a chunk is one batched call in one worker).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import mix_links  # noqa: E402

from lab.experiment import Experiment, from_query  # noqa: E402
from lab.run import finish, new_run  # noqa: E402
from server.service import Request, TrainingService  # noqa: E402


def lone_seconds(exps: list[Experiment], repeats: int) -> float:
    """The mean time of the first ``repeats`` runs, each alone, one after another, in this process."""
    times = []
    for exp in exps[:repeats]:
        t = time.perf_counter()
        finish(new_run(exp))
        times.append(time.perf_counter() - t)
    return statistics.mean(times)


def through_service(exps: list[Experiment], workers: int, gap: float) -> tuple[float, dict[int, int]]:
    """Seconds from the first submit until every run is done, and the service's chunk sizes."""
    runs = [new_run(e) for e in exps]
    svc = TrainingService(workers)
    try:
        time.sleep(1.0)  # the workers start and warm up before the clock does
        t = time.perf_counter()
        jobs = []
        for run in runs:
            jobs.append(svc.submit(Request(run.exp, run.train, run.test, run.exp.epochs, run.every)))
            if gap:
                time.sleep(gap)
        for job in jobs:
            job.result(600)
        return time.perf_counter() - t, dict(sorted(svc.sizes.items()))
    finally:
        svc.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gap", type=float, default=0.03, help="seconds between arrivals in the spread-out case")
    args = ap.parse_args()
    if args.runs < 1 or args.workers < 1 or args.gap < 0:
        ap.error("--runs and --workers take whole numbers ≥ 1, --gap seconds ≥ 0")
    classes = {
        "distinct": ([Experiment(weight_seed=1000 + i) for i in range(args.runs)], 3),
        "mix": ([from_query(dict(parse_qsl(link)))[0] for link in mix_links(args.runs, 7)], 8),
    }
    print(f"{args.runs} runs, {args.workers} workers")
    print(f"{'class':9} {'arrival':16} {'lone s':>7} {'all done s':>10} {'× lone':>7}  chunks by runs held")
    for name, (exps, sample) in classes.items():
        lone = lone_seconds(exps, sample)
        for arrival, gap in (("at once", 0.0), (f"{args.gap * 1000:g} ms apart", args.gap)):
            seconds, sizes = through_service(exps, args.workers, gap)
            print(f"{name:9} {arrival:16} {lone:7.2f} {seconds:10.2f} {seconds / lone:7.1f}  {sizes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
