"""For the tests of the check's limits (tests/lab, tests/playground, e2e): files at the edges of the bounds,
a watch on the check's child processes, and a process's peak memory.

- `largest_file`: the most expensive file the bounds allow. A check's time and memory go with its
  (points, units) arrays and, for its products, with points × weights; three hidden layers of 150 hold
  about half of the file's 100,000 numbers as weights (the gradients are the other half) on the most
  points MAX_POINT_UNITS leaves them. Sigmoid hidden layers have the most candidate derivatives, the
  biases add their own, and gradients that match nothing make the search try every candidate.
- `reviewers_file`: what a reviewer uploaded: [1, 10000, 1] on 30,000 points, 100,000 numbers in a
  few hundred KB, which asked the unbounded check for 2.4 GB per (points, units) array.
"""

from __future__ import annotations

import json
import threading

import numpy as np
import psutil

from companion.checkfile import MAX_BYTES, MAX_NUMBERS, MAX_POINT_UNITS

LARGEST = (1, 150, 150, 150, 1)


def _file(sizes: tuple[int, ...], n: int, bias: bool, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    shapes = list(zip(sizes[:-1], sizes[1:]))
    data = {
        "layer_sizes": list(sizes),
        "X": (rng.integers(-9, 10, (n, sizes[0])) / 10).tolist(),  # short numbers: the 1 MB holds them all
        "y": rng.integers(0, 2, (n, 1)).tolist(),
        "weights": [(rng.integers(-3, 4, s) / 10).tolist() for s in shapes],
        "grad_weights": [rng.integers(-9, 10, s).tolist() for s in shapes],  # no mistake makes these
    }
    if bias:
        data["biases"] = [(rng.integers(-3, 4, k) / 10).tolist() for k in sizes[1:]]
        data["grad_biases"] = [rng.integers(-9, 10, k).tolist() for k in sizes[1:]]
    text = json.dumps(data, separators=(",", ":")).encode()
    assert len(text) <= MAX_BYTES
    return text


def numbers(sizes: tuple[int, ...], n: int, bias: bool) -> int:
    """How many numbers a file of this network on n points holds (X, y, weights and biases, and their gradients)."""
    params = sum(a * b + b * bias for a, b in zip(sizes[:-1], sizes[1:]))
    return n * sizes[0] + n + 2 * params


def largest_file() -> bytes:
    n = MAX_POINT_UNITS // sum(LARGEST)
    assert numbers(LARGEST, n, True) <= MAX_NUMBERS
    return _file(LARGEST, n, bias=True)


def reviewers_file() -> bytes:
    assert numbers((1, 10_000, 1), 30_000, False) == MAX_NUMBERS  # within the file's own limits
    return _file((1, 10_000, 1), 30_000, bias=False)


def file_of(sizes: tuple[int, ...], n: int) -> bytes:
    """A legal-looking file (no biases) of this network on n points, for the bound's edges."""
    return _file(sizes, n, bias=False)


def children(of: psutil.Process | None = None) -> list[psutil.Process]:
    """The check children (``python -m companion.checkrun``) of a process, by default this one."""
    return [p for p in (of or psutil.Process()).children() if "companion.checkrun" in " ".join(p.cmdline())]


class Sampler:
    """Calls ``sample`` every ``period`` seconds in a thread while the block runs."""

    period = 0.005

    def __init__(self) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._done.wait(self.period):
            try:
                self.sample()
            except psutil.Error:  # a process that ended between the listing and the look
                pass

    def sample(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


class Watch(Sampler):
    """Records the check children of a process while the block runs (and kills each it sees, if asked)."""

    def __init__(self, of: psutil.Process | None = None, kill: bool = False) -> None:
        super().__init__()
        self.of, self.kill, self.seen = of, kill, {}

    def sample(self) -> None:
        for p in children(self.of):
            self.seen.setdefault(p.pid, p)
            if self.kill:
                p.kill()

    def all_gone(self) -> bool:
        """Every child seen has ended and been reaped (psutil tells a reused pid by its start time)."""
        return not any(p.is_running() for p in self.seen.values())


class PeakRSS(Sampler):
    """The largest resident set of one process while the block runs."""

    period = 0.02

    def __init__(self, proc: psutil.Process) -> None:
        super().__init__()
        self.proc, self.peak = proc, proc.memory_info().rss

    def sample(self) -> None:
        self.peak = max(self.peak, self.proc.memory_info().rss)
