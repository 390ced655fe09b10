"""What a data set's targets are: class labels (classification) or real values (regression).

A task decides what the targets may be and how a run is scored. Classification: labels 0 or 1, and
accuracy (the output ≥ 0.5 means class 1) next to the loss. Regression: any finite values, and the
loss alone — a snapshot of a regression run has ``accuracy=None``, never a made-up number. The data
sets say which task they pose (`mlp.data.task`); training takes it as ``task=``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """A named task; ``labels``: targets are 0 or 1 and runs are scored by accuracy."""

    name: str
    labels: bool


TASKS: dict[str, Task] = {t.name: t for t in (Task("classification", True), Task("regression", False))}
