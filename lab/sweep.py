"""Sweeps: one setting of an `Experiment` varied over a few values, trained side by side.

A `Sweep` is pure data (a setting name from ``lab.experiment.FIELDS`` and its values); ``run_sweep``
trains every experiment on the same data and returns a `lab.record.Record` per value, in order.
Full-batch runs that differ only in learning rate, weight seed, initialiser or hidden widths (of one
depth) train together in one batched call (``mlp.batched``), which gives the numbers of separate
``mlp.train`` runs, bit for bit, in less time; the rest train one by one. The classroom presets that
reproduce the lab report's comparison figures are in ``lab.presets``.

Same start: an experiment's initial weights depend only on its layer sizes, initialiser and weight
seed (``MLP`` seeds them), so runs of a sweep that share those start from identical weights — an lr,
optimizer, activation or bias sweep compares the settings, not the luck of the draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lab.experiment import DATA_FIELDS, FIELDS, Experiment
from lab.plane import domain
from lab.record import Record
from mlp import MLP, Snapshot, train
from mlp.batched import train_batched
from mlp.data import Dataset

SEP = ";"  # between a sweep's values in a link or a text box
SWEEPABLE = tuple(name for name in FIELDS if name != "points")
MAX_VALUES = 6


@dataclass(frozen=True)
class Sweep:
    """One setting and the values it takes, e.g. ``Sweep("lr", (0.1, 0.3, 0.9))``.

    Values may be given as text, as the URL and CLI carry them ("9,4", "true"), or as values; each is
    parsed and checked by ``FIELDS[setting]`` on construction (ValueError naming the setting and what
    is allowed), and stored normalised.
    """

    setting: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        f = FIELDS.get(self.setting)
        if f is None:
            raise ValueError(f"setting: unknown value {self.setting!r}; allowed: {', '.join(FIELDS)}")
        if isinstance(self.values, (str, bytes)) or not isinstance(self.values, Sequence) or not self.values:
            raise ValueError(f"{self.setting}: give a non-empty list of values; allowed: {f.allowed()}")
        values = tuple(f.parse(v) if isinstance(v, str) else f.check(v) for v in self.values)
        object.__setattr__(self, "values", values)

    @property
    def labels(self) -> list[str]:
        """Each value's text form ("0.1", "9,4", "true"), for legends and tables."""
        return [FIELDS[self.setting].format(v) for v in self.values]

    def experiments(self, base: Experiment) -> list[Experiment]:
        """``base`` with the setting replaced by each value, in order."""
        return [base.with_(**{self.setting: v}) for v in self.values]

    @classmethod
    def parse(cls, setting: str, text: str) -> Sweep:
        """A sweep as a link or a text box writes it: values separated by ';' (hidden sizes contain commas).
        ValueError names what is wrong."""
        if setting not in SWEEPABLE:
            raise ValueError(f"sweep: unknown setting {setting!r}; allowed: {', '.join(SWEEPABLE)}")
        values = tuple(v.strip() for v in text.split(SEP) if v.strip())
        if not 2 <= len(values) <= MAX_VALUES:
            raise ValueError(f"values: give 2 to {MAX_VALUES} values separated by '{SEP}', e.g. 0.1; 0.3; 0.9")
        return cls(setting, values)

    def query(self) -> dict[str, str]:
        """The sweep as link parameters: ``sweep=lr&values=0.1;0.3;0.9``."""
        return {"sweep": self.setting, "values": SEP.join(self.labels)}


Progress = Callable[[float], None]


def run_sweep(
    base: Experiment,
    sweep: Sweep,
    every: int = 100,
    *,
    batch: bool = True,
    data: Dataset | None = None,
    progress: Progress | None = None,
) -> list[Record]:
    """Train ``sweep.experiments(base)``; see `run_experiments`."""
    return run_experiments(sweep.experiments(base), every, batch=batch, data=data, progress=progress)


def run_experiments(
    experiments: Sequence[Experiment],
    every: int = 100,
    *,
    batch: bool = True,
    data: Dataset | None = None,
    progress: Progress | None = None,
) -> list[Record]:
    """Train each experiment to its epochs (or divergence); one record per experiment, in the given order.

    Experiments with equal data settings train on the same split, made once, of their own points or
    of ``data`` when given (the page's custom points, say). With ``batch``, those that can share a
    batched call (see the module docstring) do, whatever their widths, and their numbers match
    ``mlp.train``'s bit for bit (with numpy's OpenBLAS). ``batch=False`` trains every run with
    ``mlp.train``. ``progress(fraction)`` is called after every snapshot with the share of all epochs
    done, so a page can show progress and stop between chunks. A record's ``seconds`` is its training
    time; runs trained in one batched call share that call's time equally.
    """
    exps = list(experiments)
    splits = _splits(exps, data)
    total = sum(e.epochs for e in exps)
    done = [0.0]  # epochs trained so far, over all runs

    def tick(epochs: float) -> None:
        done[0] += epochs
        if progress is not None:
            progress(min(1.0, done[0] / total))

    results: list[Record | None] = [None] * len(exps)
    for idxs in batch_groups(exps, batch=batch, data=data, splits=splits):
        members = [exps[i] for i in idxs]
        tr, te = splits[_data_key(members[0])]
        nets = [e.network(tr.X) for e in members]
        if len(nets) > 1:
            runs = _run_batched(members, nets, tr, te, every, tick)
        else:
            runs = [_run_alone(members[0], nets[0], tr, te, every, tick)]
        for i, run in zip(idxs, runs):
            results[i] = run
    return results  # type: ignore[return-value]


