"""Trainings in one process take turns through a shared gate, between snapshots, and lose nothing by it."""

import threading
from contextlib import contextmanager

import numpy as np

from lab.experiment import Experiment
from lab.run import finish, new_run


class CountingGate:
    """A lock that records how often it was entered and whether two holders ever overlapped."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries = 0
        self.inside = 0
        self.overlap = False

    @contextmanager
    def _held(self):
        with self.lock:
            self.entries += 1
            self.inside += 1
            self.overlap |= self.inside > 1
            try:
                yield
            finally:
                self.inside -= 1

    def __enter__(self):
        self._cm = self._held()
        return self._cm.__enter__()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def test_every_stretch_between_snapshots_is_computed_inside_the_gate():
    exp = Experiment(dataset="xor", epochs=400)
    gate = CountingGate()
    run = finish(new_run(exp), gate)
    # one entry per snapshot the trainer yields (it repeats the starting epoch 0, which the history
    # already holds) plus the last call, which finds the trainer done
    assert gate.entries == len(run.snapshots) + 1
    assert run.finished and run.elapsed > 0


def test_gated_trainings_in_threads_give_the_numbers_of_one_after_another():
    exps = [Experiment(dataset="xor", epochs=600, weight_seed=s) for s in range(4)]
    alone = [finish(new_run(e)).net.params.copy() for e in exps]
    gate, results = CountingGate(), {}

    def train(i):
        results[i] = finish(new_run(exps[i]), gate).net.params.copy()

    threads = [threading.Thread(target=train, args=(i,)) for i in range(len(exps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, params in enumerate(alone):
        np.testing.assert_array_equal(results[i], params)
    assert not gate.overlap
