"""A classroom at once: N concurrent visitors on one shared link, on N links that differ in their seed, and on
N links of a real class's mix.

    python benchmarks/load.py [--sessions 1,4,16,32] [--client ws|browser] [--link "dataset=xor&epochs=5000"]
                              [--scenarios shared,distinct,mix] [--session-timeout 120] [--deadline 900]

Starts the page on a free loopback port (as the browser tests do) and, for each N:

- shared:   N sessions open the same link, ``LINK&weight_seed=K`` (K fresh per round, so
            each round starts from a cold cache): one session trains, the others wait for the shared run.
- distinct: N sessions open N different links (each its own weight_seed): N trainings compete.
- mix:      N sessions open N links drawn from what a class tries (seeded, fresh weight seeds every round):
            both lab data sets, the report's learning rates 0.1 / 0.3 / 0.9, hidden units 2×1 to 20×14,
            sigmoid, tanh or ReLU; 10,000 epochs each.

Each scenario's reference is a single visitor on a fresh link of its own kind (N=1; for mix, the median of
five lone visits to mix links, which differ in cost). Targets: shared N=32 max ≤ 3 ×, distinct ≤ 4 ×,
mix ≤ 6 × the reference.

A session is timed from its request to the finished page. ``--client ws`` (default) speaks Streamlit's own
websocket protocol, as the browser does: one BackMsg ``rerun_script`` with the link's query string, then
ForwardMsgs until ``script_finished`` (a server-side measure; it costs the machine almost nothing).
``--client browser`` opens real headless Chromium pages (one browser, one context per visitor) and waits
for Streamlit's "notRunning" state with every lazily loaded element drawn — what a student sees, but on a
2-core machine Chromium competes with the server for the CPU.

Per round it prints the median and max time, errors (an exception on the page, a run that did not finish
successfully, a refused or dropped connection, a session over --session-timeout: "starved"), how many
different "Train loss" values the sessions saw (shared: must be 1), and the server's peak RSS (the
server's process tree, sampled every 100 ms). Targets: shared N=32 max ≤ 3 × the N=1 time; no errors and
no starved sessions; peak RSS < 1 GB. Exit code 0 when every target is met, 1 when one is missed,
2 when --deadline cut the run short. The server (and the browser) are always stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "e2e"))
import wsvisit  # noqa: E402
from appserver import CHROMIUM, CHROMIUM_ARGS, CONNECTED, FINISHED, LOADING, ROOT, start_app, stop  # noqa: E402

GB = 2**30
TARGETS = {"shared": 3.0, "distinct": 4.0, "mix": 6.0}  # the largest N's max time ≤ this × the single visitor's
RSS_TARGET = 1 * GB
MIX = {  # what a class tries (the report's Discussion)
    "dataset": ("linear", "xor"),
    "lr": ("0.1", "0.3", "0.9"),
    "hidden": ("2,1", "5,3", "9,4", "12,8", "20,14"),
    "activation": ("sigmoid", "tanh", "relu"),
}
SINGLES = 5  # lone visits that make the mix's reference


def mix_links(n: int, seed: int) -> list[str]:
    """n links a class might open: one choice of each MIX setting, a fresh weight seed each."""
    import random

    rng = random.Random(seed)
    return ["&".join(f"{k}={rng.choice(v)}" for k, v in MIX.items()) + f"&weight_seed={seed * 1000 + i}"
            for i in range(n)]


@dataclass
class Visit:
    """One session: seconds to the finished page, or why it failed."""

    seconds: float | None = None
    error: str = ""
    train_loss: str = ""


@dataclass
class Round:
    scenario: str
    n: int
    visits: list[Visit]
    wall: float
    peak_rss: int

    @property
    def times(self) -> list[float]:
        return [v.seconds for v in self.visits if v.seconds is not None]

    @property
    def errors(self) -> list[str]:
        return [v.error for v in self.visits if v.error]

    @property
    def starved(self) -> int:
        return sum("starved" in v.error for v in self.visits)


# ----- memory: the server's process tree, every 100 ms ------------------------------------------
class RssSampler:
    def __init__(self, pid: int, period: float = 0.1) -> None:
        self.process = psutil.Process(pid)
        self.period = period
        self.peak = self.round_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        try:
            tree = [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in tree:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            rss = self._rss()
            self.round_peak = max(self.round_peak, rss)
            self.peak = max(self.peak, rss)

    def start(self) -> RssSampler:
        self.round_peak = self.peak = self._rss()
        self._thread.start()
        return self

    def new_round(self) -> None:
        self.round_peak = self._rss()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


# ----- clients --------------------------------------------------------------------------------------
class WsClient:
    """Streamlit's protocol over a websocket: what the browser sends and what the page sends back."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout

    async def __aenter__(self) -> WsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def visit(self, query: str, start: asyncio.Event) -> Visit:
        v = await wsvisit.visit(self.url, query, timeout=self.timeout, start=start)
        return Visit(v.seconds, v.error, v.metrics.get("Train loss", ""))