def batch_groups(experiments: Sequence[Experiment], *, batch: bool = True, data: Dataset | None = None,
                 splits: dict[tuple, tuple[Dataset, Dataset]] | None = None) -> list[list[int]]:
    """Which experiments train in one batched call: lists of indices, in order of first appearance.

    Together: the same data settings and `family_key`, full batch. Alone: everything else, and every
    experiment when ``batch`` is False.
    """
    exps = list(experiments)
    splits = _splits(exps, data) if splits is None else splits
    groups: dict[tuple, list[int]] = {}
    for i, exp in enumerate(exps):
        n = len(splits[_data_key(exp)][0])
        full = not exp.batch_size or exp.batch_size >= n
        key = (_data_key(exp), family_key(exp)) if batch and full else (i,)
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _splits(exps: Sequence[Experiment], data: Dataset | None) -> dict[tuple, tuple[Dataset, Dataset]]:
    """One (train, test) split per distinct data setting, of the experiments' points or of ``data``."""
    splits: dict[tuple, tuple[Dataset, Dataset]] = {}
    for exp in exps:
        key = _data_key(exp)
        if key not in splits:
            splits[key] = exp.split(data)
    return splits


def _data_key(exp: Experiment) -> tuple:
    return tuple(getattr(exp, name) for name in DATA_FIELDS)


def family_key(exp: Experiment) -> Experiment:
    """What must be equal to train together: all but lr, weight seed, init and the widths (not the depth) —
    so the input features, the data set (and with it the task) and the number of hidden layers are kept."""
    return exp.with_(lr=1.0, hidden=(1,) * len(exp.hidden), weight_seed=0, init="normal")


def _test_kwargs(tr: Dataset, te: Dataset) -> dict[str, np.ndarray]:
    # a test fraction of 0 tests on the training data itself: report no separate test metrics
    return {} if te is tr else {"X_test": te.X, "y_test": te.y}


def _record(exp: Experiment, snaps: list[Snapshot], net: MLP, tr: Dataset, seconds: float) -> Record:
    return Record.of(exp, snaps, seconds=seconds, net=net, X=tr.X, domain=domain(tr.X))


def _run_alone(exp: Experiment, net: MLP, tr: Dataset, te: Dataset, every: int, tick: Progress) -> Record:
    t0 = time.perf_counter()
    snaps: list[Snapshot] = []
    for snap in train(net, tr.X, tr.y, every=every, **exp.train_kwargs(), **_test_kwargs(tr, te)):
        tick(snap.epoch - (snaps[-1].epoch if snaps else 0))
        snaps.append(snap)
    tick(exp.epochs - snaps[-1].epoch)  # a diverged run counts as done
    return _record(exp, snaps, net, tr, time.perf_counter() - t0)


def _run_batched(
    exps: list[Experiment], nets: list[MLP], tr: Dataset, te: Dataset, every: int, tick: Progress
) -> list[Record]:
    t0 = time.perf_counter()
    first, K = exps[0], len(exps)
    hist: list[list[Snapshot]] = [[] for _ in exps]
    kw = first.train_kwargs()
    snaps_iter = train_batched(
        nets, tr.X, tr.y, epochs=first.epochs, lrs=[e.lr for e in exps], optimizer=kw["optimizer"],
        reduction=kw["reduction"], l1=kw["l1"], l2=kw["l2"], task=kw["task"], every=every, **_test_kwargs(tr, te),
    )
    for snaps in snaps_iter:
        for h, snap in zip(hist, snaps):
            if not h or snap.epoch > h[-1].epoch:  # a frozen (diverged) net repeats its last snapshot
                tick(snap.epoch - (h[-1].epoch if h else 0))
                h.append(snap)
    for h in hist:
        tick(first.epochs - h[-1].epoch)
    share = (time.perf_counter() - t0) / K
    return [_record(e, h, net, tr, share) for e, h, net in zip(exps, hist, nets)]
