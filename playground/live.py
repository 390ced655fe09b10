"""Live training: advance a run while redrawing the progress bar and the live charts.

Redraws are bounded in rate (the progress bar about 10 times a second, the charts about 5 times),
not per epoch. Every redraw is a Streamlit call, which is where a click elsewhere (Stop, a changed
control) interrupts the script; the run lives in the session and is mutated in place, so whatever was
trained before the interruption is kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from playground.runs import Run
from playground.session import training_gate
from playground.views import Display, chart, decision_spec, loss_spec, metrics

CLICKS = ("click", "click_point")  # the decision chart's selections (see charts.decision_chart)
PROGRESS_PERIOD = 0.1  # s
CHART_PERIOD = 0.2  # s


@dataclass
class Slots:
    """Placeholders the live loop redraws: metrics, progress bar, loss curve, decision regions."""

    metrics: object
    progress: object
    loss: object
    decision: object


def draw(run: Run, slots: Slots, display: Display, final: bool = False) -> None:
    """Draw the live slots; the final drawing's decision regions also take clicks (to edit the data)."""
    metrics(run, slots.metrics.container())
    chart(slots.loss, loss_spec(run, display))
    if final:
        chart(slots.decision, decision_spec(run, display, select=True), key="_decision", select=CLICKS)
    else:
        chart(slots.decision, decision_spec(run, display))


def train_live(run: Run, target: int, slots: Slots, display: Display) -> None:
    """Train ``run`` up to epoch ``target`` with a moving progress bar and live charts."""
    start, total = run.epoch, max(1, target - run.epoch)
    last_progress = last_chart = time.perf_counter()
    slots.progress.progress(0.0, text=f"Training from epoch {start:,} to {target:,}…")
    for snap in run.advance(target - run.epoch, training_gate()):
        now = time.perf_counter()
        if now - last_progress >= PROGRESS_PERIOD:
            done = (snap.epoch - start) / total
            slots.progress.progress(min(1.0, done), text=f"Epoch {snap.epoch:,} of {target:,} · loss {snap.loss:.4g}")
            last_progress = now
        if now - last_chart >= CHART_PERIOD:
            draw(run, slots, display)
            last_chart = time.perf_counter()
    slots.progress.progress(1.0, text=f"Done: epoch {run.epoch:,}.")