class BrowserClient:
    """Real pages: one headless Chromium, one context (a separate visitor) per session."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout

    async def __aenter__(self) -> BrowserClient:
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        self.browser = await self._pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.browser.close()
        await self._pw.stop()

    async def visit(self, query: str, start: asyncio.Event) -> Visit:
        ctx = await self.browser.new_context(viewport={"width": 1366, "height": 900})
        errors: list[str] = []
        try:
            page = await ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            await start.wait()
            t0 = time.perf_counter()
            ms = self.timeout * 1000
            await page.goto(f"{self.url}?{query}", timeout=ms)
            await page.wait_for_selector(CONNECTED, state="attached", timeout=ms)
            await page.wait_for_selector(FINISHED, state="attached", timeout=ms)
            await page.wait_for_function(f"!document.querySelector({LOADING!r})", timeout=ms)
            visit = Visit(seconds=time.perf_counter() - t0)
            if await page.locator("[data-testid=stException]").count():
                visit.error = "exception on the page"
            elif errors:
                visit.error = f"page error: {errors[0][:80]}"
            loss = page.locator("[data-testid=stMetric]", has_text="Train loss").locator("[data-testid=stMetricValue]")
            if await loss.count():
                visit.train_loss = (await loss.first.inner_text()).strip()
            return visit
        except Exception as exc:
            starved = "Timeout" in type(exc).__name__
            return Visit(error=("starved: " if starved else "") + f"{type(exc).__name__}: {exc}"[:120])
        finally:
            await ctx.close()


# ----- the benchmark --------------------------------------------------------------------------------
async def run_round(client, queries: list[str]) -> tuple[list[Visit], float]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(client.visit(q, start)) for q in queries]
    await asyncio.sleep(0.5 if isinstance(client, WsClient) else 0.0)  # let the websockets connect first
    t0 = time.perf_counter()
    start.set()
    visits = await asyncio.gather(*tasks)
    return list(visits), time.perf_counter() - t0


async def benchmark(args: argparse.Namespace, url: str, rss: RssSampler, report: Callable[[Round], None]) -> None:
    client_type = WsClient if args.client == "ws" else BrowserClient
    seed = 1000  # weight seeds never repeat, so no round finds another round's run in the cache
    async with client_type(url, args.session_timeout) as client:
        base = f"{args.link}&" if args.link else ""
        await run_round(client, [f"{base}weight_seed=1"])  # warm-up: imports, first script compile
        for n in args.sessions:
            for scenario in args.scenarios:
                if scenario == "shared":
                    queries = [f"{base}weight_seed={seed}"] * n
                    seed += 1
                elif scenario == "distinct":
                    queries = [f"{base}weight_seed={seed + i}" for i in range(n)]
                    seed += n
                else:
                    queries = mix_links(n, seed)
                    seed += 1
                if scenario == "mix" and n == 1:  # the reference: lone visits, one after another
                    visits, wall = [], 0.0
                    for i in range(SINGLES):
                        rss.new_round()
                        one, w = await run_round(client, mix_links(1, seed + 100 + i))
                        visits += one
                        wall += w
                    times = sorted(v.seconds for v in visits if v.seconds is not None)
                    median = Visit(seconds=times[len(times) // 2]) if times else Visit(error="no lone visit")
                    report(Round(scenario, n, [median], wall, rss.round_peak))
                    continue
                rss.new_round()
                visits, wall = await run_round(client, queries)
                report(Round(scenario, n, visits, wall, rss.round_peak))


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,4,16,32", help="comma-separated session counts (default 1,4,16,32)")
    ap.add_argument("--scenarios", default="shared,distinct,mix", help="which of shared,distinct,mix to run (default all)")
    ap.add_argument("--client", choices=("ws", "browser"), default="ws")
    ap.add_argument("--link", default="", help="the experiment's query string (default: none, the page's default "
                    "experiment, i.e. the report's linear run, 10,000 epochs); e.g. dataset=xor&epochs=5000")
    ap.add_argument("--session-timeout", type=float, default=120, help="a session slower than this is starved")
    ap.add_argument("--deadline", type=float, default=900, help="stop everything after this many seconds")
    args = ap.parse_args()
    args.sessions = [int(s) for s in args.sessions.split(",") if s.strip()]
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not args.sessions or not set(args.scenarios) <= set(TARGETS) or not args.scenarios:
        ap.error("--sessions takes whole numbers; --scenarios takes shared, distinct and/or mix")

    log = ROOT / "artifacts" / "load" / "server.log"
    proc, url = start_app(ROOT, log)
    rss = RssSampler(proc.pid).start()
    # the watchdog: if the event loop itself hangs past the deadline, stop the server and leave
    watchdog = threading.Timer(args.deadline + 30, lambda: (stop(proc), os._exit(2)))
    watchdog.daemon = True
    watchdog.start()
    rounds: list[Round] = []
    print(f"client={args.client} link={args.link or '(the default experiment)'} cores={os.cpu_count()} "
          f"load={os.getloadavg()[0]:.1f} server={url} log={log.relative_to(ROOT)}")
    header = f"{'scenario':9} {'N':>3} {'median s':>9} {'max s':>7} {'wall s':>7} {'errors':>6} {'starved':>7} " \
             f"{'losses':>6} {'peak RSS MB':>11}"
    print(header)
    print("-" * len(header))

    def report(r: Round) -> None:
        rounds.append(r)
        times = r.times
        losses = len({v.train_loss for v in r.visits if v.train_loss})
        print(f"{r.scenario:9} {r.n:>3} {fmt(statistics.median(times) if times else None):>9} "
              f"{fmt(max(times) if times else None):>7} {r.wall:>7.2f} {len(r.errors):>6} {r.starved:>7} "
              f"{losses:>6} {r.peak_rss / 2**20:>11.0f}", flush=True)
        for e in sorted(set(r.errors))[:3]:
            print(f"    error: {e}")

    code = 0
    try:
        asyncio.run(asyncio.wait_for(benchmark(args, url, rss, report), args.deadline))
    except TimeoutError:
        print(f"DEADLINE: stopped after {args.deadline:g} s")
        code = 2
    finally:
        rss.close()
        stop(proc)
        watchdog.cancel()
    if code:
        print("INCOMPLETE: the targets are not judged on a run cut short")
        return code
    return verdict(rounds, rss.peak)


def verdict(rounds: list[Round], peak: int) -> int:
    """Print each target with its measured value; 1 if any is missed."""
    ok = True
    for scenario, target in TARGETS.items():
        single = next((max(r.times) for r in rounds if r.scenario == scenario and r.n == 1 and r.times), None)
        mine = [r for r in rounds if r.scenario == scenario and r.n > 1]
        for r in mine:
            if not single or not r.times:
                continue
            ratio = max(r.times) / single
            judged = r.n == 32 or (r.n == max(x.n for x in mine) and not any(x.n == 32 for x in mine))
            good = ratio <= target and len(r.times) == r.n
            if judged:
                ok &= good
            print(f"{('PASS' if good else 'MISS') if judged else 'note'} {scenario} N={r.n}: max {max(r.times):.2f} s "
                  f"= {ratio:.1f} × a lone visitor's {single:.2f} s (target ≤ {target:g} × at N=32)")
            if scenario == "shared" and len({v.train_loss for v in r.visits}) > 1:
                ok = False
                print(f"MISS shared N={r.n}: sessions on one link saw different results")
    failed = [r for r in rounds if r.errors]
    ok &= not failed
    print(f"{'MISS' if failed else 'PASS'} errors and starvation: "
          + (", ".join(f"{r.scenario} N={r.n}: {len(r.errors)}" for r in failed) or "none"))
    good = peak < RSS_TARGET
    ok &= good
    print(f"{'PASS' if good else 'MISS'} server peak RSS {peak / 2**20:.0f} MB (target < {RSS_TARGET / 2**20:.0f} MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
